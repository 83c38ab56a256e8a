// A contact: profile, segments, and why it is in or out of each (GET /v1/segments/{id}/explain/{contact}).
import { get, enc, ApiError } from '../api.js';
import { h, fmtTime, errorBox, notAvailable } from '../dom.js';

export function render(main, [contactId], { signal }) {
  const title = h('h1', null, `Contact ${contactId}`);
  const profile = h('div.profile');
  const segments = h('div.explain');
  main.append(
    h('p.crumbs', null, h('a', { href: '#/' }, 'Segments'), ' / contact'),
    title,
    h('div.grid', null,
      h('section.card', { 'aria-labelledby': 'profile-h' }, h('h2', { id: 'profile-h' }, 'Profile'), profile),
      h('section.card.wide2', { 'aria-labelledby': 'segs-h' }, h('h2', { id: 'segs-h' }, 'Segments'), segments)));

  load().catch((e) => {
    if (e.name !== 'AbortError') main.append(errorBox(e));
  });

  async function load() {
    let c;
    try {
      c = await get(`/v1/contacts/${enc(contactId)}`, { signal });
    } catch (e) {
      if (e instanceof ApiError && e.notFound) {
        title.textContent = `No contact ${contactId}`;
        return;
      }
      throw e;
    }
    showProfile(c);
    let all = [];
    try {
      all = (await get('/v1/segments', { signal })).segments;
    } catch (e) {
      if (e.name === 'AbortError') return;
    }
    const member = new Set(c.segments || []);
    const names = new Map(all.map((s) => [s.id, s.name]));
    for (const id of member) if (!names.has(id)) names.set(id, id);
    const items = [...names.keys()].sort((a, b) => Number(member.has(b)) - Number(member.has(a)));
    const list = h('ul.segment-list');
    const reasons = new Map();
    for (const id of items) {
      const why = h('div.why');
      reasons.set(id, why);
      const inside = member.has(id);
      list.append(h('li', { dataset: { segment: id } },
        h(`span.badge.${inside ? 'in' : 'out'}`, null, inside ? 'in' : 'out'), ' ',
        h('a', { href: `#/segments/${enc(id)}` }, names.get(id)),
        why));
    }
    segments.replaceChildren(items.length ? list : h('p.muted', null, 'No segments'));
    explainAll(items, reasons);
  }

  function showProfile(c) {
    const rows = [['Created', fmtTime(c.createdAt)]];
    for (const [k, v] of Object.entries(c.attributes || {})) rows.push([k, typeof v === 'string' ? v : JSON.stringify(v)]);
    const subs = Object.entries(c.subscriptions || {}).map(([ch, on]) => `${ch}: ${on ? 'subscribed' : 'unsubscribed'}`);
    rows.push(['Tags', (c.tags || []).join(', ') || '—']);
    rows.push(['Audiences', (c.audiences || []).join(', ') || '—']);
    rows.push(['Subscriptions', subs.join(', ') || '—']);
    profile.replaceChildren(h('dl', null, rows.map(([k, v]) => [h('dt', null, k), h('dd', null, v)])));
  }

  async function explainAll(ids, reasons) {
    let unavailable = false;
    for (const id of ids) {
      if (signal.aborted) return;
      const why = reasons.get(id);
      if (unavailable) continue;
      try {
        const answer = await get(`/v1/segments/${enc(id)}/explain/${enc(contactId)}`, { signal });
        why.replaceChildren(
          h('ul.tree', null, node(answer.rule)),
          answer.nextChange ? h('p.muted', null, `Can change with no new event at ${fmtTime(answer.nextChange)}`) : null);
      } catch (e) {
        if (e.name === 'AbortError') return;
        if (e instanceof ApiError && e.notFound) {
          unavailable = true;
          segments.append(notAvailable('Why in or out'));
          continue;
        }
        why.replaceChildren(errorBox(e));
      }
    }
  }
}

/** One explained rule node: its result, what it tests, what it saw, then its children. */
function node(n) {
  if (!n || typeof n !== 'object') return h('li', null, String(n));
  const children = n.and || n.or || (n.not ? [n.not] : null);
  const label = n.and ? 'all of' : n.or ? 'any of' : n.not ? 'not' : describe(n);
  const mark = n.result === true ? h('span.ok', { title: 'true' }, '✓ ') : n.result === false ? h('span.no', { title: 'false' }, '✗ ') : '';
  return h('li', null, mark, h('code', null, label),
    n.saw !== undefined ? h('span.muted', null, ` saw ${JSON.stringify(n.saw)}`) : null,
    children ? h('ul', null, children.map(node)) : null);
}

function describe(n) {
  const rest = {};
  for (const [k, v] of Object.entries(n)) if (k !== 'result' && k !== 'saw') rest[k] = v;
  return JSON.stringify(rest);
}
