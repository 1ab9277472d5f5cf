// Logins under attack and accounts over their life: unknown and known
// users cost the same, a flood of wrong passwords neither fills the
// hashing queue nor locks the user out of other addresses, the limits
// survive a restart, a new password ends the old sessions, expired
// sessions are purged, the minimum password is counted in characters,
// the cookie is Secure behind an HTTPS proxy, and cross-origin logins and
// cookie writes are refused.
//
// Each test uses its own client addresses (127.0.0.x) so that the limits
// of one do not reach another.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import http from 'node:http';
import { startServer, login, client, request, requestFrom } from './lib.mjs';

let srv, admin, api;

before(async () => {
  srv = await startServer({ fsync: false });
  admin = await login(srv.url, 'admin');
  api = client(srv.url, admin.token);
});

after(async () => {
  assert.equal((await srv.stop()).code, 0, srv.logs());
});

const loginFrom = (addr, username, password, base = srv.url, headers = {}) =>
  requestFrom(addr, base, 'POST', '/api/v1/session', { body: { username, password }, headers });

const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return (s[(s.length - 1) >> 1] + s[s.length >> 1]) / 2; };

function sql(dir, query) {
  const r = spawnSync('sqlite3', [`${dir}/relais.db`, query], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout.trim();
}

test('an unknown user name costs as much as a wrong password of a real user', async () => {
  const u = await api.post('/api/v1/users', { username: 'timing.user', password: 'timing-user-password', role: 'client', tenants: [] });
  assert.equal(u.status, 201, JSON.stringify(u.body));
  const known = [], unknown = [];
  for (let i = 0; i < 8; i++) {
    const addr = `127.0.1.${10 + i}`;
    for (const [name, times] of [['timing.user', known], ['timing.nobody', unknown]]) {
      const t0 = performance.now();
      const r = await loginFrom(addr, name, 'not-the-password');
      times.push(performance.now() - t0);
      assert.equal(r.status, 401, JSON.stringify(r.body));
    }
  }
  const k = median(known), n = median(unknown);
  assert.ok(n >= 0.5 * k && k >= 0.5 * n, `median known ${k.toFixed(1)} ms, unknown ${n.toFixed(1)} ms`);
});

test('a flood of wrong passwords is refused at the door; other users and addresses still log in', async () => {
  // 200 requests over 32 connections: 32 in flight at any time, and no
  // more connections than a per-address cap would allow.
  const agent = new http.Agent({ keepAlive: true, maxSockets: 32, localAddress: '127.0.2.1' });
  const flood = Array.from({ length: 200 }, () => requestFrom('127.0.2.1', srv.url, 'POST', '/api/v1/session',
    { body: { username: 'agent08', password: 'wrong-password' }, agent }));
  const [sup, elsewhere] = await Promise.all([
    loginFrom('127.0.2.1', 'supervisor', 'supervisor-demo'),
    loginFrom('127.0.2.2', 'agent08', 'agent08-demo'),
  ]);
  assert.equal(sup.status, 201, 'another user of the same address: ' + JSON.stringify(sup.body));
  assert.equal(elsewhere.status, 201, 'the same user from another address: ' + JSON.stringify(elsewhere.body));
  const answers = await Promise.all(flood);
  agent.destroy();
  const by = {};
  for (const r of answers) by[r.status] = (by[r.status] || 0) + 1;
  assert.ok((by[401] || 0) <= 5, `at most 5 wrong passwords were checked: ${JSON.stringify(by)}`);
  assert.equal((by[401] || 0) + (by[429] || 0), 200, JSON.stringify(by));
  for (const r of answers.filter((x) => x.status === 429)) {
    assert.equal(r.body.error.code, 'rate_limited');
    assert.ok(Number(r.headers.get('retry-after')) >= 1);
  }
  // The address now waits a minute for that user: Retry-After says the
  // time left, and it goes down as time passes.
  const a = await loginFrom('127.0.2.1', 'agent08', 'agent08-demo');
  assert.equal(a.status, 429);
  const ra = Number(a.headers.get('retry-after'));
  assert.ok(ra > 50 && ra <= 60, `Retry-After ${ra}`);
  assert.match(a.body.error.message, new RegExp(`${ra} s`));
  await new Promise((r) => setTimeout(r, 2200));
  const b = await loginFrom('127.0.2.1', 'agent08', 'agent08-demo');
  assert.equal(b.status, 429);
  const rb = Number(b.headers.get('retry-after'));
  assert.ok(rb <= ra - 1 && rb >= ra - 4, `Retry-After ${ra} then ${rb} 2.2 s later`);
});

test('five failures lock a user name from one address only', async () => {
  for (let i = 0; i < 5; i++)
    assert.equal((await loginFrom('127.0.3.1', 'agent09', 'wrong-password')).status, 401);
  assert.equal((await loginFrom('127.0.3.1', 'agent09', 'agent09-demo')).status, 429);
  assert.equal((await loginFrom('127.0.3.2', 'agent09', 'agent09-demo')).status, 201, 'another address is not locked out');
});

test('a new password ends the user\'s other sessions; deleting a user ends them all', async () => {
  const u = await api.post('/api/v1/users', { username: 'pw.user', password: 'first-password', role: 'client', tenants: [] });
  assert.equal(u.status, 201, JSON.stringify(u.body));
  const s1 = await login(srv.url, 'pw.user', 'first-password');
  const s2 = await login(srv.url, 'pw.user', 'first-password');
  assert.equal((await api.patch(`/api/v1/users/${u.body.id}`, { name: 'no password change' })).status, 200);
  assert.equal((await request(srv.url, 'GET', '/api/v1/session', { token: s1.token })).status, 200, 'other changes keep the sessions');
  assert.equal((await api.patch(`/api/v1/users/${u.body.id}`, { password: 'second-password' })).status, 200);
  for (const s of [s1, s2])
    assert.equal((await request(srv.url, 'GET', '/api/v1/session', { token: s.token })).status, 401);
  const s3 = await login(srv.url, 'pw.user', 'second-password');

  // An administrator who changes their own password keeps the session
  // that did it; their other sessions end.
  const a = await api.post('/api/v1/users', { username: 'pw.admin', password: 'admin-password-1', role: 'admin' });
  assert.equal(a.status, 201);
  const mine = await login(srv.url, 'pw.admin', 'admin-password-1');
  const other = await login(srv.url, 'pw.admin', 'admin-password-1');
  const p = await client(srv.url, mine.token).patch(`/api/v1/users/${a.body.id}`, { password: 'admin-password-2' });
  assert.equal(p.status, 200, JSON.stringify(p.body));
  assert.equal((await request(srv.url, 'GET', '/api/v1/session', { token: mine.token })).status, 200);
  assert.equal((await request(srv.url, 'GET', '/api/v1/session', { token: other.token })).status, 401);

  assert.equal((await api.del(`/api/v1/users/${u.body.id}`)).status, 204);
  assert.equal((await request(srv.url, 'GET', '/api/v1/session', { token: s3.token })).status, 401);
});

test('a password has at least 12 characters, counted as characters, not bytes', async () => {
  const base = { role: 'client', tenants: [] };
  let r = await api.post('/api/v1/users', { ...base, username: 'short.pw', password: 'abcdefghijk' });
  assert.equal(r.status, 400);
  assert.equal(r.body.error.code, 'invalid_field');
  assert.match(r.body.error.message, /password.*12 characters/);
  // 11 characters in 22 bytes: too short
  r = await api.post('/api/v1/users', { ...base, username: 'short.pw', password: 'é'.repeat(11) });
  assert.equal(r.status, 400, JSON.stringify(r.body));
  assert.match(r.body.error.message, /12 characters/);
  r = await api.post('/api/v1/users', { ...base, username: 'long.pw', password: 'é'.repeat(12) });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  await login(srv.url, 'long.pw', 'é'.repeat(12));
  r = await api.patch(`/api/v1/users/${r.body.id}`, { password: 'ŝ'.repeat(11) });
  assert.equal(r.status, 400);
  assert.match(r.body.error.message, /12 characters/);
});

test('a login from a page of another site is refused; a page of this server or a program is not', async () => {
  const body = { username: 'client-assurmax', password: 'client-assurmax-demo' };
  for (const origin of ['http://evil.example', 'null', `http://127.0.0.1:${srv.port + 1}`, `https://127.0.0.1:${srv.port}`]) {
    const r = await request(srv.url, 'POST', '/api/v1/session', { body, headers: { origin } });
    assert.equal(r.status, 403, origin);
    assert.equal(r.body.error.code, 'forbidden');
    assert.match(r.body.error.message, /origin/i);
    assert.equal(r.headers.get('set-cookie'), null);
  }
  let r = await request(srv.url, 'POST', '/api/v1/session', { body, headers: { origin: `http://127.0.0.1:${srv.port}` } });
  assert.equal(r.status, 201, 'same origin');
  r = await request(srv.url, 'POST', '/api/v1/session', { body });
  assert.equal(r.status, 201, 'no Origin: not a browser');
});

test('a cookie session refuses writes from another origin, even with the CSRF token', async () => {
  const s = await login(srv.url, 'admin');
  const send = (origin, extra = {}) => request(srv.url, 'POST', '/api/v1/skills', {
    body: { name: `origin.${Math.random()}` }, cookie: s.cookie, csrf: s.csrf, headers: origin ? { origin } : {}, ...extra,
  });
  let r = await send('http://evil.example');
  assert.equal(r.status, 403);
  assert.equal(r.body.error.code, 'forbidden');
  assert.match(r.body.error.message, /origin/i);
  r = await request(srv.url, 'DELETE', '/api/v1/session', { cookie: s.cookie, csrf: s.csrf, headers: { origin: 'http://evil.example' } });
  assert.equal(r.status, 403, 'logout from another site');
  r = await send(`http://127.0.0.1:${srv.port}`);
  assert.equal(r.status, 201, 'same origin');
  r = await send(null);
  assert.equal(r.status, 201, 'no Origin (not a browser), CSRF token given');
  // A read is not refused; a bearer token is no ambient credential.
  r = await request(srv.url, 'GET', '/api/v1/skills', { cookie: s.cookie, headers: { origin: 'http://evil.example' } });
  assert.equal(r.status, 200);
  r = await request(srv.url, 'POST', '/api/v1/skills', { body: { name: 'origin.bearer' }, token: s.token, headers: { origin: 'http://evil.example' } });
  assert.equal(r.status, 201);
});

test('limits survive a restart; expired sessions and the sessions of deleted users are purged', async () => {
  const own = await startServer({ fsync: false });
  const dir = own.dataDir;
  let s2;
  try {
    for (let i = 0; i < 5; i++)
      assert.equal((await loginFrom('127.0.4.1', 'agent10', 'wrong-password', own.url)).status, 401);
    const adm = await login(own.url, 'admin');
    const u = await client(own.url, adm.token).post('/api/v1/users', { username: 'gone.user', password: 'gone-user-password', role: 'client', tenants: [] });
    assert.equal(u.status, 201);
    await login(own.url, 'gone.user', 'gone-user-password');
    assert.equal((await client(own.url, adm.token).del(`/api/v1/users/${u.body.id}`)).status, 204);
    assert.deepEqual(await own.stop({ keep: true }), { code: 0, sig: null });
    assert.equal(sql(dir, `SELECT count(*) FROM sessions WHERE json_extract(body, '$.user') = '${u.body.id}'`), '0', 'the deleted user\'s session row');
    sql(dir, `INSERT INTO sessions VALUES ('expired-session', '{"user":"${adm.user.id}","csrf":"x","expires_ms":1000}')`);

    s2 = await startServer({ fsync: false, dataDir: dir });
    const r = await loginFrom('127.0.4.1', 'agent10', 'agent10-demo', s2.url);
    assert.equal(r.status, 429, 'the wait outlived the restart');
    const ra = Number(r.headers.get('retry-after'));
    assert.ok(ra > 0 && ra <= 60, `Retry-After ${ra}`);
    assert.equal((await loginFrom('127.0.4.2', 'agent10', 'agent10-demo', s2.url)).status, 201);
    // The sweep runs at start-up, then every minute.
    await login(s2.url, 'supervisor');
    assert.deepEqual(await s2.stop({ keep: true }), { code: 0, sig: null });
    s2 = null;
    assert.equal(sql(dir, "SELECT count(*) FROM sessions WHERE id = 'expired-session'"), '0', 'the expired session row');
  } finally {
    if (s2) await s2.stop({ keep: true });
    spawnSync('rm', ['-rf', dir]);
  }
});

test('behind a trusted proxy: the cookie is Secure for HTTPS and limits count the client\'s address', async () => {
  const own = await startServer({ fsync: false, args: ['--trusted-proxy', '127.0.5.1'] });
  try {
    const https = { 'x-forwarded-proto': 'https', 'x-forwarded-for': '198.51.100.7' };
    let r = await loginFrom('127.0.5.1', 'agent11', 'agent11-demo', own.url, https);
    assert.equal(r.status, 201);
    assert.match(r.headers.get('set-cookie'), /; Secure/);
    r = await loginFrom('127.0.5.1', 'agent11', 'agent11-demo', own.url, { 'x-forwarded-for': '198.51.100.7' });
    assert.doesNotMatch(r.headers.get('set-cookie'), /Secure/, 'plain HTTP through the proxy');
    r = await loginFrom('127.0.5.2', 'agent11', 'agent11-demo', own.url, https);
    assert.equal(r.status, 201);
    assert.doesNotMatch(r.headers.get('set-cookie'), /Secure/, 'not from the trusted proxy: the header is ignored');
    // Five failures of one client behind the proxy lock that client only.
    for (let i = 0; i < 5; i++)
      assert.equal((await loginFrom('127.0.5.1', 'agent12', 'wrong-password', own.url, https)).status, 401);
    assert.equal((await loginFrom('127.0.5.1', 'agent12', 'agent12-demo', own.url, https)).status, 429);
    r = await loginFrom('127.0.5.1', 'agent12', 'agent12-demo', own.url, { ...https, 'x-forwarded-for': '203.0.113.9, 198.51.100.8' });
    assert.equal(r.status, 201, 'another client of the same proxy');
    // A client cannot choose its address by sending the header itself.
    for (let i = 0; i < 5; i++)
      await loginFrom('127.0.5.3', 'client-telecom', 'wrong-password', own.url, { 'x-forwarded-for': `192.0.2.${i}` });
    assert.equal((await loginFrom('127.0.5.3', 'client-telecom', 'client-telecom-demo', own.url)).status, 429);
  } finally {
    assert.equal((await own.stop()).code, 0, own.logs());
  }
});
