import { api } from './api.js';
import { h, replace, loading, problemBox, bar, bytes, pageHeader, card } from './ui.js';
import { auditView } from './audit.js';

/** The tenant's plan next to what it uses now (refreshed every few seconds), and its audit log. */
export async function usagePage(main) {
  const meters = h('div', { class: 'tiles' }, loading());
  main.append(pageHeader('Usage & audit', 'What your plan allows and what you use now; every change made to your account.'),
    card('Usage against your plan', meters),
    card('Audit log', auditView(api, '/v1/audit')));

  async function load() {
    try {
      const u = await api('/v1/usage');
      const n = v => Number(v).toLocaleString();
      replace(meters,
        tile('Sessions', n(u.used.sessions), bar('Sessions', u.used.sessions, u.plan.maxSessions, `of ${n(u.plan.maxSessions)}`)),
        tile('Messages in the last minute', n(u.used.messagesLastMinute), bar('Messages per minute', u.used.messagesLastMinute, u.plan.messagesPerMinute, `of ${n(u.plan.messagesPerMinute)} per minute`)),
        tile('Media storage', bytes(u.used.mediaStorageBytes), bar('Media storage', u.used.mediaStorageBytes, u.plan.mediaStorageBytes, `of ${bytes(u.plan.mediaStorageBytes)}`)));
    } catch (error) { replace(meters, problemBox(error)); }
  }
  await load();
  const timer = setInterval(load, 5000);
  return () => clearInterval(timer);
}

const tile = (label, value, meter) => h('div', { class: 'tile' }, h('p', { class: 'tile-label' }, label), h('p', { class: 'tile-value' }, value), meter);
