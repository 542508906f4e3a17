import { adminApi } from './api.js';
import { h, replace, field, input, button, busy, loading, empty, problemBox, showFormError, clearFormErrors, confirmAction, toast, badge, time, pageHeader, card, table, secretBox } from './ui.js';
import { operatorRefused } from './operator.js';
import { planFields, planValues } from './plan.js';

const scopes = ['sessions:read', 'sessions:write', 'messages:send', 'messages:read', 'webhooks:manage', 'events:read'];

/** One tenant: its plan, suspend / resume / delete, and its API keys (issued keys are shown once). */
export async function tenantPage(main, id) {
  const base = `/tenants/${encodeURIComponent(id)}`;
  main.append(loading());
  let tenant;
  try { tenant = await adminApi(base); } catch (error) {
    replace(main, pageHeader('Tenant'), operatorRefused(error), h('p', {}, h('a', { href: '#/operator/tenants' }, '← All tenants')));
    return;
  }
  const header = h('div');
  const notice = h('div', { 'aria-live': 'polite' });
  const keys = keysCard(base, notice);

  function render() {
    const suspend = tenant.status === 'suspended'
      ? button('Resume', () => busy(suspend, () => change('resume')))
      : button('Suspend', async () => {
        if (await confirmAction(`Suspend ${tenant.name}?`, 'Every API key of this tenant is refused (403) until you resume it. Its sessions keep running.', 'Suspend')) await busy(suspend, () => change('suspend'));
      });
    const remove = button('Delete', async () => {
      if (!(await confirmAction(`Delete ${tenant.name}?`, 'Its keys stop working at once and it disappears from the API. Its data is retained but cannot be reached again.', 'Delete'))) return;
      try { await adminApi(base, { method: 'DELETE' }); toast('Tenant deleted', 'success'); location.hash = '#/operator/tenants'; } catch (error) { replace(notice, problemBox(error)); }
    }, { class: 'btn btn-danger' });
    replace(header, pageHeader(tenant.name, null, suspend, remove));
    header.querySelector('.page-header > div').append(h('p', { class: 'subtitle' }, h('a', { href: '#/operator/tenants' }, '← Tenants'), ' · ', h('span', { class: 'mono' }, tenant.id), ' · ', badge(tenant.status), ' · created ', time(tenant.createdAt)));
  }

  async function change(action) {
    try { tenant = await adminApi(`${base}/${action}`, { method: 'POST' }); render(); toast(`Tenant ${tenant.status}`, 'success'); } catch (error) { replace(notice, problemBox(error)); }
  }

  const submit = h('button', { type: 'submit', class: 'btn btn-primary' }, 'Save plan');
  const planForm = h('form', { class: 'form', novalidate: true, 'aria-label': 'Plan' }, planFields(tenant.plan), h('div', { class: 'actions' }, submit));
  planForm.addEventListener('submit', async event => {
    event.preventDefault();
    clearFormErrors(planForm);
    await busy(submit, async () => {
      try { tenant = await adminApi(base, { method: 'PATCH', body: { plan: planValues(planForm) } }); render(); toast('Plan saved', 'success'); } catch (error) { showFormError(planForm, error); }
    });
  });

  render();
  main.replaceChildren(header, notice, h('div', { class: 'detail-grid' }, h('div', { class: 'detail-main' }, keys), h('div', { class: 'detail-side' }, card('Plan', planForm))));
}

function keysCard(base, notice) {
  const list = h('div', {}, loading());
  const name = input('name', { maxlength: '100', placeholder: 'e.g. backend', autocomplete: 'off' });
  const submit = h('button', { type: 'submit', class: 'btn btn-primary' }, 'Issue key');
  const form = h('form', { class: 'form', novalidate: true, 'aria-label': 'Issue an API key' },
    field('Key name', name),
    h('fieldset', { class: 'field checks', dataset: { field: 'scopes' } }, h('legend', {}, 'Scopes'),
      scopes.map(s => h('label', { class: 'check' }, h('input', { type: 'checkbox', name: 'scopes', value: s, checked: true }), s))),
    h('div', { class: 'actions' }, submit));
  form.addEventListener('submit', async event => {
    event.preventDefault();
    clearFormErrors(form);
    const chosen = [...form.querySelectorAll('input[name="scopes"]:checked')].map(c => c.value);
    await busy(submit, async () => {
      try {
        const issued = await adminApi(`${base}/keys`, { method: 'POST', body: { name: name.value.trim() || undefined, scopes: chosen } });
        replace(notice, secretBox(`API key ${issued.name || issued.id} issued. It is shown only now:`, issued.key, 'Give it to the tenant; the platform keeps only its hash.'));
        name.value = '';
        load();
      } catch (error) { showFormError(form, error); }
    });
  });

  async function load() {
    try {
      const page = await adminApi(`${base}/keys?limit=200`);
      if (!page.items.length) { replace(list, empty('No API keys', 'Issue one below.')); return; }
      replace(list, table(['Key', 'Scopes', 'Created', 'Last used', ''], page.items.map(k => {
        const revoke = k.revokedAt ? h('span', { class: 'muted' }, 'Revoked ', time(k.revokedAt)) : button('Revoke', async () => {
          if (!(await confirmAction(`Revoke ${k.name || k.id}?`, 'Requests with this key are refused within seconds. This cannot be undone.', 'Revoke'))) return;
          try { await adminApi(`${base}/keys/${encodeURIComponent(k.id)}/revoke`, { method: 'POST' }); toast('Key revoked', 'success'); load(); } catch (error) { replace(notice, problemBox(error)); }
        }, { class: 'btn btn-small btn-danger' });
        return h('tr', { dataset: { key: k.id } }, h('td', {}, k.name || '—', h('div', { class: 'mono muted' }, k.id)),
          h('td', {}, h('ul', { class: 'chips', 'aria-label': 'Scopes' }, k.scopes.map(s => h('li', { class: 'chip' }, s)))), h('td', {}, time(k.createdAt)), h('td', {}, time(k.lastUsedAt)), h('td', {}, revoke));
      })));
    } catch (error) { replace(list, operatorRefused(error)); }
  }
  load();
  return card('API keys', list, h('h3', {}, 'Issue a key'), form);
}
