// The reports page: the interval report (from, to, group, interval; a
// tenant for staff) as charts and a table, and the same report as CSV or
// XLSX to download. The server scopes what each role gets: a client reads
// its own tenant only, so the page never offers it a tenant to pick, and
// groups by queue or tenant only (agents and sites are staff's).
import { html, api, t, fmtNumber, fmtPercent, currentLang } from './lib.js';
import { useState, useEffect } from '/vendor/hooks.mjs';
import { perInterval, meanTarget, VolumeChart, SlChart } from './chart.js';

const GROUPS = { client: ['queue', 'tenant'], staff: ['queue', 'agent', 'tenant', 'site'] };
const INTERVALS = ['15m', '30m', '1h', '1d'];
// Past this many rows the table shows the first ones; the files hold all.
const MAX_ROWS = 500;

// The browser's day "2026-11-29" (not UTC's: a report starts at local midnight).
function localDay(d = new Date()) {
  const two = (n) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${two(d.getMonth() + 1)}-${two(d.getDate())}`;
}

// The report's query: from the first day's midnight to the midnight after
// the last day, in the browser's zone, as UTC.
function reportQuery(f) {
  const from = new Date(`${f.from}T00:00:00`);
  const to = new Date(`${f.to}T00:00:00`);
  to.setDate(to.getDate() + 1);
  const q = new URLSearchParams({ from: from.toISOString(), to: to.toISOString(), group: f.group, interval: f.interval });
  if (f.tenant) q.set('tenant', f.tenant);
  return q;
}

function Form({ f, set, groups, tenants, onRun, busy }) {
  const field = (name) => (e) => set({ ...f, [name]: e.currentTarget.value });
  return html`
    <form class="report-form" aria-label=${t('ui.reports.form')} onSubmit=${(e) => { e.preventDefault(); onRun(); }}>
      <div><label for="r-from">${t('ui.reports.from')}</label>
        <input id="r-from" type="date" required value=${f.from} onInput=${field('from')} /></div>
      <div><label for="r-to">${t('ui.reports.to')}</label>
        <input id="r-to" type="date" required value=${f.to} onInput=${field('to')} /></div>
      <div><label for="r-group">${t('ui.reports.group')}</label>
        <select id="r-group" value=${f.group} onChange=${field('group')}>
          ${groups.map((g) => html`<option value=${g}>${t(`ui.reports.group.${g}`)}</option>`)}
        </select></div>
      <div><label for="r-interval">${t('ui.reports.interval')}</label>
        <select id="r-interval" value=${f.interval} onChange=${field('interval')}>
          ${INTERVALS.map((i) => html`<option value=${i}>${t(`ui.reports.interval.${i}`)}</option>`)}
        </select></div>
      ${tenants && html`<div><label for="r-tenant">${t('ui.reports.tenant')}</label>
        <select id="r-tenant" value=${f.tenant} onChange=${field('tenant')}>
          <option value="">${t('ui.reports.tenant.all')}</option>
          ${tenants.map((x) => html`<option value=${x.id}>${x.name}</option>`)}
        </select></div>`}
      <div><button type="submit" class="primary" disabled=${busy}>${t('ui.reports.run')}</button></div>
    </form>`;
}

function Downloads({ query }) {
  const href = (format) => `/api/v1/reports/intervals?${query}&format=${format}`;
  return html`
    <p class="downloads"><span>${t('ui.reports.downloads')}</span>
      <a href=${href('csv')} download data-format="csv">${t('ui.reports.csv')}</a>
      <a href=${href('xlsx')} download data-format="xlsx">${t('ui.reports.xlsx')}</a>
    </p>`;
}

function Table({ report }) {
  const staffCols = report.group === 'agent' || report.group === 'site';
  const cols = ['offered', 'answered', 'handled', 'abandoned', 'service_level', 'asa_s', 'avg_wait_s', 'aht_s',
    ...(staffCols ? ['occupancy', 'utilisation'] : []), 'csat_count', 'csat_avg', 'csat_satisfied_pct'];
  const pct = new Set(['service_level', 'occupancy', 'utilisation']);
  const when = new Intl.DateTimeFormat(currentLang(), { dateStyle: 'short', timeStyle: 'short' });
  const rows = report.rows.slice(0, MAX_ROWS);
  const caption = t('ui.reports.table', t(`ui.reports.group.${report.group}`).toLowerCase());
  // focusable: a table wider than the screen scrolls, by keyboard too
  return html`
    <div class="table-wrap" tabindex="0" role="region" aria-label=${caption}>
      <table class="report">
        <caption>${caption}</caption>
        <thead><tr>
          <th scope="col">${t('ui.reports.start')}</th>
          <th scope="col">${t(`ui.reports.group.${report.group}`)}</th>
          ${cols.map((c) => html`<th scope="col" class="num">${t(`ui.reports.col.${c}`)}</th>`)}
        </tr></thead>
        <tbody>
          ${rows.map((r) => html`<tr data-key=${r.key}>
            <td>${when.format(new Date(r.start))}</td>
            <th scope="row">${r.name || r.key}</th>
            ${cols.map((c) => html`<td class="num" data-col=${c}>${pct.has(c) ? fmtPercent(r[c]) : fmtNumber(r[c], 1)}</td>`)}
          </tr>`)}
        </tbody>
      </table>
      ${report.rows.length > MAX_ROWS && html`<p class="notice">${t('ui.reports.more', fmtNumber(MAX_ROWS), fmtNumber(report.rows.length))}</p>`}
    </div>`;
}

export function Reports({ user }) {
  const staff = user.role !== 'client';
  const [f, setF] = useState({ from: localDay(), to: localDay(), group: 'queue', interval: '1h', tenant: '' });
  const [tenants, setTenants] = useState(null);
  const [queues, setQueues] = useState([]);
  const [shown, setShown] = useState(null); // { report, query }
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');

  const run = async (form = f) => {
    setError('');
    if (form.from > form.to) {
      setError(t('ui.reports.bad_range'));
      return;
    }
    const query = reportQuery(form).toString();
    setBusy(true);
    try {
      const report = await api('GET', `/api/v1/reports/intervals?${query}`);
      setShown({ report, query });
    } catch (e) {
      setError(e.message);
    } finally {
      setBusy(false);
    }
  };

  useEffect(() => {
    // the queues' targets for the service-level chart (scoped by the server)
    api('GET', '/api/v1/stats/realtime').then((s) => setQueues(s.queues)).catch((e) => setError(e.message));
    if (staff) api('GET', '/api/v1/tenants?limit=500').then((r) => setTenants(r.items)).catch((e) => setError(e.message));
    run();
  }, []);

  const report = shown?.report;
  const data = report && perInterval(report);
  const inReport = new Set(report?.rows.map((r) => r.key));
  const tenant = shown && new URLSearchParams(shown.query).get('tenant');
  const target = report && meanTarget(queues, (q) => (report.group === 'queue' ? inReport.has(q.id) : !tenant || q.tenant === tenant));
  return html`
    <div class="reports">
      <h1>${t('ui.reports.title')}</h1>
      <p class="intro">${t('ui.reports.intro')}</p>
      <${Form} f=${f} set=${setF} groups=${GROUPS[staff ? 'staff' : 'client']} tenants=${staff ? tenants || [] : null}
        onRun=${() => run()} busy=${busy} />
      ${error && html`<p class="error" role="alert">${error}</p>`}
      <p class="status" role="status">${busy ? t('ui.reports.loading') : ''}</p>
      ${report && html`
        <${Downloads} query=${shown.query} />
        ${report.rows.length === 0 && html`<p class="notice">${t('ui.reports.empty')}</p>`}
        <div class="charts">
          <${VolumeChart} data=${data} />
          <${SlChart} data=${data} target=${target} />
        </div>
        ${report.rows.length > 0 && html`<${Table} report=${report} />`}`}
    </div>`;
}
