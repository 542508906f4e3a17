import { adminApi, query } from './api.js';
import { h, replace, field, input, select, button, busy, loading, empty, showFormError, clearFormErrors, badge, time, pageHeader, card, table } from './ui.js';
import { operatorRefused } from './operator.js';
import { planFields, planValues, describePlan } from './plan.js';

export async function tenantsPage(main) {
  const createPanel = h('div');
  const status = select('status', [{ value: '', label: 'All tenants' }, 'active', 'suspended'], { 'aria-label': 'Filter by status' });
  const list = h('div', {}, loading());
  const newButton = button('New tenant', () => toggle(), { class: 'btn btn-primary', 'aria-expanded': 'false' });
  main.append(pageHeader('Tenants', 'Customers of this deployment, their plans and their API keys.', newButton), createPanel,
    card(null, h('div', { class: 'toolbar' }, status), list));

  function toggle(open = !createPanel.hasChildNodes()) {
    newButton.setAttribute('aria-expanded', String(open));
    replace(createPanel, open ? createForm(() => toggle(false)) : null);
    createPanel.querySelector('input')?.focus();
  }

  async function load() {
    try {
      const page = await adminApi('/tenants' + query({ status: status.value, limit: 200 }));
      if (!page.items.length) { replace(list, empty('No tenants', null, button('Create a tenant', () => toggle(true), { class: 'btn btn-primary' }))); return; }
      replace(list, table(['Tenant', 'Status', 'Plan', 'Created'], page.items.map(t => h('tr', { dataset: { tenant: t.id } },
        h('td', {}, h('a', { href: `#/operator/tenants/${encodeURIComponent(t.id)}` }, t.name), h('div', { class: 'mono muted' }, t.id)),
        h('td', {}, badge(t.status)), h('td', {}, describePlan(t.plan)), h('td', {}, time(t.createdAt))))));
    } catch (error) { replace(list, operatorRefused(error)); }
  }
  status.addEventListener('change', load);
  await load();
}

function createForm(close) {
  const name = input('name', { required: true, maxlength: '100', autocomplete: 'off' });
  const submit = h('button', { type: 'submit', class: 'btn btn-primary' }, 'Create tenant');
  const form = h('form', { class: 'form', novalidate: true, 'aria-label': 'New tenant' },
    field('Name', name), h('p', { class: 'hint' }, 'Plan (empty fields take the default plan’s value):'), planFields(),
    h('div', { class: 'actions' }, button('Cancel', close), submit));
  form.addEventListener('submit', async event => {
    event.preventDefault();
    clearFormErrors(form);
    await busy(submit, async () => {
      try {
        const tenant = await adminApi('/tenants', { method: 'POST', body: { name: name.value.trim(), plan: planValues(form) } });
        location.hash = `#/operator/tenants/${encodeURIComponent(tenant.id)}`;
      } catch (error) { showFormError(form, error); }
    });
  });
  return card('New tenant', form);
}
