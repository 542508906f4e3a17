import { api } from './api.js';
import { h, replace, field, input, button, busy, loading, empty, problemBox, showFormError, clearFormErrors, badge, time, pageHeader, card, table, secretBox } from './ui.js';

export const eventTypes = ['message.received', 'message.reaction', 'message.queued', 'message.sent', 'message.delivered', 'message.read', 'message.failed',
  'session.status', 'session.qr', 'session.deleted'];

/** Checkboxes for the event-type filter; none ticked means every type. */
export function eventTypeChoices(selected = []) {
  return h('fieldset', { class: 'field checks', dataset: { field: 'eventTypes' } },
    h('legend', {}, 'Event types (none ticked: all)'),
    eventTypes.map(t => h('label', { class: 'check' }, h('input', { type: 'checkbox', name: 'eventTypes', value: t, checked: selected.includes(t) }), t)));
}

export const checkedTypes = form => [...form.querySelectorAll('input[name="eventTypes"]:checked')].map(c => c.value);

export async function webhooksPage(main) {
  const createPanel = h('div');
  const list = h('div', {}, loading());
  const newButton = button('New webhook', () => toggle(), { class: 'btn btn-primary', 'aria-expanded': 'false' });
  main.append(pageHeader('Webhooks', 'Signed HTTP POSTs of your events to your own endpoint, retried until they are delivered.', newButton), createPanel, card(null, list));

  function toggle(open = !createPanel.hasChildNodes()) {
    newButton.setAttribute('aria-expanded', String(open));
    replace(createPanel, open ? createForm(() => toggle(false), load) : null);
    createPanel.querySelector('input')?.focus();
  }

  async function load() {
    try {
      const page = await api('/v1/webhooks?limit=200');
      if (!page.items.length) { replace(list, empty('No webhooks yet', 'Add your endpoint’s URL to receive events as they happen.', button('Add a webhook', () => toggle(true), { class: 'btn btn-primary' }))); return; }
      replace(list, table(['Endpoint', 'Events', 'State', 'Created'], page.items.map(w => h('tr', { dataset: { webhook: w.id } },
        h('td', {}, h('a', { href: `#/webhooks/${encodeURIComponent(w.id)}` }, w.url), w.description ? h('div', { class: 'muted' }, w.description) : null),
        h('td', {}, w.eventTypes?.length ? w.eventTypes.join(', ') : 'All'),
        h('td', {}, badge(w.active ? 'active' : 'disabled'), w.disabledReason ? h('div', { class: 'muted' }, w.disabledReason) : null),
        h('td', {}, time(w.createdAt))))));
    } catch (error) { replace(list, problemBox(error)); }
  }
  await load();
}

function createForm(close, reload) {
  const url = input('url', { type: 'url', required: true, placeholder: 'https://example.com/hooks/whatsapp', autocomplete: 'off' });
  const description = input('description', { maxlength: '200' });
  const sessions = input('sessionIds', { placeholder: 'ses_…, ses_… (empty: all sessions)' });
  const submit = h('button', { type: 'submit', class: 'btn btn-primary' }, 'Create webhook');
  const result = h('div');
  const form = h('form', { class: 'form', novalidate: true, 'aria-label': 'New webhook' },
    field('Endpoint URL', url, 'Where each event is POSTed, signed with the secret shown once after creating.'),
    h('div', { class: 'grid-2' }, field('Description (optional)', description), field('Only these sessions (optional)', sessions)),
    eventTypeChoices(), h('div', { class: 'actions' }, button('Cancel', close), submit));
  form.addEventListener('submit', async event => {
    event.preventDefault();
    clearFormErrors(form);
    const body = { url: url.value.trim(), description: description.value.trim() || undefined };
    const ids = sessions.value.split(/[\s,]+/).filter(Boolean);
    if (ids.length) body.sessionIds = ids;
    const types = checkedTypes(form);
    if (types.length) body.eventTypes = types;
    await busy(submit, async () => {
      try {
        const reply = await api('/v1/webhooks', { method: 'POST', body });
        replace(result, secretBox('Webhook created. Its signing secret is shown only now:', reply.secret,
          'Store it with your receiver; it verifies the OrleansSaas-Signature header of each delivery.'),
        h('p', {}, h('a', { href: `#/webhooks/${encodeURIComponent(reply.webhook.id)}`, class: 'btn' }, 'Open the webhook →')));
        form.replaceWith(result);
        reload();
      } catch (error) { showFormError(form, error); }
    });
  });
  return card('New webhook', form);
}
