// Small DOM helpers shared by every page. Text always goes in as text nodes, never as HTML.

/** h('button', {class: 'btn', onclick}, 'Save') */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith('on')) el.addEventListener(name.slice(2), value);
    else if (name === 'class') el.className = value;
    else if (name === 'dataset') Object.assign(el.dataset, value);
    else if (name in el && typeof value !== 'string') el[name] = value;
    else el.setAttribute(name, value === true ? '' : value);
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

export function replace(el, ...children) { el.replaceChildren(); append(el, children); return el; }

let ids = 0;
export const uid = prefix => `${prefix}-${++ids}`;

/** A labelled form field; `name` is the JSON field the API names in its errors. */
export function field(label, input, hint) {
  input.id ||= uid('f');
  const hintEl = hint ? h('small', { class: 'hint', id: input.id + '-hint' }, hint) : null;
  if (hintEl) input.setAttribute('aria-describedby', hintEl.id);
  return h('div', { class: 'field', dataset: { field: input.name || '' } }, h('label', { for: input.id }, label), input, hintEl);
}

export const input = (name, attrs = {}) => h('input', { name, type: 'text', ...attrs });

export function select(name, options, attrs = {}) {
  return h('select', { name, ...attrs }, options.map(o => (typeof o === 'string' ? h('option', { value: o }, o) : h('option', { value: o.value }, o.label))));
}

export function button(label, onclick, attrs = {}) {
  return h('button', { type: 'button', class: 'btn', onclick, ...attrs }, label);
}

/** Runs an action with the button disabled and a busy label, so a double click does not send twice. */
export async function busy(btn, action) {
  const label = btn.textContent;
  btn.disabled = true;
  btn.setAttribute('aria-busy', 'true');
  try { return await action(); } finally {
    btn.disabled = false;
    btn.removeAttribute('aria-busy');
    btn.textContent = label;
  }
}

export const loading = (text = 'Loading…') => h('div', { class: 'loading', role: 'status' }, h('span', { class: 'spinner', 'aria-hidden': 'true' }), text);

export const empty = (title, hint, action) => h('div', { class: 'empty' }, h('p', { class: 'empty-title' }, title), hint ? h('p', {}, hint) : null, action);

/** The problem's title (and detail) in an alert box. */
export function problemBox(error) {
  const problem = error?.problem || {};
  const title = problem.title || error?.message || 'Something went wrong';
  const detail = problem.detail && !problem.errors ? problem.detail : null;
  return h('div', { class: 'alert alert-error', role: 'alert' }, h('strong', {}, title), detail ? h('p', {}, detail) : null);
}

/** Shows an API error on a form: the title at the top, each field's messages under that field. */
export function showFormError(form, error) {
  clearFormErrors(form);
  const errors = error?.problem?.errors || {};
  const unplaced = [];
  for (const [name, messages] of Object.entries(errors)) {
    const target = form.querySelector(`.field[data-field="${CSS.escape(name)}"]`);
    const text = [].concat(messages).join(' ');
    if (target) {
      const control = target.querySelector('input, select, textarea');
      const message = h('p', { class: 'field-error', id: uid('err') }, text);
      control?.setAttribute('aria-invalid', 'true');
      control?.setAttribute('aria-errormessage', message.id);
      target.append(message);
    } else unplaced.push(`${name}: ${text}`);
  }
  const box = problemBox(error);
  if (unplaced.length) box.append(h('ul', {}, unplaced.map(u => h('li', {}, u))));
  form.prepend(box);
  (form.querySelector('[aria-invalid="true"]') || box).focus?.();
}

export function clearFormErrors(form) {
  form.querySelectorAll('.field-error, .alert').forEach(e => e.remove());
  form.querySelectorAll('[aria-invalid]').forEach(e => { e.removeAttribute('aria-invalid'); e.removeAttribute('aria-errormessage'); });
}

export function toast(text, kind = 'info') {
  const el = h('div', { class: `toast toast-${kind}` }, text);
  document.getElementById('toasts').append(el);
  setTimeout(() => el.remove(), 4000);
}

/** A modal confirmation (native <dialog>: focus is trapped and Escape cancels). */
export function confirmAction(title, text, confirmLabel = 'Confirm') {
  return new Promise(resolve => {
    const dialog = h('dialog', { class: 'dialog', 'aria-labelledby': 'confirm-title' },
      h('h2', { id: 'confirm-title' }, title),
      h('p', {}, text),
      h('div', { class: 'actions' },
        button('Cancel', () => dialog.close('cancel')),
        button(confirmLabel, () => dialog.close('ok'), { class: 'btn btn-danger' })));
    dialog.addEventListener('close', () => { dialog.remove(); resolve(dialog.returnValue === 'ok'); });
    document.body.append(dialog);
    dialog.showModal();
  });
}

/** A secret shown once, with a copy button. */
export function secretBox(label, value, note) {
  const code = h('code', { class: 'secret', tabindex: '0' }, value);
  const copy = button('Copy', async () => {
    try { await navigator.clipboard.writeText(value); copy.textContent = 'Copied'; } catch {
      const range = document.createRange(); range.selectNodeContents(code);
      getSelection().removeAllRanges(); getSelection().addRange(range);
      copy.textContent = 'Selected — press Ctrl+C';
    }
  }, { class: 'btn btn-small' });
  return h('div', { class: 'alert alert-success secret-box', role: 'status' },
    h('strong', {}, label), h('div', { class: 'secret-row' }, code, copy), note ? h('p', {}, note) : null);
}

export function badge(status) {
  return h('span', { class: `badge badge-${String(status).replace(/[^a-z_]/g, '')}`, dataset: { status } }, String(status).replace('_', ' '));
}

/** A labelled meter: value of max, with its own text so it does not rely on the bar alone. */
export function bar(label, value, max, text) {
  const ratio = max > 0 ? Math.min(1, value / max) : 0;
  const fill = h('span', { class: 'bar-fill' + (ratio > 0.9 ? ' bar-high' : ratio > 0.7 ? ' bar-mid' : '') });
  fill.style.width = `${(ratio * 100).toFixed(1)}%`;
  return h('div', { class: 'meter' },
    h('div', { class: 'meter-label' }, h('span', {}, label), h('span', { class: 'meter-value' }, text)),
    h('div', { class: 'bar', role: 'meter', 'aria-label': label, 'aria-valuemin': '0', 'aria-valuemax': String(max || 0), 'aria-valuenow': String(value || 0), 'aria-valuetext': text }, fill));
}

export function time(value) {
  if (!value) return '—';
  const date = new Date(value);
  const today = date.toDateString() === new Date().toDateString();
  const text = today ? date.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', second: '2-digit' })
    : date.toLocaleString([], { month: 'short', day: 'numeric', year: 'numeric', hour: '2-digit', minute: '2-digit' });
  return h('time', { datetime: date.toISOString(), title: date.toLocaleString() }, text);
}

export function bytes(n) {
  if (n === null || n === undefined) return '—';
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let i = 0; let v = n;
  while (v >= 1024 && i < units.length - 1) { v /= 1024; i++; }
  return `${v >= 10 || i === 0 ? Math.round(v) : v.toFixed(1)} ${units[i]}`;
}

export function pageHeader(title, subtitle, ...actions) {
  return h('div', { class: 'page-header' },
    h('div', {}, h('h1', {}, title), subtitle ? h('p', { class: 'subtitle' }, subtitle) : null),
    actions.length ? h('div', { class: 'actions' }, actions) : null);
}

export const card = (title, ...children) => h('section', { class: 'card', 'aria-label': typeof title === 'string' ? title : undefined },
  title ? h('h2', { class: 'card-title' }, title) : null, children);

/** A table with a header row; rows are <tr> elements. Wrapped so it scrolls sideways on a phone. */
export function table(columns, rows, attrs = {}) {
  return h('div', { class: 'table-wrap' }, h('table', attrs,
    h('thead', {}, h('tr', {}, columns.map(c => h('th', { scope: 'col' }, c)))),
    h('tbody', {}, rows)));
}

/** The values of a form's named controls; empty strings are left out. */
export function formValues(form) {
  const values = {};
  for (const [name, value] of new FormData(form)) if (typeof value !== 'string' || value.trim() !== '') values[name] = typeof value === 'string' ? value.trim() : value;
  return values;
}
