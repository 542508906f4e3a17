import { api, query } from './api.js';
import { h, replace, field, input, select, button, busy, loading, empty, problemBox, showFormError, clearFormErrors, badge, time, pageHeader, card, table } from './ui.js';
import { onEvent } from './stream.js';
import { listEngines } from './engines.js';

const statuses = ['', 'created', 'pairing', 'connected', 'disconnected', 'logged_out'];

export async function sessionsPage(main) {
  const createPanel = h('div');
  const filter = select('status', statuses.map(s => ({ value: s, label: s ? s.replace('_', ' ') : 'All statuses' })), { 'aria-label': 'Filter by status' });
  const list = h('div', {}, loading());
  const newButton = button('New session', () => toggleCreate(), { class: 'btn btn-primary', 'aria-expanded': 'false' });
  main.append(pageHeader('Sessions', 'Each session is one WhatsApp number. Pair it, then send and receive.', newButton), createPanel,
    card(null, h('div', { class: 'toolbar' }, filter), list));

  let rows = new Map();
  async function load() {
    try {
      const page = await api('/v1/sessions' + query({ status: filter.value, limit: 200 }));
      rows = new Map();
      if (!page.items.length) {
        replace(list, empty(filter.value ? 'No sessions with this status' : 'No sessions yet',
          filter.value ? null : 'Create one to get a QR code to pair a phone with.', filter.value ? null : button('Create a session', () => toggleCreate(true), { class: 'btn btn-primary' })));
        return;
      }
      replace(list, table(['Name', 'Status', 'Phone', 'Engine', 'Created'], page.items.map(s => {
        const row = h('tr', { dataset: { session: s.id } },
          h('td', {}, h('a', { href: `#/sessions/${encodeURIComponent(s.id)}` }, s.name), h('div', { class: 'muted mono' }, s.id)),
          h('td', { class: 'status-cell' }, badge(s.status)),
          h('td', { class: 'phone-cell' }, s.phoneNumber || '—'),
          h('td', {}, s.engine),
          h('td', {}, time(s.createdAt)));
        rows.set(s.id, row);
        return row;
      }), { class: 'sessions-table' }));
    } catch (error) {
      replace(list, problemBox(error));
    }
  }

  function toggleCreate(open = !createPanel.hasChildNodes()) {
    newButton.setAttribute('aria-expanded', String(open));
    if (!open) { replace(createPanel); return; }
    replace(createPanel, createForm(() => toggleCreate(false)));
    createPanel.querySelector('input')?.focus();
  }

  filter.addEventListener('change', load);
  await load();
  // Live: a status change updates its row; a new or deleted session reloads the list.
  return onEvent(event => {
    if (event.type === 'session.status') {
      const row = rows.get(event.sessionId);
      if (!row) { if (event.data.status === 'created') load(); return; }
      if (filter.value && filter.value !== event.data.status) { load(); return; }
      replace(row.querySelector('.status-cell'), badge(event.data.status));
      if (event.data.phoneNumber) replace(row.querySelector('.phone-cell'), event.data.phoneNumber);
    } else if (event.type === 'session.deleted') {
      rows.get(event.sessionId)?.remove();
      rows.delete(event.sessionId);
    }
  });
}

function createForm(close) {
  const name = input('name', { required: true, maxlength: '100', placeholder: 'e.g. shop', autocomplete: 'off' });
  const engine = select('engine', [], { required: true });
  const description = h('p', { class: 'hint' });
  const settings = h('div', { class: 'engine-settings' });
  // Disabled until the engines are listed: a session created before that would name no engine.
  const submit = h('button', { type: 'submit', class: 'btn btn-primary', disabled: true }, 'Create session');
  const form = h('form', { class: 'form', novalidate: true, 'aria-label': 'New session' },
    h('div', { class: 'grid-2' }, field('Name', name, 'Shown in lists; 1–100 characters.'), field('Engine', engine)),
    description, settings,
    h('div', { class: 'actions' }, button('Cancel', close), submit));
  const panel = card('New session', form);

  let engines = [];
  function showEngine() {
    const chosen = engines.find(e => e.name === engine.value);
    description.textContent = chosen?.description || '';
    replace(settings, (chosen?.settings || []).map(s => {
      const control = input(`${chosen.settingsField}.${s.name}`, { type: s.secret ? 'password' : s.type === 'integer' || s.type === 'number' ? 'number' : 'text', required: s.required, autocomplete: 'off' });
      return field(`${s.displayName || s.name}${s.required ? '' : ' (optional)'}`, control, s.description);
    }));
  }
  listEngines().then(list => {
    engines = list;
    replace(engine, list.map(e => h('option', { value: e.name }, e.displayName || e.name)));
    showEngine();
    submit.disabled = false;
  }).catch(error => form.prepend(problemBox(error)));
  engine.addEventListener('change', showEngine);

  form.addEventListener('submit', async event => {
    event.preventDefault();
    clearFormErrors(form);
    const chosen = engines.find(e => e.name === engine.value);
    const body = { name: name.value.trim(), engine: engine.value };
    if (chosen?.settingsField) {
      const values = {};
      for (const s of chosen.settings) {
        const raw = form.elements[`${chosen.settingsField}.${s.name}`].value.trim();
        if (raw !== '') values[s.name] = s.type === 'integer' || s.type === 'number' ? Number(raw) : raw;
      }
      body[chosen.settingsField] = values;
    }
    await busy(submit, async () => {
      try {
        const session = await api('/v1/sessions', { method: 'POST', body });
        location.hash = `#/sessions/${encodeURIComponent(session.id)}`;
      } catch (error) { showFormError(form, error); }
    });
  });
  return panel;
}
