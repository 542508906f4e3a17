import { api, query } from './api.js';
import { h, replace, field, input, select, button, busy, loading, empty, problemBox, showFormError, clearFormErrors, toast, badge, time, card, table } from './ui.js';

const types = [
  { value: 'text', label: 'Text' }, { value: 'image', label: 'Image' },
  { value: 'document', label: 'Document' }, { value: 'location', label: 'Location' },
];

/** Send a test message and watch the session's history; live() takes the session's message events. */
export function messagesCard(session) {
  const base = `/v1/sessions/${encodeURIComponent(session.id)}`;
  const history = historyView(base);
  const el = card('Messages', sendForm(base), history.el);
  return { el, live: history.live };
}

function sendForm(base) {
  const to = input('to', { type: 'tel', placeholder: '+12015550102', required: true, autocomplete: 'off' });
  const type = select('type', types);
  const fields = h('div', { class: 'message-fields' });
  const submit = h('button', { type: 'submit', class: 'btn btn-primary' }, 'Send');
  const form = h('form', { class: 'form', novalidate: true, 'aria-label': 'Send a message' },
    h('div', { class: 'grid-2' }, field('To', to, 'The recipient’s number, international format.'), field('Type', type)),
    fields, h('div', { class: 'actions' }, submit));

  function showType() {
    const t = type.value;
    if (t === 'text') replace(fields, field('Message', h('textarea', { name: 'text', rows: '3', maxlength: '4096', required: true })));
    else if (t === 'image' || t === 'document') replace(fields, h('div', { class: 'grid-2' },
      field(t === 'image' ? 'Image (JPEG or PNG, up to 5 MB)' : 'File (up to 100 MB)',
        h('input', { type: 'file', name: `${t}.mediaId`, accept: t === 'image' ? 'image/jpeg,image/png' : null, required: true })),
      field('Caption (optional)', input(`${t}.caption`, { maxlength: '1024' }))));
    else replace(fields, h('div', { class: 'grid-2' },
      field('Latitude', input('location.latitude', { type: 'number', step: 'any', min: '-90', max: '90', required: true })),
      field('Longitude', input('location.longitude', { type: 'number', step: 'any', min: '-180', max: '180', required: true })),
      field('Place name (optional)', input('location.name')),
      field('Address (optional)', input('location.address'))));
  }
  type.addEventListener('change', showType);
  showType();

  form.addEventListener('submit', async event => {
    event.preventDefault();
    clearFormErrors(form);
    await busy(submit, async () => {
      try {
        const body = await messageBody(form, type.value);
        body.to = to.value.trim();
        const message = await api(`${base}/messages`, { method: 'POST', body });
        toast(`Message ${message.status}`, 'success');
        if (form.elements.text) form.elements.text.value = '';
      } catch (error) { showFormError(form, error); }
    });
  });
  return form;
}

// Media goes up through POST /v1/media first; the message then names the returned id.
async function messageBody(form, type) {
  const value = name => form.elements[name]?.value.trim() || undefined;
  if (type === 'text') return { type, text: form.elements.text.value };
  if (type === 'location') {
    const number = name => (value(name) === undefined ? undefined : Number(value(name)));
    return { type, location: { latitude: number('location.latitude'), longitude: number('location.longitude'), name: value('location.name'), address: value('location.address') } };
  }
  const file = form.elements[`${type}.mediaId`].files[0];
  if (!file) {
    const error = new Error('Choose a file to send');
    error.problem = { title: 'Choose a file to send', errors: { [`${type}.mediaId`]: ['is required.'] } };
    throw error;
  }
  const upload = new FormData();
  upload.append('file', file, file.name);
  upload.append('kind', type);
  let media;
  try {
    media = await api('/v1/media', { method: 'POST', form: upload });
  } catch (error) {
    // The upload's field is "file"; show it under the file input.
    if (error.problem?.errors?.file) error.problem.errors[`${type}.mediaId`] = error.problem.errors.file;
    throw error;
  }
  const object = { mediaId: media.id, caption: value(`${type}.caption`) };
  if (type === 'document') object.fileName = file.name;
  return { type, [type]: object };
}

function summary(message) {
  const d = message.details || {};
  if (message.type === 'text') return message.text;
  if (message.type === 'location') return `📍 ${d.name || ''} ${d.latitude}, ${d.longitude}`.trim();
  return `[${message.type}] ${d.caption || d.fileName || message.text || ''}`.trim();
}

function historyView(base) {
  const direction = select('direction', [{ value: '', label: 'Both directions' }, 'inbound', 'outbound'], { 'aria-label': 'Direction' });
  const status = select('status', [{ value: '', label: 'Any status' }, 'queued', 'sent', 'delivered', 'read', 'failed'], { 'aria-label': 'Status' });
  const peer = input('peer', { type: 'tel', placeholder: 'Peer number', 'aria-label': 'Peer number' });
  const list = h('div', {}, loading());
  const more = h('div', { class: 'actions' });
  const filters = h('form', { class: 'toolbar', 'aria-label': 'Filter messages' }, direction, status, peer,
    h('button', { type: 'submit', class: 'btn' }, 'Filter'));
  const el = h('div', { class: 'history' }, h('h3', {}, 'History'), filters, list, more);
  let rows = new Map();
  let tbody = null;

  function row(m) {
    const read = m.direction === 'inbound' && m.status !== 'read'
      ? button('Mark read', async event => {
        try { await api(`${base}/messages/${encodeURIComponent(m.id)}/read`, { method: 'POST' }); event.target.remove(); } catch (error) { toast(error.message, 'error'); }
      }, { class: 'btn btn-small', 'aria-label': `Mark message from ${m.peer} read` }) : null;
    const tr = h('tr', { dataset: { message: m.id, direction: m.direction } },
      h('td', {}, time(m.createdAt)),
      h('td', {}, h('span', { class: `direction direction-${m.direction}` }, m.direction === 'inbound' ? '← in' : 'out →')),
      h('td', { class: 'mono' }, m.peer),
      h('td', { class: 'message-text' }, summary(m)),
      h('td', { class: 'status-cell' }, badge(m.status), m.error ? h('div', { class: 'muted' }, m.error) : null),
      h('td', {}, read));
    rows.set(m.id, tr);
    return tr;
  }

  async function load(cursor) {
    try {
      const page = await api(`${base}/messages` + query({ direction: direction.value, status: status.value, peer: peer.value.trim(), cursor, limit: 50 }));
      if (!cursor) {
        rows = new Map();
        if (!page.items.length) { replace(list, empty('No messages yet', 'Send one above; what this session receives shows up here too.')); tbody = null; replace(more); return; }
        const t = table(['Time', '', 'Peer', 'Message', 'Status', ''], page.items.map(row), { class: 'messages-table' });
        tbody = t.querySelector('tbody');
        replace(list, t);
      } else page.items.forEach(m => tbody.append(row(m)));
      replace(more, page.nextCursor ? button('Load older', () => load(page.nextCursor)) : null);
    } catch (error) {
      if (!cursor) replace(list, problemBox(error));
      else toast(error.message, 'error');
    }
  }

  filters.addEventListener('submit', event => { event.preventDefault(); load(); });
  load();

  let reload = null;
  return {
    el,
    live(event) {
      const m = event.data;
      const existing = rows.get(m?.id);
      if (existing) {
        replace(existing.querySelector('.status-cell'), badge(m.status), m.error ? h('div', { class: 'muted' }, m.error) : null);
        return;
      }
      // A message this page has not shown yet: read the history again (filters and order stay the API's).
      clearTimeout(reload);
      reload = setTimeout(() => load(), 150);
    },
  };
}
