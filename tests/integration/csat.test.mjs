// CSAT: an outside survey system (an integration) or an admin records a
// customer's rating of an ended contact, once; the realtime figures of the
// contact's queue and the interval reports (by queue, agent, tenant and
// site; JSON and CSV) count it, by value; a restart rebuilds today's
// figures from the log. Bad input is a 400, a contact not ended or rated
// already a 409, another tenant's contact a 404 — and none changes a figure.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { startServer, login, client, demoIds, ok, until } from './lib.mjs';

let srv, admin, integ, S = {};

// A queue of tenant t with an agent (of site) that a user of its own drives.
async function team(t, site, name) {
  const q = await ok(admin.post('/api/v1/queues', { tenant: t, name, channel: 'chat', wrapup: 'none' }), 201, 'queue');
  const a = await ok(admin.post('/api/v1/agents', { name: `${name} agent`, site, tenants: [t], capacity: { chat: 1 } }), 201, 'agent');
  const u = `${name.replace(/\W/g, '').toLowerCase()}.agent`;
  await ok(admin.post('/api/v1/users', { username: u, password: 'csat-agent-pw', role: 'agent', agent: a.id }), 201, 'user');
  const me = client(srv.url, (await login(srv.url, u, 'csat-agent-pw')).token);
  await ok(me.put(`/api/v1/agents/${a.id}/state`, { state: 'available' }), 200, 'available');
  return { t, q: q.id, a: a.id, site, me };
}

// A contact of the team's queue, handled to its end.
async function handled(tm) {
  const c = await ok(admin.post('/api/v1/contacts', { tenant: tm.t, queue: tm.q, channel: 'chat' }), 201, 'contact');
  await until(async () => (await admin.get(`/api/v1/contacts/${c.id}`)).body.state === 'offered', 'offered');
  await ok(tm.me.post(`/api/v1/contacts/${c.id}/accept`), 200, 'accept');
  await ok(tm.me.post(`/api/v1/contacts/${c.id}/complete`, {}), 200, 'complete');
  await until(async () => (await admin.get(`/api/v1/contacts/${c.id}`)).body.state === 'completed', 'completed');
  return c.id;
}

async function queueStats(q) {
  const r = await ok(admin.get('/api/v1/stats/realtime'), 200, 'realtime');
  const row = r.queues.find((x) => x.id === q);
  return { csat_count: row.csat_count, csat_avg: row.csat_avg, csat_satisfied_pct: row.csat_satisfied_pct };
}

function report(group, extra = '') {
  const from = new Date(S.t0 - 3600e3).toISOString();
  const to = new Date(Date.now() + 3600e3).toISOString();
  return `/api/v1/reports/intervals?from=${from}&to=${to}&interval=1d&group=${group}${extra}`;
}

before(async () => {
  S.t0 = Date.now();
  srv = await startServer();
  const tok = (await login(srv.url, 'admin')).token;
  admin = client(srv.url, tok);
  integ = client(srv.url, (await login(srv.url, 'integration')).token);
  const ids = await demoIds(srv.url, tok);
  S.am = ids.tenants.find((t) => t.name === 'AssurMax').id;
  S.tp = ids.tenants.find((t) => t.name === 'Télécom Plus').id;
  S.paris = ids.sites.find((s) => s.name === 'Paris').id;
  S.casa = ids.sites.find((s) => s.name !== 'Paris').id;
  S.A = await team(S.am, S.paris, 'CSAT AM');
  S.T = await team(S.tp, S.casa, 'CSAT TP');
  S.a = [await handled(S.A), await handled(S.A), await handled(S.A)];
  S.tpc = await handled(S.T);
  await ok(admin.post('/api/v1/users', { username: 'csat-int-am', password: 'csat-int-am-pw', role: 'integration', tenants: [S.am] }), 201, 'user');
  S.intAM = client(srv.url, (await login(srv.url, 'csat-int-am', 'csat-int-am-pw')).token);
});

after(async () => {
  if (srv && srv.proc.exitCode === null && srv.proc.signalCode === null) await srv.stop();
  if (srv) rmSync(srv.dataDir, { recursive: true, force: true });
});

test('no rating yet: the figures are zero and null', async () => {
  assert.deepEqual(await queueStats(S.A.q), { csat_count: 0, csat_avg: null, csat_satisfied_pct: null });
});

test('an integration and an admin record ratings of ended contacts; the figures count them by value', async () => {
  const r = await ok(integ.post(`/api/v1/contacts/${S.a[0]}/csat`, { score: 5, comment: 'Parfait, merci' }), 201, 'csat');
  assert.deepEqual(r, { contact: S.a[0], score: 5, comment: 'Parfait, merci' });
  await ok(S.intAM.post(`/api/v1/contacts/${S.a[1]}/csat`, { score: 4 }), 201, 'csat');
  await ok(admin.post(`/api/v1/contacts/${S.a[2]}/csat`, { score: 2 }), 201, 'csat');
  await ok(integ.post(`/api/v1/contacts/${S.tpc}/csat`, { score: 1 }), 201, 'csat tp');
  assert.deepEqual(await queueStats(S.A.q), { csat_count: 3, csat_avg: 3.67, csat_satisfied_pct: 66.7 });
  assert.deepEqual(await queueStats(S.T.q), { csat_count: 1, csat_avg: 1, csat_satisfied_pct: 0 });
  // logged with the contact's queue, agent and site
  const ev = (await ok(admin.get('/api/v1/events?limit=1000'), 200, 'events')).events
    .filter((e) => e.type === 'contact.csat' && e.data.contact === S.a[0]);
  assert.equal(ev.length, 1);
  assert.deepEqual(ev[0].data, { contact: S.a[0], queue: S.A.q, agent: S.A.a, site: S.paris, channel: 'chat', score: 5, comment: 'Parfait, merci' });
});

test('bad input, a second rating, a live contact and another tenant\'s change nothing', async () => {
  for (const body of [{}, { score: 0 }, { score: 6 }, { score: 'five' }, { score: 3, extra: 1 }, { score: 3, comment: 'x'.repeat(2001) }]) {
    const r = await integ.post(`/api/v1/contacts/${S.tpc}/csat`, body);
    assert.equal(r.status, 400, JSON.stringify(body));
  }
  const again = await integ.post(`/api/v1/contacts/${S.a[0]}/csat`, { score: 1 });
  assert.equal(again.status, 409);
  assert.equal(again.body.error.code, 'conflict');
  const live = await ok(admin.post('/api/v1/contacts', { tenant: S.am, queue: S.A.q, channel: 'chat' }), 201, 'live');
  assert.equal((await integ.post(`/api/v1/contacts/${live.id}/csat`, { score: 3 })).status, 409);
  // AssurMax's integration does not see Télécom Plus's contact
  assert.equal((await S.intAM.post(`/api/v1/contacts/${S.tpc}/csat`, { score: 3 })).status, 404);
  assert.equal((await integ.post('/api/v1/contacts/00000000-0000-7000-8000-000000000000/csat', { score: 3 })).status, 404);
  for (const u of ['supervisor', 'agent01', 'client-assurmax']) {
    const api = client(srv.url, (await login(srv.url, u)).token);
    assert.equal((await api.post(`/api/v1/contacts/${S.a[0]}/csat`, { score: 3 })).status, 403, u);
  }
  assert.deepEqual(await queueStats(S.A.q), { csat_count: 3, csat_avg: 3.67, csat_satisfied_pct: 66.7 });
  assert.deepEqual(await queueStats(S.T.q), { csat_count: 1, csat_avg: 1, csat_satisfied_pct: 0 });
});

const pick = (row) => ({ csat_count: row.csat_count, csat_avg: row.csat_avg, csat_satisfied_pct: row.csat_satisfied_pct });

test('realtime per agent, tenant and site, within the caller\'s tenants only', async () => {
  const want = { csat_count: 3, csat_avg: 3.67, csat_satisfied_pct: 66.7 };
  const tp = { csat_count: 1, csat_avg: 1, csat_satisfied_pct: 0 };
  const none = { csat_count: 0, csat_avg: null, csat_satisfied_pct: null };
  const all = await ok(admin.get('/api/v1/stats/realtime'), 200, 'realtime');
  assert.deepEqual(pick(all.agents.find((a) => a.id === S.A.a)), want);
  assert.deepEqual(pick(all.agents.find((a) => a.id === S.T.a)), tp);
  assert.deepEqual(pick(all.tenants.find((t) => t.id === S.am)), want);
  assert.deepEqual(pick(all.tenants.find((t) => t.id === S.tp)), tp);
  assert.deepEqual(pick(all.sites.find((x) => x.id === S.paris)), want);
  assert.deepEqual(pick(all.sites.find((x) => x.id === S.casa)), tp);
  // ?tenant= narrows every figure to that tenant
  const onlyTp = await ok(admin.get(`/api/v1/stats/realtime?tenant=${S.tp}`), 200, 'tp');
  assert.deepEqual(onlyTp.tenants.map((t) => t.id), [S.tp]);
  assert.deepEqual(pick(onlyTp.sites.find((x) => x.id === S.paris)), none);
  assert.deepEqual(pick(onlyTp.sites.find((x) => x.id === S.casa)), tp);
  // a supervisor of AssurMax sees no rating of Télécom Plus, even in a site's
  await ok(admin.post('/api/v1/users', { username: 'csat-sup-am', password: 'csat-sup-am-pw', role: 'supervisor', tenants: [S.am], sites: [S.paris, S.casa] }), 201, 'supervisor');
  const sup = client(srv.url, (await login(srv.url, 'csat-sup-am', 'csat-sup-am-pw')).token);
  const mine = await ok(sup.get('/api/v1/stats/realtime'), 200, 'supervisor');
  assert.deepEqual(mine.tenants.map((t) => t.id), [S.am]);
  assert.deepEqual(pick(mine.sites.find((x) => x.id === S.paris)), want);
  assert.deepEqual(pick(mine.sites.find((x) => x.id === S.casa)), none);
  assert.equal(JSON.stringify(mine).includes(S.tp), false);
  // a client: its tenant's figures, no sites
  const cl = await ok(client(srv.url, (await login(srv.url, 'client-assurmax')).token).get('/api/v1/stats/realtime'), 200, 'client');
  assert.deepEqual(cl.tenants.map((t) => t.id), [S.am]);
  assert.deepEqual(cl.sites, []);
});

test('the interval report counts them per queue, agent, tenant and site, in JSON and CSV', async () => {
  const want = { csat_count: 3, csat_avg: 3.67, csat_satisfied_pct: 66.7 };
  for (const [group, key] of [['queue', S.A.q], ['agent', S.A.a], ['tenant', S.am], ['site', S.paris]]) {
    const rows = (await ok(admin.get(report(group)), 200, group)).rows.filter((r) => r.key === key);
    assert.equal(rows.length, 1, group);
    assert.deepEqual(pick(rows[0]), want, group);
  }
  const tp = (await ok(admin.get(report('tenant')), 200, 'tenant')).rows.find((r) => r.key === S.tp);
  assert.deepEqual(pick(tp), { csat_count: 1, csat_avg: 1, csat_satisfied_pct: 0 });
  const csv = await fetch(srv.url + report('queue', '&format=csv'), { headers: { authorization: `Bearer ${(await login(srv.url, 'admin')).token}` } });
  const lines = (await csv.text()).trim().split('\r\n');
  const head = lines[0].split(',');
  const row = lines.find((l) => l.includes(S.A.q)).split(',');
  assert.deepEqual([row[head.indexOf('csat_count')], row[head.indexOf('csat_avg')], row[head.indexOf('csat_satisfied_pct')]], ['3', '3.67', '66.7']);
});

test('after a restart, today\'s figures are rebuilt from the log', async () => {
  await srv.kill9();
  srv = await startServer({ dataDir: srv.dataDir });
  admin = client(srv.url, (await login(srv.url, 'admin')).token);
  integ = client(srv.url, (await login(srv.url, 'integration')).token);
  assert.deepEqual(await queueStats(S.A.q), { csat_count: 3, csat_avg: 3.67, csat_satisfied_pct: 66.7 });
  // still once per contact, across the restart
  assert.equal((await integ.post(`/api/v1/contacts/${S.a[1]}/csat`, { score: 5 })).status, 409);
});
