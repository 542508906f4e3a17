import { api, adminApi, auth, ApiError } from './api.js';
import { h, field, input, showFormError, busy } from './ui.js';

/** Sign in with a tenant API key or the operators' admin key; the API decides whether the key is good. */
export function signInPage(main) {
  let kind = 'tenant';
  const key = input('key', { type: 'password', autocomplete: 'off', required: true, spellcheck: 'false' });
  const label = h('span');
  const hint = h('small', { class: 'hint' });
  const submit = h('button', { type: 'submit', class: 'btn btn-primary btn-block' }, 'Sign in');
  const tabs = [['tenant', 'Tenant'], ['operator', 'Operator']].map(([value, text]) =>
    h('button', { type: 'button', role: 'tab', class: 'tab', dataset: { kind: value }, onclick: () => choose(value) }, text));

  function choose(value) {
    kind = value;
    tabs.forEach(t => { t.setAttribute('aria-selected', String(t.dataset.kind === value)); t.tabIndex = t.dataset.kind === value ? 0 : -1; });
    label.textContent = value === 'tenant' ? 'API key' : 'Admin key';
    hint.textContent = value === 'tenant'
      ? 'Your tenant’s API key (osk_…). run.sh prints a demo key.'
      : 'The operators’ admin key (Admin:ApiKey). run.sh prints it.';
  }

  const tablist = h('div', { class: 'tabs', role: 'tablist', 'aria-label': 'Sign in as' }, tabs);
  tablist.addEventListener('keydown', event => {
    if (!['ArrowLeft', 'ArrowRight', 'Home', 'End'].includes(event.key)) return;
    event.preventDefault();
    const next = kind === 'tenant' ? 'operator' : 'tenant';
    choose(event.key === 'Home' ? 'tenant' : event.key === 'End' ? 'operator' : next);
    tabs.find(t => t.dataset.kind === kind).focus();
  });

  const keyField = field('', key);
  keyField.querySelector('label').replaceChildren(label);
  keyField.dataset.field = 'key';
  keyField.append(hint);
  const form = h('form', { class: 'signin-form', novalidate: true },
    tablist, keyField, submit);

  form.addEventListener('submit', async event => {
    event.preventDefault();
    const value = key.value.trim();
    if (!value) { showFormError(form, new ApiError(400, { title: 'Enter a key to sign in', errors: { key: ['is required.'] } })); return; }
    await busy(submit, async () => {
      try {
        if (kind === 'tenant') {
          const usage = await api('/v1/usage', { key: value });
          auth.tenantName = usage.name;
        } else {
          await adminApi('/silos', { key: value });
        }
        auth.save(kind, value);
        location.hash = kind === 'tenant' ? '#/sessions' : '#/operator/silos';
      } catch (error) {
        showFormError(form, error);
      }
    });
  });

  choose('tenant');
  main.append(h('div', { class: 'signin' },
    h('div', { class: 'signin-card' },
      h('h1', {}, 'Sign in'),
      h('p', { class: 'subtitle' }, 'Pair WhatsApp sessions, send messages and watch them live — or run the cluster.'),
      form)));
  key.focus();
}
