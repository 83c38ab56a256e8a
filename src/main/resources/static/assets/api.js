// The public HTTP API (docs/dashboard.md). Requests are same-origin and authenticated by the session
// cookie of POST /v1/sessions; every unsafe request echoes the XSRF-TOKEN cookie in X-XSRF-TOKEN.

/** An answer that is not 2xx, with the RFC 9457 problem body when there is one. */
export class ApiError extends Error {
  constructor(status, problem) {
    super(describe(status, problem));
    this.status = status;
    this.problem = problem || {};
  }
  get errors() {
    return Array.isArray(this.problem.errors) ? this.problem.errors : [];
  }
  /** The endpoint is not there (or the thing asked for does not exist). */
  get notFound() {
    return this.status === 404;
  }
}

function describe(status, problem) {
  if (problem && (problem.detail || problem.title)) return problem.detail || problem.title;
  if (status === 0) return 'The server cannot be reached';
  return `The server answered ${status}`;
}

const SAFE = new Set(['GET', 'HEAD', 'OPTIONS']);
const listeners = new Set();

/** Called with every ApiError of status 401, so the page can go back to signing in. */
export function onUnauthorized(fn) {
  listeners.add(fn);
}

export function cookie(name) {
  for (const part of document.cookie.split(';')) {
    const i = part.indexOf('=');
    if (i > 0 && part.slice(0, i).trim() === name) return decodeURIComponent(part.slice(i + 1).trim());
  }
  return null;
}

/**
 * request('POST', '/v1/segments', body) -> parsed JSON (null for 204). Rejects with ApiError.
 * signal: an AbortSignal, so a view that is left cancels what it started.
 */
export async function request(method, path, body, { signal, quiet401 = false } = {}) {
  const headers = { Accept: 'application/json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (!SAFE.has(method)) {
    const xsrf = cookie('XSRF-TOKEN');
    if (xsrf) headers['X-XSRF-TOKEN'] = xsrf;
  }
  let res;
  try {
    res = await fetch(path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: 'same-origin',
      cache: 'no-store',
      signal,
    });
  } catch (e) {
    if (e.name === 'AbortError') throw e;
    throw new ApiError(0, null);
  }
  if (res.status === 204) return null;
  const text = await res.text();
  let json = null;
  if (text) {
    try {
      json = JSON.parse(text);
    } catch {
      json = null;
    }
  }
  if (!res.ok) {
    const err = new ApiError(res.status, json);
    if (res.status === 401 && !quiet401) listeners.forEach((fn) => fn(err));
    throw err;
  }
  return json;
}

export const get = (path, opts) => request('GET', path, undefined, opts);
export const post = (path, body, opts) => request('POST', path, body, opts);
export const put = (path, body, opts) => request('PUT', path, body, opts);
export const del = (path, opts) => request('DELETE', path, undefined, opts);

export const enc = encodeURIComponent;

/**
 * A segment's size over [from, to] from GET /v1/segments/{id}/history, at most `points` steps.
 * A `from` before the oldest retained change is answered 400 naming the oldest instant: the range is
 * then shortened to start there. Resolves to null when the server has no history endpoint (404).
 */
export async function history(segmentId, from, to, { points = 96, signal } = {}) {
  const end = iso(to);
  const ask = (startText, start) => {
    const seconds = Math.max(1, Math.ceil((new Date(end).getTime() - start.getTime()) / 1000 / points));
    const step = seconds % 60 === 0 ? `${seconds / 60}m` : `${seconds}s`;
    const q = `from=${enc(startText)}&to=${enc(end)}&step=${step}`;
    return get(`/v1/segments/${enc(segmentId)}/history?${q}`, { signal });
  };
  try {
    return await ask(iso(from), from);
  } catch (e) {
    if (e instanceof ApiError && e.notFound) return null;
    if (e instanceof ApiError && e.status === 400) {
      // The oldest instant is passed back exactly as written: the server keeps microseconds, and rounding it
      // to what a Date holds could land just before it.
      const oldest = instantIn(e.problem);
      if (oldest && oldest.at > from && oldest.at < new Date(end)) return ask(oldest.text, oldest.at);
    }
    throw e;
  }
}

function iso(d) {
  return new Date(Math.floor(d.getTime() / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

const INSTANT = /\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d(\.\d+)?)?Z/;

/** The first ISO instant written anywhere in a problem body: its text as written, and as a Date. */
function instantIn(problem) {
  const m = JSON.stringify(problem || {}).match(INSTANT);
  if (!m) return null;
  const at = new Date(m[0]);
  return Number.isNaN(at.getTime()) ? null : { text: m[0], at };
}
