// Hand-written SVG charts of a segment's size over time (points from GET /v1/segments/{id}/history).
import { s } from './dom.js';

/** One point draws as a level line over the whole width. */
function widen(points) {
  if (points.length !== 1) return points;
  const p = points[0];
  return [{ ...p, at: new Date(new Date(p.at).getTime() - 1000).toISOString() }, p];
}

function scale(points, width, height, pad) {
  const times = points.map((p) => new Date(p.at).getTime());
  const counts = points.map((p) => p.count);
  const t0 = Math.min(...times);
  const t1 = Math.max(...times);
  const max = Math.max(1, ...counts);
  const min = Math.min(0, ...counts);
  const x = (t) => pad.left + (t1 === t0 ? 0 : ((t - t0) / (t1 - t0)) * (width - pad.left - pad.right));
  const y = (c) => height - pad.bottom - ((c - min) / (max - min)) * (height - pad.top - pad.bottom);
  return { times, counts, t0, t1, max, min, x, y };
}

function path(points, sc) {
  return points.map((p, i) => `${i ? 'L' : 'M'}${sc.x(sc.times[i]).toFixed(1)},${sc.y(p.count).toFixed(1)}`).join(' ');
}

function summary(points) {
  const first = points[0];
  const last = points[points.length - 1];
  return `Size from ${first.count} to ${last.count}, peak ${Math.max(...points.map((p) => p.count))}`;
}

/** A small line without axes, for the overview. */
export function sparkline(points, { width = 120, height = 28 } = {}) {
  if (!points || points.length === 0) return s('svg', { class: 'spark', width, height, role: 'img', 'aria-label': 'no data' });
  points = widen(points);
  const pad = { left: 1, right: 1, top: 2, bottom: 2 };
  const sc = scale(points, width, height, pad);
  return s('svg', { class: 'spark', width, height, viewBox: `0 0 ${width} ${height}`, role: 'img', 'aria-label': summary(points) },
    s('path', { d: path(points, sc), fill: 'none', stroke: 'currentColor', 'stroke-width': 1.5 }));
}

/** A line chart with its range written on the axes, for the segment page. */
export function sizeChart(points, { width = 560, height = 160 } = {}) {
  const pad = { left: 48, right: 8, top: 8, bottom: 22 };
  if (!points || points.length === 0) {
    return s('svg', { class: 'chart', width, height, role: 'img', 'aria-label': 'no data' },
      s('text', { x: width / 2, y: height / 2, 'text-anchor': 'middle' }, 'no changes yet'));
  }
  points = widen(points);
  const sc = scale(points, width, height, pad);
  const time = (t) => new Date(t).toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit', hour12: false });
  const area = `${path(points, sc)} L${sc.x(sc.t1).toFixed(1)},${sc.y(sc.min)} L${sc.x(sc.t0).toFixed(1)},${sc.y(sc.min)} Z`;
  return s('svg', { class: 'chart', width, height, viewBox: `0 0 ${width} ${height}`, role: 'img', 'aria-label': summary(points) },
    s('line', { x1: pad.left, y1: height - pad.bottom, x2: width - pad.right, y2: height - pad.bottom, class: 'axis' }),
    s('line', { x1: pad.left, y1: pad.top, x2: pad.left, y2: height - pad.bottom, class: 'axis' }),
    s('text', { x: pad.left - 4, y: pad.top + 8, 'text-anchor': 'end' }, sc.max.toLocaleString('en-US')),
    s('text', { x: pad.left - 4, y: height - pad.bottom, 'text-anchor': 'end' }, sc.min.toLocaleString('en-US')),
    s('text', { x: pad.left, y: height - 6, 'text-anchor': 'start' }, time(sc.t0)),
    s('text', { x: width - pad.right, y: height - 6, 'text-anchor': 'end' }, time(sc.t1)),
    s('path', { d: area, class: 'area' }),
    s('path', { d: path(points, sc), class: 'line', fill: 'none' }));
}
