// What the page remembers of its session, for display only: the cookie itself is HttpOnly.
const SESSION = 'segstream.session';
const NEXT = 'segstream.next';

export function session() {
  try {
    return JSON.parse(sessionStorage.getItem(SESSION));
  } catch {
    return null;
  }
}

export function rememberSession(s) {
  if (s) sessionStorage.setItem(SESSION, JSON.stringify(s));
  else sessionStorage.removeItem(SESSION);
}

/** The route to return to after signing in. */
export function rememberNext(hash) {
  sessionStorage.setItem(NEXT, hash);
}

export function takeNext() {
  const next = sessionStorage.getItem(NEXT);
  sessionStorage.removeItem(NEXT);
  return next && !next.startsWith('#/signin') ? next : '#/';
}

/** Whether the signed-in key may change segments (unknown scopes: let the server decide). */
export function canManage() {
  const s = session();
  return !s || !Array.isArray(s.scopes) || s.scopes.includes('manage');
}
