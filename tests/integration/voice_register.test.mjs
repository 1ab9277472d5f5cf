// The agents' phones: their SIP logins (the phones kind) and relais's
// registrar, against real SIPp phones on 127.0.0.1.
//
// relais runs with --sip on a free port; each REGISTER is one SIPp run of
// tests/voice/register.xml (challenge, then digest of -au/-ap) or
// register_bad.xml (no credentials), whose answer SIPp writes to a log
// file that the test reads. SIPp is stopped by its PID if it hangs. One
// case uses baresip (headless, its own config folder) as a real softphone.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import dgram from 'node:dgram';
import net from 'node:net';
import { mkdtempSync, mkdirSync, readFileSync, rmSync, existsSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, login, client, ok, until, demoIds } from './lib.mjs';

const SCENARIOS = new URL('../voice/', import.meta.url).pathname;
let srv, sipPort, admin, ids, dir;
const S = {};

// A port free for both UDP and TCP on 127.0.0.1.
async function freePort() {
  for (;;) {
    const port = await new Promise((resolve, reject) => {
      const s = net.createServer().listen(0, '127.0.0.1', () => { const p = s.address().port; s.close(() => resolve(p)); });
      s.on('error', reject);
    });
    const free = await new Promise((resolve) => {
      const u = dgram.createSocket('udp4');
      u.once('error', () => resolve(false));
      u.bind(port, '127.0.0.1', () => u.close(() => resolve(true)));
    });
    if (free) return port;
  }
}

// One SIPp REGISTER: { status, text } of relais's last answer.
let runs = 0;
async function sipp(scenario, { user, auth = user, pass, keys = {}, tcp = false }) {
  const log = join(dir, `answer-${++runs}.log`);
  const args = ['-sf', join(SCENARIOS, scenario), '-s', user,
    ...(pass ? ['-au', auth, '-ap', pass] : []),
    ...Object.entries(keys).flatMap(([k, v]) => ['-key', k, String(v)]),
    '-m', '1', '-i', '127.0.0.1', '-p', String(await freePort()), '-t', tcp ? 't1' : 'u1',
    '-nostdin', '-timeout', '30s', '-trace_logs', '-log_file', log, `127.0.0.1:${sipPort}`];
  const p = spawn('sipp', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  p.stdout.on('data', (d) => { out += d; });
  p.stderr.on('data', (d) => { out += d; });
  const timer = setTimeout(() => p.kill('SIGKILL'), 45000);
  const code = await new Promise((resolve) => p.on('exit', (c) => resolve(c)));
  clearTimeout(timer);
  const text = existsSync(log) ? readFileSync(log, 'utf8') : '';
  const m = text.match(/^SIP\/2\.0 (\d{3})/m);
  assert.ok(m, `SIPp (exit ${code}) got no answer:\n${out.slice(-1500)}\n${srv.logs().slice(-1500)}`);
  return { status: Number(m[1]), text };
}

const register = (user, pass, contact, expires = 3600, more = {}) =>
  sipp('register.xml', { user, pass, keys: { contact, expires }, ...more });

// The contacts a 200 lists, with their expiries.
const listed = (text) => [...text.matchAll(/^Contact: <([^>]+)>;expires=(\d+)/gm)].map((m) => [m[1], Number(m[2])]);

const phoneOf = async (api, agent) => (await ok(api.get('/api/v1/phones?limit=500'), 200, 'phones')).items.find((p) => p.agent === agent);

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'relais-reg-'));
  sipPort = await freePort();
  srv = await startServer({ args: ['--sip', `127.0.0.1:${sipPort}`] });
  admin = client(srv.url, (await login(srv.url, 'admin')).token);
  ids = await demoIds(srv.url, (await login(srv.url, 'admin')).token);
  const agentOf = (u) => ids.users.find((x) => x.username === u).agent;
  S.agent01 = agentOf('agent01');
  S.agent02 = agentOf('agent02');
  // An agent of its own in a tenant and site of their own, with a phone.
  S.tenant = (await ok(admin.post('/api/v1/tenants', { name: 'Reg Other' }), 201, 'tenant')).id;
  S.site = (await ok(admin.post('/api/v1/sites', { name: 'Reg site' }), 201, 'site')).id;
  S.agent = (await ok(admin.post('/api/v1/agents', { name: 'Reg Agent', site: S.site, tenants: [S.tenant] }), 201, 'agent')).id;
  S.sup = (await ok(admin.post('/api/v1/users', {
    username: 'reg-sup', password: 'reg-sup-password', role: 'supervisor', tenants: [S.tenant], sites: [S.site],
  }), 201, 'supervisor')).id;
});

after(async () => {
  const dataDir = srv?.dataDir;
  if (srv) assert.equal((await srv.stop()).code, 0);
  if (dir) rmSync(dir, { recursive: true, force: true });
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

test('a demo agent registers with its demo login after a digest challenge, and its phone shows the binding', async () => {
  const contact = 'sip:agent01@127.0.0.1:40001';
  const first = await sipp('register_bad.xml', { user: 'agent01', keys: { contact_line: `Contact: <${contact}>`, expires_line: 'Expires: 600' } });
  assert.equal(first.status, 401);
  assert.match(first.text, /^WWW-Authenticate: Digest realm="relais", nonce="[0-9a-f]{56}", algorithm=MD5, qop="auth"/m);
  const r = await register('agent01', 'agent01-sip', `<${contact}>`, 600);
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(listed(r.text), [[contact, 600]]);
  const phone = await until(async () => {
    const p = await phoneOf(admin, S.agent01);
    return p.registrations.length === 1 && p;
  }, 'the registration in the view');
  assert.equal(phone.username, 'agent01');
  assert.equal(phone.registrations[0].contact, contact);
  assert.equal(phone.registrations[0].user_agent, 'sipp-test');
  assert.equal(phone.registrations[0].transport, 'udp');
  const left = Date.parse(phone.registrations[0].expires_at) - Date.now();
  assert.ok(left > 500e3 && left <= 600e3, `expires_at ${phone.registrations[0].expires_at}`);
  assert.match(srv.logs(), /info voice msg="registered" agent=\S+ contact="sip:agent01@127\.0\.0\.1:40001"/);
  // unregistered: Expires 0
  const gone = await register('agent01', 'agent01-sip', `<${contact}>`, 0);
  assert.equal(gone.status, 200);
  assert.deepEqual(listed(gone.text), []);
  assert.deepEqual((await phoneOf(admin, S.agent01)).registrations, []);
  assert.match(srv.logs(), /info voice msg="unregistered" agent=\S+ contact="sip:agent01@127\.0\.0\.1:40001"/);
});

test('baresip, a real softphone, registers agent08\'s demo login and unregisters when it stops', async () => {
  const home = join(dir, 'baresip');
  mkdirSync(home);
  let port;
  do port = await freePort(); while (port > 65000); // baresip may take port+1 too
  writeFileSync(join(home, 'config'), [
    'poll_method epoll', `sip_listen 127.0.0.1:${port}`, 'net_interface 127.0.0.1',
    'module_path /usr/lib/baresip/modules', 'module_app account.so', '',
  ].join('\n'));
  writeFileSync(join(home, 'accounts'), `<sip:agent08@127.0.0.1:${sipPort}>;auth_pass=agent08-sip;regint=600\n`);
  const phone = spawn('baresip', ['-f', home], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  phone.stdout.on('data', (d) => { out += d; });
  phone.stderr.on('data', (d) => { out += d; });
  const exited = new Promise((resolve) => phone.on('exit', resolve));
  const agent08 = ids.users.find((x) => x.username === 'agent08').agent;
  try {
    const reg = await until(async () => (await phoneOf(admin, agent08)).registrations[0], 'baresip registered', 15000,
      () => `${out}\n${srv.logs().slice(-1500)}`);
    assert.match(reg.contact, new RegExp(`^sip:agent08.*@127\\.0\\.0\\.1:${port}`));
    assert.match(reg.user_agent, /baresip/);
    assert.equal(reg.transport, 'udp');
  } finally {
    phone.kill('SIGTERM');
    await exited;
  }
  // on its way out it sent REGISTER with Expires: 0
  await until(async () => (await phoneOf(admin, agent08)).registrations.length === 0, 'baresip unregistered', 15000,
    () => `${out}\n${srv.logs().slice(-1500)}`);
});

test('a wrong password, an unknown login and a To other than the login are refused with 403 and logged', async () => {
  const contact = '<sip:agent02@127.0.0.1:40002>';
  assert.equal((await register('agent02', 'not-the-password', contact)).status, 403);
  assert.equal((await register('nobody', 'nobody-sip', contact)).status, 403);
  // agent01's credentials, for agent02's address of record
  assert.equal((await sipp('register.xml', { user: 'agent02', auth: 'agent01', pass: 'agent01-sip', keys: { contact, expires: 600 } })).status, 403);
  assert.match(srv.logs(), /warn voice msg="register refused: wrong credentials" user="agent02"/);
  assert.match(srv.logs(), /warn voice msg="register refused: wrong credentials" user="nobody"/);
  assert.match(srv.logs(), /warn voice msg="register refused: To is not the login" user="agent01"/);
  assert.deepEqual((await phoneOf(admin, S.agent02)).registrations, []);
  assert.deepEqual((await phoneOf(admin, S.agent01)).registrations, []);
  // the right password still works from the same address
  assert.equal((await register('agent02', 'agent02-sip', contact, 600)).status, 200);
  assert.equal((await register('agent02', 'agent02-sip', contact, 0)).status, 200);
});

test('after 5 wrong passwords from one address, that login waits there, even with the right password', async () => {
  const contact = '<sip:agent06@127.0.0.1:40015>';
  for (let i = 0; i < 5; i++) assert.equal((await register('agent06', `wrong-${i}-pass`, contact)).status, 403);
  assert.equal((await register('agent06', 'agent06-sip', contact, 600)).status, 403);
  assert.match(srv.logs(), /warn voice msg="register throttled" user="agent06" addr=127\.0\.0\.1/);
  const agent06 = ids.users.find((x) => x.username === 'agent06').agent;
  assert.deepEqual((await phoneOf(admin, agent06)).registrations, []);
  // another login from the same address is not held back
  assert.equal((await register('agent07', 'agent07-sip', '<sip:agent07@127.0.0.1:40017>', 0)).status, 200);
});

test('two devices of one login: both bound and listed, one removed, then all with Contact: *', async () => {
  const a = 'sip:agent03@127.0.0.1:40003', b = 'sip:agent03@127.0.0.1:40005';
  const agent03 = ids.users.find((x) => x.username === 'agent03').agent;
  assert.equal((await register('agent03', 'agent03-sip', `<${a}>`, 900)).status, 200);
  const both = await register('agent03', 'agent03-sip', `<${b}>`, 5000);
  assert.equal(both.status, 200);
  // 5000 s is clamped to 3600
  assert.deepEqual(listed(both.text).sort(), [[a, 900], [b, 3600]].sort());
  assert.deepEqual((await phoneOf(admin, agent03)).registrations.map((x) => x.contact).sort(), [a, b].sort());
  const one = await register('agent03', 'agent03-sip', `<${a}>`, 0);
  assert.deepEqual(listed(one.text), [[b, 3600]]);
  const none = await register('agent03', 'agent03-sip', '*', 0);
  assert.equal(none.status, 200);
  assert.deepEqual(listed(none.text), []);
  assert.deepEqual((await phoneOf(admin, agent03)).registrations, []);
});

test('REGISTER over TCP', async () => {
  const contact = 'sip:agent04@127.0.0.1:40007;transport=tcp';
  const agent04 = ids.users.find((x) => x.username === 'agent04').agent;
  const r = await register('agent04', 'agent04-sip', `<${contact}>`, 600, { tcp: true });
  assert.equal(r.status, 200, r.text);
  const reg = (await phoneOf(admin, agent04)).registrations;
  assert.equal(reg.length, 1);
  assert.equal(reg[0].contact, contact);
  assert.equal(reg[0].transport, 'tcp');
  assert.equal((await register('agent04', 'agent04-sip', `<${contact}>`, 0, { tcp: true })).status, 200);
});

test('malformed REGISTERs get 400 (or 423 under the minimum expiry) and change nothing', async () => {
  const bad = (contact_line, expires_line) => sipp('register_bad.xml', { user: 'agent05', keys: { contact_line, expires_line } });
  const c = 'Contact: <sip:agent05@127.0.0.1:40009>';
  assert.equal((await bad(c, 'Expires: soon')).status, 400);
  assert.equal((await bad('Contact: <sip:agent05@127.0.0.1:40009>;expires=-1', 'X-None: 1')).status, 400);
  assert.equal((await bad('Contact: <sip:agent05@127.0.0.1', 'X-None: 1')).status, 400);
  assert.equal((await bad('Contact: *', 'Expires: 3600')).status, 400);
  assert.equal((await bad(`Contact: *, <sip:agent05@127.0.0.1:40009>`, 'Expires: 0')).status, 400);
  const brief = await bad(c, 'Expires: 30');
  assert.equal(brief.status, 423);
  assert.match(brief.text, /^Min-Expires: 60/m);
  const agent05 = ids.users.find((x) => x.username === 'agent05').agent;
  assert.deepEqual((await phoneOf(admin, agent05)).registrations, []);
  // no Contact: a query (RFC 3261 §10.2.3), answered after the challenge
  assert.equal((await bad('X-None: 1', 'X-None: 2')).status, 401);
  // and the server still answers
  assert.equal((await register('agent05', 'agent05-sip', '<sip:agent05@127.0.0.1:40009>', 600)).status, 200);
  assert.equal((await phoneOf(admin, agent05)).registrations.length, 1);
});

test('phones API: the password is write-only, kept by an update without it, and checked at registration', async () => {
  const body = await ok(admin.post('/api/v1/phones', { agent: S.agent, username: 'reg.agent', password: 'first-pass' }), 201, 'create');
  assert.equal(body.password, undefined);
  assert.equal(body.ha1, undefined);
  assert.equal(body.password_set, true);
  assert.deepEqual(body.registrations, []);
  S.phone = body.id;
  const got = await ok(admin.get(`/api/v1/phones/${S.phone}`), 200, 'get');
  assert.equal(got.ha1, undefined);
  assert.equal(got.password, undefined);
  const contact = '<sip:reg.agent@127.0.0.1:40011>';
  assert.equal((await register('reg.agent', 'first-pass', contact, 600)).status, 200);
  // an update without the password keeps it
  await ok(admin.patch(`/api/v1/phones/${S.phone}`, { agent: S.agent }), 200, 'patch');
  assert.equal((await register('reg.agent', 'first-pass', contact, 600)).status, 200);
  // a new password replaces it
  await ok(admin.patch(`/api/v1/phones/${S.phone}`, { password: 'second-pass' }), 200, 'new password');
  assert.equal((await register('reg.agent', 'first-pass', contact, 600)).status, 403);
  assert.equal((await register('reg.agent', 'second-pass', contact, 600)).status, 200);
  // a new username needs the password again (the stored hash includes it)
  const r = await admin.patch(`/api/v1/phones/${S.phone}`, { username: 'reg.agent2' });
  assert.equal(r.status, 400);
  assert.equal(r.body.error.field, 'password');
  await ok(admin.patch(`/api/v1/phones/${S.phone}`, { username: 'reg.agent2', password: 'third-pass' }), 200, 'rename');
  assert.equal((await register('reg.agent2', 'third-pass', '<sip:reg.agent2@127.0.0.1:40011>', 600)).status, 200);
});

test('phones API: bad input is refused with the field named, uniqueness with 409, and nothing changes', async () => {
  const before = (await ok(admin.get('/api/v1/phones?limit=500'), 200, 'list')).total;
  const cases = [
    [{ agent: S.agent02, username: 'bad name', password: 'long-enough' }, 400, 'username'],
    [{ agent: S.agent02, username: 'x'.repeat(65), password: 'long-enough' }, 400, 'username'],
    [{ agent: S.agent02, username: 'fresh', password: 'short' }, 400, 'password'],
    [{ agent: S.agent02, username: 'fresh', password: 'p'.repeat(129) }, 400, 'password'],
    [{ agent: 'no-such-agent', username: 'fresh', password: 'long-enough' }, 400, 'agent'],
    [{ agent: S.agent02, username: 'fresh' }, 400, 'password'],
    [{ agent: S.agent02, username: 'fresh', password: 'long-enough', ha1: '00' }, 400, 'ha1'],
    // agent02 already has its demo phone; agent01 is the username of another
    [{ agent: S.agent02, username: 'fresh', password: 'long-enough' }, 409, 'agent'],
    [{ agent: S.agent, username: 'agent01', password: 'long-enough' }, 409, 'username'],
  ];
  for (const [b, status, field] of cases) {
    const r = await admin.post('/api/v1/phones', b);
    assert.equal(r.status, status, JSON.stringify([b, r.body]));
    assert.equal(r.body.error.field, field, JSON.stringify(r.body));
  }
  assert.equal((await ok(admin.get('/api/v1/phones?limit=500'), 200, 'list')).total, before);
  // an agent with a phone cannot be deleted
  const del = await admin.del(`/api/v1/agents/${S.agent}`);
  assert.equal(del.status, 409);
  assert.match(del.body.error.message, /phone/);
});

test('a supervisor sees the phones of the agents it sees; an agent its own; writes are the admin\'s', async () => {
  const sup = client(srv.url, (await login(srv.url, 'reg-sup', 'reg-sup-password')).token);
  const seen = (await ok(sup.get('/api/v1/phones?limit=500'), 200, 'sup list')).items;
  assert.deepEqual(seen.map((p) => p.id), [S.phone]);
  const p01 = await phoneOf(admin, S.agent01);
  assert.equal((await sup.get(`/api/v1/phones/${p01.id}`)).status, 404);
  // the demo supervisor sees both clients' agents, not this tenant's
  const demoSup = client(srv.url, (await login(srv.url, 'supervisor')).token);
  const demoSeen = (await ok(demoSup.get('/api/v1/phones?limit=500'), 200, 'demo sup')).items.map((p) => p.id);
  assert.ok(demoSeen.includes(p01.id));
  assert.ok(!demoSeen.includes(S.phone));
  const agent = client(srv.url, (await login(srv.url, 'agent02')).token);
  const own = (await ok(agent.get('/api/v1/phones'), 200, 'agent list')).items;
  assert.deepEqual(own.map((p) => p.username), ['agent02']);
  assert.equal((await agent.get(`/api/v1/phones/${p01.id}`)).status, 404);
  assert.equal((await agent.patch(`/api/v1/phones/${own[0].id}`, { password: 'mine-now-123' })).status, 403);
  assert.equal((await sup.post('/api/v1/phones', { agent: S.agent, username: 'x', password: 'long-enough' })).status, 403);
});

test('a deleted phone loses its bindings and no longer registers; its agent can then go', async () => {
  const contact = '<sip:reg.agent2@127.0.0.1:40013>';
  assert.equal((await register('reg.agent2', 'third-pass', contact, 600)).status, 200);
  assert.ok((await ok(admin.get(`/api/v1/phones/${S.phone}`), 200, 'get')).registrations.length >= 1);
  assert.equal((await admin.del(`/api/v1/phones/${S.phone}`)).status, 204);
  assert.match(srv.logs(), /msg="unregistered" agent=\S+ contact="sip:reg\.agent2@127\.0\.0\.1:40013"/);
  assert.equal((await register('reg.agent2', 'third-pass', contact, 600)).status, 403);
  assert.equal((await admin.del(`/api/v1/agents/${S.agent}`)).status, 204);
});

test('after a restart the logins are still there (their hashes stored) and the bindings are gone until the phones register again', async () => {
  const contact = '<sip:agent09@127.0.0.1:40019>';
  assert.equal((await register('agent09', 'agent09-sip', contact, 600)).status, 200);
  const dataDir = srv.dataDir;
  assert.equal((await srv.stop({ keep: true })).code, 0);
  srv = await startServer({ dataDir, args: ['--sip', `127.0.0.1:${sipPort}`] });
  admin = client(srv.url, (await login(srv.url, 'admin')).token);
  const agent09 = ids.users.find((x) => x.username === 'agent09').agent;
  assert.deepEqual((await phoneOf(admin, agent09)).registrations, []);
  assert.equal((await register('agent09', 'agent09-sip', contact, 600)).status, 200);
  assert.equal((await phoneOf(admin, agent09)).registrations.length, 1);
  assert.equal((await register('agent09', 'wrong-password', contact, 600)).status, 403);
});
