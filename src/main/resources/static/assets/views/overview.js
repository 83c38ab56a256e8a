// The segments with live counts (one stream: GET /v1/changes?counts=true) and their size over 24 h.
import { get, history } from '../api.js';
import { h, fmtCount, errorBox } from '../dom.js';
import { sparkline } from '../chart.js';
import { ChangeStream, streamState } from '../live.js';

const DAY = 24 * 3600 * 1000;

export function render(main, _params, { signal }) {
  const state = h('span.stream-state', { 'aria-live': 'off' }, '');
  const body = h('tbody');
  const table = h('table.segments',
    null,
    h('caption.sr-only', null, 'Segments with their live member count'),
    h('thead', null, h('tr', null,
      h('th', { scope: 'col' }, 'Segment'),
      h('th', { scope: 'col' }, 'Status'),
      h('th.num', { scope: 'col' }, 'Members'),
      h('th', { scope: 'col' }, 'Last 24 h'))),
    body);
  const empty = h('p.muted', { hidden: true }, 'No segments yet. ', h('a', { href: '#/new' }, 'Create one'), '.');
  main.append(
    h('div.title', null, h('h1', null, 'Segments'), h('span.spacer'), state, h('a.button', { href: '#/new' }, 'New segment')),
    table, empty);

  const rows = new Map(); // segment id -> { count, status }
  let stream = null;
  let poll = 0;

  load().catch((e) => {
    if (e.name !== 'AbortError') main.append(errorBox(e));
  });

  async function load() {
    const { segments } = await get('/v1/segments', { signal });
    empty.hidden = segments.length > 0;
    for (const seg of segments) {
      const count = h('td.num.count', null, fmtCount(seg.count));
      const status = h('td', null, badge(seg.status));
      const chart = h('td.chart-cell', null, h('span.muted', null, '…'));
      body.append(h('tr', { dataset: { segment: seg.id } },
        h('th', { scope: 'row' }, h('a', { href: `#/segments/${encodeURIComponent(seg.id)}` }, seg.name),
          h('span.muted.id', null, seg.id)),
        status, count, chart));
      rows.set(seg.id, { count, status, chart, seg });
    }
    stream = new ChangeStream('/v1/changes?counts=true', {
      onCounts: (counts) => {
        for (const [id, c] of counts) {
          const row = rows.get(id);
          if (row) row.count.textContent = fmtCount(c.count);
        }
      },
      onState: streamState(state),
      probe: () => get('/v1/segments', { signal }),
    }).start();
    watchBuilding();
    charts([...rows.values()]);
  }

  // A building segment turns live once it has been evaluated over every contact.
  function watchBuilding() {
    if (![...rows.values()].some((r) => r.seg.status !== 'live')) return;
    poll = setTimeout(async () => {
      try {
        const { segments } = await get('/v1/segments', { signal });
        for (const seg of segments) {
          const row = rows.get(seg.id);
          if (row && row.seg.status !== seg.status) {
            row.seg = seg;
            row.status.replaceChildren(badge(seg.status));
          }
        }
        watchBuilding();
      } catch {
        /* left the page, or the next poll tries again */
      }
    }, 2000);
  }

  // Size over the last 24 h, a few segments at a time.
  async function charts(list) {
    const to = new Date();
    const from = new Date(to.getTime() - DAY);
    let unavailable = false;
    const next = async () => {
      while (list.length && !signal.aborted) {
        const row = list.shift();
        if (unavailable) {
          row.chart.replaceChildren(h('span.muted', null, 'not available'));
          continue;
        }
        try {
          const answer = await history(row.seg.id, from, to, { signal, points: 48 });
          if (answer === null) {
            unavailable = true;
            row.chart.replaceChildren(h('span.muted', null, 'not available'));
          } else {
            row.chart.replaceChildren(sparkline(answer.points));
          }
        } catch (e) {
          if (e.name === 'AbortError') return;
          row.chart.replaceChildren(h('span.muted', null, 'unavailable'));
        }
      }
    };
    await Promise.all([next(), next(), next()]);
  }

  return () => {
    clearTimeout(poll);
    if (stream) stream.close();
  };
}

export function badge(status) {
  return h(`span.badge.${status === 'live' ? 'live' : 'building'}`, null, status);
}
