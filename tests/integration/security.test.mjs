// Logins, sessions and the audit trail: rate limiting, cookies, secrets
// never returned, audit events for administrative changes and for reads
// of customer data.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, login, client, request } from './lib.mjs';

let srv, admin, api;

before(async () => {
  srv = await startServer({ fsync: false });
  admin = await login(srv.url, 'admin');
  api = client(srv.url, admin.token);
});

after(async () => {
  assert.equal((await srv.stop()).code, 0, srv.logs());
});

async function lastEvents(n = 20) {
  const all = [];
  let after = 0;
  for (;;) {
    const r = await api.get(`/api/v1/events?after=${after}&limit=1000`);
    assert.equal(r.status, 200);
    all.push(...r.body.events);
    if (r.body.events.length < 1000) break;
    after = r.body.last;
  }
  return all.slice(-n);
}

test('five failed logins lock the user name for a while (429 with Retry-After), not the others', async () => {
  for (let i = 0; i < 5; i++) {
    const r = await request(srv.url, 'POST', '/api/v1/session', { body: { username: 'agent05', password: 'wrong-password' } });
    assert.equal(r.status, 401);
    assert.equal(r.body.error.code, 'unauthorized');
  }
  const locked = await request(srv.url, 'POST', '/api/v1/session', { body: { username: 'agent05', password: 'agent05-demo' } });
  assert.equal(locked.status, 429, 'even the right password waits');
  assert.equal(locked.body.error.code, 'rate_limited');
  assert.ok(Number(locked.headers.get('retry-after')) > 0);
  const other = await request(srv.url, 'POST', '/api/v1/session', { body: { username: 'agent06', password: 'agent06-demo' } });
  assert.equal(other.status, 201, 'another user name is not locked');
});

test('an unknown user name gets the same answer as a wrong password', async () => {
  const a = await request(srv.url, 'POST', '/api/v1/session', { body: { username: 'nobody-here', password: 'whatever-123' } });
  const b = await request(srv.url, 'POST', '/api/v1/session', { body: { username: 'agent07', password: 'whatever-123' } });
  assert.equal(a.status, 401);
  assert.deepEqual(a.body, b.body);
});

test('the session cookie is HttpOnly and SameSite=Strict; logging out ends the token', async () => {
  const r = await request(srv.url, 'POST', '/api/v1/session', { body: { username: 'supervisor', password: 'supervisor-demo' } });
  assert.equal(r.status, 201);
  const cookie = r.headers.get('set-cookie');
  assert.match(cookie, /^relais_session=[A-Za-z0-9_-]{43};/);
  assert.match(cookie, /HttpOnly/);
  assert.match(cookie, /SameSite=Strict/);
  assert.equal(cookie.split(';')[0].split('=')[1], r.body.token);
  const out = await request(srv.url, 'DELETE', '/api/v1/session', { token: r.body.token });
  assert.equal(out.status, 204);
  assert.match(out.headers.get('set-cookie'), /Max-Age=0/);
  assert.equal((await request(srv.url, 'GET', '/api/v1/session', { token: r.body.token })).status, 401);
});

test('passwords are never returned, and a new user logs in with the password given', async () => {
  const r = await api.post('/api/v1/users', { username: 'sec-user', password: 'a long passphrase', role: 'client', tenants: [] });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  const text = JSON.stringify(r.body) + JSON.stringify((await api.get(`/api/v1/users/${r.body.id}`)).body) +
    JSON.stringify((await api.get('/api/v1/users?limit=500')).body);
  assert.doesNotMatch(text, /password|argon2/);
  const s = await login(srv.url, 'sec-user', 'a long passphrase');
  assert.equal(s.user.role, 'client');
  const p = await api.patch(`/api/v1/users/${r.body.id}`, { password: 'another long one' });
  assert.equal(p.status, 200);
  assert.equal((await request(srv.url, 'POST', '/api/v1/session', { body: { username: 'sec-user', password: 'a long passphrase' } })).status, 401);
  await login(srv.url, 'sec-user', 'another long one');
});

test('administrative changes are audited with who did them', async () => {
  const r = await api.post('/api/v1/skills', { name: 'sec.audit' });
  assert.equal(r.status, 201);
  await api.patch(`/api/v1/skills/${r.body.id}`, { name: 'sec.audit2' });
  await api.del(`/api/v1/skills/${r.body.id}`);
  const audits = (await lastEvents(50)).filter((e) => e.type === 'audit.config' && e.data.id === r.body.id);
  assert.deepEqual(audits.map((e) => e.data.action), ['create', 'update', 'delete']);
  for (const e of audits) {
    assert.equal(e.data.kind, 'skills');
    assert.equal(e.data.user, admin.user.id);
    assert.equal(e.data.username, 'admin');
  }
});

test('reads of customer data are audited, with the reader', async () => {
  const tenant = (await api.get('/api/v1/tenants')).body.items[0].id;
  const c = await api.post('/api/v1/customers', { tenant, name: 'Sec Customer', phones: ['+33611223344'] });
  assert.equal(c.status, 201, JSON.stringify(c.body));
  const integ = await login(srv.url, 'integration');
  const g = await client(srv.url, integ.token).get(`/api/v1/customers/${c.body.id}`);
  assert.equal(g.status, 200);
  const h = await client(srv.url, integ.token).get(`/api/v1/customers/${c.body.id}/contacts`);
  assert.equal(h.status, 200);
  const reads = (await lastEvents(20)).filter((e) => e.type === 'audit.customer_read' && e.data.customer === c.body.id);
  assert.equal(reads.length, 2);
  for (const e of reads) {
    assert.equal(e.data.user, integ.user.id);
    assert.equal(e.tenant, tenant);
  }
  assert.deepEqual(reads.map((e) => e.data.path), [`/api/v1/customers/${c.body.id}`, `/api/v1/customers/${c.body.id}/contacts`]);
});

test('logins are audited; the audit trail is not visible to clients or agents', async () => {
  const ev = (await lastEvents(200)).filter((e) => e.type === 'audit.login');
  assert.ok(ev.some((e) => e.data.username === 'admin'));
  const cl = await login(srv.url, 'client-assurmax');
  assert.equal((await client(srv.url, cl.token).get('/api/v1/events')).status, 403);
  const ag = await login(srv.url, 'agent03');
  assert.equal((await client(srv.url, ag.token).get('/api/v1/events')).status, 403);
});
