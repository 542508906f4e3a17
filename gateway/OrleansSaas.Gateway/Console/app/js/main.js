// The console's shell: sign-in state, navigation and a hash router (#/sessions, #/operator/silos, …).
import { auth } from './api.js';
import { h, replace } from './ui.js';
import { onStreamState, stopStream } from './stream.js';

const tenantNav = [
  ['#/sessions', 'Sessions'],
  ['#/webhooks', 'Webhooks'],
  ['#/events', 'Events'],
  ['#/usage', 'Usage & audit'],
];
const operatorNav = [
  ['#/operator/silos', 'Silos'],
  ['#/operator/tenants', 'Tenants'],
  ['#/operator/audit', 'Audit log'],
];

// Route pattern → module (loaded on first use) and its exported page function.
const routes = [
  [/^#\/signin$/, './signin.js', 'signInPage'],
  [/^#\/sessions$/, './sessions.js', 'sessionsPage'],
  [/^#\/sessions\/([^/]+)$/, './session-detail.js', 'sessionPage'],
  [/^#\/webhooks$/, './webhooks.js', 'webhooksPage'],
  [/^#\/webhooks\/([^/]+)$/, './webhook-detail.js', 'webhookPage'],
  [/^#\/events$/, './events.js', 'eventsPage'],
  [/^#\/usage$/, './usage.js', 'usagePage'],
  [/^#\/operator\/silos$/, './operator-silos.js', 'silosPage'],
  [/^#\/operator\/tenants$/, './operator-tenants.js', 'tenantsPage'],
  [/^#\/operator\/tenants\/([^/]+)$/, './operator-tenant.js', 'tenantPage'],
  [/^#\/operator\/audit$/, './operator-audit.js', 'operatorAuditPage'],
];

let cleanup = null;
const main = document.getElementById('main');

export function signOut() {
  auth.clear();
  stopStream();
  location.hash = '#/signin';
}

function renderChrome(hash) {
  const nav = document.getElementById('nav');
  const account = document.getElementById('account');
  document.body.classList.toggle('signed-out', !auth.key);
  if (!auth.key) { replace(nav); replace(account); return; }
  const items = auth.isOperator ? operatorNav : tenantNav;
  replace(nav, h('ul', {}, items.map(([href, label]) => h('li', {},
    h('a', { href, 'aria-current': hash.startsWith(href) ? 'page' : null }, label)))));
  const live = h('span', { class: 'live-state', id: 'live-state' });
  replace(account,
    auth.isOperator ? null : live,
    h('span', { class: 'who' }, auth.isOperator ? 'Operator' : auth.tenantName || 'Tenant'),
    h('button', { type: 'button', class: 'btn btn-small', onclick: signOut }, 'Sign out'));
  if (!auth.isOperator) onStreamState(state => {
    live.dataset.state = state;
    live.textContent = { live: 'Live', connecting: 'Connecting…', retrying: 'Reconnecting…', off: 'Offline' }[state];
  });
}

async function route() {
  let hash = location.hash || '#/';
  if (!auth.key && hash !== '#/signin') { location.hash = '#/signin'; return; }
  if (hash === '#/' || hash === '#/signin' && auth.key) { location.hash = auth.isOperator ? '#/operator/silos' : '#/sessions'; return; }
  renderChrome(hash);
  if (typeof cleanup === 'function') cleanup();
  cleanup = null;
  const match = routes.map(([pattern, module, name]) => [hash.match(pattern), module, name]).find(([m]) => m);
  if (!match) { replace(main, h('div', { class: 'empty' }, h('p', { class: 'empty-title' }, 'Page not found'), h('a', { href: '#/' }, 'Back to the start'))); return; }
  const [m, module, name] = match;
  replace(main);
  main.scrollTop = 0;
  try {
    const page = (await import(module))[name];
    cleanup = await page(main, ...m.slice(1).map(decodeURIComponent));
  } catch (error) {
    replace(main, h('div', { class: 'alert alert-error', role: 'alert' }, h('strong', {}, 'This page failed to load'), h('p', {}, String(error?.message || error))));
    throw error;
  }
  // Move focus to the new page's heading, so keyboard and screen-reader users land on it (unless the page chose a field).
  if (main.contains(document.activeElement) && document.activeElement !== main) return;
  const heading = main.querySelector('h1') || main;
  heading.setAttribute('tabindex', '-1');
  heading.focus({ preventScroll: true });
}

window.addEventListener('hashchange', route);
route();
