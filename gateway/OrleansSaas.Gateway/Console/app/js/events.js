import { h, replace, input, select, button, empty, pageHeader, card, time } from './ui.js';
import { onEvent } from './stream.js';
import { eventTypes } from './webhooks.js';

const MaxShown = 200;

/** Every event of the tenant as it happens, newest on top, filtered in the page. */
export function eventsPage(main) {
  const type = select('type', [{ value: '', label: 'All types' }, { value: 'message.', label: 'All message events' }, { value: 'session.', label: 'All session events' }, ...eventTypes],
    { 'aria-label': 'Event type' });
  const session = input('session', { placeholder: 'Session id', 'aria-label': 'Session id' });
  let paused = false;
  const pause = button('Pause', () => { paused = !paused; pause.textContent = paused ? 'Resume' : 'Pause'; pause.setAttribute('aria-pressed', String(paused)); }, { 'aria-pressed': 'false' });
  const clear = button('Clear', () => { seen.length = 0; render(); });
  const count = h('span', { class: 'muted', 'aria-live': 'polite' });
  const list = h('ol', { class: 'event-list', 'aria-label': 'Events' });
  const seen = [];

  const matches = e => (!type.value || (type.value.endsWith('.') ? e.type.startsWith(type.value) : e.type === type.value))
    && (!session.value.trim() || e.sessionId === session.value.trim());

  function item(e) {
    return h('li', { class: 'event', dataset: { type: e.type } },
      h('details', {}, h('summary', {},
        h('span', { class: 'event-seq mono' }, `#${e.seq}`), h('span', { class: 'event-type' }, e.type),
        h('span', { class: 'mono muted' }, e.sessionId), h('span', { class: 'event-what' }, describe(e)), time(e.occurredAt)),
      h('pre', { class: 'json' }, JSON.stringify(e, null, 2))));
  }

  function render() {
    const shown = seen.filter(matches);
    count.textContent = `${shown.length} event${shown.length === 1 ? '' : 's'}`;
    replace(list, shown.length ? shown.map(item) : null);
    if (!shown.length) list.append(h('li', {}, empty('Waiting for events…', 'Create a session or send a message; its events show up here as they happen.')));
  }

  type.addEventListener('change', render);
  session.addEventListener('input', render);
  main.append(pageHeader('Events', 'The live event stream: the same events your webhooks and the pull API receive.'),
    card(null, h('div', { class: 'toolbar' }, type, session, pause, clear, count), list));
  render();
  return onEvent(e => {
    if (paused) return;
    seen.unshift(e);
    if (seen.length > MaxShown) seen.length = MaxShown;
    if (matches(e)) {
      list.querySelector('.empty')?.closest('li')?.remove();
      list.prepend(item(e));
      while (list.children.length > MaxShown) list.lastChild.remove();
      count.textContent = `${list.children.length} event${list.children.length === 1 ? '' : 's'}`;
    }
  });
}

function describe(e) {
  const d = e.data || {};
  if (e.type === 'session.status') return `${d.status}${d.reason ? ` (${d.reason})` : ''}`;
  if (e.type === 'session.qr') return `QR code ${d.sequence}`;
  if (e.type.startsWith('message.')) return `${d.direction === 'inbound' ? 'from' : 'to'} ${d.peer}: ${d.text ?? d.type}`;
  return '';
}
