// Tiny DOM helpers: build elements without innerHTML, so user text is never parsed as markup.

const SVG_NS = 'http://www.w3.org/2000/svg';

function build(el, attrs, children) {
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith('on') && typeof value === 'function') {
      el.addEventListener(key.slice(2).toLowerCase(), value);
    } else if (key === 'class') {
      el.setAttribute('class', value);
    } else if (key === 'value' || key === 'checked') {
      el[key] = value;
    } else {
      el.setAttribute(key, value === true ? '' : String(value));
    }
  }
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

/** h('button', {class: 'x', onClick}, 'text', child…) */
export function h(tag, attrs = {}, ...children) {
  return build(document.createElement(tag), attrs, children);
}

/** The same for SVG elements. */
export function s(tag, attrs = {}, ...children) {
  return build(document.createElementNS(SVG_NS, tag), attrs, children);
}

export function mount(target, ...children) {
  target.replaceChildren(...children.flat(Infinity).filter(Boolean));
  return target;
}

let toastSeq = 0;
/** A short message in the live region; errors stay longer. */
export function toast(message, kind = 'info') {
  const box = document.getElementById('toasts');
  const id = `toast-${++toastSeq}`;
  const el = h('div', { class: `toast ${kind}`, id, role: kind === 'error' ? 'alert' : null }, message);
  box.append(el);
  while (box.children.length > 3) box.firstElementChild.remove();
  setTimeout(() => el.remove(), kind === 'error' ? 8000 : 3500);
}

export function fmtInt(n) {
  return new Intl.NumberFormat().format(n ?? 0);
}

export function fmtCost(n) {
  return `$${(n ?? 0).toFixed(n && n < 0.01 ? 6 : 4)}`;
}

export function fmtDate(iso) {
  return iso ? new Date(iso).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' }) : '';
}

/** A labelled form field; `input` is the control element. */
export function field(label, input, hint) {
  const id = input.id || `f-${Math.random().toString(36).slice(2, 9)}`;
  input.id = id;
  return h('div', { class: 'field' },
    h('label', { for: id }, label), input, hint ? h('small', { class: 'muted' }, hint) : null);
}

/** A modal dialog; resolves with the form's values, or null if cancelled. */
export function dialog(title, fields, submitLabel = 'Save') {
  return new Promise((resolve) => {
    const form = h('form', { method: 'dialog', class: 'stack' },
      h('h2', {}, title), ...fields,
      h('div', { class: 'row end' },
        h('button', { type: 'button', class: 'ghost', onClick: () => close(null) }, 'Cancel'),
        h('button', { type: 'submit', class: 'primary' }, submitLabel)));
    const dlg = h('dialog', { class: 'modal', 'aria-label': title }, form);
    function close(value) {
      dlg.close();
      dlg.remove();
      resolve(value);
    }
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      close(Object.fromEntries(new FormData(form).entries()));
    });
    dlg.addEventListener('cancel', () => close(null));
    document.body.append(dlg);
    dlg.showModal();
  });
}

export function confirmBox(question) {
  return dialog(question, [], 'Confirm').then((v) => v !== null);
}

/** Go to a hash route; re-render if it is the current one. */
export function navigate(hash) {
  if (location.hash === hash) window.dispatchEvent(new HashChangeEvent('hashchange'));
  else location.hash = hash;
}
