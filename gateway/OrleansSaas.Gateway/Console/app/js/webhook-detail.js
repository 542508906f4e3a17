import { api, query } from './api.js';
import { h, replace, field, input, select, button, busy, loading, empty, problemBox, showFormError, clearFormErrors, confirmAction, toast, badge, time, pageHeader, card, table, secretBox } from './ui.js';
import { eventTypeChoices, checkedTypes } from './webhooks.js';

export async function webhookPage(main, id) {
  const base = `/v1/webhooks/${encodeURIComponent(id)}`;
  main.append(loading());
  let webhook;
  try { webhook = await api(base); } catch (error) {
    replace(main, pageHeader('Webhook'), problemBox(error), h('p', {}, h('a', { href: '#/webhooks' }, '← All webhooks')));
    return;
  }
  const notice = h('div', { 'aria-live': 'polite' });
  const deliveries = deliveriesCard(base);
  const ping = button('Send a ping', () => busy(ping, async () => {
    try {
      const r = await api(`${base}/ping`, { method: 'POST' });
      replace(notice, h('div', { class: `alert ${r.delivered ? 'alert-success' : 'alert-error'}`, role: 'status' },
        h('strong', {}, r.delivered ? 'Ping delivered' : 'Ping failed'),
        h('p', { class: 'ping-result' }, r.statusCode ? `The receiver answered ${r.statusCode}` : 'No answer', ` in ${r.latencyMilliseconds} ms`, r.error ? ` — ${r.error}` : '')));
    } catch (error) { replace(notice, problemBox(error)); }
  }), { class: 'btn btn-primary' });
  const rotate = button('Rotate secret', async () => {
    if (!(await confirmAction('Rotate the signing secret?', 'A new secret starts signing now; the old one keeps signing too for 24 hours, so you can switch your receiver over.', 'Rotate'))) return;
    try {
      const r = await api(`${base}/rotate-secret`, { method: 'POST', body: {} });
      replace(notice, secretBox('New signing secret (shown only now):', r.secret, `The previous secret keeps signing until ${new Date(r.webhook.previousSecretExpiresAt).toLocaleString()}.`));
    } catch (error) { replace(notice, problemBox(error)); }
  });
  const remove = button('Delete', async () => {
    if (!(await confirmAction('Delete this webhook?', 'Deliveries stop and its delivery log is removed.', 'Delete'))) return;
    try { await api(base, { method: 'DELETE' }); toast('Webhook deleted', 'success'); location.hash = '#/webhooks'; } catch (error) { replace(notice, problemBox(error)); }
  }, { class: 'btn btn-danger' });

  main.replaceChildren(
    pageHeader(webhook.url, null, ping, rotate, remove),
    notice,
    deliveries.el,
    h('div', { class: 'two-up' }, editCard(base, webhook), replayCard(base, deliveries.load)));
  main.querySelector('.page-header > div').append(h('p', { class: 'subtitle' }, h('a', { href: '#/webhooks' }, '← Webhooks'), ' · ', h('span', { class: 'mono' }, webhook.id), ' · ', badge(webhook.active ? 'active' : 'disabled')));
  const timer = setInterval(() => deliveries.load(true), 3000);
  return () => clearInterval(timer);
}

function editCard(base, webhook) {
  const url = input('url', { type: 'url', value: webhook.url, required: true });
  const description = input('description', { value: webhook.description || '', maxlength: '200' });
  const active = h('input', { type: 'checkbox', name: 'active', checked: webhook.active });
  const submit = h('button', { type: 'submit', class: 'btn' }, 'Save changes');
  const form = h('form', { class: 'form', novalidate: true, 'aria-label': 'Edit webhook' },
    field('Endpoint URL', url), field('Description', description), eventTypeChoices(webhook.eventTypes || []),
    h('label', { class: 'check' }, active, 'Active (re-enables a disabled webhook; its pending events go out)'),
    h('div', { class: 'actions' }, submit));
  form.addEventListener('submit', async event => {
    event.preventDefault();
    clearFormErrors(form);
    await busy(submit, async () => {
      try {
        await api(base, { method: 'PATCH', body: { url: url.value.trim(), description: description.value.trim(), eventTypes: checkedTypes(form), ...(active.checked && !webhook.active ? { active: true } : {}) } });
        toast('Webhook saved', 'success');
      } catch (error) { showFormError(form, error); }
    });
  });
  return card('Settings', form);
}

function replayCard(base, reload) {
  const from = input('fromSeq', { type: 'number', min: '1' });
  const to = input('toSeq', { type: 'number', min: '1' });
  const eventId = input('eventId', { placeholder: 'evt_… (instead of a range)' });
  const submit = h('button', { type: 'submit', class: 'btn' }, 'Replay');
  const result = h('div', { 'aria-live': 'polite' });
  const form = h('form', { class: 'form', novalidate: true, 'aria-label': 'Replay events' },
    h('div', { class: 'grid-2' }, field('From sequence', from), field('To sequence', to)), field('Or one event', eventId),
    h('div', { class: 'actions' }, submit), result);
  form.addEventListener('submit', async event => {
    event.preventDefault();
    clearFormErrors(form);
    const body = eventId.value.trim() ? { eventId: eventId.value.trim() } : { fromSeq: from.value ? Number(from.value) : undefined, toSeq: to.value ? Number(to.value) : undefined };
    await busy(submit, async () => {
      try {
        const r = await api(`${base}/replay`, { method: 'POST', body });
        replace(result, h('p', { class: 'alert alert-success' }, `${r.queued} event${r.queued === 1 ? '' : 's'} queued for delivery again.`));
        reload();
      } catch (error) { showFormError(form, error); }
    });
  });
  return card('Replay', h('p', { class: 'muted' }, 'Send events again, e.g. after fixing your receiver.'), form);
}

function deliveriesCard(base) {
  const state = select('state', [{ value: '', label: 'All deliveries' }, 'pending', 'delivered', 'dead'], { 'aria-label': 'Delivery state' });
  const list = h('div', {}, loading());
  const open = new Set();
  let shown = '';
  async function load(quiet) {
    try {
      const page = await api(`${base}/deliveries` + query({ state: state.value, limit: 50 }));
      const fingerprint = JSON.stringify([page.items, [...open], state.value]);
      if (quiet && fingerprint === shown) return;
      shown = fingerprint;
      if (!page.items.length) { replace(list, empty('No deliveries yet', 'Events matching this webhook appear here as they are sent.')); return; }
      replace(list, table(['Seq', 'Event', 'State', 'Attempts', 'Last answer', 'Next attempt', ''], page.items.flatMap(d => {
        const detail = h('tr', { class: 'attempts-row', hidden: !open.has(d.eventId) }, h('td', { colspan: '7' }, open.has(d.eventId) ? loading() : null));
        const toggle = button(open.has(d.eventId) ? 'Hide attempts' : 'Attempts', () => {
          if (open.has(d.eventId)) open.delete(d.eventId); else open.add(d.eventId);
          load();
        }, { class: 'btn btn-small', 'aria-expanded': String(open.has(d.eventId)) });
        if (open.has(d.eventId)) attempts(base, d.eventId, detail.firstChild);
        return [h('tr', { dataset: { delivery: d.eventId } },
          h('td', {}, String(d.seq)), h('td', {}, d.eventType, h('div', { class: 'muted mono' }, d.eventId)),
          h('td', {}, badge(d.state)), h('td', {}, String(d.attempts)),
          h('td', { class: 'status-code' }, d.lastStatusCode ? String(d.lastStatusCode) : '—', d.lastError ? h('div', { class: 'muted' }, d.lastError) : null),
          h('td', {}, d.state === 'pending' ? time(d.nextAttemptAt) : '—'), h('td', {}, toggle)), detail];
      }), { class: 'deliveries-table' }));
    } catch (error) { if (!quiet) replace(list, problemBox(error)); }
  }
  state.addEventListener('change', () => load());
  load();
  return { el: card('Deliveries', h('div', { class: 'toolbar' }, state), list), load };
}

async function attempts(base, eventId, cell) {
  try {
    const r = await api(`${base}/deliveries/${encodeURIComponent(eventId)}`);
    replace(cell, r.attempts.length ? table(['#', 'When', 'Status', 'Latency', 'Error'], r.attempts.map(a => h('tr', {},
      h('td', {}, String(a.attempt)), h('td', {}, time(a.attemptedAt)), h('td', {}, a.statusCode ? String(a.statusCode) : '—'),
      h('td', {}, `${a.latencyMilliseconds} ms`), h('td', {}, a.error || '—')))) : h('p', { class: 'muted' }, 'Not attempted yet.'));
  } catch (error) { replace(cell, problemBox(error)); }
}
