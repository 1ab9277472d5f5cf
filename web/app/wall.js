// The supervisor's wallboard (and the client's view of its own tenant):
// a tile per queue and, for staff, the agents' grid, from the stream's
// statistics pushed every second. The server scopes what each role gets.
//
// The stream pushes the whole picture every second (1,000 agents, 100
// queues at most): tiles and rows are components that re-render only when
// their own figures changed, the grid shows one page of agents, and the
// time in state ticks in its own small cells.
import { html, api, t, fmtDuration, fmtTime, fmtNumber, fmtPercent } from './lib.js';
import { Component } from '/vendor/preact.mjs';
import { useState, useEffect, useMemo, useRef } from '/vendor/hooks.mjs';
import { Stream } from './stream.js';
import { AgentDialog, reasonLabel } from './wall-agent.js';
import { DayCharts } from './chart.js';

// The day's charts (per 15 minutes) are read again when the stream's
// counts of today move, at most this often.
const CHARTS_EVERY_MS = 10000;

// What the charts show, as the stream's picture counts it: a change means
// the charts are stale.
const volumeOf = (queues) => queues.reduce((n, q) => n + (q.offered || 0) + (q.handled || 0) + (q.abandoned || 0), 0);

const PAGE_SIZE = 50;
const FILTERS = ['tenant', 'site', 'queue'];

// ---- the filters, in the hash's query (#/wall?tenant=ID) ----------------

function hashQuery() {
  const h = location.hash;
  const i = h.indexOf('?');
  return new URLSearchParams(i < 0 ? '' : h.slice(i + 1));
}

// Replaces the query of the hash without a new history entry per change.
function setHashQuery(params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v) q.set(k, v);
  const s = q.toString();
  history.replaceState(null, '', `#/wall${s ? `?${s}` : ''}`);
}

function readFilters() {
  const q = hashQuery();
  const f = {};
  for (const k of FILTERS) f[k] = q.get(k) || '';
  return f;
}

// ---- a shared one-second clock for the time-in-state cells ------------

const tickers = new Set();
let tickTimer = null;

function subscribeTick(fn) {
  tickers.add(fn);
  if (!tickTimer) tickTimer = setInterval(() => tickers.forEach((f) => f()), 1000);
  return () => {
    tickers.delete(fn);
    if (!tickers.size) {
      clearInterval(tickTimer);
      tickTimer = null;
    }
  };
}

// Seconds since `since` (a client clock), re-rendered alone every second.
class Since extends Component {
  componentDidMount() {
    this.off = subscribeTick(() => this.setState({}));
  }
  componentWillUnmount() {
    this.off?.();
  }
  render({ since }) {
    return fmtDuration((Date.now() - since) / 1000);
  }
}

// ---- tiles ----------------------------------------------------------------

const TILE_KEYS = ['name', 'waiting', 'longest_wait_s', 'ewt_s', 'service_level', 'sl_target',
  'sl_threshold_s', 'offered', 'handled', 'abandoned', 'csat_count', 'csat_avg'];
const AGENT_KEYS = ['available', 'busy', 'wrapup', 'paused'];

function sameQueue(a, b) {
  return TILE_KEYS.every((k) => a[k] === b[k]) &&
    (a.agents === b.agents || (a.agents && b.agents && AGENT_KEYS.every((k) => a.agents[k] === b.agents[k])));
}

// Under target, or a contact has waited past the threshold: either alerts.
export function tileAlerts(q) {
  const target = q.sl_target != null ? q.sl_target / 100 : null;
  const under = q.service_level != null && target != null && q.service_level < target;
  const late = q.sl_threshold_s != null && q.waiting > 0 && q.longest_wait_s > q.sl_threshold_s;
  return { under, late, target };
}

class Tile extends Component {
  shouldComponentUpdate(next) {
    return !sameQueue(next.q, this.props.q);
  }
  render({ q }) {
    const { under, late, target } = tileAlerts(q);
    const ended = q.handled + q.abandoned;
    const abandonRate = ended > 0 ? q.abandoned / ended : null;
    return html`
      <article class=${`tile${under || late ? ' alert' : ''}`} aria-labelledby=${`q-${q.id}`}
        data-queue=${q.id}>
        <h3 id=${`q-${q.id}`}>${q.name} <small>${t(`ui.channel.${q.channel}`)}</small></h3>
        <dl>
          <div><dt>${t('ui.wall.waiting')}</dt><dd data-k="waiting" class="big">${fmtNumber(q.waiting)}</dd></div>
          <div><dt>${t('ui.wall.longest')}</dt><dd data-k="longest">${fmtDuration(q.longest_wait_s)}</dd></div>
          <div><dt>${t('ui.wall.ewt')}</dt><dd>${fmtDuration(q.ewt_s)}</dd></div>
          <div><dt>${t('ui.wall.sl')}</dt>
            <dd data-k="sl" class=${under ? 'bad' : q.service_level != null ? 'good' : ''}>
              ${fmtPercent(q.service_level)}${target != null ? ` / ${fmtPercent(target)}` : ''}</dd></div>
          <div><dt>${t('ui.wall.offered')}</dt><dd data-k="offered">${fmtNumber(q.offered)}</dd></div>
          <div><dt>${t('ui.wall.handled')}</dt><dd>${fmtNumber(q.handled)}</dd></div>
          <div><dt>${t('ui.wall.abandon_rate')}</dt><dd data-k="abandon">${fmtPercent(abandonRate)}</dd></div>
          <div><dt>${t('ui.wall.csat')}</dt><dd data-k="csat" title=${t('ui.wall.csat.title', fmtNumber(q.csat_count))}>
            ${q.csat_count ? t('ui.wall.csat.line', fmtNumber(q.csat_avg, 1), fmtPercent(q.csat_satisfied_pct / 100)) : '–'}</dd></div>
          ${q.agents && html`<div class="wide"><dt>${t('ui.wall.agents')}</dt>
            <dd data-k="agents">${t('ui.wall.agents.line', fmtNumber(q.agents.available), fmtNumber(q.agents.busy),
              fmtNumber(q.agents.wrapup), fmtNumber(q.agents.paused))}</dd></div>`}
        </dl>
        ${under && html`<p class="alert-line">${t('ui.wall.under')}</p>`}
        ${late && html`<p class="alert-line" data-k="late">${t('ui.wall.threshold', fmtDuration(q.sl_threshold_s))}</p>`}
      </article>`;
  }
}

// ---- the agents' grid -----------------------------------------------------

// A row: re-rendered only when what it shows changed (not each second).
class Row extends Component {
  shouldComponentUpdate(n) {
    const a = this.props.a, b = n.a;
    return a.state !== b.state || a.reason !== b.reason || a.contacts !== b.contacts || a.name !== b.name ||
      a.since !== b.since || n.site !== this.props.site || n.canAct !== this.props.canAct;
  }
  render({ a, site, canAct, onOffline }) {
    return html`<tr data-agent=${a.id}>
      <th scope="row">${canAct
        ? html`<a href=${agentHref(a.id)} aria-label=${t('ui.wall.open', a.name)}>${a.name}</a>`
        : a.name}</th>
      <td data-state=${a.state}><span class="dot" aria-hidden="true"></span>${t(`ui.state.${a.state}`)}</td>
      <td>${a.reason ? reasonLabel(a.reason) : ''}</td>
      <td><${Since} since=${a.since} /></td>
      <td>${fmtNumber(a.contacts)}</td>
      <td>${site}</td>
      ${canAct && html`<td>${a.state !== 'offline' && html`<button type="button"
        onClick=${() => onOffline(a.id)} aria-label=${t('ui.wall.force', a.name)}>${t('ui.wall.offline')}</button>`}</td>`}
    </tr>`;
  }
}

function agentHref(id) {
  const q = hashQuery();
  q.set('agent', id);
  return `#/wall?${q}`;
}

function Agents({ agents, total, sites, canAct, onOffline, page, pages, onPage }) {
  return html`
    <section class="grid" aria-labelledby="agents-h">
      <div class="grid-head">
        <h2 id="agents-h">${t('ui.wall.agents.h')}</h2>
        <p class="count" data-k="shown">${t('ui.wall.shown', fmtNumber(agents.length), fmtNumber(total))}</p>
        ${pages > 1 && html`<nav class="pager controls" aria-label=${t('ui.wall.agents.h')}>
          <button type="button" onClick=${() => onPage(page - 1)} disabled=${page <= 0}>${t('ui.wall.prev')}</button>
          <span>${t('ui.wall.page', page + 1, pages)}</span>
          <button type="button" onClick=${() => onPage(page + 1)} disabled=${page >= pages - 1}>${t('ui.wall.next')}</button>
        </nav>`}
      </div>
      <table class="agents">
        <thead><tr>
          <th scope="col">${t('ui.field.agent')}</th><th scope="col">${t('ui.field.state')}</th>
          <th scope="col">${t('ui.desk.reason')}</th><th scope="col">${t('ui.wall.time')}</th>
          <th scope="col">${t('ui.wall.contacts')}</th><th scope="col">${t('ui.wall.site')}</th>
          ${canAct && html`<th scope="col"><span class="sr-only">${t('ui.wall.actions')}</span></th>`}
        </tr></thead>
        <tbody>
          ${agents.slice(page * PAGE_SIZE, (page + 1) * PAGE_SIZE).map((a) => html`<${Row} key=${a.id} a=${a}
            site=${sites.get(a.site) || ''} canAct=${canAct} onOffline=${onOffline} />`)}
        </tbody>
      </table>
    </section>`;
}

// ---- filters and wall mode ------------------------------------------------

function Select({ id, label, value, options, onChange }) {
  return html`<span class="field">
    <label for=${id}>${label}</label>
    <select id=${id} value=${value} onChange=${(e) => onChange(e.target.value)}>
      <option value="">${t('ui.wall.all')}</option>
      ${options.map(([v, name]) => html`<option value=${v} selected=${v === value}>${name}</option>`)}
    </select>
  </span>`;
}

function Filters({ filters, tenants, sites, queues, onChange }) {
  const set = (k) => (v) => onChange({ ...filters, [k]: v, ...(k === 'tenant' ? { queue: '' } : {}) });
  const qs = queues.filter((q) => !filters.tenant || q.tenant === filters.tenant);
  return html`
    <form class="filters controls" aria-label=${t('ui.wall.filters')} onSubmit=${(e) => e.preventDefault()}>
      <${Select} id="f-tenant" label=${t('ui.wall.tenant')} value=${filters.tenant} onChange=${set('tenant')}
        options=${tenants} />
      <${Select} id="f-site" label=${t('ui.wall.site')} value=${filters.site} onChange=${set('site')}
        options=${[...sites]} />
      <${Select} id="f-queue" label=${t('ui.field.queue')} value=${filters.queue} onChange=${set('queue')}
        options=${qs.map((q) => [q.id, q.name])} />
    </form>`;
}

// Full screen through the Fullscreen API when the browser allows it; the
// wall mode (larger type, no header or controls) either way.
function useWallMode() {
  const [on, setOn] = useState(false);
  useEffect(() => {
    document.body.classList.toggle('wall-mode', on);
    return () => document.body.classList.remove('wall-mode');
  }, [on]);
  useEffect(() => {
    const follow = () => { if (!document.fullscreenElement) setOn(false); };
    document.addEventListener('fullscreenchange', follow);
    return () => document.removeEventListener('fullscreenchange', follow);
  }, []);
  const enter = () => {
    setOn(true);
    document.documentElement.requestFullscreen?.().catch(() => { /* refused: wall mode alone */ });
  };
  const leave = () => {
    setOn(false);
    if (document.fullscreenElement) document.exitFullscreen().catch(() => {});
  };
  return [on, enter, leave];
}

// ---- the page ---------------------------------------------------------------

// Each agent's "since" on this client's clock, kept while its state and
// reason stay, so that a row does not change every second.
// The agents are the stream's freshly parsed objects: marked in place, no
// copy of a thousand objects a second.
function withSince(agents, prev, now) {
  const next = new Map();
  for (const a of agents) {
    const p = prev.get(a.id);
    a.since = p && p.state === a.state && p.reason === a.reason ? p.since : now - a.state_s * 1000;
    next.set(a.id, a);
  }
  return next;
}

function filterAgents(agents, f, queue) {
  if (!f.tenant && !f.site && !queue) return agents;
  return agents.filter((a) =>
    (!f.tenant || a.tenants?.includes(f.tenant)) &&
    (!f.site || a.site === f.site) &&
    (!queue || (a.tenants?.includes(queue.tenant) && a.channels?.includes(queue.channel))));
}

export function Wall({ user }) {
  const [stats, setStats] = useState(null);
  const [live, setLive] = useState(false);
  const [error, setError] = useState('');
  const [said, setSaid] = useState('');
  const [filters, setFilters] = useState(readFilters);
  const [open, setOpen] = useState(() => hashQuery().get('agent') || '');
  const [page, setPage] = useState(0);
  const [names, setNames] = useState({ tenants: new Map(), sites: new Map(), reasons: new Map() });
  const [wall, enterWall, leaveWall] = useWallMode();
  const [minute, setMinute] = useState(0);
  const since = useRef(new Map());
  const staff = user.role !== 'client';
  const canAct = user.role === 'admin' || user.role === 'supervisor';

  useEffect(() => {
    const take = (data) => {
      since.current = withSince(data.agents || [], since.current, Date.now());
      setStats(data);
    };
    api('GET', '/api/v1/stats/realtime').then(take).catch((e) => setError(e.message));
    const s = new Stream(['stats'], { stats: take, status: setLive });
    return () => s.close();
  }, []);

  // The charts follow the counts: read again once they moved, at most
  // every CHARTS_EVERY_MS.
  const volume = volumeOf(stats?.queues || []);
  const charted = useRef({ volume: -1, at: 0, timer: 0, latest: 0 });
  charted.current.latest = volume;
  useEffect(() => {
    const c = charted.current;
    if (!stats || volume === c.volume || c.timer) return;
    if (c.volume < 0) { // the first picture: the charts were just read
      c.volume = volume;
      c.at = Date.now();
      return;
    }
    c.timer = setTimeout(() => {
      c.timer = 0;
      c.volume = c.latest;
      c.at = Date.now();
      setMinute((n) => n + 1);
    }, Math.max(0, c.at + CHARTS_EVERY_MS - Date.now()));
  }, [volume, stats != null]);
  useEffect(() => () => clearTimeout(charted.current.timer), []);

  // The names of tenants and sites, for the filters and the grid.
  useEffect(() => {
    if (!staff) return;
    Promise.all([api('GET', '/api/v1/tenants?limit=500'), api('GET', '/api/v1/sites?limit=500')])
      .then(([ts, ss]) => setNames({
        tenants: new Map(ts.items.map((x) => [x.id, x.name])),
        sites: new Map(ss.items.map((x) => [x.id, x.name])),
        reasons: new Map(ts.items.map((x) => [x.id, x.pause_reasons || []])),
      }))
      .catch((e) => setError(e.message));
  }, []);

  // The agent named in the hash (a row's link) opens its dialog.
  useEffect(() => {
    const follow = () => setOpen(hashQuery().get('agent') || '');
    addEventListener('hashchange', follow);
    return () => removeEventListener('hashchange', follow);
  }, []);

  const changeFilters = (f) => {
    setFilters(f);
    setPage(0);
    setHashQuery(f);
  };
  const closeAgent = () => {
    setOpen('');
    setHashQuery(filters);
  };
  const offline = async (id) => {
    setError('');
    try {
      await api('PUT', `/api/v1/agents/${id}/state`, { state: 'offline' });
    } catch (e) {
      setError(e.message);
    }
  };

  const queues = stats?.queues || [];
  const focus = queues.find((q) => q.id === filters.queue);
  const tiles = useMemo(() => queues.filter((q) =>
    (!filters.tenant || q.tenant === filters.tenant) && (!filters.queue || q.id === filters.queue)),
  [queues, filters]);
  const agents = useMemo(() => filterAgents(stats?.agents || [], filters, focus), [stats, filters, focus]);
  const pages = Math.max(1, Math.ceil(agents.length / PAGE_SIZE));
  const shownPage = Math.min(page, pages - 1);
  const tenantOptions = [...new Set(queues.map((q) => q.tenant))]
    .map((id) => [id, names.tenants.get(id) || id]);
  const openAgent = open && stats?.agents?.find((a) => a.id === open);

  return html`
    <div class=${`wall${wall ? ' on-wall' : ''}`} data-time=${stats?.time || ''}>
      <div class="wall-head">
        <h1>${staff ? t('ui.wall.title') : t('ui.client.title')}</h1>
        <p class="live" data-live=${live ? 'yes' : 'no'}>${live ? t('ui.live.on') : t('ui.live.off')}</p>
        <p class="updated">${stats?.time ? t('ui.wall.updated', fmtTime(stats.time)) : ''}</p>
        ${wall
          ? html`<button type="button" class="leave" onClick=${leaveWall}>${t('ui.wall.mode.leave')}</button>`
          : html`<button type="button" class="controls" onClick=${enterWall}>${t('ui.wall.mode')}</button>`}
      </div>
      ${staff && html`<${Filters} filters=${filters} tenants=${tenantOptions} sites=${names.sites}
        queues=${queues} onChange=${changeFilters} />`}
      ${error && html`<p class="error" role="alert">${error}</p>`}
      <p class="sr-only" role="status">${said}</p>
      <section class="tiles" aria-label=${t('ui.wall.queues')}>
        ${tiles.map((q) => html`<${Tile} key=${q.id} q=${q} />`)}
      </section>
      <${DayCharts} tenant=${filters.tenant} queue=${filters.queue} refresh=${minute} />
      ${staff && stats?.agents && html`<${Agents} agents=${agents} total=${stats.agents.length}
        sites=${names.sites} canAct=${canAct} onOffline=${offline}
        page=${shownPage} pages=${pages} onPage=${setPage} />`}
      ${canAct && openAgent && html`<${AgentDialog} agent=${openAgent} queues=${queues}
        reasons=${names.reasons} onClose=${closeAgent} onSaid=${setSaid} />`}
    </div>`;
}
