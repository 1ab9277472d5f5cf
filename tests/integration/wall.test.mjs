// What the wallboard reads and does through the API: the realtime
// statistics carry each queue's threshold and each agent's site, tenants
// (only those the caller sees) and channels; a supervisor's change of an
// agent's state is audited (audit.agent_state), an agent's own is not, and
// a refused change changes nothing.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, login, client, demoIds } from './lib.mjs';

let srv, admin, ids;

before(async () => {
  srv = await startServer({ fsync: false });
  admin = client(srv.url, (await login(srv.url, 'admin')).token);
  ids = await demoIds(srv.url, (await login(srv.url, 'admin')).token);
});
after(async () => {
  await srv?.stop();
});

const tenantId = (name) => ids.tenants.find((x) => x.name === name).id;

// The audit.agent_state events of the log, oldest first.
async function stateAudits() {
  const r = await admin.get('/api/v1/events?limit=1000');
  assert.equal(r.status, 200);
  return r.body.events.filter((e) => e.type === 'audit.agent_state');
}

test('realtime: queues carry their threshold, agents their site, tenants and channels', async () => {
  const q = ids.queues[0];
  assert.equal((await admin.patch(`/api/v1/queues/${q.id}`, { sl_threshold_s: 45 })).status, 200);
  const r = await admin.get('/api/v1/stats/realtime');
  assert.equal(r.status, 200);
  assert.equal(r.body.queues.find((x) => x.id === q.id).sl_threshold_s, 45);
  for (const a of r.body.agents) {
    const conf = ids.agents.find((x) => x.id === a.id);
    assert.equal(a.site, conf.site);
    assert.deepEqual(a.tenants, conf.tenants);
    assert.deepEqual(a.channels, Object.keys(conf.capacity).filter((c) => conf.capacity[c] > 0));
  }
});

test('realtime: a supervisor of AssurMax only gets no other tenant\'s id, even of an agent that serves both', async () => {
  // the demo's supervisor sees both tenants: one of AssurMax only, on every site
  const made = await admin.post('/api/v1/users', {
    username: 'sup-assurmax', password: 'sup-assurmax-pass', role: 'supervisor',
    tenants: [tenantId('AssurMax')], sites: ids.sites.map((x) => x.id),
  });
  assert.equal(made.status, 201);
  const sup = client(srv.url, (await login(srv.url, 'sup-assurmax', 'sup-assurmax-pass')).token);
  const telecom = tenantId('Télécom Plus');
  const shared = ids.agents.filter((a) => a.tenants.includes(telecom) && a.tenants.length > 1).map((a) => a.id);
  const r = await sup.get('/api/v1/stats/realtime');
  assert.equal(r.status, 200);
  assert.ok(r.body.agents.some((a) => shared.includes(a.id)), 'the supervisor sees an agent of both tenants');
  assert.ok(!JSON.stringify(r.body).includes(telecom), 'no Télécom Plus id in the supervisor\'s statistics');
  // an agent of its sites that serves Télécom Plus only shows no tenant
  for (const a of r.body.agents) assert.ok(a.tenants.every((x) => x === tenantId('AssurMax')), a.name);
});

test('a supervisor\'s change of an agent\'s state is audited; the agent\'s own is not; a refused one changes nothing', async () => {
  const supLogin = await login(srv.url, 'supervisor');
  const sup = client(srv.url, supLogin.token);
  const agentLogin = await login(srv.url, 'agent02');
  const me = agentLogin.user.agent;
  const before = (await stateAudits()).length;

  const r = await sup.put(`/api/v1/agents/${me}/state`, { state: 'paused', reason: 'lunch' });
  assert.equal(r.status, 200);
  let audits = await stateAudits();
  assert.equal(audits.length, before + 1);
  const ev = audits.at(-1);
  assert.deepEqual(ev.data, { id: me, state: 'paused', reason: 'lunch', user: supLogin.user.id, username: 'supervisor' });

  // a reason no tenant of the agent has: 400, nothing logged, still on lunch
  const bad = await sup.put(`/api/v1/agents/${me}/state`, { state: 'paused', reason: 'nap' });
  assert.equal(bad.status, 400);
  assert.equal(bad.body.error.code, 'invalid_field');
  assert.equal((await stateAudits()).length, before + 1);
  const now = (await admin.get('/api/v1/stats/realtime')).body.agents.find((a) => a.id === me);
  assert.equal(now.state, 'paused');
  assert.equal(now.reason, 'lunch');

  // the agent itself: its everyday work, not audited
  assert.equal((await client(srv.url, agentLogin.token).put(`/api/v1/agents/${me}/state`, { state: 'offline' })).status, 200);
  audits = await stateAudits();
  assert.equal(audits.length, before + 1);

  // forced offline by the admin: audited with a null reason
  assert.equal((await sup.put(`/api/v1/agents/${me}/state`, { state: 'available' })).status, 200);
  assert.equal((await admin.put(`/api/v1/agents/${me}/state`, { state: 'offline' })).status, 200);
  audits = await stateAudits();
  assert.equal(audits.length, before + 3);
  assert.equal(audits.at(-1).data.state, 'offline');
  assert.equal(audits.at(-1).data.reason, null);
  assert.equal(audits.at(-1).data.username, 'admin');
});
