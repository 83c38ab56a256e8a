// The segment editor: a rule in its readable form (ruleText) or as JSON, preview, save.
import { get, post, put, enc, ApiError } from '../api.js';
import { h, fmtCount, errorBox, notAvailable, announce } from '../dom.js';

export function render(main, [id], { signal, navigate }) {
  const editing = Boolean(id);
  const title = h('h1', null, editing ? `Edit ${id}` : 'New segment');
  const idInput = h('input', { id: 'seg-id', name: 'id', autocomplete: 'off', pattern: '[a-z0-9][a-z0-9-]{0,62}',
    'aria-describedby': 'seg-id-help' });
  const name = h('input', { id: 'seg-name', name: 'name', required: true, maxlength: 200, autocomplete: 'off' });
  const readable = h('input', { type: 'radio', name: 'format', id: 'fmt-text', value: 'text', checked: true });
  const asJson = h('input', { type: 'radio', name: 'format', id: 'fmt-json', value: 'json' });
  const text = h('textarea', { id: 'rule-text', name: 'rule', rows: 12, spellcheck: 'false', required: true,
    'aria-describedby': 'rule-errors rule-help' });
  const help = h('p.muted', { id: 'rule-help' },
    'For example: createdAt in current month and review.left(rating >= 4). See docs for the syntax.');
  const errors = h('ul.errors', { id: 'rule-errors', 'aria-live': 'polite' });
  const preview = h('div.preview', { 'aria-live': 'polite' });
  const previewButton = h('button', { type: 'button', onclick: doPreview }, 'Preview');
  const saveButton = h('button.primary', { type: 'submit' }, 'Save');
  let original = null;

  main.append(
    h('p.crumbs', null, h('a', { href: '#/' }, 'Segments'), editing ? [' / ', h('a', { href: `#/segments/${enc(id)}` }, id)] : null),
    title,
    h('form.card.editor', { onsubmit: save, novalidate: true },
      editing ? null : h('div.field', null, h('label', { for: 'seg-id' }, 'Id (optional)'), idInput,
        h('span.muted', { id: 'seg-id-help' }, ' lower-case letters, digits and dashes; generated when empty')),
      h('div.field', null, h('label', { for: 'seg-name' }, 'Name'), name),
      h('fieldset.field', null, h('legend', null, 'Rule format'),
        readable, h('label', { for: 'fmt-text' }, 'readable'), ' ',
        asJson, h('label', { for: 'fmt-json' }, 'JSON')),
      h('div.field', null, h('label', { for: 'rule-text' }, 'Rule'), text, help, errors),
      h('div.actions', null, previewButton, saveButton, h('a', { href: editing ? `#/segments/${enc(id)}` : '#/' }, 'Cancel'))),
    h('section.card', { 'aria-labelledby': 'preview-h' }, h('h2', { id: 'preview-h' }, 'Preview'), preview));

  readable.addEventListener('change', () => switchFormat('text'));
  asJson.addEventListener('change', () => switchFormat('json'));

  if (editing) {
    get(`/v1/segments/${enc(id)}`, { signal }).then((seg) => {
      original = seg;
      name.value = seg.name;
      if (typeof seg.ruleText === 'string') {
        text.value = seg.ruleText;
      } else {
        asJson.checked = true;
        text.value = JSON.stringify(seg.rule, null, 2);
      }
    }, (e) => {
      if (e.name !== 'AbortError') main.append(errorBox(e));
    });
  }

  function format() {
    return asJson.checked ? 'json' : 'text';
  }

  function switchFormat(to) {
    // Switching shows the stored segment's rule in that form when there is one.
    if (!original) return;
    if (to === 'json') text.value = JSON.stringify(original.rule, null, 2);
    else if (typeof original.ruleText === 'string') text.value = original.ruleText;
  }

  /** {rule} or {ruleText} from the textarea; null (with the error shown) when the JSON does not parse. */
  function ruleBody() {
    if (format() === 'text') return { ruleText: text.value };
    try {
      return { rule: JSON.parse(text.value) };
    } catch (e) {
      showErrors([{ pointer: '/rule', message: `not JSON: ${e.message}` }]);
      return null;
    }
  }

  async function doPreview() {
    clearErrors();
    const rule = ruleBody();
    if (!rule) return;
    previewButton.disabled = true;
    preview.replaceChildren(h('span.muted', null, 'counting…'));
    try {
      const p = await post('/v1/segments/preview', { ...rule, sample: 10 }, { signal });
      const figure = p.exact ? fmtCount(p.count) : `about ${fmtCount(p.count)} (${fmtCount(p.low)}–${fmtCount(p.high)}, 95%)`;
      preview.replaceChildren(
        h('p', null, h('strong.preview-count', null, figure), ' contacts match now'),
        p.sample && p.sample.length
          ? h('p', null, 'For example: ', p.sample.map((c, i) => [i ? ', ' : '', h('a', { href: `#/contacts/${enc(c)}` }, c)]))
          : null);
    } catch (e) {
      if (e.name === 'AbortError') return;
      if (e instanceof ApiError && e.notFound) preview.replaceChildren(notAvailable('Preview'));
      else if (e instanceof ApiError && e.status === 400) {
        preview.replaceChildren();
        showErrors(e.errors.length ? e.errors : [{ message: e.message }]);
      } else preview.replaceChildren(errorBox(e));
    } finally {
      previewButton.disabled = false;
    }
  }

  async function save(e) {
    e.preventDefault();
    clearErrors();
    const rule = ruleBody();
    if (!rule) return;
    const body = { name: name.value.trim(), ...rule };
    if (!editing && idInput.value.trim()) body.id = idInput.value.trim();
    saveButton.disabled = true;
    try {
      const seg = editing ? await put(`/v1/segments/${enc(id)}`, body, { signal }) : await post('/v1/segments', body, { signal });
      announce(`Saved; the segment is ${seg.status}.`);
      navigate(`#/segments/${enc(seg.id)}`);
    } catch (err) {
      if (err.name === 'AbortError') return;
      if (err instanceof ApiError && err.errors.length) showErrors(err.errors);
      else showErrors([{ message: err.message }]);
    } finally {
      saveButton.disabled = false;
    }
  }

  function clearErrors() {
    errors.replaceChildren();
    text.removeAttribute('aria-invalid');
    name.removeAttribute('aria-invalid');
  }

  function showErrors(list) {
    errors.replaceChildren(...list.map((err) => {
      const where = err.line ? `Line ${err.line}, column ${err.column || 1}` : err.pointer || '';
      const item = h('li', null);
      if (err.line) {
        item.append(h('button.link', { type: 'button', onclick: () => jump(err.line, err.column || 1) }, where), `: ${err.message}`);
      } else {
        item.append(where ? `${where}: ${err.message}` : err.message);
      }
      if ((err.pointer || '').startsWith('/name')) name.setAttribute('aria-invalid', 'true');
      else text.setAttribute('aria-invalid', 'true');
      return item;
    }));
    const first = errors.querySelector('button');
    if (first) first.focus();
  }

  /** Puts the caret at a 1-based line and column of the rule. */
  function jump(line, column) {
    const lines = text.value.split('\n');
    let offset = 0;
    for (let i = 0; i < Math.min(line - 1, lines.length); i++) offset += lines[i].length + 1;
    offset = Math.min(text.value.length, offset + column - 1);
    text.focus();
    text.setSelectionRange(offset, Math.min(text.value.length, offset + 1));
  }
}
