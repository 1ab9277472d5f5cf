// The API additions the web application needs (issue 11): the queues'
// service-level target, the tenants' pause reasons, an agent's own figures,
// customer notes and the audit trail. Each with its bad input (a 4xx JSON
// error that changes nothing) and, where tenants matter, its isolation.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, login, client, demoIds, openStream, ok } from './lib.mjs';

let srv, api, ids, T1, T2;

before(async () => {
  srv = await startServer({ fsync: false });
  api = client(srv.url, (await login(srv.url, 'admin')).token);
  ids = await demoIds(srv.url, (await login(srv.url, 'admin')).token);
  T1 = ids.tenants.find((t) => t.name === 'AssurMax').id;
  T2 = ids.tenants.find((t) => t.name === 'Télécom Plus').id;
});

after(async () => {
  if (srv) {
    const st = await srv.stop();
    assert.equal(st.code, 0, srv.logs());
  }
});

function assertError(r, status, code, re) {
  assert.equal(r.status, status, JSON.stringify(r.body));
  assert.equal(r.body.error.code, code, JSON.stringify(r.body));
  assert.equal(typeof r.body.error.message, 'string');
  if (re) assert.match(r.body.error.message, re);
}

// ---- sl_target ----

test('a queue has a service-level target, 80 % unless told, reported in the realtime statistics', async () => {
  const plain = await ok(api.post('/api/v1/queues', { tenant: T1, name: 'SL default', channel: 'chat' }), 201, 'create');
  assert.equal(plain.sl_target, 80);
  assert.equal(plain.sl_threshold_s, 20);
  const q = await ok(api.post('/api/v1/queues', { tenant: T1, name: 'SL 95', channel: 'chat', sl_target: 95 }), 201, 'create');
  assert.equal(q.sl_target, 95);
  assert.equal((await ok(api.get(`/api/v1/queues/${q.id}`), 200, 'get')).sl_target, 95);

  // Out of 0..100 or not an integer: refused, nothing changes.
  for (const bad of [101, -1, 50.5, '90', null]) {
    const r = await api.patch(`/api/v1/queues/${q.id}`, { sl_target: bad });
    assertError(r, 400, 'invalid_field', /sl_target/);
  }
  assert.equal((await ok(api.get(`/api/v1/queues/${q.id}`), 200, 'get')).sl_target, 95);
  await ok(api.patch(`/api/v1/queues/${q.id}`, { sl_target: 0 }), 200, 'patch to 0');

  const rt = await ok(api.get(`/api/v1/stats/realtime?tenant=${T1}`), 200, 'realtime');
  const mine = rt.queues.find((x) => x.id === q.id);
  assert.equal(mine.sl_target, 0);
  assert.ok('service_level' in mine);
  assert.equal(rt.queues.find((x) => x.id === plain.id).sl_target, 80);
  // The demo's queues, made before the field existed in their body or not, have one too.
  for (const x of rt.queues) assert.ok(Number.isInteger(x.sl_target) && x.sl_target >= 0 && x.sl_target <= 100, JSON.stringify(x));
});

// ---- pause reasons ----

async function agentState(id) {
  const rt = await ok(api.get('/api/v1/stats/realtime'), 200, 'realtime');
  const a = rt.agents.find((x) => x.id === id);
  assert.ok(a, `agent ${id} in the realtime statistics`);
  return a;
}

test('tenants have pause reasons (today\'s list unless told); an agent pauses with one of its tenants\' reasons only', async () => {
  const DEFAULT = ['break', 'lunch', 'training', 'coaching', 'meeting', 'technical', 'other'];
  const t1 = await ok(api.get(`/api/v1/tenants/${T1}`), 200, 'get T1');
  assert.deepEqual(t1.pause_reasons, DEFAULT);
  const fresh = await ok(api.post('/api/v1/tenants', { name: 'Pause Co' }), 201, 'create');
  assert.deepEqual(fresh.pause_reasons, DEFAULT);

  // Bad lists are refused and change nothing.
  for (const [bad, re] of [
    [['break', 'break'], /pause_reasons\[1\]/],
    [['x'.repeat(33)], /pause_reasons\[0\]/],
    [[''], /pause_reasons\[0\]/],
    [[7], /pause_reasons\[0\]/],
    ['break', /pause_reasons/],
  ]) {
    const r = await api.patch(`/api/v1/tenants/${T2}`, { pause_reasons: bad });
    assertError(r, 400, 'invalid_field', re);
  }
  assert.deepEqual((await ok(api.get(`/api/v1/tenants/${T2}`), 200, 'get T2')).pause_reasons, DEFAULT);

  const t2 = await ok(api.patch(`/api/v1/tenants/${T2}`, { pause_reasons: ['brief', 'break'] }), 200, 'patch T2');
  assert.deepEqual(t2.pause_reasons, ['brief', 'break']);

  // Agents of each tenant alone, and of both.
  const site = ids.sites[0].id;
  const mk = async (name, tenants) => ok(api.post('/api/v1/agents', { name, site, tenants, capacity: { sms: 1 } }), 201, 'agent');
  const onlyT1 = await mk('Pause T1', [T1]);
  const onlyT2 = await mk('Pause T2', [T2]);
  const both = await mk('Pause both', [T1, T2]);
  for (const a of [onlyT1, onlyT2, both]) await ok(api.put(`/api/v1/agents/${a.id}/state`, { state: 'available' }), 200, 'available');

  // T2's own reason: not for an agent of T1 alone, whose state stays.
  let r = await api.put(`/api/v1/agents/${onlyT1.id}/state`, { state: 'paused', reason: 'brief' });
  assertError(r, 400, 'invalid_field', /brief.*\(break, lunch, training, coaching, meeting, technical, other\)/);
  assert.equal((await agentState(onlyT1.id)).state, 'available');
  // T1's reason no longer in T2's list: refused for the agent of T2 alone, naming T2's.
  r = await api.put(`/api/v1/agents/${onlyT2.id}/state`, { state: 'paused', reason: 'lunch' });
  assertError(r, 400, 'invalid_field', /lunch.*\(brief, break\)/);
  assert.equal((await agentState(onlyT2.id)).state, 'available');
  r = await ok(api.put(`/api/v1/agents/${onlyT2.id}/state`, { state: 'paused', reason: 'brief' }), 200, 'pause brief');
  assert.equal(r.state, 'paused');
  assert.equal(r.reason, 'brief');
  // What each agent may pause with, as its desktop reads it.
  const reasons = async (a) => (await ok(api.get(`/api/v1/agents/${a.id}/pause-reasons`), 200, 'reasons')).reasons;
  assert.deepEqual(await reasons(onlyT1), DEFAULT);
  assert.deepEqual(await reasons(onlyT2), ['brief', 'break']);
  assert.deepEqual(await reasons(both), [...DEFAULT, 'brief']);
  assertError(await api.get('/api/v1/agents/no-such-agent/pause-reasons'), 404, 'not_found', /agent/);
  // From one pause to another: the new reason is an event a supervisor sees.
  const st = await openStream(srv.url, (await login(srv.url, 'admin')).token, { subscribe: [`agent:${onlyT2.id}`] });
  r = await ok(api.put(`/api/v1/agents/${onlyT2.id}/state`, { state: 'paused', reason: 'break' }), 200, 'pause break');
  const ev = await st.next((m) => m.event === 'agent.state' && m.data?.agent === onlyT2.id && m.data.reason === 'break');
  assert.equal(ev.data.state, 'paused');
  assert.equal(ev.data.prev, 'paused');
  assert.equal((await agentState(onlyT2.id)).reason, 'break');
  st.close();
  // The agent of both: the union.
  for (const reason of ['brief', 'lunch']) {
    await ok(api.put(`/api/v1/agents/${both.id}/state`, { state: 'available' }), 200, 'available');
    r = await ok(api.put(`/api/v1/agents/${both.id}/state`, { state: 'paused', reason }), 200, `pause ${reason}`);
    assert.equal(r.reason, reason);
  }
  r = await api.put(`/api/v1/agents/${both.id}/state`, { state: 'paused', reason: 'nap' });
  assertError(r, 400, 'invalid_field', /nap/);
  assert.equal((await agentState(both.id)).reason, 'lunch');
  // The French message.
  r = await api.put(`/api/v1/agents/${onlyT1.id}/state`, { state: 'paused', reason: 'brief' }, { headers: { 'accept-language': 'fr' } });
  assertError(r, 400, 'invalid_field', /n'est pas un motif de pause/);
  for (const a of [onlyT1, onlyT2, both]) await ok(api.put(`/api/v1/agents/${a.id}/state`, { state: 'offline' }), 200, 'offline');
});

// ---- an agent's own figures ----

test('an agent reads its own figures today (handled, AHT, occupancy, its queues\' service level), not another\'s', async () => {
  // A fresh agent of AssurMax on SMS and a fresh SMS queue: counters start at 0.
  const q = await ok(api.post('/api/v1/queues', { tenant: T1, name: 'Figures SMS', channel: 'sms', wrapup: 'manual', sl_target: 90 }), 201, 'queue');
  const paris = ids.sites.find((x) => x.name === 'Paris') || ids.sites[0];
  const a = await ok(api.post('/api/v1/agents', { name: 'Figures agent', site: paris.id, tenants: [T1], capacity: { sms: 1 } }), 201, 'agent');
  const u = await ok(api.post('/api/v1/users', { username: 'figures.agent', password: 'figures-agent-pw', role: 'agent', tenants: [T1], agent: a.id }), 201, 'user');
  assert.ok(u.id);
  const me = client(srv.url, (await login(srv.url, 'figures.agent', 'figures-agent-pw')).token);

  let f = await ok(me.get(`/api/v1/agents/${a.id}/figures`), 200, 'figures before');
  assert.equal(f.agent, a.id);
  assert.equal(f.handled, 0);
  assert.equal(f.aht_s, null);
  assert.equal(f.occupancy, null, 'offline all day: nothing to divide by');
  assert.ok(Date.parse(f.since) <= Date.now());
  const mine = f.queues.find((x) => x.id === q.id);
  assert.deepEqual(mine, { id: q.id, name: 'Figures SMS', service_level: null, sl_target: 90 });
  // Only queues it serves: none of Télécom Plus, no voice queue (no voice capacity).
  const byId = new Map(ids.queues.map((x) => [x.id, x]));
  for (const x of f.queues) {
    const full = byId.get(x.id) || q;
    assert.equal(full.tenant, T1, JSON.stringify(x));
    assert.equal(full.channel, 'sms', JSON.stringify(x));
  }

  // One contact handled, with a measurable talk.
  await ok(me.put(`/api/v1/agents/${a.id}/state`, { state: 'available' }), 200, 'available');
  const c = await ok(api.post('/api/v1/contacts', { tenant: T1, queue: q.id, channel: 'sms' }), 201, 'contact');
  for (let i = 0; i < 200; i++) {
    const v = await ok(api.get(`/api/v1/contacts/${c.id}`), 200, 'contact');
    if (v.state === 'offered') break;
    await new Promise((res) => setTimeout(res, 20));
  }
  await ok(me.post(`/api/v1/contacts/${c.id}/accept`), 200, 'accept');
  // a talk of at least a millisecond: a contact with no talk is not counted
  // as handled (core/metrics.c), and accept and complete can fall in the
  // same millisecond
  await new Promise((res) => setTimeout(res, 20));
  await ok(me.post(`/api/v1/contacts/${c.id}/complete`, {}), 200, 'complete');
  await ok(me.post(`/api/v1/contacts/${c.id}/wrapup`, {}), 200, 'wrapup');

  f = await ok(me.get(`/api/v1/agents/${a.id}/figures`), 200, 'figures after');
  assert.equal(f.handled, 1);
  assert.equal(typeof f.aht_s, 'number', JSON.stringify(f)); // tenths of a second: 0 here
  assert.ok(f.aht_s >= 0);
  assert.ok(f.occupancy > 0 && f.occupancy <= 1, JSON.stringify(f));
  assert.equal(f.queues.find((x) => x.id === q.id).service_level, 1);

  // Another agent's figures: 404 for an agent; the admin reads them.
  const other = ids.agents[0].id;
  const r = await me.get(`/api/v1/agents/${other}/figures`);
  assertError(r, 404, 'not_found');
  await ok(api.get(`/api/v1/agents/${other}/figures`), 200, 'admin reads any');
  // A client may not.
  const cl = client(srv.url, (await login(srv.url, 'client-assurmax')).token);
  assert.equal((await cl.get(`/api/v1/agents/${a.id}/figures`)).status, 403);
  await ok(me.put(`/api/v1/agents/${a.id}/state`, { state: 'offline' }), 200, 'offline');
});

// ---- customer notes ----

test('customers carry notes, editable with PATCH and logged as customer.updated with the user; another tenant\'s agent cannot', async () => {
  const cu = await ok(api.post('/api/v1/customers', { tenant: T1, name: 'Notes Client', phones: ['+33611223344'] }), 201, 'customer');
  const agent02 = await login(srv.url, 'agent02'); // serves AssurMax only
  const ag = client(srv.url, agent02.token);
  const last = (await ok(api.get('/api/v1/events?limit=1&after=0'), 200, 'events')).last;

  const p = await ok(ag.patch(`/api/v1/customers/${cu.id}`, { notes: 'Rappeler après 18 h.' }), 200, 'patch notes');
  assert.equal(p.notes, 'Rappeler après 18 h.');
  assert.equal((await ok(api.get(`/api/v1/customers/${cu.id}`), 200, 'get')).notes, 'Rappeler après 18 h.');
  // The change is in the log, with who made it.
  let found = null;
  for (let after = last ?? 0; !found;) {
    const page = await ok(api.get(`/api/v1/events?after=${after}&limit=1000`), 200, 'events');
    if (!page.events.length) break;
    found = page.events.find((e) => e.type === 'customer.updated' && e.data.customer === cu.id);
    after = page.last;
  }
  assert.ok(found, 'customer.updated logged');
  assert.equal(found.data.user, agent02.user.id);

  // Too long or not a string: refused, unchanged.
  for (const bad of ['x'.repeat(4001), 12, ['a']]) {
    const r = await ag.patch(`/api/v1/customers/${cu.id}`, { notes: bad });
    assertError(r, 400, 'invalid_field', /notes/);
  }
  assert.equal((await ok(api.get(`/api/v1/customers/${cu.id}`), 200, 'get')).notes, 'Rappeler après 18 h.');
  // null clears them.
  assert.equal((await ok(ag.patch(`/api/v1/customers/${cu.id}`, { notes: null }), 200, 'clear')).notes, null);

  // A customer of Télécom Plus: agent02 cannot see nor change it.
  const other = await ok(api.post('/api/v1/customers', { tenant: T2, name: 'Other Notes', notes: 'T2 only' }), 201, 'T2 customer');
  assert.equal(other.notes, 'T2 only');
  assertError(await ag.patch(`/api/v1/customers/${other.id}`, { notes: 'leak' }), 404, 'not_found');
  assert.equal((await ok(api.get(`/api/v1/customers/${other.id}`), 200, 'get')).notes, 'T2 only');
});

// ---- rows written before the new fields ----

test('queues and tenants stored before sl_target and pause_reasons existed get their defaults on start', async () => {
  const { mkdtempSync, rmSync } = await import('node:fs');
  const { spawnSync } = await import('node:child_process');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  const dir = mkdtempSync(join(tmpdir(), 'relais-webapi-'));
  let s;
  try {
    s = await startServer({ fsync: false, dataDir: dir });
    let a = client(s.url, (await login(s.url, 'admin')).token);
    const q = await ok(a.post('/api/v1/queues', { tenant: (await ok(a.get('/api/v1/tenants'), 200, 't')).items[0].id, name: 'Old queue', channel: 'chat', sl_target: 95 }), 201, 'queue');
    assert.equal((await s.stop({ keep: true })).code, 0);
    // As an older relais wrote them: without the fields.
    const r = spawnSync('sqlite3', [join(dir, 'relais.db'),
      "UPDATE queues SET body = json_remove(body, '$.sl_target'); UPDATE tenants SET body = json_remove(body, '$.pause_reasons');"], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    s = await startServer({ fsync: false, dataDir: dir });
    a = client(s.url, (await login(s.url, 'admin')).token);
    assert.equal((await ok(a.get(`/api/v1/queues/${q.id}`), 200, 'queue')).sl_target, 80);
    for (const t of (await ok(a.get('/api/v1/tenants'), 200, 'tenants')).items) assert.equal(t.pause_reasons.length, 7, JSON.stringify(t));
    const st = await s.stop({ keep: true });
    s = null;
    assert.equal(st.code, 0);
  } finally {
    if (s) await s.stop({ keep: true }); // a failed assertion must not leave it running
    rmSync(dir, { recursive: true, force: true });
  }
});

// ---- canned responses ----

test('canned responses: per tenant, a checked shortcut, read by the tenant\'s agents only, written by admins', async () => {
  const mk = (body) => api.post('/api/v1/responses', body);
  const am = await ok(mk({ tenant: T1, shortcut: 'bonjour', title: 'Accueil', text: 'Bonjour, je suis à votre écoute.' }), 201, 'AM');
  const tp = await ok(mk({ tenant: T2, shortcut: 'bonjour', title: 'Accueil TP', text: 'Bonjour de Télécom Plus.' }), 201, 'TP');
  assert.equal(am.shortcut, 'bonjour');
  for (const [body, field] of [
    [{ tenant: T1, shortcut: 'Bon jour', title: 't', text: 'x' }, 'shortcut'],
    [{ tenant: T1, shortcut: 'x'.repeat(33), title: 't', text: 'x' }, 'shortcut'],
    [{ tenant: T1, shortcut: 'ok', title: 't' }, 'text'],
    [{ tenant: 'no-such-tenant', shortcut: 'ok', title: 't', text: 'x' }, 'tenant'],
  ]) {
    const r = await mk(body);
    assert.equal(r.status, 400, JSON.stringify(r.body));
    assert.equal(r.body.error.field, field, JSON.stringify(r.body));
  }
  // agent02 serves AssurMax only: it reads AssurMax's, never Télécom Plus's
  const me = client(srv.url, (await login(srv.url, 'agent02')).token);
  const mine = (await ok(me.get('/api/v1/responses?limit=500'), 200, 'agent list')).items;
  assert.ok(mine.some((x) => x.id === am.id));
  assert.ok(!mine.some((x) => x.tenant === T2), 'nothing of Télécom Plus');
  assert.equal((await me.get(`/api/v1/responses/${tp.id}`)).status, 404);
  assert.equal((await me.post('/api/v1/responses', { tenant: T1, shortcut: 'moi', title: 't', text: 'x' })).status, 403);
  // a client may not read them
  const cl = client(srv.url, (await login(srv.url, 'client-assurmax')).token);
  assert.equal((await cl.get('/api/v1/responses')).status, 403);
  await ok(api.del(`/api/v1/responses/${tp.id}`), 204, 'delete');
});
