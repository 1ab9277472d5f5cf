// The audit trail (#/audit): who changed the configuration, who logged in
// or was refused, who read a customer's record. The server filters and
// pages (GET /api/v1/audit, newest first, "before" a sequence), so the
// page holds only what was shown and never filters on its own: a
// supervisor's scope is the server's to enforce.
import { html, api, t, currentLang } from './lib.js';
import { useState, useEffect, useRef } from '/vendor/hooks.mjs';

const TYPES = ['config', 'login', 'login_failed', 'customer_read', 'agent_state', 'customer_erased', 'retention'];
const PAGE = 50;
const EMPTY = { type: '', user: '', tenant: '', from: '', to: '' };

// A word of the catalogs, or the API's own name when there is none (a type
// the server learns before the page does).
function word(id, fallback, ...args) {
  const w = t(id, ...args);
  return w === id ? fallback : w;
}

function fmtWhen(iso) {
  return new Intl.DateTimeFormat(currentLang(), { dateStyle: 'medium', timeStyle: 'medium' }).format(new Date(iso));
}

// The parameters of the filters: from/to are the browser's local times,
// sent as UTC.
function paramsOf(f) {
  const p = new URLSearchParams();
  for (const k of ['type', 'user', 'tenant']) if (f[k].trim()) p.set(k, f[k].trim());
  for (const k of ['from', 'to']) if (f[k]) p.set(k, new Date(f[k]).toISOString());
  return p;
}

function queryOf(f, before) {
  const p = paramsOf(f);
  p.set('limit', String(PAGE));
  if (before) p.set('before', String(before));
  return `/api/v1/audit?${p}`;
}

// The file of the filters applied (not of the form being edited): the
// server's newest 10,000, whatever the pages shown. A plain link: the
// session cookie goes with it and a GET needs no CSRF header.
function csvOf(f) {
  const p = paramsOf(f);
  p.set('format', 'csv');
  return `/api/v1/audit?${p}`;
}

function kindWord(kind) {
  return word(`ui.audit.kind.${kind}`, kind);
}

function objectOf(e) {
  if (e.type === 'config') return html`${kindWord(e.kind)} <code>${e.id}</code>`;
  if (e.type === 'customer_read' || e.type === 'customer_erased') return html`${t('ui.audit.customer')} <code>${e.customer}</code>`;
  if (e.type === 'login' || e.type === 'login_failed') return e.username;
  if (e.type === 'agent_state') return html`${kindWord('agents')} <code>${e.id}</code>`;
  return '';
}

// A sentence a person reads, from the event's fields.
function summaryOf(e) {
  switch (e.type) {
    case 'config': {
      const what = e.name || e.id;
      return word(`ui.audit.sum.${e.action}`, `${e.action} ${e.kind} ${what}`, kindWord(e.kind), what);
    }
    case 'login': return t('ui.audit.sum.login', e.peer);
    case 'login_failed': return t('ui.audit.sum.login_failed', e.username, e.peer);
    case 'customer_read': return t('ui.audit.sum.customer_read', e.customer, e.path);
    case 'agent_state': return t('ui.audit.sum.agent_state', e.name || e.id,
      e.reason ? `${t(`ui.state.${e.state}`)} (${e.reason})` : t(`ui.state.${e.state}`));
    case 'customer_erased': return t('ui.audit.sum.customer_erased', e.customer, e.messages, e.attachments, e.contacts);
    case 'retention': return t('ui.audit.sum.retention', e.messages, e.attachments, fmtWhen(e.before));
    default: return '';
  }
}

function Filters({ tenants, onApply }) {
  const [f, setF] = useState(EMPTY);
  const field = (k) => ({ value: f[k], onInput: (ev) => setF({ ...f, [k]: ev.currentTarget.value }) });
  const submit = (ev) => {
    ev.preventDefault();
    onApply(f);
  };
  const clear = () => {
    setF(EMPTY);
    onApply(EMPTY);
  };
  return html`
    <form class="filters" onSubmit=${submit} aria-label=${t('ui.audit.filters')}>
      <label>${t('ui.audit.type')}
        <select name="type" ...${field('type')}>
          <option value="">${t('ui.audit.type.all')}</option>
          ${TYPES.map((x) => html`<option value=${x}>${t(`ui.audit.type.${x}`)}</option>`)}
        </select>
      </label>
      <label>${t('ui.audit.user')}
        <input name="user" type="text" autocomplete="off" maxlength="63" ...${field('user')} />
      </label>
      <label>${t('ui.audit.tenant')}
        <select name="tenant" ...${field('tenant')}>
          <option value="">${t('ui.audit.tenant.all')}</option>
          ${tenants.map((x) => html`<option value=${x.id}>${x.name}</option>`)}
        </select>
      </label>
      <label>${t('ui.audit.from')}
        <input name="from" type="datetime-local" step="1" ...${field('from')} />
      </label>
      <label>${t('ui.audit.to')}
        <input name="to" type="datetime-local" step="1" ...${field('to')} />
      </label>
      <div class="actions">
        <button type="submit" class="primary">${t('ui.audit.apply')}</button>
        <button type="button" onClick=${clear}>${t('ui.audit.clear')}</button>
      </div>
    </form>`;
}

function Row({ e, tenantName }) {
  return html`
    <tr data-seq=${e.seq} data-type=${e.type}>
      <td><time datetime=${e.at}>${fmtWhen(e.at)}</time></td>
      <td>${e.username || e.user || t('ui.audit.nobody')}</td>
      <td>${word(`ui.audit.type.${e.type}`, e.type)}</td>
      <td>${objectOf(e)}</td>
      <td>${e.tenant ? tenantName(e.tenant) : t('ui.audit.tenant.none')}</td>
      <td>${summaryOf(e)}</td>
    </tr>`;
}

function Status({ loading, count, more }) {
  let text = '';
  if (loading) text = t('ui.audit.loading');
  else if (!count) text = t('ui.audit.none');
  else text = t('ui.audit.count', count) + (more ? '' : ` ${t('ui.audit.end')}`);
  return html`<p class="status" role="status" aria-live="polite">${text}</p>`;
}

export function Audit() {
  const [tenants, setTenants] = useState([]);
  const [filters, setFilters] = useState(EMPTY);
  const [events, setEvents] = useState([]);
  const [next, setNext] = useState(null);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState('');
  const last = useRef(0);

  // One page of the filters; before: the next page's bound, or none for
  // the first page (which replaces what was shown). Only the last request
  // counts: new filters applied while a page loads win over it.
  const load = async (f, before) => {
    const mine = ++last.current;
    setLoading(true);
    setError('');
    try {
      const page = await api('GET', queryOf(f, before));
      if (mine !== last.current) return;
      setEvents((old) => (before ? [...old, ...page.events] : page.events));
      setNext(page.next_before);
    } catch (e) {
      if (mine === last.current) setError(e.message);
    } finally {
      if (mine === last.current) setLoading(false);
    }
  };

  useEffect(() => {
    api('GET', '/api/v1/tenants?limit=500').then((r) => setTenants(r.items || []), () => setTenants([]));
    load(EMPTY, null);
  }, []);

  const apply = (f) => {
    setFilters(f);
    load(f, null);
  };
  const tenantName = (id) => tenants.find((x) => x.id === id)?.name || id;

  return html`
    <div class="audit">
      <h1>${t('ui.audit.title')}</h1>
      <${Filters} tenants=${tenants} onApply=${apply} />
      ${error && html`<p class="error" role="alert">${error}</p>`}
      <${Status} loading=${loading} count=${events.length} more=${next !== null} />
      <p class="download">
        <a href=${csvOf(filters)} download aria-describedby="audit-csv-help">${t('ui.audit.csv')}</a>
        <span class="help" id="audit-csv-help">${t('ui.audit.csv_help')}</span>
      </p>
      <div class="scroll">
        <table class="audit-trail">
          <caption class="sr-only">${t('ui.audit.caption')}</caption>
          <thead>
            <tr>
              ${['at', 'who', 'what', 'object', 'tenant', 'summary'].map((c) => html`<th scope="col">${t(`ui.audit.col.${c}`)}</th>`)}
            </tr>
          </thead>
          <tbody>
            ${events.map((e) => html`<${Row} key=${e.seq} e=${e} tenantName=${tenantName} />`)}
          </tbody>
        </table>
      </div>
      ${next !== null && html`
        <button type="button" class="more" disabled=${loading} onClick=${() => load(filters, next)}>
          ${t('ui.audit.more')}
        </button>`}
    </div>`;
}
