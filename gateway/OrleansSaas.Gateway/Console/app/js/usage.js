import { api } from './api.js';
import { h, replace, loading, problemBox, bar, bytes, pageHeader, card } from './ui.js';
import { auditView } from './audit.js';

/** The tenant's plan next to what it uses now (refreshed every few seconds), and its audit log. */
export async function usagePage(main) {
  const meters = h('div', { class: 'meters' }, loading());
  main.append(pageHeader('Usage & audit', 'What your plan allows and what you use now; every change made to your account.'),
    card('Usage against your plan', meters),
    card('Audit log', auditView(api, '/v1/audit')));

  async function load() {
    try {
      const u = await api('/v1/usage');
      replace(meters,
        bar('Sessions', u.used.sessions, u.plan.maxSessions, `${u.used.sessions} of ${u.plan.maxSessions}`),
        bar('Messages in the last minute', u.used.messagesLastMinute, u.plan.messagesPerMinute, `${u.used.messagesLastMinute} of ${u.plan.messagesPerMinute} per minute`),
        bar('Media storage', u.used.mediaStorageBytes, u.plan.mediaStorageBytes, `${bytes(u.used.mediaStorageBytes)} of ${bytes(u.plan.mediaStorageBytes)}`));
    } catch (error) { replace(meters, problemBox(error)); }
  }
  await load();
  const timer = setInterval(load, 5000);
  return () => clearInterval(timer);
}
