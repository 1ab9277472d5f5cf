// The API additions the web application needs (issue 11): the queues'
// service-level target, the tenants' pause reasons, an agent's own figures,
// customer notes and the audit trail. Each with its bad input (a 4xx JSON
// error that changes nothing) and, where tenants matter, its isolation.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, login, client, demoIds } from './lib.mjs';

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

async function ok(p, status, what) {
  const r = await p;
  assert.equal(r.status, status, `${what}: ${JSON.stringify(r.body)}`);
  return r.body;
}

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
