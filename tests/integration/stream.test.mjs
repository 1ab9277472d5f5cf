// The stream's promise under load: no gap, no duplicate and never a silent
// loss. A catch-up pages through a log larger than its page and its
// socket; a subscriber that stops reading is told where it stopped and
// closed, and resumes from there; an `after` beyond the log is refused;
// writes commit while a catch-up runs; one user's catch-ups wait their
// turn; a cookie stream needs the Origin of this server.
//
// The server runs with a small catch-up page (RELAIS_CATCHUP_PAGE=50), a
// small send queue (RELAIS_STREAM_QUEUE_MAX=64 KiB), a long linger of a
// closed stream (RELAIS_STREAM_LINGER_MS) and one catch-up at a
// time per user (RELAIS_CATCHUP_PER_USER=1), so that a few megabytes of
// events exercise every bound.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import WebSocket from 'ws';
import { startServer, login, client, openStream, demoIds, request } from './lib.mjs';

const PAGE = 50;
const BLOB = 'x'.repeat(20000); // per contact.created event: past the socket buffers fast
const BIG = 'x'.repeat(60000); // the largest under the 64 KiB bound of a body
let srv, admin, api, T1, Q1;
const opened = [];

// The most the kernel may hold of one loopback connection: its sender's
// and its receiver's largest buffers.
function kernelBuffers() {
  const max = (f) => Number(readFileSync(`/proc/sys/net/ipv4/${f}`, 'utf8').trim().split(/\s+/)[2]);
  return max('tcp_rmem') + max('tcp_wmem');
}

async function createMany(n, conc = 16, blob = BLOB) {
  const out = [];
  let next = 0;
  async function worker() {
    while (next < n) {
      const i = next++;
      const r = await api.post('/api/v1/contacts', { tenant: T1, queue: Q1.id, channel: Q1.channel, attributes: { blob, i } });
      assert.equal(r.status, 201, JSON.stringify(r.body));
      out.push(r.body);
    }
  }
  await Promise.all(Array.from({ length: conc }, worker));
  return out;
}

// Every event of the log after `since`, as the admin sees them. Small
// pages: a response of several megabytes is not sent whole today (the HTTP
// layer's send queue, being rewritten).
async function eventsAfter(since) {
  const out = [];
  for (;;) {
    const r = await api.get(`/api/v1/events?after=${since}&limit=50`);
    assert.equal(r.status, 200, JSON.stringify(r.body));
    if (!r.body.events.length) return out;
    out.push(...r.body.events);
    since = r.body.last;
  }
}

async function t1SeqsAfter(since) {
  return (await eventsAfter(since)).filter((e) => e.tenant === T1).map((e) => e.seq);
}

async function stream(token, subscribe, afterSeq) {
  const st = await openStream(srv.url, token, { subscribe, after: afterSeq });
  opened.push(st);
  return st;
}

const events = (st) => st.messages.filter((m) => m.type === 'event');
const seqs = (st) => events(st).map((m) => m.seq);

// got holds want exactly, once each and in order, up to want's last: what
// the tenant logged after the snapshot of want (the engine's later events
// of the contacts made, on a slow machine) may follow and is not judged.
function assertExactly(got, want, what) {
  got = got.filter((s) => s <= want.at(-1));
  assert.equal(new Set(got).size, got.length, `${what}: a duplicate`);
  for (let i = 1; i < got.length; i++) assert.ok(got[i] > got[i - 1], `${what}: out of order at ${i}`);
  assert.deepEqual(got, want, `${what}: every event once, in order`);
}

function closed(ws) {
  return new Promise((resolve) => {
    if (ws.readyState === WebSocket.CLOSED) resolve(null);
    else ws.once('close', (code) => resolve(code));
  });
}

before(async () => {
  srv = await startServer({
    fsync: false,
    env: { RELAIS_CATCHUP_PAGE: String(PAGE), RELAIS_STREAM_QUEUE_MAX: '65536', RELAIS_CATCHUP_PER_USER: '1', RELAIS_STREAM_LINGER_MS: '120000' },
  });
  admin = await login(srv.url, 'admin');
  api = client(srv.url, admin.token);
  const ids = await demoIds(srv.url, admin.token);
  T1 = ids.tenants.find((t) => t.name === 'AssurMax').id;
  Q1 = ids.queues.find((q) => q.tenant === T1);
  // About 8 MB of this tenant's events: many pages, more than a socket holds.
  await createMany(400);
});

after(async () => {
  for (const st of opened) st.ws.terminate();
  if (srv) await srv.stop();
});

test('a catch-up from 0 pages through the whole log to a slow reader, then live: every event once, in order', async () => {
  const want0 = await t1SeqsAfter(0);
  assert.ok(want0.length > 10 * PAGE, `a log of ${want0.length} events`);
  const sup = await login(srv.url, 'supervisor');
  const st = await stream(sup.token, []);
  // The client reads nothing for a moment: more than its socket holds waits
  // for it on the server, nothing is dropped.
  st.ws.send(JSON.stringify({ subscribe: [`tenant:${T1}`], after: 0 }));
  st.ws._socket.pause();
  await new Promise((r) => setTimeout(r, 500));
  st.ws._socket.resume();
  await createMany(20, 4); // live events while it catches up
  const want = await t1SeqsAfter(0);
  await st.next((m) => m.type === 'event' && m.seq === want.at(-1), 20000);
  assertExactly(seqs(st), want, 'catch-up then live');
  assert.ok(!st.messages.some((m) => m.type === 'error' || m.type === 'overflow'));
});

test('writes keep committing while a catch-up runs', async () => {
  const want = await t1SeqsAfter(0);
  const st = await stream(admin.token, [`tenant:${T1}`], 0);
  // The reader holds its socket: the catch-up (about 8 MB) cannot end
  // before it reads again, however fast the machine, so the POST below is
  // answered while a catch-up runs.
  st.ws._socket.pause();
  const post = await api.post('/api/v1/contacts', { tenant: T1, queue: Q1.id, channel: Q1.channel });
  assert.equal(post.status, 201);
  const lastOfCatchup = want.at(-1);
  assert.ok(!seqs(st).includes(lastOfCatchup),
    `the POST answered before the catch-up reached its last event (${seqs(st).length} of ${want.length} delivered)`);
  st.ws._socket.resume();
  const all = await t1SeqsAfter(0);
  await st.next((m) => m.type === 'event' && m.seq === all.at(-1), 20000);
  assertExactly(seqs(st), all, 'the catch-up, then the POST\'s events');
});

test('after beyond the last sequence is refused', async () => {
  const st = await stream(admin.token, [`tenant:${T1}`]);
  const last = st.messages[0].last;
  st.ws.send(JSON.stringify({ subscribe: [`tenant:${T1}`], after: last + 1000 }));
  const err = await st.next((m) => m.type === 'error');
  assert.equal(err.error.code, 'invalid_field');
  assert.match(err.error.message, /^after: \d+ is beyond the last sequence, \d+$/);
  const st2 = await openStream(srv.url, admin.token, { subscribe: [`tenant:${T1}`], after: last + 1 });
  opened.push(st2);
  assert.equal(st2.messages[0].type, 'error', 'a fresh stream is refused too');
  assert.equal(st2.messages[0].error.code, 'invalid_field');
});

test('a subscriber that stops reading gets an overflow with its last sequence and a close; resuming from it loses nothing', async () => {
  const sup = await login(srv.url, 'supervisor');
  const st = await stream(sup.token, [`tenant:${T1}`]);
  const since = st.messages[0].last;
  st.ws._socket.pause();
  // Past the 64 KiB queue and past all the kernel may buffer on loopback
  // for a reader that does not read (the send and receive buffers may grow
  // to the maxima of tcp_wmem and tcp_rmem: 36 MB on some machines, where
  // a fixed 8 MB burst was absorbed whole now and then and no overflow came).
  // The overflow may come early in the burst: the server keeps the closed
  // connection (its overflow message queued) for RELAIS_STREAM_LINGER_MS,
  // two minutes here, for this reader to come back to it.
  await createMany(Math.ceil((kernelBuffers() + (4 << 20)) / BIG.length), 16, BIG);
  const want = await t1SeqsAfter(since);
  const gone = closed(st.ws);
  st.ws._socket.resume();
  const ov = await st.next((m) => m.type === 'overflow', 20000);
  assert.equal(await gone, 1008, 'closed by the server after the overflow');
  assert.equal(st.messages.at(-1), ov, 'nothing after the overflow');
  assert.equal(typeof ov.last, 'number');
  assert.match(ov.message, /65536 bytes.*after=\d+/);
  const got1 = seqs(st);
  assert.ok(got1.length < want.length, 'the overflow came before the end of the burst');
  assert.ok(ov.last >= (got1.at(-1) ?? since), 'last covers what was delivered');
  assertExactly(got1, want.filter((s) => s <= ov.last), 'before the overflow');

  const st2 = await stream(sup.token, [`tenant:${T1}`], ov.last);
  assert.equal(st2.messages[0].type, 'subscribed');
  await st2.next((m) => m.type === 'event' && m.seq === want.at(-1), 20000);
  assertExactly([...got1, ...seqs(st2)], want, 'the first connection and the resumed one together');
});

test('one user\'s second catch-up waits until the first one ends', async () => {
  const sup = await login(srv.url, 'supervisor');
  const want = await t1SeqsAfter(0);
  // A reads nothing: its catch-up fills the socket and stays reading.
  const a = await stream(sup.token, [`tenant:${T1}`]);
  a.ws.send(JSON.stringify({ subscribe: [`tenant:${T1}`], after: 0 }));
  a.ws._socket.pause();
  const b = await stream(sup.token, [`tenant:${T1}`], 0);
  assert.equal(b.messages[0].type, 'subscribed');
  await new Promise((r) => setTimeout(r, 500));
  assert.equal(events(b).length, 0, 'B waits while A catches up');
  // Another user is not held back by A.
  const c = await stream(admin.token, [`tenant:${T1}`], want.at(-2));
  await c.next((m) => m.type === 'event' && m.seq === want.at(-1));
  a.ws.terminate();
  await b.next((m) => m.type === 'event' && m.seq === want.at(-1), 20000);
  assertExactly(seqs(b), want, 'B, once A has gone');
});

test('a stream on a session cookie needs the Origin of this server', async () => {
  const url = srv.url.replace('http', 'ws') + '/api/v1/stream';
  const attempt = (opts) => new Promise((resolve) => {
    const ws = new WebSocket(url, { headers: { cookie: admin.cookie }, ...opts });
    ws.once('open', () => { ws.terminate(); resolve(101); });
    ws.once('unexpected-response', (req, res) => { resolve(res.statusCode); req.destroy(); });
    ws.once('error', () => {});
  });
  assert.equal(await attempt({}), 403, 'no Origin');
  assert.equal(await attempt({ origin: 'http://evil.example' }), 403, 'another origin');
  assert.equal(await attempt({ origin: srv.url }), 101, 'this server');
  // A token is not sent by the browser on its own: no Origin needed.
  const st = await stream(admin.token, ['stats']);
  assert.equal(st.messages[0].type, 'subscribed');
});

test('a stream ends with its session: logout and a new password close it', async () => {
  const u = await api.post('/api/v1/users', { username: 'stream.sup', password: 'stream-password-1', role: 'supervisor', tenants: [T1] });
  assert.equal(u.status, 201, JSON.stringify(u.body));
  const a = await login(srv.url, 'stream.sup', 'stream-password-1');
  const b = await login(srv.url, 'stream.sup', 'stream-password-1');
  const closed = (st) => new Promise((r) => st.ws.once('close', (code) => r(code)));
  const sa = await openStream(srv.url, a.token, { subscribe: [`tenant:${T1}`] });
  const sb = await openStream(srv.url, b.token, { subscribe: [`tenant:${T1}`] });
  const aClosed = closed(sa), bClosed = closed(sb);
  // logout of a: its stream ends, b's goes on
  assert.equal((await request(srv.url, 'DELETE', '/api/v1/session', { token: a.token })).status, 204);
  const m = await sa.next((x) => x.type === 'error', 4000);
  assert.equal(m.error.code, 'unauthorized');
  assert.equal(await aClosed, 1008);
  assert.equal(sb.ws.readyState, WebSocket.OPEN);
  // a new password ends b's session, and its stream
  assert.equal((await api.patch(`/api/v1/users/${u.body.id}`, { password: 'stream-password-2' })).status, 200);
  assert.equal(await bClosed, 1008);
});
