import { api } from './api.js';
import { h, replace, field, input, button, busy, problemBox, showFormError, clearFormErrors, toast, time, card } from './ui.js';

const demoPhone = () => '+1201555' + String(Math.floor(1000 + Math.random() * 9000));

/**
 * Pairing a session: its QR code as an image (replaced when a session.qr event announces a new code), or a
 * pairing code typed on the phone; with the simulator's dev endpoints on, buttons that play the phone.
 */
export function pairingCard(session, devEndpoints) {
  const base = `/v1/sessions/${encodeURIComponent(session.id)}`;
  const qrArea = h('div', { class: 'qr-area' });
  const body = h('div', { class: 'pairing' }, qrArea, h('div', { class: 'pairing-side' },
    h('ol', { class: 'steps' },
      h('li', {}, 'Open WhatsApp on the phone.'),
      h('li', {}, 'Go to Settings → Linked devices → Link a device.'),
      h('li', {}, 'Point the phone at this code. It changes every few seconds; this page follows.')),
    devEndpoints ? scanForm(base) : null,
    codeForm(base, devEndpoints)));
  const el = card('Pair this session', body);

  let shown = 0;
  async function refreshQr() {
    try {
      const qr = await api(`${base}/qr?format=base64`);
      if (qr.sequence < shown) return;
      shown = qr.sequence;
      replace(qrArea,
        h('img', { class: 'qr', src: `data:${qr.mimeType};base64,${qr.base64}`, alt: `QR code ${qr.sequence} to scan with WhatsApp`, width: '232', height: '232', dataset: { sequence: qr.sequence } }),
        h('p', { class: 'muted' }, `Code ${qr.sequence} · expires `, time(qr.expiresAt)));
    } catch (error) {
      replace(qrArea, error.status === 409 ? h('p', { class: 'muted' }, 'No QR code right now: the session is not pairing.') : problemBox(error));
    }
  }
  refreshQr();
  return { el, refreshQr };
}

function scanForm(base) {
  const phone = input('phoneNumber', { type: 'tel', value: demoPhone(), autocomplete: 'off' });
  const profile = input('profileName', { placeholder: 'optional', autocomplete: 'off' });
  const submit = h('button', { type: 'submit', class: 'btn btn-primary' }, 'Simulate scan');
  const form = h('form', { class: 'form dev-box', novalidate: true, 'aria-label': 'Simulate scan' },
    h('p', { class: 'dev-label' }, 'Development: a simulated phone scans the current code.'),
    h('div', { class: 'grid-2' }, field('Phone number', phone), field('Profile name', profile)),
    h('div', { class: 'actions' }, submit));
  form.addEventListener('submit', async event => {
    event.preventDefault();
    clearFormErrors(form);
    await busy(submit, async () => {
      try {
        await api(`${base}/dev/scan`, { method: 'POST', body: { phoneNumber: phone.value.trim(), profileName: profile.value.trim() || undefined } });
        toast('Scanned. The session is connecting…', 'success');
      } catch (error) { showFormError(form, error); }
    });
  });
  return form;
}

function codeForm(base, devEndpoints) {
  const phone = input('phoneNumber', { type: 'tel', placeholder: '+12015550123', autocomplete: 'off' });
  const submit = h('button', { type: 'submit', class: 'btn' }, 'Get a pairing code');
  const result = h('div', { 'aria-live': 'polite' });
  const form = h('form', { class: 'form', novalidate: true, 'aria-label': 'Pair with a code' },
    h('h3', {}, 'No camera? Pair with a code'),
    field('Phone number of the WhatsApp account', phone, 'In international format, e.g. +12015550123.'),
    h('div', { class: 'actions' }, submit), result);
  form.addEventListener('submit', async event => {
    event.preventDefault();
    clearFormErrors(form);
    await busy(submit, async () => {
      try {
        const code = await api(`${base}/pairing-code`, { method: 'POST', body: { phoneNumber: phone.value.trim() } });
        const enter = devEndpoints ? button('Simulate entering it on the phone', async () => busy(enter, async () => {
          try {
            await api(`${base}/dev/enter-code`, { method: 'POST', body: { phoneNumber: code.phoneNumber, code: code.code } });
            toast('Code entered. The session is connecting…', 'success');
          } catch (error) { result.append(problemBox(error)); }
        }), { class: 'btn btn-small' }) : null;
        replace(result, h('div', { class: 'pairing-code' },
          h('p', {}, 'On the phone: Linked devices → Link with phone number, then type'),
          h('output', { class: 'code' }, code.code),
          h('p', { class: 'muted' }, 'Expires ', time(code.expiresAt)), enter));
      } catch (error) { showFormError(form, error); }
    });
  });
  return form;
}
