import { h, field, input } from './ui.js';

const MiB = 1024 * 1024;

/** Inputs for a tenant's plan; media storage is typed in MiB and sent in bytes. Empty inputs are left out. */
export function planFields(plan = {}) {
  return h('div', { class: 'grid-3' },
    field('Max sessions', input('plan.maxSessions', { type: 'number', min: '1', step: '1', value: plan.maxSessions ?? '' })),
    field('Messages per minute', input('plan.messagesPerMinute', { type: 'number', min: '1', step: '1', value: plan.messagesPerMinute ?? '' })),
    field('Media storage (MiB)', input('plan.mediaStorageBytes', { type: 'number', min: '1', step: '1', value: plan.mediaStorageBytes ? Math.round(plan.mediaStorageBytes / MiB) : '' })));
}

export function planValues(form) {
  const plan = {};
  const number = name => form.elements[name].value.trim();
  if (number('plan.maxSessions')) plan.maxSessions = Number(number('plan.maxSessions'));
  if (number('plan.messagesPerMinute')) plan.messagesPerMinute = Number(number('plan.messagesPerMinute'));
  if (number('plan.mediaStorageBytes')) plan.mediaStorageBytes = Math.round(Number(number('plan.mediaStorageBytes')) * MiB);
  return plan;
}

export const describePlan = p => `${p.maxSessions} sessions · ${p.messagesPerMinute}/min · ${Math.round(p.mediaStorageBytes / MiB).toLocaleString()} MiB`;
