import { api, consoleConfig } from './api.js';
import { h, replace, button, busy, loading, problemBox, confirmAction, toast, badge, time, pageHeader, card, table } from './ui.js';
import { onEvent } from './stream.js';
import { pairingCard } from './pairing.js';
import { messagesCard } from './messages.js';

const shortSilo = silo => (silo ? silo.split('@')[0] : '—');

export async function sessionPage(main, id) {
  const base = `/v1/sessions/${encodeURIComponent(id)}`;
  main.append(loading());
  let session;
  try {
    session = await api(base);
  } catch (error) {
    replace(main, pageHeader('Session'), problemBox(error), h('p', {}, h('a', { href: '#/sessions' }, '← All sessions')));
    return;
  }
  const { devEndpoints } = await consoleConfig();
  const header = h('div');
  const pairingSlot = h('div');
  const overview = h('div');
  const history = h('div');
  const messages = messagesCard(session);
  let pairing = null;

  function render() {
    replace(header, pageHeader(session.name, null, ...actions()));
    header.querySelector('.page-header > div').append(h('p', { class: 'subtitle' }, h('a', { href: '#/sessions' }, '← Sessions'), ' · ', h('span', { class: 'mono' }, session.id)));
    const pairingNow = session.status === 'pairing';
    if (pairingNow && !pairing) { pairing = pairingCard(session, devEndpoints); replace(pairingSlot, pairing.el); }
    if (!pairingNow) { pairing = null; replace(pairingSlot); }
    const p = session.placement || {};
    const facts = [
      ['Status', h('span', { id: 'session-status' }, badge(session.status))],
      ['Phone number', session.phoneNumber || '—'],
      ['Profile', session.profileName || '—'],
      ['Engine', session.engine],
      ['Silo', h('span', { class: 'mono', title: p.silo || '' }, shortSilo(p.silo))],
      ['Previous silo', h('span', { class: 'mono', title: p.previousSilo || '' }, shortSilo(p.previousSilo))],
      ['Moves', String(p.moveCount ?? 0)],
      ['Last connected', time(p.lastConnectedAt)],
      ['Created', time(session.createdAt)],
    ];
    if (session.webhookUrl) facts.push(['Engine webhook URL', h('code', {}, session.webhookUrl)]);
    replace(overview, card('Overview', h('dl', { class: 'facts' }, facts.map(([k, v]) => h('div', {}, h('dt', {}, k), h('dd', {}, v))))));
    const changes = [...(session.history || [])].reverse();
    replace(history, card('Status history', changes.length ? table(['When', 'Status', 'Silo', 'Reason'], changes.map(c =>
      h('tr', {}, h('td', {}, time(c.at)), h('td', {}, badge(c.status)), h('td', { class: 'mono', title: c.silo }, shortSilo(c.silo)),
        h('td', {}, c.reason === 'moved' ? h('strong', {}, 'moved') : c.reason || '—', c.details ? h('div', { class: 'muted' }, c.details) : null))), { class: 'history-table' })
      : h('p', { class: 'muted' }, 'No changes yet.')));
  }

  function actions() {
    const s = session.status;
    const command = (label, path, confirm, attrs = {}) => {
      const btn = button(label, () => busy(btn, async () => {
        if (confirm && !(await confirmAction(confirm[0], confirm[1], label))) return;
        try {
          const reply = await api(`${base}/${path}`, { method: 'POST' });
          if (reply) { session = reply; render(); }
        } catch (error) { toast(error.message, 'error'); }
      }), attrs);
      return btn;
    };
    const remove = button('Delete', async () => {
      if (!(await confirmAction('Delete this session?', `“${session.name}” is logged out and removed with all its messages. This cannot be undone.`, 'Delete'))) return;
      try { await api(base, { method: 'DELETE' }); toast('Session deleted', 'success'); location.hash = '#/sessions'; } catch (error) { toast(error.message, 'error'); }
    }, { class: 'btn btn-danger' });
    return [
      s === 'connected' || s === 'pairing' ? null : command('Start', 'start'),
      s === 'connected' || s === 'pairing' ? command('Stop', 'stop', ['Stop this session?', 'It stays paired but offline (no failover) until you start it again.']) : null,
      command('Restart', 'restart'),
      s === 'logged_out' ? null : command('Log out', 'logout', ['Log this session out?', 'The device is unlinked; pair it again to reconnect. Queued messages stay queued.']),
      remove,
    ];
  }

  render();
  main.replaceChildren(header, h('div', { class: 'detail-grid' }, h('div', { class: 'detail-main' }, pairingSlot, messages.el), h('div', { class: 'detail-side' }, overview, history)));

  let refetch = null;
  return onEvent(async event => {
    if (event.sessionId !== id) return;
    if (event.type === 'session.qr') pairing?.refreshQr();
    else if (event.type.startsWith('message.')) messages.live(event);
    else if (event.type === 'session.deleted') { toast('This session was deleted'); location.hash = '#/sessions'; }
    else if (event.type === 'session.status') {
      session = { ...session, status: event.data.status, phoneNumber: event.data.phoneNumber ?? session.phoneNumber };
      render();
      // The full view (history, placement) from the API, once the burst of events has passed.
      clearTimeout(refetch);
      refetch = setTimeout(async () => { try { session = await api(base); render(); } catch { /* shown on the next change */ } }, 200);
    }
  });
}
