// One segment: its rule, live count, size over time, members (paged) and the live enter/exit feed.
import { get, history, enc, ApiError } from '../api.js';
import { h, fmtCount, fmtClock, fmtTime, errorBox, notAvailable, announce } from '../dom.js';
import { sizeChart } from '../chart.js';
import { ChangeStream, streamState } from '../live.js';
import { badge } from './overview.js';
import { canManage } from '../session.js';

const FEED_ROWS = 200;
const PAGE = 25;
const DAY = 24 * 3600 * 1000;

export function render(main, [id], { signal }) {
  const base = `/v1/segments/${enc(id)}`;
  let stream = null;
  let poll = 0;
  const size = { count: 0, asOf: null }; // the shown count, as of a change seq

  const title = h('h1', null, id);
  const status = h('span');
  const count = h('span.big.count', { 'aria-live': 'off' }, '—');
  const state = h('span.stream-state');
  const rule = h('div.rule-box');
  const chart = h('div.chart-box', null, h('span.muted', null, 'loading…'));
  const members = h('ul.members');
  const pager = h('div.pager');
  const feedBody = h('tbody');
  const feed = h('table.feed',
    null,
    h('caption.sr-only', null, 'Live enter and exit changes, newest first'),
    h('thead', null, h('tr', null,
      h('th', { scope: 'col' }, 'Time'),
      h('th', { scope: 'col' }, 'Change'),
      h('th', { scope: 'col' }, 'Contact'),
      h('th', { scope: 'col' }, 'Cause'))),
    feedBody);
  const feedNote = h('p.muted.feed-note', null, `Newest first; the latest ${FEED_ROWS} changes are kept.`);

  main.append(
    h('p.crumbs', null, h('a', { href: '#/' }, 'Segments'), ' / ', id),
    h('div.title', null, title, status, h('span.spacer'),
      canManage() ? h('a.button', { href: `#/segments/${enc(id)}/edit` }, 'Edit') : null),
    h('div.grid',
      null,
      h('section.card', { 'aria-labelledby': 'count-h' }, h('h2', { id: 'count-h' }, 'Members now'), count),
      h('section.card.wide', { 'aria-labelledby': 'chart-h' }, h('h2', { id: 'chart-h' }, 'Size, last 24 h'), chart),
      h('section.card.wide', { 'aria-labelledby': 'rule-h' }, h('h2', { id: 'rule-h' }, 'Rule'), rule)),
    h('div.grid',
      null,
      h('section.card', { 'aria-labelledby': 'members-h' }, h('h2', { id: 'members-h' }, 'Member list'), members, pager),
      h('section.card.wide2', { 'aria-labelledby': 'feed-h' },
        h('div.title', null, h('h2', { id: 'feed-h' }, 'Live changes'), h('span.spacer'), state), feedNote, h('div.feed-scroll', null, feed))));

  load().catch((e) => {
    if (e.name !== 'AbortError') main.append(errorBox(e));
  });

  async function load() {
    let seg;
    try {
      seg = await get(base, { signal });
    } catch (e) {
      if (e instanceof ApiError && e.notFound) {
        title.textContent = 'Segment not found';
        return;
      }
      throw e;
    }
    show(seg);
    let asOf = null;
    try {
      const c = await get(`${base}/count`, { signal });
      size.count = c.count;
      size.asOf = asOf = c.asOf;
    } catch (e) {
      if (e.name === 'AbortError') return;
      size.count = seg.count;
    }
    count.textContent = fmtCount(size.count);
    // The feed starts right after the snapshot the count was read at: no change falls in between.
    stream = new ChangeStream(`${base}/changes?counts=true`, {
      after: asOf,
      keep: FEED_ROWS,
      onChanges: (changes) => {
        addToFeed(changes);
        // The count moves with the feed; a count event (at most one a second) sets it as of its seq.
        for (const c of changes) {
          if (size.asOf === null || c.seq > size.asOf) {
            size.count += c.change === 'enter' ? 1 : -1;
            size.asOf = c.seq;
          }
        }
        count.textContent = fmtCount(size.count);
      },
      onCounts: (counts) => {
        const c = counts.get(id);
        if (c && (size.asOf === null || c.asOf >= size.asOf)) {
          size.count = c.count;
          size.asOf = c.asOf;
          count.textContent = fmtCount(size.count);
        }
      },
      onReset: () => {
        // The history the feed resumed from was pruned: the count is re-read, the feed goes on.
        get(`${base}/count`, { signal }).then((c) => {
          size.count = c.count;
          size.asOf = c.asOf;
          count.textContent = fmtCount(c.count);
        }, () => {});
        announce('The live feed restarted; earlier changes are no longer available.');
      },
      onState: streamState(state),
      probe: () => get(`${base}/count`, { signal }),
    }).start();
    page(null, []);
    sizeOverTime();
  }

  function show(seg) {
    title.textContent = seg.name;
    status.replaceChildren(badge(seg.status), h('span.muted', null, ` version ${seg.version}`));
    const hasText = typeof seg.ruleText === 'string' && seg.ruleText.length > 0;
    rule.replaceChildren(
      hasText ? h('pre.rule', { tabindex: 0, 'aria-label': 'Rule' }, seg.ruleText)
        : h('pre.rule.json', { tabindex: 0, 'aria-label': 'Rule as JSON' }, JSON.stringify(seg.rule, null, 2)));
    if (seg.status !== 'live') {
      poll = setTimeout(async () => {
        try {
          show(await get(base, { signal }));
        } catch {
          /* left the page */
        }
      }, 1000);
    } else if (status.dataset.was === 'building') {
      announce('The segment is live.');
    }
    status.dataset.was = seg.status;
  }

  function addToFeed(changes) {
    const frag = document.createDocumentFragment();
    for (let i = changes.length - 1; i >= 0; i--) frag.append(feedRow(changes[i]));
    feedBody.prepend(frag);
    while (feedBody.childElementCount > FEED_ROWS) feedBody.lastElementChild.remove();
  }

  function feedRow(c) {
    const cause = c.cause || {};
    return h(`tr.${c.change}`, { dataset: { seq: c.seq } },
      h('td', null, h('time', { datetime: c.at, title: fmtTime(c.at) }, fmtClock(c.at))),
      h('td', null, h(`span.change.${c.change}`, null, c.change === 'enter' ? '→ enter' : '← exit')),
      h('td', null, h('a', { href: `#/contacts/${enc(c.contactId)}` }, c.contactId)),
      h('td', null, cause.kind || '', cause.eventId ? h('span.muted', null, ` ${cause.eventId}`) : null));
  }

  // Members in pages of PAGE; `back` holds the cursors of the pages before this one.
  async function page(cursor, back) {
    try {
      const q = `limit=${PAGE}` + (cursor ? `&cursor=${enc(cursor)}` : '');
      const answer = await get(`${base}/members?${q}`, { signal });
      members.replaceChildren(...answer.members.map((m) => h('li', null, h('a', { href: `#/contacts/${enc(m)}` }, m))));
      if (answer.members.length === 0) members.replaceChildren(h('li.muted', null, 'No members'));
      const prev = h('button', { type: 'button', disabled: back.length === 0,
        onclick: () => page(back[back.length - 1], back.slice(0, -1)) }, 'Previous');
      const next = h('button', { type: 'button', disabled: !answer.nextCursor,
        onclick: () => page(answer.nextCursor, [...back, cursor]) }, 'Next');
      pager.replaceChildren(prev, h('span.muted', null, ` page ${back.length + 1} `), next);
    } catch (e) {
      if (e.name !== 'AbortError') members.replaceChildren(h('li', null, errorBox(e)));
    }
  }

  async function sizeOverTime() {
    const to = new Date();
    try {
      const answer = await history(id, new Date(to.getTime() - DAY), to, { signal, points: 96 });
      chart.replaceChildren(answer === null ? notAvailable('Size over time') : sizeChart(answer.points));
    } catch (e) {
      if (e.name !== 'AbortError') chart.replaceChildren(errorBox(e));
    }
  }

  return () => {
    clearTimeout(poll);
    if (stream) stream.close();
  };
}
