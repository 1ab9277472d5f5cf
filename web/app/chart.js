// Small SVG charts of the interval report, of our own (no library: two
// kinds of chart do not justify one): offered and handled as bars per
// interval, and the service level as a line against its target. Each
// chart is an image for assistive technology (role="img", a label that
// sums it up); the page's table is the accessible alternative that gives
// every value. Colours come from classes (reports.css): the CSP forbids
// style attributes.
import { html, api, t, currentLang, fmtNumber, fmtPercent } from './lib.js';
import { useState, useEffect } from '/vendor/hooks.mjs';

const W = 720, H = 240;
const M = { left: 48, right: 12, top: 12, bottom: 40 };
const PW = W - M.left - M.right, PH = H - M.top - M.bottom;

// ---- the data -----------------------------------------------------------

// The report's rows added up per interval, every interval of [from, to)
// present (the report leaves out intervals with nothing): { starts (ms),
// offered, handled, sl (null when nothing to measure), total }. keep(row)
// picks rows (all by default). The service level adds up exactly:
// answered in threshold over answered plus late abandons.
export function perInterval(report, keep = () => true) {
  const from = Date.parse(report.from), to = Date.parse(report.to), step = report.interval_s * 1000;
  const n = Math.max(0, Math.ceil((to - from) / step));
  const starts = Array.from({ length: n }, (_, i) => from + i * step);
  const offered = new Array(n).fill(0), handled = new Array(n).fill(0);
  const inSl = new Array(n).fill(0), base = new Array(n).fill(0);
  for (const r of report.rows) {
    const i = Math.floor((Date.parse(r.start) - from) / step);
    if (i < 0 || i >= n || !keep(r)) continue;
    offered[i] += r.offered;
    handled[i] += r.handled;
    inSl[i] += r.answered_in_threshold;
    base[i] += r.answered + r.abandoned_after_threshold;
  }
  const sum = (a) => a.reduce((x, y) => x + y, 0);
  const sl = base.map((b, i) => (b ? inSl[i] / b : null));
  const allBase = sum(base);
  return {
    starts, step, offered, handled, sl,
    total: { offered: sum(offered), handled: sum(handled), sl: allBase ? sum(inSl) / allBase : null },
  };
}

// A round top for an axis of counts: 1, 2, 5, 10, 20, 50...
function niceMax(v) {
  if (v <= 1) return 1;
  const p = 10 ** Math.floor(Math.log10(v));
  return [1, 2, 5, 10].map((k) => k * p).find((x) => x >= v);
}

function timeLabel(ms, step, span) {
  const day = span > 86400000 || step >= 86400000;
  const opts = step >= 86400000 ? { day: 'numeric', month: 'short' }
    : day ? { day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit' }
      : { hour: '2-digit', minute: '2-digit' };
  return new Intl.DateTimeFormat(currentLang(), opts).format(new Date(ms));
}

// The first and last moments a chart covers, for its label: with their
// day, whatever the span (a label is read without the axis).
function spanLabels(d) {
  const n = d.starts.length;
  if (!n) return ['', ''];
  const f = new Intl.DateTimeFormat(currentLang(), d.step >= 86400000
    ? { dateStyle: 'medium' } : { dateStyle: 'medium', timeStyle: 'short' });
  return [f.format(new Date(d.starts[0])), f.format(new Date(d.starts[n - 1] + d.step))];
}

// ---- the drawing ----------------------------------------------------------

// Axes, grid and the ticks of x (about six labels) and y (0, half, top).
function Axes({ d, yTicks }) {
  const n = d.starts.length;
  const every = Math.max(1, Math.ceil(n / 6));
  const span = n ? d.starts[n - 1] + d.step - d.starts[0] : 0;
  const x = (i) => M.left + (i / Math.max(n, 1)) * PW;
  return html`
    <g class="axis">
      ${yTicks.map(({ at, text }) => html`
        <line class="grid" x1=${M.left} x2=${W - M.right} y1=${at} y2=${at} />
        <text class="tick" x=${M.left - 6} y=${at + 4} text-anchor="end">${text}</text>`)}
      <line x1=${M.left} x2=${W - M.right} y1=${M.top + PH} y2=${M.top + PH} />
      ${d.starts.map((s, i) => (i % every ? null : html`
        <line x1=${x(i)} x2=${x(i)} y1=${M.top + PH} y2=${M.top + PH + 4} />
        <text class="tick" x=${x(i)} y=${M.top + PH + 18} text-anchor="start">${timeLabel(s, d.step, span)}</text>`))}
    </g>`;
}

function Legend({ items }) {
  return html`
    <ul class="legend">
      ${items.map(([cls, text]) => html`<li><span class=${`swatch ${cls}`} aria-hidden="true"></span>${text}</li>`)}
    </ul>`;
}

// Offered and handled, side by side in each interval.
export function VolumeChart({ data: d }) {
  const n = d.starts.length;
  const top = niceMax(Math.max(1, ...d.offered, ...d.handled));
  const y = (v) => M.top + PH - (v / top) * PH;
  const slot = PW / Math.max(n, 1), bw = Math.max(0.5, slot * 0.4);
  const [a, b] = spanLabels(d);
  const label = t('ui.reports.chart.volume.label', fmtNumber(n), a, b, fmtNumber(d.total.offered), fmtNumber(d.total.handled));
  const yTicks = [0, top / 2, top].map((v) => ({ at: y(v), text: fmtNumber(v, 1) }));
  return html`
    <figure class="chart volume">
      <figcaption>${t('ui.reports.chart.volume')}</figcaption>
      <svg viewBox=${`0 0 ${W} ${H}`} role="img" aria-label=${label} data-intervals=${n}>
        <${Axes} d=${d} yTicks=${yTicks} />
        ${d.starts.map((_, i) => html`
          ${d.offered[i] > 0 && html`<rect class="bar-offered" x=${M.left + i * slot + slot * 0.1} width=${bw}
            y=${y(d.offered[i])} height=${M.top + PH - y(d.offered[i])} />`}
          ${d.handled[i] > 0 && html`<rect class="bar-handled" x=${M.left + i * slot + slot * 0.1 + bw} width=${bw}
            y=${y(d.handled[i])} height=${M.top + PH - y(d.handled[i])} />`}`)}
      </svg>
      <${Legend} items=${[['offered', t('ui.reports.col.offered')], ['handled', t('ui.reports.col.handled')]]} />
    </figure>`;
}

// The service level per interval (a line with a gap where there is
// nothing to measure) and the target as a dashed line.
export function SlChart({ data: d, target }) {
  const n = d.starts.length;
  const y = (v) => M.top + PH - v * PH;
  const slot = PW / Math.max(n, 1);
  const x = (i) => M.left + i * slot + slot / 2;
  // runs of consecutive measured intervals, one polyline each
  const runs = [];
  d.sl.forEach((v, i) => {
    if (v == null) return;
    if (i > 0 && d.sl[i - 1] != null) runs[runs.length - 1].push(`${x(i)},${y(v)}`);
    else runs.push([`${x(i)},${y(v)}`]);
  });
  const [a, b] = spanLabels(d);
  const label = t('ui.reports.chart.sl.label', fmtNumber(n), a, b, fmtPercent(d.total.sl),
    target == null ? '–' : fmtPercent(target));
  const yTicks = [0, 0.5, 1].map((v) => ({ at: y(v), text: fmtPercent(v) }));
  return html`
    <figure class="chart sl">
      <figcaption>${t('ui.reports.chart.sl')}</figcaption>
      <svg viewBox=${`0 0 ${W} ${H}`} role="img" aria-label=${label} data-intervals=${n}>
        <${Axes} d=${d} yTicks=${yTicks} />
        ${target != null && html`<line class="target" x1=${M.left} x2=${W - M.right} y1=${y(target)} y2=${y(target)} />`}
        ${runs.map((pts) => (pts.length > 1
          ? html`<polyline class="line-sl" points=${pts.join(' ')} />`
          : html`<circle class="dot-sl" cx=${pts[0].split(',')[0]} cy=${pts[0].split(',')[1]} r="4" />`))}
      </svg>
      <${Legend} items=${[['sl', t('ui.reports.col.service_level')],
        ['target', `${t('ui.reports.chart.target')}${target == null ? '' : ` ${fmtPercent(target)}`}`]]} />
    </figure>`;
}

// The mean target (sl_target, percent) of the queues that keep(q) picks,
// as a fraction; null when none.
export function meanTarget(queues, keep = () => true) {
  const ts = queues.filter(keep).map((q) => q.sl_target).filter((v) => v != null);
  return ts.length ? ts.reduce((a, b) => a + b, 0) / ts.length / 100 : null;
}

// Midnight of today in the browser's zone, and of tomorrow.
function today() {
  const a = new Date();
  a.setHours(0, 0, 0, 0);
  const b = new Date(a);
  b.setDate(b.getDate() + 1);
  return [a.toISOString(), b.toISOString()];
}

// Today's offered/handled and service level per 15 minutes, of one tenant
// (or all the user sees) and one queue (or all): for the wallboard. It
// reads the report again whenever `refresh` changes (pass a counter the
// page moves, e.g. on a completed contact), not on a timer.
export function DayCharts({ tenant, queue, refresh }) {
  const [data, setData] = useState(null);
  const [target, setTarget] = useState(null);
  const [error, setError] = useState('');

  useEffect(() => {
    let gone = false;
    const [from, to] = today();
    const q = new URLSearchParams({ from, to, interval: '15m', group: 'queue' });
    if (tenant) q.set('tenant', tenant);
    Promise.all([
      api('GET', `/api/v1/reports/intervals?${q}`),
      api('GET', `/api/v1/stats/realtime${tenant ? `?tenant=${encodeURIComponent(tenant)}` : ''}`),
    ]).then(([report, stats]) => {
      if (gone) return;
      setData(perInterval(report, (r) => !queue || r.key === queue));
      setTarget(meanTarget(stats.queues, (x) => !queue || x.id === queue));
      setError('');
    }).catch((e) => !gone && setError(e.message));
    return () => { gone = true; };
  }, [tenant, queue, refresh]);

  return html`
    <section class="day-charts" aria-labelledby="day-charts-h">
      <h2 id="day-charts-h">${t('ui.reports.day')}</h2>
      ${error && html`<p class="error" role="alert">${error}</p>`}
      ${data && html`<div class="charts">
        <${VolumeChart} data=${data} />
        <${SlChart} data=${data} target=${target} />
      </div>`}
    </section>`;
}
