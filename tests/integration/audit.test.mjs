// The audit trail, GET /api/v1/audit: a configuration change, a login, a
// refused login and a customer read appear with their fields, newest
// first; the filters (type, user, tenant, from/to) and the paging by
// sequence (before, next_before) work; bad parameters are 400s; a
// supervisor of AssurMax sees nothing of Télécom Plus, and of the events
// of no tenant only those of the users of its scope. format=csv answers the
// same events as a CSV file to save, with the same filters and scope.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, login, client, request, demoIds, ok } from './lib.mjs';

let srv, admin, api, sup, S;

// Every page of a query, limit by limit, following next_before.
async function allPages(as, query, limit) {
  const events = [];
  let before = null;
  for (let n = 0; n < 1000; n++) {
    const page = await ok(as.get(`/api/v1/audit?${query}&limit=${limit}${before ? `&before=${before}` : ''}`), 200, 'page');
    assert.ok(page.events.length <= limit);
    events.push(...page.events);
    if (page.next_before === null) return events;
    assert.equal(page.next_before, page.events.at(-1).seq, 'next_before is the last seq of the page');
    before = page.next_before;
  }
  throw new Error('no last page');
}

const trail = async (as, query = '') => (await ok(as.get(`/api/v1/audit?limit=500${query}`), 200, 'audit')).events;

before(async () => {
  srv = await startServer({ fsync: false });
  admin = await login(srv.url, 'admin');
  api = client(srv.url, admin.token);
  const ids = await demoIds(srv.url, admin.token);
  const tenant = (name) => ids.tenants.find((t) => t.name === name).id;
  S = { am: tenant('AssurMax'), tp: tenant('Télécom Plus'), admin: admin.user.id };
  S.qAM = ids.queues.find((q) => q.tenant === S.am);
  S.qTP = ids.queues.find((q) => q.tenant === S.tp);

  S.sup = (await ok(api.post('/api/v1/users', {
    username: 'audit-sup', password: 'audit-sup-password', role: 'supervisor', tenants: [S.am],
  }), 201, 'create audit-sup')).id;
  // A refused login of a user, one of a name that is no user, then a login.
  for (const [username, password] of [['audit-sup', 'not-its-password'], ['nobody-at-all', 'whatever-password']]) {
    const r = await request(srv.url, 'POST', '/api/v1/session', { body: { username, password } });
    assert.equal(r.status, 401);
  }
  sup = client(srv.url, (await login(srv.url, 'audit-sup', 'audit-sup-password')).token);

  await ok(api.patch(`/api/v1/queues/${S.qAM.id}`, { priority: 7 }), 200, 'patch AM queue');
  await ok(api.patch(`/api/v1/queues/${S.qTP.id}`, { priority: 6 }), 200, 'patch TP queue');
  S.custAM = (await ok(api.post('/api/v1/customers', { tenant: S.am, name: 'Audit AM' }), 201, 'customer AM')).id;
  S.custTP = (await ok(api.post('/api/v1/customers', { tenant: S.tp, name: 'Audit TP' }), 201, 'customer TP')).id;
  await ok(api.get(`/api/v1/customers/${S.custAM}`), 200, 'read AM');
  await ok(api.get(`/api/v1/customers/${S.custTP}`), 200, 'read TP');
});

after(async () => {
  assert.equal((await srv.stop()).code, 0, srv.logs());
});

test('a configuration change is at the top with who, what and which object, newest first', async () => {
  const events = await trail(api, '&type=config');
  const seqs = events.map((e) => e.seq);
  assert.deepEqual(seqs, [...seqs].sort((a, b) => b - a), 'newest first');
  assert.equal(events[0].id, S.qTP.id, 'the last change is first');
  const e = events.find((x) => x.id === S.qAM.id && x.action === 'update');
  assert.ok(e, 'the AssurMax queue change is there');
  assert.equal(e.type, 'config');
  assert.equal(e.kind, 'queues');
  assert.equal(e.tenant, S.am);
  assert.equal(e.user, S.admin);
  assert.equal(e.username, 'admin');
  assert.equal(e.name, S.qAM.name, 'the object\'s name, while it exists');
  assert.ok(Math.abs(Date.parse(e.at) - Date.now()) < 3600000, `at is a UTC time: ${e.at}`);
  assert.ok(events.some((x) => x.kind === 'users' && x.id === S.sup && x.action === 'create' && x.tenant === null),
    'the user\'s creation, of no tenant');
});

test('logins and refused logins are recorded with the user, the name tried and the address', async () => {
  const logins = await trail(api, '&type=login');
  assert.ok(logins.length > 0 && logins.every((e) => e.type === 'login'));
  const mine = logins.find((e) => e.user === S.sup);
  assert.ok(mine, 'audit-sup\'s login');
  assert.equal(mine.username, 'audit-sup');
  assert.equal(mine.peer, '127.0.0.1');
  assert.equal(mine.tenant, null);

  const failed = await trail(api, '&type=login_failed');
  assert.deepEqual(failed.map((e) => [e.type, e.user, e.username]),
    [['login_failed', '', 'nobody-at-all'], ['login_failed', S.sup, 'audit-sup']]);
  assert.ok(failed.every((e) => e.peer === '127.0.0.1' && !('password' in e)));
  assert.ok(!JSON.stringify(failed).includes('not-its-password'), 'no password in the trail');
});

test('a customer read names the customer, the reader and the path, in the customer\'s tenant', async () => {
  const reads = await trail(api, '&type=customer_read');
  const e = reads.find((x) => x.customer === S.custAM);
  assert.ok(e);
  assert.equal(e.type, 'customer_read');
  assert.equal(e.tenant, S.am);
  assert.equal(e.user, S.admin);
  assert.equal(e.username, 'admin', 'the reader\'s name is added');
  assert.equal(e.path, `/api/v1/customers/${S.custAM}`);
});

test('an agent\'s state set by an admin is in the trail with the agent\'s name; the agent\'s own change is not', async () => {
  const ids = await demoIds(srv.url, admin.token);
  const agent = ids.agents[0];
  await ok(api.put(`/api/v1/agents/${agent.id}/state`, { state: 'paused', reason: 'lunch' }), 200, 'pause');
  const events = await trail(api, '&type=agent_state');
  const e = events.find((x) => x.id === agent.id);
  assert.ok(e, JSON.stringify(events));
  assert.equal(e.type, 'agent_state');
  assert.equal(e.state, 'paused');
  assert.equal(e.reason, 'lunch');
  assert.equal(e.user, S.admin);
  assert.equal(e.name, agent.name, 'the agent\'s name, while it exists');
  await ok(api.put(`/api/v1/agents/${agent.id}/state`, { state: 'offline' }), 200, 'offline');
  assert.equal((await trail(api, '&type=agent_state')).length, events.length + 1);
});

test('filters: by user (id or name), tenant and time range', async () => {
  const byName = await trail(api, '&user=audit-sup');
  assert.ok(byName.length >= 2 && byName.every((e) => e.user === S.sup || e.username === 'audit-sup'));
  const byId = await trail(api, `&user=${S.sup}`);
  assert.deepEqual(byId.map((e) => e.seq), byName.map((e) => e.seq));
  assert.deepEqual(await trail(api, '&user=no-such-user-here'), []);

  const am = await trail(api, `&tenant=${S.am}`);
  assert.ok(am.length > 0 && am.every((e) => e.tenant === S.am));

  const target = (await trail(api, '&type=config')).find((x) => x.id === S.qAM.id);
  const t = Date.parse(target.at);
  const from = new Date(t).toISOString(), to = new Date(t + 1).toISOString();
  const inRange = await trail(api, `&from=${from}&to=${to}`);
  assert.ok(inRange.some((e) => e.seq === target.seq));
  assert.ok(inRange.every((e) => Date.parse(e.at) === t));
  const after = await trail(api, `&from=${to}`);
  assert.ok(after.every((e) => Date.parse(e.at) >= t + 1) && !after.some((e) => e.seq === target.seq));
  const upTo = await trail(api, `&to=${from}`);
  assert.ok(upTo.every((e) => Date.parse(e.at) < t) && !upTo.some((e) => e.seq === target.seq));
});

test('pages by sequence: every page in order, no event twice, none lost', async () => {
  const whole = await trail(api);
  assert.ok(whole.length > 7, `enough events to page: ${whole.length}`);
  const paged = await allPages(api, 'x=1', 3);
  assert.deepEqual(paged.map((e) => e.seq), whole.map((e) => e.seq));
  const first = await ok(api.get('/api/v1/audit?limit=2'), 200, 'first page');
  assert.equal(first.events.length, 2);
  assert.equal(first.next_before, first.events[1].seq);
  const last = await ok(api.get(`/api/v1/audit?limit=500&before=${whole.at(-1).seq}`), 200, 'past the end');
  assert.deepEqual(last, { events: [], next_before: null });
});

test('a supervisor of AssurMax sees nothing of Télécom Plus, and of no tenant only its users\' events', async () => {
  const events = await allPages(sup, 'x=1', 50);
  assert.ok(events.length > 0);
  const text = JSON.stringify(events);
  assert.ok(!text.includes(S.tp), 'no Télécom Plus id');
  assert.ok(!text.includes(S.qTP.id) && !text.includes(S.custTP), 'no Télécom Plus object');
  assert.ok(events.every((e) => e.tenant === S.am || (e.tenant === null && e.user === S.sup)),
    'its tenant\'s events, and its own of no tenant');
  assert.ok(events.some((e) => e.type === 'config' && e.id === S.qAM.id), 'the AssurMax change');
  assert.ok(events.some((e) => e.type === 'customer_read' && e.customer === S.custAM), 'the AssurMax read');
  assert.ok(events.some((e) => e.type === 'login' && e.user === S.sup), 'its own login');
  assert.ok(events.some((e) => e.type === 'login_failed' && e.user === S.sup), 'its own refused login');
  assert.ok(!events.some((e) => e.username === 'admin' && e.type === 'login'), 'not the admin\'s logins');
  assert.ok(!events.some((e) => e.username === 'nobody-at-all'), 'not a name that is no user');
  assert.deepEqual(await trail(sup, `&tenant=${S.tp}`), [], 'asking for Télécom Plus gives nothing');
  assert.deepEqual(await trail(sup, `&type=customer_read&user=admin`).then((l) => l.filter((e) => e.tenant !== S.am)), []);
});

test('bad parameters are 400s with a message, in French too', async () => {
  const long = 'x'.repeat(200);
  for (const q of ['type=bogus', 'type=', 'type=audit.config', 'before=0', 'before=abc', 'before=-5', 'limit=0', 'limit=501',
    'limit=ten', 'from=yesterday', 'to=2026-13-01T00:00:00Z', 'from=2026-11-02T00:00:00Z&to=2026-11-01T00:00:00Z',
    `user=${long}`, `tenant=${long}`]) {
    const r = await api.get(`/api/v1/audit?${q}`);
    assert.equal(r.status, 400, `${q}: ${JSON.stringify(r.body)}`);
    assert.equal(r.body.error.code, 'invalid_field', q);
    assert.ok(r.body.error.message.length > 0, q);
  }
  const fr = await request(srv.url, 'GET', '/api/v1/audit?type=bogus', { token: admin.token, headers: { 'accept-language': 'fr' } });
  assert.equal(fr.status, 400);
  assert.equal(fr.body.error.message, 'type : il faut config, login, login_failed, customer_read, agent_state, customer_erased ou retention');
});

test('agents, clients and integrations may not read the trail', async () => {
  for (const u of ['agent01', 'client-assurmax', 'integration']) {
    const r = await client(srv.url, (await login(srv.url, u)).token).get('/api/v1/audit');
    assert.equal(r.status, 403, u);
  }
});

// ---- format=csv -------------------------------------------------------------

const CSV_COLS = ['seq', 'at', 'type', 'user', 'username', 'tenant', 'action', 'kind', 'id', 'name', 'customer', 'path',
  'peer', 'state', 'reason'];

// RFC 4180: quoted cells may hold commas, doubled quotes and line breaks.
function parseCsv(text) {
  const rows = [];
  let row = [], cell = '', quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') { cell += '"'; i++; }
      else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') { row.push(cell); cell = ''; }
    else if (c === '\r' && text[i + 1] === '\n') { row.push(cell); rows.push(row); row = []; cell = ''; i++; }
    else cell += c;
  }
  assert.equal(cell + row.join(''), '', 'the file ends with a line end');
  return rows;
}

// A cell as a spreadsheet would take it: text that looks like a formula
// starts with "'" (core/csv.h), numbers as they are, null as nothing.
function cellOf(v) {
  if (v === null || v === undefined) return '';
  if (typeof v !== 'string') return String(v);
  return /^[=+\-@\t\r]/.test(v) && !/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(v) ? `'${v}` : v;
}

async function csvOf(token, query, headers = {}) {
  const r = await request(srv.url, 'GET', `/api/v1/audit?format=csv${query}`, { token, headers });
  return { ...r, rows: r.status === 200 ? parseCsv(r.body) : null };
}

// Each CSV row is the JSON event of the same rank, column by column.
function assertSameEvents(rows, events) {
  assert.deepEqual(rows[0], CSV_COLS, 'the header names the fields as the JSON does');
  assert.equal(rows.length, events.length + 1);
  events.forEach((e, i) => CSV_COLS.forEach((c, k) => assert.equal(rows[i + 1][k], cellOf(e[c]), `row ${i + 1} ${c}`)));
}

test('format=csv: the trail as an attachment, the same events as the JSON, text cells quoted and not formulas', async () => {
  const formula = '=HYPERLINK("http://evil.example","x")';
  assert.equal((await request(srv.url, 'POST', '/api/v1/session', { body: { username: formula, password: 'whatever-password' } })).status, 401);
  const named = (await ok(api.post('/api/v1/queues', { tenant: S.am, name: 'Ventes, "été"\nnuit', channel: 'chat' }), 201, 'queue')).id;

  const newest = (await trail(api))[0].seq;
  const bound = `&before=${newest + 1}`;
  const events = await trail(api, bound);
  const r = await csvOf(admin.token, bound);
  assert.equal(r.status, 200, r.body);
  assert.match(r.headers.get('content-type'), /^text\/csv; charset=utf-8/);
  assert.match(r.headers.get('content-disposition'), /^attachment; filename="relais-audit-\d{4}-\d{2}-\d{2}\.csv"$/);
  assert.equal(r.headers.get('x-next-before'), null, 'everything in one file');
  // the bytes begin with UTF-8's byte-order mark (fetch's text() drops it)
  const bytes = new Uint8Array(await (await fetch(`${srv.url}/api/v1/audit?format=csv${bound}`,
    { headers: { authorization: `Bearer ${admin.token}` } })).arrayBuffer());
  assert.deepEqual([...bytes.slice(0, 3)], [0xef, 0xbb, 0xbf], 'a byte-order mark, for Excel');
  assert.ok(!/[^\r]\n/.test(r.body.replace(/"[^"]*"/g, '')), 'CRLF line ends outside quoted cells');
  assertSameEvents(r.rows, events);

  const failed = r.rows.find((row) => row[2] === 'login_failed' && row[4].includes('HYPERLINK'));
  assert.equal(failed[4], `'${formula}`, 'a formula is kept as text');
  assert.ok(r.body.includes(`"'=HYPERLINK(""http://evil.example"",""x"")"`), 'quoted, quotes doubled');
  const q = r.rows.find((row) => row[8] === named);
  assert.equal(q[9], 'Ventes, "été"\nnuit', 'a comma, quotes, accents and a line break survive');
  assert.equal(q[5], S.am);
});

test('format=csv carries the filters and pages like the JSON', async () => {
  for (const query of [`&type=config&tenant=${S.am}`, '&user=audit-sup', '&type=login_failed']) {
    const events = await trail(api, query);
    assert.ok(events.length > 0, query);
    const r = await csvOf(admin.token, query);
    assert.equal(r.status, 200, query);
    assertSameEvents(r.rows, events);
  }
  const page = await ok(api.get('/api/v1/audit?type=config&limit=2'), 200, 'page');
  const r = await csvOf(admin.token, '&type=config&limit=2');
  assertSameEvents(r.rows, page.events);
  assert.equal(r.headers.get('x-next-before'), String(page.next_before), 'where the rest begins');
});

test('format=csv: a supervisor\'s file holds its scope only; bad input is a JSON 400; agents get a 403', async () => {
  const supToken = (await login(srv.url, 'audit-sup', 'audit-sup-password')).token;
  const supApi = client(srv.url, supToken);
  const bound = `&before=${(await trail(api))[0].seq + 1}`;
  const r = await csvOf(supToken, bound);
  assert.equal(r.status, 200);
  assert.ok(r.rows.length > 1);
  assert.ok(!r.body.includes(S.tp) && !r.body.includes(S.qTP.id) && !r.body.includes(S.custTP), 'nothing of Télécom Plus');
  assertSameEvents(r.rows, await trail(supApi, bound));
  assert.ok(!r.rows.some((row) => (row[2] === 'login' && row[4] === 'admin') || row[4] === 'nobody-at-all'),
    'not the admin\'s logins, not a name that is no user');
  assert.equal((await csvOf(supToken, `&tenant=${S.tp}`)).rows.length, 1, 'only the header');

  for (const query of ['format=xlsx', 'format=CSV', 'format=csv&limit=10001', 'format=csv&limit=0', 'format=csv&type=bogus']) {
    const bad = await request(srv.url, 'GET', `/api/v1/audit?${query}`, { token: admin.token });
    assert.equal(bad.status, 400, query);
    assert.match(bad.headers.get('content-type'), /application\/json/);
    assert.equal(bad.body.error.code, 'invalid_field', query);
  }
  const fr = await request(srv.url, 'GET', '/api/v1/audit?format=pdf', { token: admin.token, headers: { 'accept-language': 'fr' } });
  assert.equal(fr.body.error.message, 'format : il faut json ou csv');
  const agent = await csvOf((await login(srv.url, 'agent01')).token, '');
  assert.equal(agent.status, 403);
});
