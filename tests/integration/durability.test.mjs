// Durability: what the server acknowledged survives a kill -9 (fsync on, the
// default), exactly once and in its order of arrival; a graceful SIGTERM
// exits 0; sessions and configuration survive a restart; `relais migrate`
// and `relais user add` prepare a data folder a server can then use.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BIN, startServer, login, client, openStream, demoIds, request } from './lib.mjs';

const dirs = [];
const servers = [];

function freshDir() {
  const d = mkdtempSync(join(tmpdir(), 'relais-dur-'));
  dirs.push(d);
  return d;
}

// fsync stays on (the default) in this suite.
async function start(dataDir, opts = {}) {
  const srv = await startServer({ dataDir, ...opts });
  servers.push(srv);
  return srv;
}

after(async () => {
  for (const s of servers) if (s.proc.exitCode === null && s.proc.signalCode === null) await s.kill9();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function relais(args, input) {
  return spawnSync(BIN, args, { input, encoding: 'utf8', timeout: 30000 });
}

// Every event of the log (paged).
async function allEvents(api) {
  const out = [];
  let after = 0;
  for (;;) {
    const r = await api.get(`/api/v1/events?after=${after}&limit=1000`);
    assert.equal(r.status, 200, JSON.stringify(r.body));
    if (!r.body.events.length) return out;
    out.push(...r.body.events);
    after = r.body.last;
  }
}

function waitMessage(st, pred, ms = 5000) {
  return st.next(pred, ms);
}

test('kill -9 in the middle of a burst: every acknowledged contact survives, once, in its order of arrival', async () => {
  const dataDir = freshDir();
  const srv = await start(dataDir);
  const admin = await login(srv.url, 'admin');
  const ids = await demoIds(srv.url, admin.token);
  const T1 = ids.tenants.find((t) => t.name === 'AssurMax').id;
  const chat = ids.queues.find((q) => q.name === 'AssurMax chat');

  // 300 creations, 20 in flight; kill -9 at the 100th acknowledgement.
  const N = 300, INFLIGHT = 20, KILL_AT = 100;
  const acked = [];
  let next = 0, inflight = 0, inflightAtKill = -1, refused = 0, failed = 0;
  const worker = async () => {
    while (next < N && inflightAtKill < 0) {
      const n = next++;
      inflight++;
      try {
        const r = await request(srv.url, 'POST', '/api/v1/contacts', {
          token: admin.token, body: { tenant: T1, queue: chat.id, channel: 'chat', attributes: { n } },
        });
        if (r.status === 201) {
          acked.push({ ...r.body, n });
          if (acked.length === KILL_AT) {
            inflightAtKill = inflight - 1;
            srv.proc.kill('SIGKILL');
          }
        } else refused++;
      } catch {
        failed++; // the connection died with the server
      } finally {
        inflight--;
      }
    }
  };
  await Promise.all(Array.from({ length: INFLIGHT }, worker));
  const gone = await srv.exited;
  assert.equal(gone.sig, 'SIGKILL');
  assert.equal(refused, 0, 'no creation was refused before the kill');
  assert.ok(acked.length >= KILL_AT, `acknowledged: ${acked.length}`);
  assert.ok(inflightAtKill > 0, 'requests were in flight when the server died');
  assert.ok(acked.length + failed <= next && next < N, 'the kill came in the middle of the burst');

  // Same folder, new process. The old session still works.
  const srv2 = await start(dataDir);
  const api = client(srv2.url, admin.token);
  const me = await api.get('/api/v1/session');
  assert.equal(me.status, 200, 'the session survived the kill');
  assert.equal(me.body.user.username, 'admin');

  // Each acknowledged contact is there, still waiting, unchanged.
  for (const c of acked) {
    const r = await api.get(`/api/v1/contacts/${c.id}`);
    assert.equal(r.status, 200, `acknowledged contact ${c.id} (n=${c.n}) is lost`);
    assert.equal(r.body.state, 'queued');
    assert.equal(r.body.queue, chat.id);
    assert.equal(r.body.created_at, c.created_at);
    assert.deepEqual(r.body.attributes, { n: c.n });
  }

  // The history lists each of them exactly once.
  const list = await api.get('/api/v1/contacts?limit=500');
  assert.equal(list.status, 200);
  const listed = list.body.items.map((c) => c.id);
  assert.equal(new Set(listed).size, listed.length, 'no contact is listed twice');
  assert.equal(list.body.total, listed.length);
  assert.ok(listed.length >= acked.length && listed.length <= N, `contacts after restart: ${listed.length}`);
  const count = new Map();
  for (const id of listed) count.set(id, (count.get(id) || 0) + 1);
  for (const c of acked) assert.equal(count.get(c.id), 1, `contact ${c.id} listed ${count.get(c.id) || 0} times`);
  // Anything that is there (acknowledged or not) is whole and waiting.
  for (const c of list.body.items) {
    assert.equal(c.state, 'queued');
    assert.equal(typeof c.attributes.n, 'number');
  }
  assert.equal(new Set(list.body.items.map((c) => c.attributes.n)).size, listed.length, 'no request was applied twice');

  // The log holds exactly one contact.created per contact.
  const created = new Map();
  for (const e of await allEvents(api)) {
    if (e.type === 'contact.created') created.set(e.data.contact, (created.get(e.data.contact) || 0) + 1);
  }
  for (const id of listed) assert.equal(created.get(id), 1, `contact.created events for ${id}`);
  assert.equal(created.size, listed.length);

  // Still in their order of arrival: positions 1..M by created_at.
  const byPos = [...list.body.items].sort((a, b) => a.position - b.position);
  assert.deepEqual(byPos.map((c) => c.position), byPos.map((_, i) => i + 1));
  for (let i = 1; i < byPos.length; i++) assert.ok(byPos[i].created_at >= byPos[i - 1].created_at, 'positions follow created_at');
  const rs = await api.get(`/api/v1/stats/realtime?tenant=${T1}`);
  assert.equal(rs.body.queues.find((q) => q.id === chat.id).waiting, listed.length, 'the restarted engine holds them all');

  // The engine serves them in that order: an agent gets the oldest first.
  const agent = await login(srv2.url, 'agent02');
  const aapi = client(srv2.url, agent.token);
  const st = await openStream(srv2.url, agent.token, { subscribe: [`agent:${agent.user.agent}`] });
  let r = await aapi.put(`/api/v1/agents/${agent.user.agent}/state`, { state: 'available' });
  assert.equal(r.status, 200);
  const K = 6;
  const offers = [];
  while (offers.length < K) {
    const m = await waitMessage(st, (x) => x.type === 'event' && x.event === 'contact.offered' && !offers.includes(x.data.contact));
    offers.push(m.data.contact);
    r = await aapi.post(`/api/v1/contacts/${m.data.contact}/accept`);
    assert.equal(r.status, 200, JSON.stringify(r.body));
    r = await aapi.post(`/api/v1/contacts/${m.data.contact}/complete`, {});
    assert.equal(r.status, 200);
    r = await aapi.post(`/api/v1/contacts/${m.data.contact}/wrapup`, { disposition: 'resolved' });
    assert.equal(r.status, 200);
  }
  assert.deepEqual(offers, byPos.slice(0, K).map((c) => c.id), 'offered in order of arrival');
  await st.close();
  r = await aapi.put(`/api/v1/agents/${agent.user.agent}/state`, { state: 'offline' });
  assert.equal(r.status, 200);
  assert.equal((await srv2.stop()).code, 0);
});

test('a graceful SIGTERM exits 0; configuration, contacts and sessions survive the restart', async () => {
  const dataDir = freshDir();
  const srv = await start(dataDir);
  const admin = await login(srv.url, 'admin');
  const api = client(srv.url, admin.token);
  const post = async (path, body) => {
    const r = await api.post(path, body);
    assert.equal(r.status, 201, `${path}: ${JSON.stringify(r.body)}`);
    return r.body;
  };
  const tenant = await post('/api/v1/tenants', { name: 'Durable SA', timezone: 'Europe/Paris', languages: ['fr'] });
  const site = await post('/api/v1/sites', { name: 'Lyon', kind: 'home', timezone: 'Europe/Paris', country: 'FR', cost_per_hour: 21.5 });
  const skill = await post('/api/v1/skills', { name: 'durable.skill' });
  const doomed = await post('/api/v1/skills', { name: 'doomed.skill' });
  const cal = await post('/api/v1/calendars', { name: 'Weekdays', timezone: 'Europe/Paris', weekly: [{ day: 'mon', from: '09:00', to: '17:00' }], holidays: ['2026-12-25'] });
  const disp = await post('/api/v1/dispositions', { code: 'durable-done', label: { fr: 'Fait', en: 'Done' }, tenant: tenant.id });
  const queue = await post('/api/v1/queues', {
    tenant: tenant.id, name: 'Durable chat', channel: 'chat', priority: 3,
    steps: [{ after_s: 0, filter: 'durable.skill >= 2' }, { after_s: 60, filter: null, priority_delta: 2 }],
    dispositions: ['durable-done'], wrapup: 'manual',
  });
  const agentObj = await post('/api/v1/agents', {
    name: 'Agent Durable', site: site.id, skills: { 'durable.skill': 5 }, tenants: [tenant.id], capacity: { chat: 2 }, tags: ['night'],
  });
  const user = await post('/api/v1/users', { username: 'durable.agent', password: 'durable-pass-1', role: 'agent', agent: agentObj.id });
  let r = await api.patch(`/api/v1/queues/${queue.id}`, { priority: 4 });
  assert.equal(r.status, 200);
  const queueNow = r.body;
  r = await api.del(`/api/v1/skills/${doomed.id}`);
  assert.equal(r.status, 204);
  const contact = await post('/api/v1/contacts', { tenant: tenant.id, queue: queue.id, channel: 'chat', customer: { email: 'Client@Exemple.fr' } });

  // A second session logs out before the restart: it must stay dead.
  const other = await login(srv.url, 'supervisor');
  r = await request(srv.url, 'DELETE', '/api/v1/session', { token: other.token });
  assert.equal(r.status, 204);

  // A stream client is connected when the signal comes.
  const st = await openStream(srv.url, admin.token, { subscribe: [`tenant:${tenant.id}`] });
  const closed = new Promise((res) => st.ws.once('close', res));
  const exit = await srv.stop({ keep: true });
  assert.deepEqual(exit, { code: 0, sig: null }, srv.logs());
  await closed;

  const srv2 = await start(dataDir);
  const api2 = client(srv2.url, admin.token);
  r = await api2.get('/api/v1/session');
  assert.equal(r.status, 200, 'the admin session survived');
  assert.equal(r.body.user.id, admin.user.id);
  r = await request(srv2.url, 'GET', '/api/v1/session', { token: other.token });
  assert.equal(r.status, 401, 'a session that logged out stays logged out');
  // The cookie of the first login works too (GET needs no CSRF token).
  r = await request(srv2.url, 'GET', '/api/v1/session', { cookie: admin.cookie });
  assert.equal(r.status, 200);

  const same = async (kind, obj, strip = []) => {
    const g = await api2.get(`/api/v1/${kind}/${obj.id}`);
    assert.equal(g.status, 200, `${kind} ${obj.id} after restart`);
    const a = { ...g.body }, b = { ...obj };
    for (const f of strip) { delete a[f]; delete b[f]; }
    assert.deepEqual(a, b, `${kind} unchanged by the restart`);
  };
  await same('tenants', tenant);
  await same('sites', site);
  await same('skills', skill);
  await same('calendars', cal);
  await same('dispositions', disp);
  await same('queues', queueNow);
  await same('agents', agentObj, ['state', 'reason', 'state_since']);
  await same('users', user);
  r = await api2.get(`/api/v1/skills/${doomed.id}`);
  assert.equal(r.status, 404, 'a deleted object stays deleted');

  // The user created through the API can log in with its password.
  const du = await login(srv2.url, 'durable.agent', 'durable-pass-1');
  assert.equal(du.user.agent, agentObj.id);

  // The contact is still waiting in its queue, with its customer.
  r = await api2.get(`/api/v1/contacts/${contact.id}`);
  assert.equal(r.status, 200);
  assert.equal(r.body.state, 'queued');
  assert.equal(r.body.customer, contact.customer);
  r = await api2.get(`/api/v1/customers?tenant=${tenant.id}&email=client@exemple.fr`);
  assert.equal(r.status, 200);
  assert.deepEqual(r.body.items.map((c) => c.id), [contact.customer]);
  // And the restored queue routes it: the agent (durable.skill 5 >= 2) gets it.
  const dapi = client(srv2.url, du.token);
  const ast = await openStream(srv2.url, du.token, { subscribe: [`agent:${agentObj.id}`] });
  r = await dapi.put(`/api/v1/agents/${agentObj.id}/state`, { state: 'available' });
  assert.equal(r.status, 200);
  await waitMessage(ast, (m) => m.type === 'event' && m.event === 'contact.offered' && m.data.contact === contact.id);
  await ast.close();
  assert.deepEqual(await srv2.stop({ keep: true }), { code: 0, sig: null });
});

test('`relais migrate --data DIR` creates the store on a fresh folder and prints the schema version', () => {
  const dir = join(freshDir(), 'store');
  const r = relais(['migrate', '--data', dir]);
  assert.equal(r.status, 0, r.stderr);
  const m = r.stdout.match(/schema version (\d+)/);
  assert.ok(m, `no schema version in: ${r.stdout}`);
  assert.ok(Number(m[1]) >= 1);
  assert.ok(existsSync(join(dir, 'relais.db')));
  // Again on the same folder: nothing to do, same version.
  const again = relais(['migrate', '--data', dir]);
  assert.equal(again.status, 0, again.stderr);
  assert.equal(again.stdout.match(/schema version (\d+)/)?.[1], m[1]);
  // A wrong argument is refused.
  assert.notEqual(relais(['migrate', '--bogus']).status, 0);
});

test('`relais user add` makes a login a server started on the folder accepts; short passwords are refused', async () => {
  const dir = freshDir();
  let r = relais(['user', 'add', 'boss', '--role', 'admin', '--data', dir], 'correct-horse-battery\n');
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /boss/);
  // 11 characters: refused, nothing created; 12: accepted.
  r = relais(['user', 'add', 'carol', '--role', 'admin', '--data', dir], 'elevenchars\n');
  assert.notEqual(r.status, 0, 'an 11-character password must be refused');
  assert.match(r.stderr, /password/);
  r = relais(['user', 'add', 'dave', '--role', 'admin', '--data', dir], 'twelvecharsk\n');
  assert.equal(r.status, 0, r.stderr);
  // The same name twice is refused.
  r = relais(['user', 'add', 'boss', '--role', 'admin', '--data', dir], 'another-password\n');
  assert.notEqual(r.status, 0);
  // The agent role needs --agent.
  r = relais(['user', 'add', 'erin', '--role', 'agent', '--data', dir], 'erin-password\n');
  assert.notEqual(r.status, 0);

  const srv = await start(dir, { demo: false });
  const boss = await login(srv.url, 'boss', 'correct-horse-battery');
  assert.equal(boss.user.role, 'admin');
  assert.equal(boss.user.password_hash, undefined, 'the hash is never returned');
  const dave = await login(srv.url, 'dave', 'twelvecharsk');
  assert.equal(dave.user.role, 'admin');
  r = await request(srv.url, 'POST', '/api/v1/session', { body: { username: 'carol', password: 'elevenchars' } });
  assert.equal(r.status, 401, 'carol was not created');
  r = await request(srv.url, 'POST', '/api/v1/session', { body: { username: 'boss', password: 'another-password' } });
  assert.equal(r.status, 401, 'the refused second "boss" did not change the password');
  // The new admin can work: its users are the two made by the CLI.
  const users = await client(srv.url, boss.token).get('/api/v1/users');
  assert.equal(users.status, 200);
  assert.deepEqual(users.body.items.map((u) => u.username).sort(), ['boss', 'dave']);
  assert.deepEqual(await srv.stop({ keep: true }), { code: 0, sig: null });
});

// A restart reads waiting contacts without parsing their bodies (the store
// hands the fields the engine needs); one that was being handled is parsed,
// put back in its queue without its agent, written and logged as requeued.
test('after a restart, a contact being handled waits again (contact.requeued) and a waiting one is unchanged', async () => {
  const dataDir = freshDir();
  const srv = await start(dataDir, { fsync: false });
  const admin = await login(srv.url, 'admin');
  const api = client(srv.url, admin.token);
  const ids = await demoIds(srv.url, admin.token);
  const T1 = ids.tenants.find((t) => t.name === 'AssurMax').id;
  const site = ids.sites.find((s) => s.name === 'Paris').id;
  const post = async (path, body) => {
    const r = await api.post(path, body);
    assert.equal(r.status, 201, `${path}: ${JSON.stringify(r.body)}`);
    return r.body;
  };
  const queue = await post('/api/v1/queues', { tenant: T1, name: 'Requeue chat', channel: 'chat', steps: [{ after_s: 0, filter: 'tag(requeue)' }] });
  const agent = await post('/api/v1/agents', { name: 'Agent Requeue', site, tenants: [T1], capacity: { chat: 1 }, tags: ['requeue'] });
  await post('/api/v1/users', { username: 'requeue.agent', password: 'requeue-pass-1', role: 'agent', agent: agent.id });
  const au = await login(srv.url, 'requeue.agent', 'requeue-pass-1');
  const aapi = client(srv.url, au.token);
  let r = await aapi.put(`/api/v1/agents/${agent.id}/state`, { state: 'available' });
  assert.equal(r.status, 200);
  const handled = await post('/api/v1/contacts', { tenant: T1, queue: queue.id, channel: 'chat', priority: 2, attributes: { n: 1 } });
  assert.equal(handled.state, 'offered');
  r = await aapi.post(`/api/v1/contacts/${handled.id}/accept`);
  assert.equal(r.status, 200, JSON.stringify(r.body));
  const waiting = await post('/api/v1/contacts', { tenant: T1, queue: queue.id, channel: 'chat', callback: true, attributes: { n: 2 } });
  const before = (await api.get(`/api/v1/contacts/${waiting.id}`)).body;
  assert.equal(before.state, 'callback-pending');
  // today's counters, rebuilt from the log at start-up
  const counters = async (a) => {
    const rs = await a.get(`/api/v1/stats/realtime?tenant=${T1}`);
    assert.equal(rs.status, 200);
    const q = rs.body.queues.find((x) => x.id === queue.id);
    const { agents: _a, waiting: _w, longest_wait_s: _l, ewt_s: _e, ...rest } = q;
    return rest;
  };
  const stats0 = await counters(api);
  assert.equal(stats0.offered, 2, JSON.stringify(stats0));
  assert.deepEqual(await srv.stop({ keep: true }), { code: 0, sig: null });

  const srv2 = await start(dataDir, { fsync: false });
  const api2 = client(srv2.url, admin.token);
  r = await api2.get(`/api/v1/contacts/${handled.id}`);
  assert.equal(r.status, 200);
  assert.equal(r.body.state, 'queued');
  assert.equal(r.body.agent, null);
  assert.equal(r.body.priority, 2);
  assert.deepEqual(r.body.attributes, { n: 1 });
  const requeued = (await allEvents(api2)).filter((e) => e.type === 'contact.requeued');
  assert.deepEqual(requeued.map((e) => [e.data.contact, e.data.was, e.data.reason]), [[handled.id, 'active', 'restart']]);
  assert.deepEqual(await counters(api2), stats0, 'the counters of the day survive the restart');
  r = await api2.get(`/api/v1/contacts/${waiting.id}`);
  assert.equal(r.status, 200);
  const { position: p0, ewt_s: e0, ...keep0 } = before;
  const { position: p1, ewt_s: e1, ...keep1 } = r.body;
  assert.deepEqual(keep1, keep0, 'a waiting contact is unchanged by the restart');
  // the stored row of the requeued contact was written back
  assert.deepEqual(await srv2.stop({ keep: true }), { code: 0, sig: null });
  const srv3 = await start(dataDir, { fsync: false });
  r = await client(srv3.url, admin.token).get(`/api/v1/contacts?state=queued&limit=500`);
  assert.ok(r.body.items.some((c) => c.id === handled.id), 'requeued and stored as queued');
  assert.deepEqual(await srv3.stop({ keep: true }), { code: 0, sig: null });
});
