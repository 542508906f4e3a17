import { h, replace, field, input, button, busy, loading, empty, problemBox, showFormError, clearFormErrors, time, table } from './ui.js';
import { query } from './api.js';

/** The audit log with its filters; `call` is api or adminApi, `path` the route under it. */
export function auditView(call, path, { tenantFilter = false } = {}) {
  const filters = [
    tenantFilter ? ['tenant', 'Tenant id', 'ten_…'] : null,
    ['actor', 'Actor', 'tenant, admin, system or a key id'],
    ['action', 'Action', 'e.g. POST /v1/sessions'],
  ].filter(Boolean).map(([name, label, placeholder]) => field(label, input(name, { placeholder })));
  const from = input('from', { type: 'datetime-local' });
  const to = input('to', { type: 'datetime-local' });
  const submit = h('button', { type: 'submit', class: 'btn' }, 'Apply filters');
  const form = h('form', { class: 'form filters', novalidate: true, 'aria-label': 'Filter the audit log' },
    h('div', { class: 'grid-filters' }, filters, field('From', from), field('To', to)), h('div', { class: 'actions' }, submit));
  const list = h('div', {}, loading());
  const more = h('div', { class: 'actions' });
  let tbody = null;

  const iso = value => (value ? new Date(value).toISOString() : undefined);
  const row = e => h('tr', {},
    h('td', {}, time(e.at)), h('td', {}, e.actor, e.keyId ? h('div', { class: 'muted mono' }, e.keyId) : null),
    tenantFilter ? h('td', { class: 'mono' }, e.tenantId || '—') : null,
    h('td', {}, e.action), h('td', { class: 'mono wrap' }, e.target),
    h('td', {}, h('span', { class: `outcome outcome-${String(e.outcome)[0]}` }, String(e.outcome))));

  async function load(cursor) {
    const params = Object.fromEntries(['tenant', 'actor', 'action'].map(n => [n, form.elements[n]?.value.trim()]));
    try {
      const page = await call(path + query({ ...params, from: iso(from.value), to: iso(to.value), cursor, limit: 50 }));
      clearFormErrors(form);
      if (!cursor) {
        if (!page.items.length) { replace(list, empty('No entries', 'Nothing matches these filters.')); replace(more); return; }
        const t = table(['When', 'Actor', tenantFilter ? 'Tenant' : null, 'Action', 'Target', 'Outcome'].filter(c => c !== null), page.items.map(row), { class: 'audit-table' });
        tbody = t.querySelector('tbody');
        replace(list, t);
      } else page.items.forEach(e => tbody.append(row(e)));
      replace(more, page.nextCursor ? button('Load older', () => load(page.nextCursor)) : null);
    } catch (error) {
      if (error.problem?.errors) { showFormError(form, error); replace(list); } else replace(list, problemBox(error));
    }
  }

  form.addEventListener('submit', event => { event.preventDefault(); busy(submit, () => load()); });
  load();
  return h('div', { class: 'audit' }, form, list, more);
}
