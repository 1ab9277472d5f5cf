// Bad input on every route that takes input: malformed JSON, bodies that
// are not objects, wrong types, unknown fields, missing required fields,
// oversized bodies, wrong content types, unknown ids, bad query parameters,
// missing or bad credentials, cookie sessions without their CSRF token,
// unknown routes and wrong methods. Every error has exactly the body
// {"error":{"code","message"}}, and a refused write changes nothing: the
// object (or the list) reads the same and the event log did not grow.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { startServer, login, client, demoIds, request } from './lib.mjs';

let srv, admin, api, ids;
let T1, T2, paris;
const fx = {}; // fixtures made in before()
let knownSeq = 0;
const NOPE = '00000000-0000-4000-8000-000000000000';
// An unknown field inside a sub-object: the message names it, but the code
// is invalid_field, not unknown_field (see the test marked todo below).
const NESTED_UNKNOWN = ['unknown_field', 'invalid_field'];
// Files of the system's zoneinfo, or names spelt another way, that are not
// canonical IANA zone names (docs/admin-guide.md, Time zones).
const NOT_IANA = ['localtime', 'posixrules', 'Factory', 'Europe//Paris', 'posix/Europe/Paris', 'right/UTC'];

// ---- helpers of this suite ----

// Asserts an error reply: status, code, message, and nothing else in the body.
function expectError(r, status, code, msgRe, what = '') {
  const codes = Array.isArray(code) ? code : [code];
  assert.equal(r.status, status, `${what}: status ${r.status} ${JSON.stringify(r.body).slice(0, 300)}`);
  assert.match(r.headers.get('content-type') || '', /^application\/json/, `${what}: content type`);
  assert.equal(typeof r.body, 'object', `${what}: body ${r.body}`);
  assert.deepEqual(Object.keys(r.body), ['error'], `${what}: body keys`);
  // A configuration write's refusal may name its field (and a filter's, its position).
  const keys = Object.keys(r.body.error).filter((k) => !['field', 'position'].includes(k));
  assert.deepEqual(keys.sort(), ['code', 'message'], `${what}: error keys`);
  if ('field' in r.body.error) assert.equal(typeof r.body.error.field, 'string', `${what}: field`);
  assert.ok(codes.includes(r.body.error.code), `${what}: code ${r.body.error.code} (${r.body.error.message}), expected ${codes}`);
  assert.equal(typeof r.body.error.message, 'string');
  assert.ok(r.body.error.message.length > 0, `${what}: empty message`);
  if (msgRe) assert.match(r.body.error.message, msgRe, `${what}: message`);
}

// The last sequence of the event log, as the admin reads it.
async function lastSeq() {
  let after = knownSeq;
  for (;;) {
    const r = await api.get(`/api/v1/events?after=${after}&limit=1000`);
    assert.equal(r.status, 200);
    if (!r.body.events.length) break;
    after = r.body.last;
  }
  knownSeq = after;
  return after;
}

// Sends a request that must be refused, and checks that it changed nothing.
async function refused(req, status, code, msgRe, what) {
  const seq0 = await lastSeq();
  const snap0 = req.snapshot ? await req.snapshot() : undefined;
  const token = 'token' in req ? req.token : admin.token;
  const r = await request(srv.url, req.method, req.path, { token, body: req.body, raw: req.raw, headers: req.headers || {} });
  expectError(r, status, code, msgRe, `${req.method} ${req.path} (${what})`);
  if (req.snapshot) assert.deepEqual(await req.snapshot(), snap0, `${req.method} ${req.path} (${what}) was refused but changed the object`);
  assert.equal(await lastSeq(), seq0, `${req.method} ${req.path} (${what}) was refused but logged an event`);
  return r;
}

const getBody = (path) => async () => {
  const r = await api.get(path);
  assert.equal(r.status, 200, `${path}: ${JSON.stringify(r.body)}`);
  return r.body;
};

function escapeRe(s) {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

// Malformed bodies every route that takes a body must refuse.
function genericCases(valid) {
  const big = JSON.stringify({ ...valid, zz: 'x'.repeat(70 * 1024) });
  return [
    ['malformed JSON', { raw: '{"name": ' }, 400, 'invalid_json'],
    ['trailing garbage', { raw: JSON.stringify(valid) + ' x' }, 400, 'invalid_json'],
    ['duplicate keys', { raw: '{"a":1,"a":2}' }, 400, 'invalid_json'],
    ['a NUL character', { raw: '{"name":"a\\u0000b"}' }, 400, 'invalid_json'],
    ['invalid UTF-8', { raw: Buffer.from('{"name":"\xff\xfe"}', 'latin1') }, 400, 'invalid_json'],
    ['nesting 5000 deep', { raw: '['.repeat(5000) + ']'.repeat(5000) }, 400, 'invalid_json'],
    ['nesting 33 deep', { raw: '{"a":' + '['.repeat(32) + ']'.repeat(32) + '}' }, 400, 'invalid_json', /deeper than 32 levels/],
    // Valid JSON but not an object: the contract has no dedicated code.
    ['an array body', { raw: '[1,2]' }, 400, ['invalid_json', 'bad_request'], /object/],
    ['a string body', { raw: '"x"' }, 400, ['invalid_json', 'bad_request']],
    ['a number body', { raw: '42' }, 400, ['invalid_json', 'bad_request']],
    ['a null body', { raw: 'null' }, 400, ['invalid_json', 'bad_request']],
    ['a body over 64 KiB', { raw: big }, 413, 'payload_too_large'],
    ['text/plain', { raw: JSON.stringify(valid), headers: { 'content-type': 'text/plain' } }, 415, 'unsupported_media_type'],
    ['a form', { raw: 'name=x', headers: { 'content-type': 'application/x-www-form-urlencoded' } }, 415, 'unsupported_media_type'],
  ];
}

// Runs the generic cases and a route's own cases, then its valid body.
async function exercise(spec) {
  const { method, path, snapshot } = spec;
  const base = { method, path, snapshot };
  if ('token' in spec) base.token = spec.token;
  for (const [what, req, status, code, re] of genericCases(spec.valid)) {
    await refused({ ...base, ...req }, status, code, re, what);
  }
  if (spec.wrongType) {
    for (const [body, field] of spec.wrongType) {
      await refused({ ...base, body }, 400, 'invalid_field', new RegExp(escapeRe(field)), `wrong type of ${field}`);
    }
  }
  for (const field of spec.unknown || ['colour']) {
    const body = { ...spec.valid, [field]: 'red' };
    await refused({ ...base, body }, 400, 'unknown_field', new RegExp(`unknown field: ${escapeRe(field)}`), `unknown field ${field}`);
  }
  if (spec.missing) {
    for (const [body, field] of spec.missing) {
      await refused({ ...base, body }, 400, 'invalid_field', new RegExp(`${escapeRe(field)}.*required|required.*${escapeRe(field)}`), `missing ${field}`);
    }
  }
  for (const [what, body, status, code, re] of spec.cases || []) {
    await refused({ ...base, body }, status, code, re, what);
  }
  if (spec.valid && spec.control !== false) {
    const r = await request(srv.url, method, path, { token: 'token' in spec ? spec.token : admin.token, body: spec.valid });
    assert.ok(r.status >= 200 && r.status < 300, `${method} ${path} with its valid body: ${r.status} ${JSON.stringify(r.body)}`);
    knownSeq = await lastSeq();
  }
}

// Raw HTTP, for bodies fetch() would not send the way we want.
function rawRequest(method, path, headers, body) {
  return new Promise((resolve) => {
    const req = http.request(srv.url + path, { method, headers }, (res) => {
      let d = '';
      res.on('data', (x) => { d += x; });
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: d }));
      res.on('error', (e) => resolve({ error: e.code || e.message }));
    });
    req.on('error', (e) => resolve({ error: e.code || e.message }));
    req.end(body);
  });
}

before(async () => {
  srv = await startServer({ fsync: false });
  admin = await login(srv.url, 'admin');
  api = client(srv.url, admin.token);
  ids = await demoIds(srv.url, admin.token);
  T1 = ids.tenants.find((t) => t.name === 'AssurMax').id;
  T2 = ids.tenants.find((t) => t.name === 'Télécom Plus').id;
  paris = ids.sites.find((s) => s.name === 'Paris').id;
  const mk = async (path, body) => {
    const r = await api.post(path, body);
    assert.equal(r.status, 201, `${path}: ${JSON.stringify(r.body)}`);
    return r.body;
  };
  fx.tenant = await mk('/api/v1/tenants', { name: 'BI Fixture SA' });
  fx.site = await mk('/api/v1/sites', { name: 'BI Fixture site' });
  fx.skill = await mk('/api/v1/skills', { name: 'bi.fixture' });
  fx.calendar = await mk('/api/v1/calendars', { name: 'BI Fixture calendar', timezone: 'Europe/Paris' });
  fx.disposition = await mk('/api/v1/dispositions', { code: 'bi-fixture' });
  fx.user = await mk('/api/v1/users', { username: 'bi.fixture', password: 'bi-fixture-pw', role: 'client', tenants: [T1] });
  fx.agent = await mk('/api/v1/agents', { name: 'BI Fixture agent', site: paris, tenants: [T1], capacity: { chat: 1 } });
  // A queue only agent03 (tagged) serves, and one nobody serves.
  const agent03 = ids.agents[2];
  fx.agent03 = agent03.id;
  let r = await api.patch(`/api/v1/agents/${agent03.id}`, { tags: ['badinput'] });
  assert.equal(r.status, 200);
  fx.queue = await mk('/api/v1/queues', {
    tenant: T1, name: 'BI fixture', channel: 'chat', wrapup: 'manual', dispositions: ['resolved'],
    steps: [{ after_s: 0, filter: 'tag(badinput)' }],
  });
  fx.idle = await mk('/api/v1/queues', {
    tenant: T1, name: 'BI nobody', channel: 'chat', wrapup: 'manual', steps: [{ after_s: 0, filter: 'lang.en >= 10' }],
  });
  // A contact in wrap-up (handled by agent03) and one waiting forever.
  r = await api.put(`/api/v1/agents/${agent03.id}/state`, { state: 'available' });
  assert.equal(r.status, 200);
  fx.wrap = await mk('/api/v1/contacts', { tenant: T1, queue: fx.queue.id, channel: 'chat' });
  assert.equal(fx.wrap.state, 'offered');
  r = await api.post(`/api/v1/contacts/${fx.wrap.id}/accept`, { agent: agent03.id });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  r = await api.post(`/api/v1/contacts/${fx.wrap.id}/complete`, {});
  assert.equal(r.body.state, 'wrapup');
  r = await api.put(`/api/v1/agents/${agent03.id}/state`, { state: 'paused', reason: 'other' });
  assert.equal(r.status, 200);
  fx.waiting = await mk('/api/v1/contacts', { tenant: T1, queue: fx.idle.id, channel: 'chat' });
  assert.equal(fx.waiting.state, 'queued');
  fx.customer = await mk('/api/v1/customers', { tenant: T1, name: 'BI Client', phones: ['+33611111111'], emails: ['bi@exemple.fr'] });
  knownSeq = await lastSeq();
});

after(async () => {
  if (srv) {
    const st = await srv.stop();
    assert.equal(st.code, 0, srv.logs());
  }
});

// ---- login ----

test('POST /api/v1/session refuses bad bodies', async () => {
  await exercise({
    method: 'POST', path: '/api/v1/session', token: undefined,
    valid: { username: 'admin', password: 'admin-demo' },
    wrongType: [[{ username: 42, password: 'admin-demo' }, 'username'], [{ username: 'admin', password: ['x'] }, 'password']],
    missing: [[{ username: 'admin' }, 'password'], [{ password: 'admin-demo' }, 'username']],
    cases: [['an empty user name', { username: '', password: 'x' }, 400, 'invalid_field', /username/]],
  });
});

// ---- configuration objects ----

const list = (kind) => getBody(`/api/v1/${kind}?limit=500`);

test('POST and PATCH /api/v1/tenants refuse bad bodies', async () => {
  await exercise({
    method: 'POST', path: '/api/v1/tenants', snapshot: list('tenants'),
    valid: { name: 'BI Tenant' },
    wrongType: [[{ name: 42 }, 'name'], [{ name: 'X', languages: 'fr' }, 'languages'], [{ name: 'X', languages: [1] }, 'languages']],
    missing: [[{ timezone: 'UTC' }, 'name']],
    cases: [
      ['an unknown time zone', { name: 'X', timezone: 'Mars/Olympus' }, 400, 'invalid_field', /timezone/],
      ...NOT_IANA.map((z) => [`time zone ${z}`, { name: 'X', timezone: z }, 400, 'invalid_field', /timezone/]),
      ['an empty name', { name: '' }, 400, 'invalid_field', /name/],
      ['a name taken', { name: 'AssurMax' }, 409, 'conflict', /name/],
    ],
  });
  await exercise({
    method: 'PATCH', path: `/api/v1/tenants/${fx.tenant.id}`, snapshot: getBody(`/api/v1/tenants/${fx.tenant.id}`),
    valid: { name: 'BI Fixture SA renamed' },
    wrongType: [[{ languages: [1] }, 'languages'], [{ name: null }, 'name'], [{ timezone: 5 }, 'timezone']],
    unknown: ['colour', 'id', 'created_at'],
    cases: [['a name taken', { name: 'Télécom Plus' }, 409, 'conflict', /name/]],
  });
});

test('POST and PATCH /api/v1/sites refuse bad bodies', async () => {
  await exercise({
    method: 'POST', path: '/api/v1/sites', snapshot: list('sites'),
    valid: { name: 'BI Site' },
    wrongType: [[{ name: 'S', cost_per_hour: 'cheap' }, 'cost_per_hour'], [{ name: 'S', kind: 3 }, 'kind']],
    missing: [[{ kind: 'home' }, 'name']],
    cases: [
      ['an unknown kind', { name: 'S', kind: 'moon' }, 400, 'invalid_field', /kind/],
      ['a negative cost', { name: 'S', cost_per_hour: -1 }, 400, 'invalid_field', /cost_per_hour/],
      ['a 3-letter country', { name: 'S', country: 'FRA' }, 400, 'invalid_field', /country/],
    ],
  });
  await exercise({
    method: 'PATCH', path: `/api/v1/sites/${fx.site.id}`, snapshot: getBody(`/api/v1/sites/${fx.site.id}`),
    valid: { cost_per_hour: 12.5 },
    wrongType: [[{ country: 33 }, 'country']],
    unknown: ['colour', 'updated_at'],
    cases: [
      ['an unknown time zone', { timezone: 'Nowhere/Town' }, 400, 'invalid_field', /timezone/],
      ...NOT_IANA.map((z) => [`time zone ${z}`, { timezone: z }, 400, 'invalid_field', /timezone/]),
    ],
  });
});

test('POST and PATCH /api/v1/skills refuse bad bodies', async () => {
  await exercise({
    method: 'POST', path: '/api/v1/skills', snapshot: list('skills'),
    valid: { name: 'bi.skill' },
    wrongType: [[{ name: 7 }, 'name']],
    missing: [[{}, 'name']],
    cases: [
      ['a name with spaces and capitals', { name: 'Bad Name' }, 400, 'invalid_field', /name/],
      ['a name taken', { name: 'lang.fr' }, 409, 'conflict', /name/],
    ],
  });
  await exercise({
    method: 'PATCH', path: `/api/v1/skills/${fx.skill.id}`, snapshot: getBody(`/api/v1/skills/${fx.skill.id}`),
    valid: { name: 'bi.fixture2' },
    wrongType: [[{ name: [] }, 'name']],
    cases: [['a name taken', { name: 'billing' }, 409, 'conflict', /name/]],
  });
});

test('POST and PATCH /api/v1/agents refuse bad bodies', async () => {
  await exercise({
    method: 'POST', path: '/api/v1/agents', snapshot: list('agents'),
    valid: { name: 'BI Agent', site: paris },
    wrongType: [
      [{ name: 'A', site: paris, skills: { 'lang.fr': 'high' } }, 'skills.lang.fr'],
      [{ name: 'A', site: paris, skills: ['lang.fr'] }, 'skills'],
      [{ name: 'A', site: paris, capacity: { voice: '1' } }, 'capacity.voice'],
      [{ name: 'A', site: paris, tenants: T1 }, 'tenants'],
    ],
    missing: [[{ name: 'A' }, 'site'], [{ site: paris }, 'name']],
    cases: [
      ['a skill level of 11', { name: 'A', site: paris, skills: { 'lang.fr': 11 } }, 400, 'invalid_field', /skills\.lang\.fr/],
      ['an unknown skill', { name: 'A', site: paris, skills: { 'no.such': 3 } }, 400, 'invalid_field', /skills\.no\.such/],
      ['an unknown channel in capacity', { name: 'A', site: paris, capacity: { fax: 1 } }, 400, NESTED_UNKNOWN, /unknown field: capacity\.fax/],
      ['a capacity of 21', { name: 'A', site: paris, capacity: { chat: 21 } }, 400, 'invalid_field', /capacity\.chat/],
      ['an unknown site', { name: 'A', site: NOPE }, 400, 'invalid_field', /site/],
      ['an unknown tenant', { name: 'A', site: paris, tenants: [NOPE] }, 400, 'invalid_field', /tenants/],
      ['a read-only state', { name: 'A', site: paris, state: 'available' }, 400, 'unknown_field', /state/],
    ],
  });
  await exercise({
    method: 'PATCH', path: `/api/v1/agents/${fx.agent.id}`, snapshot: getBody(`/api/v1/agents/${fx.agent.id}`),
    valid: { tags: ['bi'] },
    wrongType: [[{ tags: 'x' }, 'tags'], [{ tags: [''] }, 'tags[0]']],
    unknown: ['colour', 'state', 'state_since'],
    cases: [['an unknown site', { site: NOPE }, 400, 'invalid_field', /site/]],
  });
});

test('POST and PATCH /api/v1/queues refuse bad bodies; a step filter that does not parse names the steps', async () => {
  const valid = { tenant: T1, name: 'BI queue', channel: 'chat' };
  await exercise({
    method: 'POST', path: '/api/v1/queues', snapshot: list('queues'),
    valid,
    wrongType: [[{ ...valid, priority: 'high' }, 'priority'], [{ ...valid, steps: {} }, 'steps'], [{ ...valid, last_agent: 'yes' }, 'last_agent']],
    missing: [[{ tenant: T1, name: 'Q' }, 'channel'], [{ tenant: T1, channel: 'chat' }, 'name'], [{ ...valid, steps: [{ filter: 'lang.fr >= 5' }] }, 'steps[0].after_s']],
    cases: [
      ['an unknown channel', { ...valid, channel: 'fax' }, 400, 'invalid_field', /channel/],
      ['a filter that does not parse', { ...valid, steps: [{ after_s: 0 }, { after_s: 10, filter: 'lang.fr >= ' }] }, 400, 'invalid_field', /steps/],
      ['unbalanced parentheses', { ...valid, steps: [{ after_s: 0, filter: '((lang.fr >= 5)' }] }, 400, 'invalid_field', /steps/],
      ['a first step after 5 s', { ...valid, steps: [{ after_s: 5 }] }, 400, 'invalid_field', /step/],
      ['steps going back in time', { ...valid, steps: [{ after_s: 0 }, { after_s: 30 }, { after_s: 10 }] }, 400, 'invalid_field', /step/],
      ['an unknown step field', { ...valid, steps: [{ after_s: 0, wait: 3 }] }, 400, NESTED_UNKNOWN, /unknown field: steps\[0\]\.wait/],
      ['an unknown action', { ...valid, steps: [{ after_s: 0, action: 'explode' }] }, 400, 'invalid_field', /steps\[0\]\.action/],
      ['a transfer to no queue', { ...valid, steps: [{ after_s: 0 }, { after_s: 5, action: 'transfer', target: NOPE }] }, 400, 'invalid_field', /step/],
      ['an unknown tenant', { ...valid, tenant: NOPE }, 400, 'invalid_field', /tenant/],
      ['an unknown calendar', { ...valid, calendar: NOPE }, 400, 'invalid_field', /calendar/],
      ['a priority of 5000', { ...valid, priority: 5000 }, 400, 'invalid_field', /priority/],
      ['an unknown strategy', { ...valid, strategy: 'fastest' }, 400, 'invalid_field', /strategy/],
    ],
  });
  await exercise({
    method: 'PATCH', path: `/api/v1/queues/${fx.idle.id}`, snapshot: getBody(`/api/v1/queues/${fx.idle.id}`),
    valid: { priority: 7 },
    wrongType: [[{ wrapup_s: '30' }, 'wrapup_s'], [{ dispositions: 'resolved' }, 'dispositions']],
    unknown: ['colour', 'id'],
    cases: [
      ['a filter that does not parse', { steps: [{ after_s: 0, filter: 'lang.en >=' }] }, 400, 'invalid_field', /steps/],
      ['a new channel while it holds a contact', { channel: 'email' }, 409, 'conflict'],
      ['a new tenant while it holds a contact', { tenant: T2 }, 409, 'conflict'],
    ],
  });
  // The queue still routes with its old filter: nobody matches, the contact waits.
  assert.equal((await api.get(`/api/v1/contacts/${fx.waiting.id}`)).body.state, 'queued');
});

test('POST and PATCH /api/v1/calendars refuse bad bodies', async () => {
  const valid = { name: 'BI calendar', timezone: 'UTC' };
  await exercise({
    method: 'POST', path: '/api/v1/calendars', snapshot: list('calendars'),
    valid,
    wrongType: [[{ ...valid, holidays: '2026-12-25' }, 'holidays'], [{ ...valid, weekly: [{ day: 'mon', from: 8, to: '18:00' }] }, 'weekly[0].from']],
    missing: [[{ name: 'C' }, 'timezone'], [{ ...valid, weekly: [{ day: 'mon', from: '08:00' }] }, 'weekly[0].to']],
    cases: [
      ['an unknown day', { ...valid, weekly: [{ day: 'funday', from: '08:00', to: '18:00' }] }, 400, 'invalid_field', /weekly\[0\]\.day/],
      ['25 o\'clock', { ...valid, weekly: [{ day: 'mon', from: '25:00', to: '26:00' }] }, 400, 'invalid_field', /weekly/],
      ['a 13th month', { ...valid, holidays: ['2026-13-45'] }, 400, 'invalid_field', /holidays/],
      ['an unknown time zone', { name: 'C', timezone: 'Nowhere/City' }, 400, 'invalid_field', /timezone/],
      ...NOT_IANA.map((z) => [`time zone ${z}`, { name: 'C', timezone: z }, 400, 'invalid_field', /timezone/]),
    ],
  });
  await exercise({
    method: 'PATCH', path: `/api/v1/calendars/${fx.calendar.id}`, snapshot: getBody(`/api/v1/calendars/${fx.calendar.id}`),
    valid: { holidays: ['2026-12-25'] },
    wrongType: [[{ exceptions: {} }, 'exceptions']],
    cases: [['an exception at 25:00', { exceptions: [{ date: '2026-12-24', from: '25:00', to: '26:00' }] }, 400, 'invalid_field', /exceptions/]],
  });
});

test('POST and PATCH /api/v1/dispositions refuse bad bodies', async () => {
  await exercise({
    method: 'POST', path: '/api/v1/dispositions', snapshot: list('dispositions'),
    valid: { code: 'bi-code' },
    wrongType: [[{ code: 1 }, 'code'], [{ code: 'c', label: 'x' }, 'label']],
    missing: [[{ label: { fr: 'x' } }, 'code']],
    cases: [
      ['an unknown tenant', { code: 'c', tenant: NOPE }, 400, 'invalid_field', /tenant/],
      ['an unknown label language', { code: 'c', label: { de: 'x' } }, 400, NESTED_UNKNOWN, /unknown field: label\.de/],
      ['a code taken', { code: 'resolved' }, 409, 'conflict', /code/],
    ],
  });
  await exercise({
    method: 'PATCH', path: `/api/v1/dispositions/${fx.disposition.id}`, snapshot: getBody(`/api/v1/dispositions/${fx.disposition.id}`),
    valid: { label: { fr: 'Fixture' } },
    wrongType: [[{ tenant: 5 }, 'tenant']],
  });
});

test('POST and PATCH /api/v1/users refuse bad bodies', async () => {
  const valid = { username: 'bi.user', password: 'bi-password-1', role: 'admin' };
  await exercise({
    method: 'POST', path: '/api/v1/users', snapshot: list('users'),
    valid,
    wrongType: [[{ ...valid, role: 1 }, 'role'], [{ ...valid, tenants: [5] }, 'tenants'], [{ ...valid, password: 1234567890 }, 'password']],
    missing: [[{ username: 'u', password: 'long-enough-1' }, 'role'], [{ password: 'long-enough-1', role: 'admin' }, 'username']],
    unknown: ['colour', 'password_hash'],
    cases: [
      ['a 5-character password', { ...valid, password: 'short' }, 400, 'invalid_field', /password/],
      ['no password', { username: 'u', role: 'admin' }, 400, 'invalid_field', /password/],
      ['an unknown role', { ...valid, role: 'king' }, 400, 'invalid_field', /role/],
      ['the agent role without an agent', { ...valid, role: 'agent' }, 400, 'invalid_field', /agent/],
      ['an unknown agent', { ...valid, role: 'agent', agent: NOPE }, 400, 'invalid_field', /agent/],
      ['an unknown tenant', { ...valid, tenants: [NOPE] }, 400, 'invalid_field', /tenants/],
      ['a user name taken', { ...valid, username: 'admin' }, 409, 'conflict', /username/],
    ],
  });
  await exercise({
    method: 'PATCH', path: `/api/v1/users/${fx.user.id}`, snapshot: getBody(`/api/v1/users/${fx.user.id}`),
    valid: { name: 'BI Fixture user' },
    wrongType: [[{ sites: 'x' }, 'sites']],
    cases: [
      ['a 9-character password', { password: 'ninechars' }, 400, 'invalid_field', /password/],
      ['an unknown site', { sites: [NOPE] }, 400, 'invalid_field', /sites/],
    ],
  });
});

// ---- contacts ----

test('POST /api/v1/contacts refuses bad bodies and creates neither contact nor customer', async () => {
  const valid = { tenant: T1, queue: fx.idle.id, channel: 'chat' };
  const telcoChat = ids.queues.find((q) => q.name === 'Télécom Plus chat');
  const snapshot = async () => [await list('contacts')(), await getBody('/api/v1/customers?limit=500')()];
  await exercise({
    method: 'POST', path: '/api/v1/contacts', snapshot, valid,
    wrongType: [
      [{ ...valid, priority: 'high' }, 'priority'], [{ ...valid, attributes: [] }, 'attributes'],
      [{ ...valid, callback: 'yes' }, 'callback'], [{ ...valid, customer: 'bob' }, 'customer'],
      [{ ...valid, customer: { phone: 33612345678 } }, 'customer.phone'],
    ],
    missing: [[{ tenant: T1, channel: 'chat' }, 'queue'], [{ queue: fx.idle.id, channel: 'chat' }, 'tenant'], [{ tenant: T1, queue: fx.idle.id }, 'channel']],
    cases: [
      ['the wrong channel for the queue', { ...valid, channel: 'voice' }, 400, 'invalid_field', /channel/],
      ['an unknown queue', { ...valid, queue: NOPE }, 400, 'invalid_field', /queue/],
      ['another tenant\'s queue', { ...valid, queue: telcoChat.id }, 400, 'invalid_field', /queue/],
      ['an unknown tenant', { ...valid, tenant: NOPE }, 400, 'invalid_field', /tenant/],
      ['a phone that is not E.164', { ...valid, customer: { phone: '0612345678', name: 'X' } }, 400, 'invalid_field', /phone/],
      ['an email without @', { ...valid, customer: { email: 'nope' } }, 400, 'invalid_field', /email/],
      ['an unknown customer id', { ...valid, customer: { id: NOPE } }, 400, 'invalid_field', /customer/],
      ['another tenant\'s customer', { tenant: T2, queue: telcoChat.id, channel: 'chat', customer: { id: fx.customer.id } }, 400, 'invalid_field', /customer/],
      ['an unknown customer field', { ...valid, customer: { fax: '1' } }, 400, NESTED_UNKNOWN, /unknown field: customer\.fax/],
      ['a priority of 5000', { ...valid, priority: 5000 }, 400, 'invalid_field', /priority/],
    ],
    control: false,
  });
});

test('a body of exactly 64 KiB is taken, one byte more is refused with 413', async () => {
  const head = JSON.stringify({ tenant: T1, queue: fx.idle.id, channel: 'chat', attributes: { pad: '' } });
  const make = (size) => head.replace('"pad":""', `"pad":"${'p'.repeat(size - head.length)}"`);
  const exact = make(65536);
  assert.equal(Buffer.byteLength(exact), 65536);
  await refused({ method: 'POST', path: '/api/v1/contacts', raw: make(65537), snapshot: list('contacts') }, 413, 'payload_too_large', /65536|64/, '65537 bytes');
  const r = await request(srv.url, 'POST', '/api/v1/contacts', { token: admin.token, raw: exact });
  assert.equal(r.status, 201, JSON.stringify(r.body).slice(0, 300));
  assert.equal(r.body.attributes.pad.length, 65536 - head.length);
  const abandon = await api.post(`/api/v1/contacts/${r.body.id}/abandon`, {});
  assert.equal(abandon.status, 200);
  knownSeq = await lastSeq();
});

test('contact actions refuse bad bodies and leave the contact as it was', async () => {
  const snapW = getBody(`/api/v1/contacts/${fx.wrap.id}`);
  const snapQ = getBody(`/api/v1/contacts/${fx.waiting.id}`);
  const on = (id, action, snapshot) => ({ method: 'POST', path: `/api/v1/contacts/${id}/${action}`, snapshot, control: false });
  await exercise({ ...on(fx.waiting.id, 'accept', snapQ), valid: { agent: fx.agent03 },
    wrongType: [[{ agent: 5 }, 'agent']], unknown: ['colour', 'queue'],
    cases: [['no agent named by an admin', {}, 400, 'invalid_field', /agent/]] });
  await exercise({ ...on(fx.waiting.id, 'reject', snapQ), valid: { agent: fx.agent03 },
    wrongType: [[{ agent: [] }, 'agent']], cases: [['no agent named by an admin', {}, 400, 'invalid_field', /agent/]] });
  await exercise({ ...on(fx.wrap.id, 'complete', snapW), valid: {}, unknown: ['colour', 'disposition'] });
  await exercise({ ...on(fx.waiting.id, 'callback', snapQ), valid: {}, unknown: ['colour', 'when'] });
  await exercise({ ...on(fx.waiting.id, 'abandon', snapQ), valid: {}, unknown: ['reason'] });
  await exercise({ ...on(fx.waiting.id, 'transfer', snapQ), valid: { queue: fx.queue.id },
    wrongType: [[{ queue: 5 }, 'queue'], [{ agent: {} }, 'agent']],
    cases: [
      ['neither queue nor agent', {}, 400, 'invalid_field', /queue|agent/],
      ['both queue and agent', { queue: fx.queue.id, agent: fx.agent03 }, 400, 'invalid_field', /queue|agent/],
      ['an unknown queue', { queue: NOPE }, 400, 'invalid_field', /queue/],
      ['an unknown agent', { agent: NOPE }, 400, 'invalid_field', /agent/],
    ] });
  await exercise({ ...on(fx.wrap.id, 'wrapup', snapW), valid: { disposition: 'resolved' },
    wrongType: [[{ disposition: 5 }, 'disposition'], [{ notes: 5 }, 'notes'], [{ notes: 'n'.repeat(4001) }, 'notes']],
    unknown: ['colour', 'state'],
    cases: [['a disposition not of the queue', { disposition: 'escalated' }, 400, 'invalid_field', /disposition/]] });
  // A wrong state is a conflict, and changes nothing either.
  await refused({ method: 'POST', path: `/api/v1/contacts/${fx.waiting.id}/complete`, body: {}, snapshot: snapQ }, 409, 'conflict', null, 'complete a waiting contact');
  await refused({ method: 'POST', path: `/api/v1/contacts/${fx.wrap.id}/callback`, body: {}, snapshot: snapW }, 409, 'conflict', null, 'callback in wrap-up');
  await refused({ method: 'POST', path: `/api/v1/contacts/${fx.waiting.id}/wrapup`, body: { disposition: 'resolved' }, snapshot: snapQ }, 409, 'conflict', null, 'wrap up a waiting contact');
  await refused({ method: 'POST', path: `/api/v1/contacts/${fx.waiting.id}/accept`, body: { agent: fx.agent03 }, snapshot: snapQ }, 409, 'conflict', null, 'accept what was not offered');
});

test('PUT /api/v1/agents/{id}/state refuses bad bodies', async () => {
  const agent11 = ids.agents[10].id;
  await exercise({
    method: 'PUT', path: `/api/v1/agents/${agent11}/state`, snapshot: getBody(`/api/v1/agents/${agent11}`),
    valid: { state: 'paused', reason: 'break' },
    wrongType: [[{ state: 1 }, 'state'], [{ state: 'paused', reason: 2 }, 'reason']],
    missing: [[{ reason: 'break' }, 'state']],
    cases: [
      ['an unknown state', { state: 'sleeping' }, 400, 'invalid_field', /state/],
      ['busy, which only routing sets', { state: 'busy' }, 400, 'invalid_field', /state/],
      ['a pause without reason', { state: 'paused' }, 400, 'invalid_field', /reason/],
      ['an unknown reason', { state: 'paused', reason: 'nap' }, 400, 'invalid_field', /reason/],
    ],
  });
  const r = await api.put(`/api/v1/agents/${agent11}/state`, { state: 'offline' });
  assert.equal(r.status, 200);
  knownSeq = await lastSeq();
});

test('POST and PATCH /api/v1/customers refuse bad bodies', async () => {
  const customers = getBody('/api/v1/customers?limit=500');
  await exercise({
    method: 'POST', path: '/api/v1/customers', snapshot: customers,
    valid: { tenant: T1, name: 'BI Client 2', phones: ['+33622222222'] },
    wrongType: [[{ tenant: T1, phones: '+33622222222' }, 'phones'], [{ tenant: T1, attributes: 'vip' }, 'attributes'], [{ tenant: 5 }, 'tenant']],
    missing: [[{ name: 'X' }, 'tenant']],
    cases: [
      ['a phone that is not E.164', { tenant: T1, phones: ['0612'] }, 400, 'invalid_field', /phones\[0\]/],
      ['an email without domain', { tenant: T1, emails: ['nope'] }, 400, 'invalid_field', /emails\[0\]/],
      ['an unknown tenant', { tenant: NOPE }, 400, 'invalid_field', /tenant/],
      ['a phone of another customer', { tenant: T1, phones: ['+33611111111'] }, 409, 'conflict'],
      ['an email of another customer (case aside)', { tenant: T1, emails: ['BI@Exemple.FR'] }, 409, 'conflict'],
    ],
  });
  await exercise({
    method: 'PATCH', path: `/api/v1/customers/${fx.customer.id}`, snapshot: customers,
    valid: { name: 'BI Client renamed' },
    wrongType: [[{ attributes: [] }, 'attributes'], [{ emails: [3] }, 'emails']],
    unknown: ['colour', 'id'],
    cases: [
      ['another tenant', { tenant: T2 }, 400, 'invalid_field', /tenant/],
      ['a bad phone', { phones: ['+0123'] }, 400, 'invalid_field', /phones/],
      ['a phone of another customer', { phones: ['+33622222222'] }, 409, 'conflict'],
    ],
  });
});

// Attributes nested 2,000 deep passed jansson (2,048 levels) but not
// SQLite's JSON functions: the commit failed and the server exited 75.
test('a customer update nested 2,000 deep is 400 and the server lives on; 32 levels are taken', async () => {
  const customers = getBody('/api/v1/customers?limit=500');
  const deep = (n) => { let v = 1; for (let i = 0; i < n; i++) v = { k: v }; return v; };
  for (const n of [2000, 2046, 32]) {
    await refused({
      method: 'PATCH', path: `/api/v1/customers/${fx.customer.id}`, snapshot: customers,
      raw: JSON.stringify({ attributes: deep(n) }),
    }, 400, 'invalid_json', /deeper than 32 levels/, `attributes ${n} deep`);
  }
  const h = await fetch(srv.url + '/healthz');
  assert.equal(h.status, 200);
  // the body, attributes and 30 levels inside it: 32 in all
  const r = await api.patch(`/api/v1/customers/${fx.customer.id}`, { attributes: deep(31) });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  const g = await api.get(`/api/v1/customers/${fx.customer.id}`);
  assert.deepEqual(g.body.attributes, deep(31));
  const back = await api.patch(`/api/v1/customers/${fx.customer.id}`, { attributes: fx.customer.attributes });
  assert.equal(back.status, 200);
  knownSeq = await lastSeq();
});

// ---- oversized requests ----

test('a ~1 MiB body gets a 413 or a closed connection, and the server lives on', async () => {
  const big = Buffer.alloc(1024 * 1024, 0x61);
  const seq0 = await lastSeq();
  const r = await rawRequest('POST', '/api/v1/tenants', {
    'content-type': 'application/json', authorization: `Bearer ${admin.token}`, 'content-length': big.length,
  }, big);
  if (r.error) {
    assert.ok(['ECONNRESET', 'EPIPE', 'ECONNABORTED', 'socket hang up'].includes(r.error), r.error);
    console.log(`# ~1 MiB body: the server closed the connection (${r.error})`);
  } else {
    expectError({ status: r.status, headers: new Headers(r.headers), body: JSON.parse(r.body) }, 413, 'payload_too_large', null, '1 MiB');
    console.log('# ~1 MiB body: 413 payload_too_large');
  }
  const h = await fetch(srv.url + '/healthz');
  assert.equal(h.status, 200);
  assert.equal((await h.json()).status, 'ok');
  const t = await api.get('/api/v1/tenants');
  assert.equal(t.status, 200);
  assert.ok(!t.body.items.some((x) => x.name.startsWith('aaaa')));
  assert.equal(await lastSeq(), seq0);
});

// ---- unknown ids ----

test('unknown ids are 404 not_found on every route that takes an id', async () => {
  const seq0 = await lastSeq();
  const cases = [];
  for (const kind of ['tenants', 'sites', 'skills', 'agents', 'queues', 'calendars', 'dispositions', 'users']) {
    cases.push(['GET', `/api/v1/${kind}/${NOPE}`], ['PATCH', `/api/v1/${kind}/${NOPE}`, {}], ['DELETE', `/api/v1/${kind}/${NOPE}`]);
  }
  cases.push(['GET', `/api/v1/contacts/${NOPE}`], ['GET', '/api/v1/contacts/not-even-a-uuid']);
  for (const a of ['accept', 'reject']) cases.push(['POST', `/api/v1/contacts/${NOPE}/${a}`, { agent: fx.agent03 }]);
  for (const a of ['complete', 'callback', 'abandon']) cases.push(['POST', `/api/v1/contacts/${NOPE}/${a}`, {}]);
  cases.push(['POST', `/api/v1/contacts/${NOPE}/transfer`, { queue: fx.queue.id }], ['POST', `/api/v1/contacts/${NOPE}/wrapup`, {}]);
  cases.push(['PUT', `/api/v1/agents/${NOPE}/state`, { state: 'available' }]);
  cases.push(['GET', `/api/v1/agents/${NOPE}/why?contact=${fx.waiting.id}`], ['GET', `/api/v1/agents/${fx.agent03}/why?contact=${NOPE}`]);
  cases.push(['GET', `/api/v1/customers/${NOPE}`], ['PATCH', `/api/v1/customers/${NOPE}`, { name: 'x' }], ['GET', `/api/v1/customers/${NOPE}/contacts`]);
  for (const [method, path, body] of cases) {
    const r = await request(srv.url, method, path, { token: admin.token, body });
    expectError(r, 404, 'not_found', null, `${method} ${path}`);
  }
  assert.equal(await lastSeq(), seq0);
});

// ---- query parameters ----

test('bad query parameters are 400 invalid_field naming the parameter', async () => {
  const win = `from=${encodeURIComponent(new Date(Date.now() - 3600e3).toISOString())}&to=${encodeURIComponent(new Date().toISOString())}`;
  const cases = [
    ['/api/v1/contacts?limit=0', /limit/], ['/api/v1/contacts?limit=abc', /limit/], ['/api/v1/contacts?limit=501', /limit/],
    ['/api/v1/contacts?limit=-1', /limit/], ['/api/v1/contacts?limit=1.5', /limit/], ['/api/v1/contacts?limit=', /limit/],
    ['/api/v1/contacts?offset=abc', /offset/], ['/api/v1/contacts?offset=-1', /offset/],
    ['/api/v1/contacts?from=garbage', /from/], ['/api/v1/contacts?to=yesterday', /to/], ['/api/v1/contacts?from=2026-13-01T00:00:00Z', /from/],
    ['/api/v1/tenants?limit=0', /limit/], ['/api/v1/queues?limit=abc', /limit/], ['/api/v1/users?offset=x', /offset/],
    ['/api/v1/customers?limit=abc', /limit/], ["/api/v1/customers?offset=-1", /offset/],
    ['/api/v1/events?after=abc', /after/], ['/api/v1/events?after=-1', /after/], ['/api/v1/events?limit=0', /limit/],
    ['/api/v1/events?limit=1001', /limit/], ['/api/v1/events?limit=ten', /limit/],
    ['/api/v1/reports/intervals', /from/], ['/api/v1/reports/intervals?from=garbage&to=2026-01-01T00:00:00Z', /from/],
    [`/api/v1/reports/intervals?from=${encodeURIComponent(new Date().toISOString())}&to=${encodeURIComponent(new Date(Date.now() - 3600e3).toISOString())}`, /from/],
    ['/api/v1/reports/intervals?from=2025-01-01T00:00:00Z&to=2026-01-01T00:00:00Z', /92 days|from/],
    [`/api/v1/reports/intervals?${win}&interval=7m`, /interval/], [`/api/v1/reports/intervals?${win}&group=planet`, /group/],
    [`/api/v1/agents/${fx.agent03}/why`, /contact/],
  ];
  const seq0 = await lastSeq();
  for (const [path, re] of cases) {
    const r = await api.get(path);
    expectError(r, 400, 'invalid_field', re, `GET ${path}`);
  }
  assert.equal(await lastSeq(), seq0);
});

test('a malformed percent-escape in a query parameter is refused, not ignored', async () => {
    let r = await api.get('/api/v1/contacts?limit=%zz');
    expectError(r, 400, 'invalid_field', /limit/, 'limit=%zz');
    r = await api.get('/api/v1/contacts?state=%zz');
    assert.equal(r.status, 400, `state=%zz: ${r.status}, ${r.body.total} contacts listed as if there were no filter`);
  });

// ---- credentials ----

test('no token or a bad token is 401 unauthorized, and nothing is written', async () => {
  const snapshot = list('tenants');
  for (const token of [undefined, 'nope', admin.token + 'x', admin.token.slice(0, -1)]) {
    const r = await request(srv.url, 'GET', '/api/v1/tenants', { token });
    expectError(r, 401, 'unauthorized', null, `GET with token ${token}`);
    assert.match(r.headers.get('www-authenticate') || '', /Bearer/);
    await refused({ method: 'POST', path: '/api/v1/tenants', token, body: { name: 'Intruder SA' }, snapshot }, 401, 'unauthorized', null, 'create without a valid token');
  }
  for (const authorization of [`Basic ${Buffer.from('admin:admin-demo').toString('base64')}`, 'Bearer', `Token ${admin.token}`]) {
    const r = await request(srv.url, 'GET', '/api/v1/tenants', { headers: { authorization } });
    expectError(r, 401, 'unauthorized', null, authorization);
  }
  // A session that logged out is gone.
  const s = await login(srv.url, 'supervisor');
  let r = await request(srv.url, 'DELETE', '/api/v1/session', { token: s.token });
  assert.equal(r.status, 204);
  r = await request(srv.url, 'GET', '/api/v1/session', { token: s.token });
  expectError(r, 401, 'unauthorized', null, 'token after logout');
  // Wrong passwords are 401 too (few of them: the login is rate-limited).
  r = await request(srv.url, 'POST', '/api/v1/session', { body: { username: 'admin', password: 'wrong-password' } });
  expectError(r, 401, 'unauthorized', null, 'wrong password');
  r = await request(srv.url, 'POST', '/api/v1/session', { body: { username: 'nobody', password: 'whatever-pw' } });
  expectError(r, 401, 'unauthorized', null, 'unknown user');
  knownSeq = await lastSeq();
});

test('a cookie session must send X-CSRF-Token on writes (403), not on reads', async () => {
  const s = await login(srv.url, 'admin');
  assert.match(s.cookie, /^relais_session=/);
  let r = await request(srv.url, 'GET', '/api/v1/tenants', { cookie: s.cookie });
  assert.equal(r.status, 200, 'a read needs no CSRF token');
  knownSeq = await lastSeq();
  const tenants = list('tenants');
  await refused({ method: 'POST', path: '/api/v1/tenants', token: undefined, headers: { cookie: s.cookie }, body: { name: 'CSRF SA' }, snapshot: tenants },
    403, 'forbidden', /CSRF/i, 'POST without X-CSRF-Token');
  await refused({ method: 'POST', path: '/api/v1/tenants', token: undefined, headers: { cookie: s.cookie, 'x-csrf-token': s.csrf + 'x' }, body: { name: 'CSRF SA' }, snapshot: tenants },
    403, 'forbidden', null, 'POST with a wrong X-CSRF-Token');
  await refused({ method: 'PATCH', path: `/api/v1/tenants/${fx.tenant.id}`, token: undefined, headers: { cookie: s.cookie }, body: { name: 'CSRF SA' }, snapshot: getBody(`/api/v1/tenants/${fx.tenant.id}`) },
    403, 'forbidden', null, 'PATCH without X-CSRF-Token');
  await refused({ method: 'PUT', path: `/api/v1/agents/${fx.agent.id}/state`, token: undefined, headers: { cookie: s.cookie }, body: { state: 'available' }, snapshot: getBody(`/api/v1/agents/${fx.agent.id}`) },
    403, 'forbidden', null, 'PUT without X-CSRF-Token');
  await refused({ method: 'DELETE', path: `/api/v1/skills/${fx.skill.id}`, token: undefined, headers: { cookie: s.cookie }, snapshot: list('skills') },
    403, 'forbidden', null, 'DELETE without X-CSRF-Token');
  await refused({ method: 'DELETE', path: '/api/v1/session', token: undefined, headers: { cookie: s.cookie } }, 403, 'forbidden', null, 'logout without X-CSRF-Token');
  r = await request(srv.url, 'GET', '/api/v1/session', { cookie: s.cookie });
  assert.equal(r.status, 200, 'the cookie session is still open');
  // With the token, the same write goes through.
  r = await request(srv.url, 'POST', '/api/v1/tenants', { cookie: s.cookie, csrf: s.csrf, body: { name: 'CSRF SA' } });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  knownSeq = await lastSeq();
});

// ---- routes and methods ----

test('unknown routes are 404, wrong methods 405', async () => {
  const seq0 = await lastSeq();
  for (const path of ['/api/v1/nope', '/api/v2/tenants', '/api/v1/tenants/a/b', '/api/v1/contacts/x/explode', '/', '/api/v1/' + 'x'.repeat(400)]) {
    // GET / is the web folder's page (webfiles.test.mjs)
    for (const method of path === '/' ? ['POST'] : ['GET', 'POST']) {
      const r = await request(srv.url, method, path, { token: admin.token, body: method === 'POST' ? {} : undefined });
      expectError(r, 404, 'not_found', null, `${method} ${path}`);
    }
  }
  for (const [method, path] of [['DELETE', '/api/v1/contacts'], ['PUT', '/api/v1/tenants'], ['POST', '/healthz'], ['GET', `/api/v1/contacts/${fx.waiting.id}/accept`],
    ['PATCH', `/api/v1/contacts/${fx.waiting.id}`], ['DELETE', `/api/v1/contacts/${fx.waiting.id}`], ['POST', '/api/v1/stats/realtime'], ['GET', `/api/v1/agents/${fx.agent.id}/state`]]) {
    const r = await request(srv.url, method, path, { token: admin.token, body: ['POST', 'PUT', 'PATCH'].includes(method) ? {} : undefined });
    expectError(r, 405, 'method_not_allowed', null, `${method} ${path}`);
  }
  assert.equal(await lastSeq(), seq0);
  assert.equal((await api.get(`/api/v1/contacts/${fx.waiting.id}`)).body.state, 'queued');
});

test('a 405 says which methods are allowed (Allow header, RFC 9110)', async () => {
    const r = await request(srv.url, 'DELETE', '/api/v1/contacts', { token: admin.token });
    assert.equal(r.status, 405);
    assert.match(r.headers.get('allow') || '', /GET/);
    assert.match(r.headers.get('allow') || '', /POST/);
  });

test('an unknown field inside a sub-object is 400 unknown_field too', async () => {
    const cases = [
      ['/api/v1/agents', { name: 'A', site: paris, capacity: { fax: 1 } }, 'capacity.fax'],
      ['/api/v1/queues', { tenant: T1, name: 'Q', channel: 'chat', steps: [{ after_s: 0, wait: 3 }] }, 'steps[0].wait'],
      ['/api/v1/dispositions', { code: 'c', label: { de: 'x' } }, 'label.de'],
      ['/api/v1/contacts', { tenant: T1, queue: fx.idle.id, channel: 'chat', customer: { fax: '1' } }, 'customer.fax'],
    ];
    for (const [path, body, field] of cases) {
      const r = await api.post(path, body);
      expectError(r, 400, 'unknown_field', new RegExp(`unknown field: ${escapeRe(field)}`), `POST ${path}`);
    }
  });

test('calendar dates that are not dates are refused', async () => {
    for (const date of ['2026-02-3x', '2026-02- 3']) {
      let r = await api.post('/api/v1/calendars', { name: 'BI dates', timezone: 'UTC', holidays: [date] });
      if (r.status === 201) await api.del(`/api/v1/calendars/${r.body.id}`);
      expectError(r, 400, 'invalid_field', /holidays\[0\]/, `holiday ${date}`);
      r = await api.post('/api/v1/calendars', { name: 'BI dates', timezone: 'UTC', exceptions: [{ date, from: '08:00', to: '12:00' }] });
      if (r.status === 201) await api.del(`/api/v1/calendars/${r.body.id}`);
      expectError(r, 400, 'invalid_field', /exceptions\[0\]/, `exception ${date}`);
    }
  });

test('a refused request logs no audit event', async () => {
    const seq0 = await lastSeq();
    const r = await api.get(`/api/v1/customers/${fx.customer.id}/contacts?limit=0`);
    expectError(r, 400, 'invalid_field', /limit/, 'limit=0');
    const w = await api.post('/api/v1/skills', { name: 'bi.audit.probe' });
    assert.equal(w.status, 201);
    const ev = await api.get(`/api/v1/events?after=${seq0}`);
    knownSeq = await lastSeq();
    assert.deepEqual(ev.body.events.map((e) => e.type), ['audit.config'], 'only the skill creation was logged');
  });

test('a queue step filter that does not parse is refused, and the message names steps[i].filter', async () => {
  // A filter may name a skill that is not defined (yet): such a step is
  // served by nobody until an agent holds the skill (a documented choice).
  let r = await api.post('/api/v1/queues', { tenant: T1, name: 'BI unknown skill', channel: 'chat', steps: [{ after_s: 0 }, { after_s: 5, filter: 'no.such.skill >= 3' }] });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  await api.del(`/api/v1/queues/${r.body.id}`);
  r = await api.post('/api/v1/queues', { tenant: T1, name: 'BI bad filter', channel: 'chat', steps: [{ after_s: 0 }, { after_s: 5, filter: '((' }] });
  expectError(r, 400, 'invalid_field', /steps\[1\]\.filter/, 'unparsable filter');
});

test('the refused requests left the fixtures as they were; the valid ones went through', async () => {
  // Positive controls on the contacts, last because they change them.
  let r = await api.post(`/api/v1/contacts/${fx.wrap.id}/wrapup`, { disposition: 'resolved', notes: 'n'.repeat(4000) });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.equal(r.body.state, 'completed');
  r = await api.post(`/api/v1/contacts/${fx.waiting.id}/callback`, {});
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.equal(r.body.state, 'callback-pending');
  r = await api.post(`/api/v1/contacts/${fx.waiting.id}/abandon`, {});
  assert.equal(r.status, 200);
  r = await api.get(`/api/v1/tenants/${fx.tenant.id}`);
  assert.equal(r.body.name, 'BI Fixture SA renamed');
  r = await api.get(`/api/v1/queues/${fx.idle.id}`);
  assert.equal(r.body.priority, 7);
  assert.equal(r.body.channel, 'chat');
  assert.deepEqual(r.body.steps, [{ after_s: 0, filter: 'lang.en >= 10' }]);
  r = await api.get(`/api/v1/agents/${ids.agents[10].id}`);
  assert.equal(r.body.state, 'offline');
  const h = await fetch(srv.url + '/healthz');
  assert.equal(h.status, 200);
});
