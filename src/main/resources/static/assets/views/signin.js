// Sign in with an API key: POST /v1/sessions sets the session cookie; the key is not kept by the page.
import { post, ApiError } from '../api.js';
import { h } from '../dom.js';
import { rememberSession, takeNext } from '../session.js';

export function render(main, _params, { navigate }) {
  const error = h('p.error', { id: 'signin-error', role: 'alert', hidden: true });
  const key = h('input', { id: 'key', name: 'key', type: 'password', autocomplete: 'off', required: true,
    'aria-describedby': 'signin-error key-help', spellcheck: 'false' });
  const button = h('button', { type: 'submit' }, 'Sign in');
  const form = h('form.card.signin', { onsubmit: submit },
    h('h1', null, 'Sign in'),
    h('label', { for: 'key' }, 'API key'),
    key,
    h('p.muted', { id: 'key-help' }, 'A key with the read scope shows segments; manage is needed to edit them.'),
    button,
    error);
  main.append(form);
  key.focus();

  async function submit(e) {
    e.preventDefault();
    error.hidden = true;
    button.disabled = true;
    try {
      const s = await post('/v1/sessions', { key: key.value.trim() }, { quiet401: true });
      key.value = '';
      rememberSession(s);
      navigate(takeNext());
    } catch (err) {
      error.hidden = false;
      if (err instanceof ApiError && err.status === 401) error.textContent = 'That key is not valid.';
      else if (err instanceof ApiError && err.status === 404) error.textContent = 'Signing in is not available on this server.';
      else error.textContent = err.message;
      key.focus();
    } finally {
      button.disabled = false;
    }
  }
}
