// Small DOM helpers: elements are built with createElement and textContent only (no HTML strings),
// so the page runs under a Content-Security-Policy without 'unsafe-inline' and nothing a server or
// a contact id contains is ever parsed as markup.

/**
 * h('a.link', {href: '#/'}, 'text', child) -> element. The first argument is a tag with optional
 * .classes; attributes starting with "on" are listeners; null/false children are skipped.
 */
export function h(tag, attrs, ...children) {
  const [name, ...classes] = tag.split('.');
  const el = document.createElement(name);
  if (classes.length) el.className = classes.join(' ');
  setAttrs(el, attrs);
  append(el, children);
  return el;
}

const SVG = 'http://www.w3.org/2000/svg';

export function s(tag, attrs, ...children) {
  const el = document.createElementNS(SVG, tag);
  setAttrs(el, attrs);
  append(el, children);
  return el;
}

function setAttrs(el, attrs) {
  if (!attrs) return;
  for (const [k, v] of Object.entries(attrs)) {
    if (v === null || v === undefined || v === false) continue;
    if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
    else if (k === 'dataset') Object.assign(el.dataset, v);
    else el.setAttribute(k, v === true ? '' : String(v));
  }
}

function append(el, children) {
  for (const c of children.flat(Infinity)) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
}

export function clear(el) {
  el.replaceChildren();
  return el;
}

export function fmtTime(iso) {
  if (!iso) return '';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? String(iso) : d.toLocaleString();
}

export function fmtClock(iso) {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return String(iso);
  return d.toLocaleTimeString(undefined, { hour12: false });
}

export function fmtCount(n) {
  return typeof n === 'number' ? n.toLocaleString('en-US') : '—';
}

/** A panel that says a feature of the server is not available (the endpoint answered 404). */
export function notAvailable(what) {
  return h('p.muted.not-available', null, `${what}: not available on this server.`);
}

/** Announces a message to screen readers through the page's live region. */
export function announce(text) {
  const status = document.getElementById('status');
  if (status) status.textContent = text;
}

export function errorBox(err) {
  return h('p.error', { role: 'alert' }, err && err.message ? err.message : String(err));
}
