// What the administration page edits: for each kind of configuration of the
// API (GET/POST /api/v1/<kind>, PATCH/DELETE /api/v1/<kind>/{id}), its
// fields as the server's tables spell them (src/model/config.c) and the
// editor of each. The page and its forms are generic; this is the one place
// that knows the shapes.

export const CHANNELS = ['voice', 'chat', 'email', 'sms'];
const STRATEGIES = ['longest-idle', 'least-occupied', 'most-skilled', 'round-robin', 'random', 'least-cost', 'ring-all'];
export const ACTIONS = ['none', 'callback-offer', 'callback', 'voicemail', 'transfer', 'close'];
export const DAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];

// type: text | number | select | ref (one object of another kind) | refs
// (several) | strings | skills | capacity | steps | weekly | exceptions |
// label | password | bool | tribool (yes, no, or null: as its parent says) |
// flags (yes/no choices in one object) | json (an
// object edited as JSON text). `null: true` sends null for an empty choice.
// A select's `words`: the catalog prefix of its values' names (words.value),
// so that a French page shows no API value in English.
export const KINDS = [
  {
    name: 'tenants', title: 'name', columns: ['timezone'],
    fields: [
      { name: 'name', type: 'text', required: true },
      { name: 'timezone', type: 'text', help: true },
      { name: 'languages', type: 'strings' },
      { name: 'pause_reasons', type: 'strings', order: true },
      { name: 'retention_days', type: 'number', min: 1, max: 36500, null: true, help: true },
      { name: 'attachment_max_mb', type: 'number', min: 1, max: 100, help: true },
      { name: 'recording', type: 'bool', help: true },
    ],
  },
  {
    name: 'sites', title: 'name', columns: ['kind', 'timezone'],
    fields: [
      { name: 'name', type: 'text', required: true },
      { name: 'kind', type: 'select', options: ['onshore', 'nearshore', 'offshore', 'home'], words: 'ui.admin.v.kind' },
      { name: 'cost_per_hour', type: 'number', step: '0.01', min: 0 },
      { name: 'timezone', type: 'text', help: true },
      { name: 'country', type: 'text', null: true, max: 2 },
    ],
  },
  {
    name: 'skills', title: 'name', columns: [],
    fields: [{ name: 'name', type: 'text', required: true, help: true }],
  },
  {
    name: 'agents', title: 'name', columns: ['site', 'state'], refs: ['sites', 'tenants', 'skills'],
    fields: [
      { name: 'name', type: 'text', required: true },
      { name: 'site', type: 'ref', kind: 'sites', required: true },
      { name: 'skills', type: 'skills' },
      { name: 'tenants', type: 'refs', kind: 'tenants' },
      { name: 'capacity', type: 'capacity' },
      { name: 'tags', type: 'strings' },
    ],
  },
  {
    name: 'queues', title: 'name', columns: ['tenant', 'channel'], refs: ['tenants', 'calendars', 'dispositions', 'queues'],
    fields: [
      { name: 'name', type: 'text', required: true },
      { name: 'tenant', type: 'ref', kind: 'tenants', required: true },
      { name: 'channel', type: 'select', options: CHANNELS, required: true, words: 'ui.channel' },
      { name: 'strategy', type: 'select', options: STRATEGIES, words: 'ui.admin.v.strategy' },
      { name: 'priority', type: 'number', min: -1000, max: 1000 },
      { name: 'sl_threshold_s', type: 'number', min: 1 },
      { name: 'sl_target', type: 'number', min: 0, max: 100 },
      { name: 'wrapup', type: 'select', options: ['none', 'timed', 'manual'], words: 'ui.admin.v.wrapup' },
      { name: 'wrapup_s', type: 'number', min: 0 },
      { name: 'aht_s', type: 'number', min: 1, max: 86400, help: true },
      { name: 'ring_max', type: 'number', min: 0, max: 1000, help: true },
      { name: 'last_agent', type: 'bool', help: true },
      { name: 'last_agent_wait_s', type: 'number', min: 0, max: 3600, help: true },
      { name: 'dispositions', type: 'refs', kind: 'dispositions', by: 'code' },
      { name: 'disposition_required', type: 'bool', help: true },
      { name: 'calendar', type: 'ref', kind: 'calendars', null: true },
      { name: 'closed_action', type: 'select', options: ACTIONS, words: 'ui.admin.v.closed_action', help: true },
      { name: 'closed_target', type: 'ref', kind: 'queues', null: true, help: true },
      { name: 'steps', type: 'steps' },
      { name: 'recording', type: 'tribool', null: true, words: 'ui.admin.v.recording', help: true },
      { name: 'announce_s', type: 'number', min: 0, max: 3600, help: true },
    ],
  },
  {
    name: 'calendars', title: 'name', columns: ['timezone'],
    fields: [
      { name: 'name', type: 'text', required: true },
      { name: 'timezone', type: 'text', required: true, help: true },
      { name: 'weekly', type: 'weekly' },
      { name: 'holidays', type: 'strings', date: true },
      { name: 'exceptions', type: 'exceptions' },
    ],
  },
  {
    name: 'dispositions', title: 'code', columns: ['tenant'], refs: ['tenants'],
    fields: [
      { name: 'code', type: 'text', required: true },
      { name: 'label', type: 'label' },
      { name: 'tenant', type: 'ref', kind: 'tenants', null: true },
    ],
  },
  {
    name: 'responses', title: 'shortcut', columns: ['tenant', 'title'], refs: ['tenants'],
    fields: [
      { name: 'tenant', type: 'ref', kind: 'tenants', required: true },
      { name: 'shortcut', type: 'text', required: true, max: 32, help: true },
      { name: 'title', type: 'text', required: true, max: 200 },
      { name: 'text', type: 'longtext', required: true, max: 4000 },
    ],
  },
  {
    name: 'mailboxes', title: 'address', columns: ['tenant', 'queue'], refs: ['tenants', 'queues'],
    fields: [
      { name: 'tenant', type: 'ref', kind: 'tenants', required: true },
      { name: 'queue', type: 'ref', kind: 'queues', required: true },
      { name: 'address', type: 'text', required: true, max: 320 },
      { name: 'name', type: 'text', null: true, max: 200 },
      { name: 'imap', type: 'server', required: true },
      { name: 'smtp', type: 'server', required: true },
      { name: 'poll_s', type: 'number', min: 1, max: 3600 },
    ],
  },
  {
    name: 'widgets', title: 'name', columns: ['tenant', 'key'], refs: ['tenants', 'queues'],
    fields: [
      { name: 'name', type: 'text', required: true, max: 200 },
      { name: 'tenant', type: 'ref', kind: 'tenants', required: true },
      { name: 'queue', type: 'ref', kind: 'queues', required: true },
      { name: 'allowed_origins', type: 'strings', help: true },
      { name: 'pre_chat', type: 'flags', options: ['name', 'email'], words: 'ui.admin.v.pre_chat' },
      { name: 'consent_text', type: 'label', help: true },
      { name: 'closed_message', type: 'label' },
    ],
  },
  {
    name: 'users', title: 'username', columns: ['role'], refs: ['tenants', 'sites', 'agents'], adminOnly: true,
    fields: [
      { name: 'username', type: 'text', required: true },
      { name: 'name', type: 'text' },
      { name: 'role', type: 'select', options: ['admin', 'supervisor', 'agent', 'client', 'integration'], required: true, words: 'ui.role' },
      { name: 'password', type: 'password' },
      { name: 'tenants', type: 'refs', kind: 'tenants' },
      { name: 'sites', type: 'refs', kind: 'sites' },
      { name: 'agent', type: 'ref', kind: 'agents', null: true },
      { name: 'lang', type: 'select', options: ['fr', 'en'], null: true, words: 'ui.lang.switch' },
    ],
  },
  {
    // The SMS channel's Kannel gateways: password and secret write-only.
    name: 'gateways', title: 'name', columns: ['kind', 'sendsms_url'], adminOnly: true,
    fields: [
      { name: 'name', type: 'text', required: true },
      { name: 'kind', type: 'select', options: ['kannel'] },
      { name: 'sendsms_url', type: 'text', required: true, max: 500, help: true },
      { name: 'username', type: 'text', required: true },
      { name: 'password', type: 'password', keep: true },
      { name: 'secret', type: 'password', keep: true },
      { name: 'relais_url', type: 'text', null: true, max: 500, help: true },
    ],
  },
  {
    // SMS (gateway and queue), voice (an IVR flow) or both.
    name: 'numbers', title: 'number', columns: ['tenant', 'queue', 'flow'], refs: ['tenants', 'queues', 'gateways', 'flows'],
    fields: [
      { name: 'number', type: 'text', required: true, max: 16, help: true },
      { name: 'tenant', type: 'ref', kind: 'tenants', required: true },
      { name: 'queue', type: 'ref', kind: 'queues', null: true },
      { name: 'gateway', type: 'ref', kind: 'gateways', null: true },
      { name: 'flow', type: 'ref', kind: 'flows', null: true, help: true },
    ],
  },
  {
    // The voice channel's IVR flows: the nodes as JSON (docs/admin-guide.md,
    // "Voice: IVR flows"); the server names the node of any error.
    name: 'flows', title: 'name', columns: ['tenant', 'start'], refs: ['tenants'],
    fields: [
      { name: 'name', type: 'text', required: true, max: 200 },
      { name: 'tenant', type: 'ref', kind: 'tenants', required: true },
      { name: 'start', type: 'text', required: true, max: 32, help: true },
      { name: 'nodes', type: 'json', required: true, help: true },
    ],
  },
  {
    // The voice channel's SIP logins of the agents (and of supervisors, for
    // supervision): one of agent or user; the password is write-only.
    name: 'phones', title: 'username', columns: ['agent', 'user', 'registrations'], refs: ['agents', 'users'],
    fields: [
      { name: 'username', type: 'text', required: true, max: 64, help: true },
      { name: 'agent', type: 'ref', kind: 'agents', null: true },
      { name: 'user', type: 'ref', kind: 'users', null: true, help: true },
      { name: 'password', type: 'password', keep: true },
    ],
  },
];

export const kindOf = (name) => KINDS.find((k) => k.name === name);

// The name of a select field's value in the page's language; the value
// itself for a field without names (or a value the catalogs lack).
export function valueName(f, v, t) {
  if (!f?.words || v == null || v === '') return v;
  const id = `${f.words}.${v}`;
  const w = t(id);
  return w === id ? v : w;
}

// A new object's draft: what the server would default, so the form shows it.
const EMPTY = {
  text: '', longtext: '', number: '', select: '', ref: '', refs: [], strings: [], skills: {}, capacity: { voice: 1 },
  steps: [{ after_s: 0, filter: '' }], weekly: [], exceptions: [], label: { fr: '', en: '' }, password: '', bool: false, flags: {},
  steps: [{ after_s: 0, filter: '' }], weekly: [], exceptions: [], label: { fr: '', en: '' }, password: '', bool: false,
  server: { host: '', port: '', tls: 'none', user: '', password: '' },
  json: {}, tribool: '',
};

export function draftOf(kind, obj) {
  const d = {};
  for (const f of kind.fields) {
    const v = obj ? obj[f.name] : undefined;
    d[f.name] = v === undefined || v === null ? structuredClone(EMPTY[f.type]) : structuredClone(v);
    if (f.type === 'number' && d[f.name] !== '') d[f.name] = String(d[f.name]);
    if (f.type === 'server') d[f.name] = { ...EMPTY.server, ...d[f.name], password: '' };
    if (f.type === 'json') d[f.name] = JSON.stringify(d[f.name], null, 2);
  }
  if (kind.name === 'queues' && obj) {
    d.steps = (obj.steps || []).map((s) => ({ ...s, filter: s.filter ?? '' }));
  }
  return d;
}

// A step as the API takes it: numbers as numbers, an empty choice left to
// the server's default, or null where it clears a value (filter, target).
function stepBody(s) {
  const o = { ...s, after_s: Number(s.after_s) || 0 };
  for (const k of ['priority_delta', 'min_ewt_s']) {
    if (o[k] === '' || o[k] === undefined || o[k] === null) delete o[k];
    else o[k] = Number(o[k]);
  }
  if (!o.action) delete o.action;
  if (!o.filter) o.filter = null;
  if (!o.target) o.target = null;
  return o;
}

// A mail server block as the API takes it: the port a number, the user
// null when empty, the password only when one was typed (else kept).
function serverBody(v) {
  const o = { host: v.host, port: Number(v.port) || 0, tls: v.tls || 'none', user: v.user || null };
  if (v.password) o.password = v.password;
  return o;
}

// A JSON field's text as the API takes it; text that is no JSON is sent as
// it is, so that the server's message says what is wrong with it.
function jsonOf(text) {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

// The body of a write: the fields the form has, the empty ones left out
// (on create the server fills its defaults) or null where the API allows.
export function bodyOf(kind, draft, isNew) {
  const b = {};
  for (const f of kind.fields) {
    let v = draft[f.name];
    if (f.type === 'password') {
      if (v) b[f.name] = v;
      continue;
    }
    if (f.type === 'number') v = v === '' ? undefined : Number(v);
    if (f.type === 'server') v = serverBody(v);
    if (f.type === 'steps') v = v.map(stepBody);
    if (f.type === 'label') v = Object.fromEntries(Object.entries(v).filter(([, x]) => x));
    if (f.type === 'json') v = jsonOf(v);
    if (v === '' || v === undefined) {
      if (f.null && !isNew) b[f.name] = null;
      continue;
    }
    b[f.name] = v;
  }
  return b;
}

// The field a message of the API names: its JSON path, first ("steps[0].filter:
// ...", in French "steps[0].filter : ..."). The API also says it as
// error.field; this reads the message when the client has only that.
export function fieldOf(err) {
  if (err.field) return err.field;
  const m = /^([A-Za-z_][^\s:]*)\s?:/.exec(err.message || '');
  return m ? m[1] : null;
}

// The top name of a path: "steps[1].filter" -> "steps".
export const topOf = (path) => (path || '').split(/[.[]/)[0];
