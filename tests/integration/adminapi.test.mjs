// What the administration pages need from the API: a step's filter checked
// without saving (POST /api/v1/queues/check-filter: 200 {"ok":true}, or 400
// with the position of the error), and the field a refused configuration
// write names, as "field" beside the message, in both languages (and, for a
// step's filter, its "position", as check-filter gives it).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, login, client, demoIds, request } from './lib.mjs';

let srv, admin, sup, agent, ids, tenant;

before(async () => {
  srv = await startServer({ demo: true });
  admin = client(srv.url, (await login(srv.url, 'admin')).token);
  sup = client(srv.url, (await login(srv.url, 'supervisor')).token);
  agent = client(srv.url, (await login(srv.url, 'agent01')).token);
  ids = await demoIds(srv.url, (await login(srv.url, 'admin')).token);
  tenant = ids.tenants[0].id;
});

after(async () => {
  if (srv) assert.equal((await srv.stop()).code, 0);
});

const count = async (kind) => (await admin.get(`/api/v1/${kind}?limit=1`)).body.total;

test('a good filter is ok, for the admin and the supervisor', async () => {
  for (const who of [admin, sup]) {
    const r = await who.post('/api/v1/queues/check-filter', { filter: 'lang.fr >= 6 && site.kind == "onshore"' });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.deepEqual(r.body, { ok: true });
  }
});

test('a bad filter answers 400 with its position, as the engine counts it', async () => {
  const r = await admin.post('/api/v1/queues/check-filter', { filter: 'lang.fr >= 6 && (' });
  assert.equal(r.status, 400);
  assert.equal(r.body.error.code, 'invalid_field');
  assert.equal(r.body.error.field, 'filter');
  assert.equal(typeof r.body.error.position, 'number');
  assert.match(r.body.error.message, /^filter "lang\.fr >= 6 && \(" at position (\d+): /);
  const n = Number(r.body.error.message.match(/at position (\d+)/)[1]);
  assert.equal(r.body.error.position, n);
  // The same text saved in a queue is refused with the same position.
  const q = await admin.post('/api/v1/queues', {
    tenant, name: 'check twin', channel: 'chat', steps: [{ after_s: 0, filter: 'lang.fr >= 6 && (' }],
  });
  assert.equal(q.status, 400);
  assert.match(q.body.error.message, new RegExp(`at position ${n}:`));
});

test('the position moves with the error', async () => {
  const a = await admin.post('/api/v1/queues/check-filter', { filter: 'site.kind == "moon"' });
  const b = await admin.post('/api/v1/queues/check-filter', { filter: 'lang.fr >= 1 || site.kind == "moon"' });
  assert.equal(a.status, 400);
  assert.equal(b.status, 400);
  assert.equal(b.body.error.position - a.body.error.position, 'lang.fr >= 1 || '.length);
});

test('check-filter changes nothing and refuses what is not a filter', async () => {
  const queues = await count('queues');
  for (const body of [{}, { filter: '' }, { filter: 5 }, { filter: 'x'.repeat(5000) }]) {
    const r = await admin.post('/api/v1/queues/check-filter', body);
    assert.equal(r.status, 400, JSON.stringify(body).slice(0, 80));
    assert.equal(r.body.error.code, 'invalid_field');
    assert.equal(r.body.error.field, 'filter');
  }
  assert.equal(await count('queues'), queues);
});

test('check-filter is for admins and supervisors', async () => {
  assert.equal((await agent.post('/api/v1/queues/check-filter', { filter: 'true' })).status, 403);
  assert.equal((await request(srv.url, 'POST', '/api/v1/queues/check-filter', { body: { filter: 'true' } })).status, 401);
});

test('a refused write names its field, in English and in French', async () => {
  const cases = [
    // the field tables
    [{ tenant, name: 'f1', channel: 'chat', priority: 'high' }, 'priority'],
    [{ tenant, name: 'f1', channel: 'chat', steps: [{ after_s: 0 }, { after_s: -1 }] }, 'steps[1].after_s'],
    [{ tenant, channel: 'chat' }, 'name'],
    [{ tenant, name: 'f1', channel: 'chat', colour: 'red' }, 'colour'],
    // the kind's own checks
    [{ tenant, name: 'f1', channel: 'chat', steps: [{ after_s: 0 }, { after_s: 5, filter: 'has(' }] }, 'steps[1].filter'],
    [{ tenant: 'nope', name: 'f1', channel: 'chat' }, 'tenant'],
  ];
  const queues = await count('queues');
  for (const lang of ['en', 'fr']) {
    for (const [body, field] of cases) {
      const r = await admin.post('/api/v1/queues', body, { headers: { 'Accept-Language': lang } });
      assert.equal(r.status, 400, `${lang} ${field}: ${JSON.stringify(r.body)}`);
      assert.equal(r.body.error.field, field, `${lang}: ${r.body.error.message}`);
    }
  }
  const fr = await admin.post('/api/v1/queues', { tenant: 'nope', name: 'f1', channel: 'chat' },
    { headers: { 'Accept-Language': 'fr' } });
  assert.match(fr.body.error.message, /^tenant : aucun objet/);
  assert.equal(await count('queues'), queues);
});

test('a queue saved with a bad step filter answers its field and position, as check-filter does', async () => {
  const bad = 'lang.fr >= 6 && (';
  const check = await admin.post('/api/v1/queues/check-filter', { filter: bad });
  assert.equal(check.status, 400);
  assert.equal(typeof check.body.error.position, 'number');
  const steps = [{ after_s: 0 }, { after_s: 10, filter: 'true' }, { after_s: 20, filter: bad }];
  const queues = await count('queues');
  for (const lang of ['en', 'fr']) {
    const headers = { 'Accept-Language': lang };
    const r = await admin.post('/api/v1/queues', { tenant, name: 'pos1', channel: 'chat', steps }, { headers });
    assert.equal(r.status, 400, JSON.stringify(r.body));
    assert.equal(r.body.error.field, 'steps[2].filter', lang);
    assert.equal(r.body.error.position, check.body.error.position, `${lang}: ${r.body.error.message}`);
  }
  const q = ids.queues[0];
  const before = (await admin.get(`/api/v1/queues/${q.id}`)).body;
  const multibyte = 'lang.fr >= 5 && site.kind == "é" &&& x';
  const want = (await admin.post('/api/v1/queues/check-filter', { filter: multibyte })).body.error.position;
  const r = await admin.patch(`/api/v1/queues/${q.id}`, { steps: [{ after_s: 0, filter: multibyte }] });
  assert.equal(r.status, 400, JSON.stringify(r.body));
  assert.equal(r.body.error.field, 'steps[0].filter');
  assert.equal(r.body.error.position, want, 'a byte position, as check-filter counts');
  assert.deepEqual((await admin.get(`/api/v1/queues/${q.id}`)).body, before, 'the queue did not change');
  assert.equal(await count('queues'), queues, 'no queue created');
  // a refusal of another field carries no position
  const other = await admin.post('/api/v1/queues', { tenant, name: 'pos2', channel: 'chat', steps: [{ after_s: 0 }, { after_s: -1 }] });
  assert.equal(other.body.error.field, 'steps[1].after_s');
  assert.equal(other.body.error.position, undefined);
});

test('updates, unique names, passwords and other kinds name their field too', async () => {
  const q = ids.queues[0];
  let r = await admin.patch(`/api/v1/queues/${q.id}`, { sl_target: 120 });
  assert.equal(r.status, 400);
  assert.equal(r.body.error.field, 'sl_target');
  r = await admin.patch(`/api/v1/queues/${q.id}`, { name: null });
  assert.equal(r.body.error.field, 'name');
  r = await admin.post('/api/v1/skills', { name: ids.skills[0].name });
  assert.equal(r.status, 409);
  assert.equal(r.body.error.field, 'name');
  r = await admin.post('/api/v1/skills', { name: 'Bad Name' });
  assert.equal(r.body.error.field, 'name');
  r = await admin.post('/api/v1/users', { username: 'shortpw', password: 'short', role: 'admin' });
  assert.equal(r.status, 400);
  assert.equal(r.body.error.field, 'password');
  r = await admin.post('/api/v1/tenants', { name: 'T', pause_reasons: ['a', 'a'] });
  assert.equal(r.body.error.field, 'pause_reasons[1]');
  r = await admin.post('/api/v1/agents', { name: 'A', site: ids.sites[0].id, skills: { 'no.such': 5 } });
  assert.equal(r.body.error.field, 'skills.no.such');
  r = await admin.post('/api/v1/calendars', { name: 'C', timezone: 'Mars/Olympus' });
  assert.equal(r.body.error.field, 'timezone');
});

test('a refusal that names no field has no field member', async () => {
  const r = await admin.del(`/api/v1/sites/${ids.sites[0].id}`);
  assert.equal(r.status, 409);
  assert.equal(r.body.error.field, undefined);
});
