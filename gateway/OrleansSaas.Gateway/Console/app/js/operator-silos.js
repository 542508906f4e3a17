import { adminApi, consoleConfig } from './api.js';
import { h, replace, button, busy, loading, empty, problemBox, confirmAction, badge, bar, bytes, time, pageHeader, card, table, select } from './ui.js';
import { operatorRefused } from './operator.js';

const short = address => address.split('@')[0];

/** The cluster's silos with their load, refreshed every 2 s; drain / undrain / rebalance / move, each showing the API's answer. */
export async function silosPage(main) {
  const answer = h('div', { class: 'answer', 'aria-live': 'polite' });
  const grid = h('div', { class: 'silo-grid' }, loading());
  const rebalance = button('Rebalance', () => busy(rebalance, () => run('Rebalance', () => adminApi('/rebalance', { method: 'POST' }),
    r => `${r.moves} move${r.moves === 1 ? '' : 's'}${r.failed ? `, ${r.failed} failed` : ''}. Before: ${counts(r.before)}. After: ${counts(r.after)}.`)), { class: 'btn btn-primary' });
  const dashboard = h('span');
  main.append(pageHeader('Silos', 'The silos of the cluster and the sessions they host.', dashboard, rebalance), answer, grid);
  consoleConfig().then(c => {
    if (c.dashboardUrl) replace(dashboard, h('a', { class: 'btn', href: c.dashboardUrl, target: '_blank', rel: 'noopener' }, 'Orleans dashboard ↗'));
  }).catch(() => {});

  const cards = new Map();
  let silos = [];

  async function run(label, action, describe) {
    try {
      const reply = await action();
      replace(answer, h('div', { class: 'alert alert-success', role: 'status' }, h('strong', {}, label), h('p', {}, describe(reply)),
        h('details', {}, h('summary', {}, 'The API’s answer'), h('pre', { class: 'json' }, JSON.stringify(reply, null, 2)))));
    } catch (error) { replace(answer, problemBox(error)); }
    await load();
    cards.forEach(c => c.sessionsOpen && c.loadSessions());
  }

  function siloCard(silo) {
    const meters = h('div', { class: 'meters' });
    const head = h('div', { class: 'silo-head' });
    const actionsEl = h('div', { class: 'actions' });
    const sessionsEl = h('div', { class: 'silo-sessions' });
    const el = h('article', { class: 'card silo', dataset: { silo: silo.address }, 'aria-label': `Silo ${silo.name}` }, head, meters, actionsEl, sessionsEl);
    const entry = { el, sessionsOpen: false };
    const toggle = button('Sessions', () => {
      entry.sessionsOpen = !entry.sessionsOpen;
      toggle.setAttribute('aria-expanded', String(entry.sessionsOpen));
      if (entry.sessionsOpen) entry.loadSessions(); else replace(sessionsEl);
    }, { 'aria-expanded': 'false', class: 'btn' });

    entry.update = s => {
      replace(head, h('div', {}, h('h2', { class: 'card-title' }, s.name), h('div', { class: 'mono muted', title: s.address }, short(s.address))),
        h('span', { class: 'silo-status' }, badge(s.status)));
      replace(meters,
        bar('Sessions', s.sessions, s.maxSessions ?? 0, `${s.sessions} / ${s.maxSessions ?? '—'}`),
        bar('CPU', s.cpuPercent ?? 0, 100, s.cpuPercent == null ? '—' : `${s.cpuPercent.toFixed(0)} %`),
        bar('Memory', s.memoryBytes ?? 0, s.memoryLimitBytes ?? 0, s.memoryBytes == null ? '—' : `${bytes(s.memoryBytes)}${s.memoryLimitBytes ? ` of ${bytes(s.memoryLimitBytes)}` : ''}`),
        h('p', { class: 'muted small' }, `${s.activations} activations · started `, time(s.startedAt)));
      const path = `/silos/${encodeURIComponent(s.address)}`;
      const drain = s.status === 'draining'
        ? button('Undrain', () => busy(drain, () => run(`Undrained ${s.name}`, () => adminApi(`${path}/undrain`, { method: 'POST' }), r => `Status: ${r.status}. Placement picks it again.`)))
        : button('Drain', async () => {
          if (!(await confirmAction(`Drain ${s.name}?`, 'Its sessions move to the other silos and placement stops picking it until you undrain it.', 'Drain'))) return;
          await busy(drain, () => run(`Drained ${s.name}`, () => adminApi(`${path}/drain`, { method: 'POST' }), r => `${r.moved} moved, ${r.failed} failed, ${r.remaining} remaining.`));
        }, { class: 'btn btn-danger', disabled: s.status !== 'active' });
      replace(actionsEl, drain, toggle);
    };

    entry.loadSessions = async () => {
      if (!sessionsEl.hasChildNodes()) sessionsEl.append(loading());
      try {
        const list = await adminApi(`/silos/${encodeURIComponent(silo.address)}/sessions`);
        if (!entry.sessionsOpen) return;
        const targets = silos.filter(s => s.address !== silo.address && s.status === 'active');
        replace(sessionsEl, list.length ? table(['Session', 'Tenant', 'Status', 'Move to'], list.map(({ tenantId, session }) => {
          const target = select('silo', targets.map(t => ({ value: t.address, label: t.name })), { 'aria-label': `Silo to move ${session.name} to` });
          const move = button('Move', () => busy(move, () => run(`Moved ${session.name}`,
            () => adminApi(`/sessions/${encodeURIComponent(tenantId)}/${encodeURIComponent(session.id)}/move`, { method: 'POST', body: { silo: target.value } }),
            r => `Now on ${short(r.silo)} (was ${r.previousSilo ? short(r.previousSilo) : '—'}).`)), { class: 'btn btn-small', disabled: !targets.length });
          return h('tr', {}, h('td', {}, session.name, h('div', { class: 'mono muted' }, session.id)), h('td', { class: 'mono' }, tenantId),
            h('td', {}, badge(session.status)), h('td', { class: 'move' }, targets.length ? [target, move] : h('span', { class: 'muted' }, 'No other active silo')));
        }), { class: 'silo-sessions-table' }) : empty('No sessions on this silo'));
      } catch (error) { replace(sessionsEl, problemBox(error)); }
    };
    return entry;
  }

  async function load() {
    try {
      silos = await adminApi('/silos');
    } catch (error) {
      replace(grid, operatorRefused(error));
      return false;
    }
    if (!silos.length) { replace(grid, empty('No silos', 'Start a silo: ./run.sh silo 2')); return true; }
    grid.querySelectorAll(':scope > .loading, :scope > .empty, :scope > .alert').forEach(e => e.remove());
    for (const s of silos) {
      let entry = cards.get(s.address);
      if (!entry) { entry = siloCard(s); cards.set(s.address, entry); grid.append(entry.el); }
      entry.update(s);
    }
    for (const [address, entry] of cards) if (!silos.some(s => s.address === address)) { entry.el.remove(); cards.delete(address); }
    return true;
  }

  if (!(await load())) return;
  const timer = setInterval(load, 2000);
  return () => clearInterval(timer);
}

function counts(map) {
  const entries = Object.entries(map || {});
  return entries.length ? entries.map(([silo, n]) => `${short(silo)}: ${n}`).join(', ') : 'no silos';
}
