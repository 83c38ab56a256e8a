// The dashboard's shell: hash routes, the navigation bar, sign-out, and going back to sign-in on 401.
import { del, onUnauthorized } from './api.js';
import { announce } from './dom.js';
import { session, rememberSession, rememberNext } from './session.js';
import * as signin from './views/signin.js';
import * as overview from './views/overview.js';
import * as segment from './views/segment.js';
import * as editor from './views/editor.js';
import * as contact from './views/contact.js';

const routes = [
  [/^#\/signin$/, signin],
  [/^#?\/?$/, overview],
  [/^#\/new$/, editor],
  [/^#\/segments\/([^/]+)\/edit$/, editor],
  [/^#\/segments\/([^/]+)$/, segment],
  [/^#\/contacts\/(.+)$/, contact],
];

let current = null; // { dispose, controller }

function navigate(hash) {
  if (location.hash === hash) route();
  else location.hash = hash;
}

function route() {
  const hash = location.hash || '#/';
  if (current) {
    current.controller.abort();
    if (current.dispose) current.dispose();
    current = null;
  }
  const main = document.getElementById('main');
  main.replaceChildren();
  let view = null;
  let params = [];
  for (const [re, v] of routes) {
    const m = hash.match(re);
    if (m) {
      view = v;
      params = m.slice(1).map(decodeURIComponent);
      break;
    }
  }
  const signingIn = view === signin;
  document.getElementById('nav').hidden = signingIn;
  const s = session();
  document.getElementById('who').textContent = s && s.tenant ? `tenant ${s.tenant}` : '';
  const controller = new AbortController();
  if (!view) {
    main.append(Object.assign(document.createElement('h1'), { textContent: 'Not found' }));
    current = { controller };
    focusHeading(main);
    return;
  }
  const dispose = view.render(main, params, { signal: controller.signal, navigate });
  current = { controller, dispose };
  focusHeading(main);
}

// After a route change, keyboard and screen-reader users continue from the new page's heading.
function focusHeading(main) {
  const h1 = main.querySelector('h1');
  if (h1) {
    h1.tabIndex = -1;
    h1.focus({ preventScroll: true });
    announce(h1.textContent);
  }
}

onUnauthorized(() => {
  rememberSession(null);
  if (!location.hash.startsWith('#/signin')) {
    rememberNext(location.hash || '#/');
    navigate('#/signin');
  }
});

document.getElementById('sign-out').addEventListener('click', async () => {
  try {
    await del('/v1/sessions/current', { quiet401: true });
  } catch {
    // Signed out already, or sessions are not available: the page forgets the session either way.
  }
  rememberSession(null);
  navigate('#/signin');
});

document.getElementById('contact-search').addEventListener('submit', (e) => {
  e.preventDefault();
  const input = document.getElementById('contact-id');
  const id = input.value.trim();
  if (id) {
    input.value = '';
    navigate(`#/contacts/${encodeURIComponent(id)}`);
  }
});

window.addEventListener('hashchange', route);
route();
