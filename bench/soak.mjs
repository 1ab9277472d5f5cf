#!/usr/bin/env node
// soak — a server under a steady mixed load for SOAK_MINUTES (default 10,
// decimals allowed): does its memory and its descriptor count stay flat,
// does it answer every request, does every stream subscriber get every
// event of its topics exactly once? Last line:
//
//	soak minutes=M rss_start_mb=A rss_end_mb=B fds_start=C fds_end=D errors=E stream_gaps=G
//
// with indented details before it. Method: a `relais serve --demo
// --demo-traffic --no-fsync` on a free port of 127.0.0.1 and a temporary
// data folder; during the run, all in this one process:
//   - writer: the integration login creates contacts through the API at
//     SOAK_CONTACTS_PER_MIN (default 15, the demo traffic's own mean rate,
//     so twice the demo traffic in all), in a random queue of either
//     tenant; as the demo does, a voice or chat contact still waiting 60 to
//     240 s later is abandoned (a 409 there is normal: a robot took it);
//   - SOAK_READERS (default 4) HTTP readers (admin, supervisor) GET lists,
//     realtime statistics, interval reports, events and /healthz, 100 to
//     400 ms apart, each time they connect either on a fresh connection for
//     one request (closed after the answer) or, as often, on a keep-alive
//     connection kept for 5 to 40 requests, then dropped;
//   - SOAK_SUBS (default 6) WebSocket subscribers of /api/v1/stream, each on
//     one tenant's topic, connected for 5 to 20 s, away for 1 to 5 s, and
//     back with {"after": the last sequence they received};
//   - one slow subscriber (tenant topic and "stats") that stops reading its
//     socket for 3 to 6 s every 8 to 15 s. When the server says it
//     overflowed ({"type":"overflow","last":SEQ}, or an error with code
//     "overflow" and "last") and closes, it resumes after SEQ: not an error.
//     SOAK_BURST (default 0) contacts are created at once as each pause
//     begins, to make the backlog the server must bound or announce.
// Each subscriber checks live that sequences strictly increase and that an
// event is of its tenant. At the end the load stops, every subscriber is
// connected again and waits for the events up to the durable sequence S of
// that moment, and its received sequences over its whole life (from its
// first subscription to S, all sessions together) are compared with the
// log (GET /api/v1/events, paged with after/limit, events of its tenant):
// stream_gaps = events missing + received twice + received out of order
// or not in the log. RSS (VmRSS) and open descriptors (/proc/PID/fd) of
// the server are sampled after SOAK_WARMUP_S (default 10; a third of the
// run when that is shorter) with the load running, then every 10 s, and
// at the end after every client left and SOAK_SETTLE_S (default 5) of
// quiet. errors = HTTP 5xx, other unexpected answers, failed requests
// (connection errors, 15 s time-outs), stream error messages, unexpected
// closes, and a server that does not exit 0 on SIGTERM.
//
//	SOAK_MINUTES=1 node bench/soak.mjs
//	SOAK_MINUTES=0.5 SOAK_CONTACTS_PER_MIN=120 node bench/soak.mjs
//
// Exit status 1 when errors or stream_gaps is not 0.
import http from 'node:http';
import { createRequire } from 'node:module';
import { existsSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { loadavg } from 'node:os';

const ROOT = new URL('..', import.meta.url);
const require = createRequire(new URL('tests/integration/', ROOT));
const WebSocket = require('ws');

const num = (k, d) => {
  const v = process.env[k] === undefined || process.env[k] === '' ? d : Number(process.env[k]);
  if (!Number.isFinite(v) || v < 0) {
    console.error(`soak: ${k} must be a number >= 0, not "${process.env[k]}"`);
    process.exit(2);
  }
  return v;
};
const MINUTES = num('SOAK_MINUTES', 10);
const CPM = num('SOAK_CONTACTS_PER_MIN', 15);
const READERS = Math.floor(num('SOAK_READERS', 4));
const SUBS = Math.floor(num('SOAK_SUBS', 6));
const SETTLE_S = num('SOAK_SETTLE_S', 5);
const BURST = Math.floor(num('SOAK_BURST', 0));
const RUN_MS = MINUTES * 60000;
const WARMUP_MS = Math.min(num('SOAK_WARMUP_S', 10) * 1000, RUN_MS / 3);
const REQ_TIMEOUT_MS = 15000;
if (!(MINUTES > 0)) {
  console.error('soak: SOAK_MINUTES must be > 0');
  process.exit(2);
}

const now = () => Date.now();
const rand = (lo, hi) => lo + Math.random() * (hi - lo);
const pick = (a) => a[Math.floor(Math.random() * a.length)];

// Resolves after ms, or at once when the load stops (stop()).
let running = true;
let stopLoad;
const stopped = new Promise((r) => { stopLoad = r; });
const sleep = (ms) => new Promise((r) => setTimeout(r, Math.max(0, ms)));
const nap = (ms) => Promise.race([sleep(ms), stopped]);

// ---- errors: counted, the first few kept ----
const errs = { total: 0, kinds: {}, samples: [] };
function error(kind, detail) {
  errs.total++;
  errs.kinds[kind] = (errs.kinds[kind] || 0) + 1;
  if (errs.samples.length < 12) errs.samples.push(`${kind}: ${detail}`);
}

// ---- the server's memory and descriptors ----
function rssMb(pid) {
  const m = readFileSync(`/proc/${pid}/status`, 'utf8').match(/VmRSS:\s+(\d+) kB/);
  return m ? Number(m[1]) / 1024 : NaN;
}
const fdCount = (pid) => readdirSync(`/proc/${pid}/fd`).length;
const sample = (pid) => ({ t: now(), rss: rssMb(pid), fds: fdCount(pid) });

// ---- HTTP ----
let BASE;
const http_ = { requests: 0, byStatus: {}, fresh: 0, keepalive: 0 };
let burstAgent; // the bursts' connections

// One request; resolves { status, body } or { status: 0, err }.
function req(method, path, { token, body, agent = false } = {}) {
  const payload = body === undefined ? undefined : JSON.stringify(body);
  const headers = {};
  if (token) headers.authorization = `Bearer ${token}`;
  if (payload !== undefined) {
    headers['content-type'] = 'application/json';
    headers['content-length'] = Buffer.byteLength(payload);
  }
  http_.requests++;
  return new Promise((resolve) => {
    const r = http.request(BASE + path, { method, headers, agent }, (res) => {
      const chunks = [];
      res.on('data', (d) => chunks.push(d));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString();
        let parsed = text;
        try { parsed = JSON.parse(text); } catch { /* not JSON */ }
        http_.byStatus[res.statusCode] = (http_.byStatus[res.statusCode] || 0) + 1;
        resolve({ status: res.statusCode, body: parsed });
      });
      res.on('error', (e) => resolve({ status: 0, err: e.message }));
    });
    r.setTimeout(REQ_TIMEOUT_MS, () => r.destroy(new Error(`no answer in ${REQ_TIMEOUT_MS} ms`)));
    r.on('error', (e) => resolve({ status: 0, err: e.message }));
    r.end(payload);
  });
}

// Counts what is not one of the expected statuses.
function check(r, what, ok = [200]) {
  if (ok.includes(r.status)) return true;
  if (r.status === 0) error('request_failed', `${what}: ${r.err}`);
  else if (r.status >= 500) error('http_5xx', `${what}: ${r.status} ${JSON.stringify(r.body).slice(0, 160)}`);
  else error('http_unexpected', `${what}: ${r.status} ${JSON.stringify(r.body).slice(0, 160)}`);
  return false;
}

// ---- the writer: contacts at a steady rate ----
const abandonTimers = new Set();
const writes = { created: 0, abandoned: 0, already_taken: 0 };

// One contact in a random queue; the voice and chat ones abandoned later.
async function createContact(token, queues, agent) {
  const q = pick(queues);
  const r = await req('POST', '/api/v1/contacts', {
    token, agent,
    body: { tenant: q.tenant, queue: q.id, channel: q.channel, attributes: { source: 'soak' } },
  });
  if (!check(r, 'POST /api/v1/contacts', [201])) return;
  writes.created++;
  if (q.channel !== 'email') abandonLater(token, r.body.id, rand(60000, 240000));
}

async function writer(token, queues) {
  if (!CPM) return;
  const agent = new http.Agent({ keepAlive: true, maxSockets: 2 });
  const period = 60000 / CPM;
  let due = now();
  while (running) {
    await createContact(token, queues, agent);
    due += period;
    await nap(due - now());
  }
  agent.destroy();
}

function abandonLater(token, id, ms) {
  const t = setTimeout(async () => {
    abandonTimers.delete(t);
    if (!running) return;
    const r = await req('POST', `/api/v1/contacts/${id}/abandon`, { token, body: {} });
    if (r.status === 409) writes.already_taken++;
    else if (check(r, 'POST /api/v1/contacts/{id}/abandon', [200, 204])) writes.abandoned++;
  }, ms);
  abandonTimers.add(t);
}

// ---- the readers ----
let lastSeqSeen = 0;
const READS = [
  () => '/api/v1/contacts?limit=50',
  () => '/api/v1/queues?limit=100',
  () => '/api/v1/agents?limit=100',
  () => '/api/v1/customers?limit=20',
  () => '/api/v1/stats/realtime',
  () => '/api/v1/stats/realtime',
  () => {
    const to = new Date(), from = new Date(to.getTime() - 3 * 3600e3);
    return `/api/v1/reports/intervals?from=${from.toISOString()}&to=${to.toISOString()}&group=queue&interval=15m`;
  },
  () => `/api/v1/events?after=${Math.max(0, lastSeqSeen - 200)}&limit=100`,
  () => '/healthz',
];

async function reader(tokens) {
  let agent = false, left = 0;
  while (running) {
    if (left <= 0) {
      if (agent) agent.destroy();
      const fresh = Math.random() < 1 / 2;
      agent = fresh ? false : new http.Agent({ keepAlive: true, maxSockets: 1 });
      left = fresh ? 1 : Math.floor(rand(5, 41));
      if (fresh) http_.fresh++;
      else http_.keepalive++;
    }
    const path = pick(READS)();
    const r = await req('GET', path, { token: pick(tokens), agent });
    if (check(r, `GET ${path.split('?')[0]}`) && path === '/healthz') lastSeqSeen = r.body.seq;
    left--;
    await nap(rand(100, 400));
  }
  if (agent) agent.destroy();
}

// ---- stream subscribers ----
const stream = { sessions: 0, events: 0, overflows: 0, overflowLastMismatch: 0, stats: 0, pauses: 0 };

function isOverflow(m) {
  return m.type === 'overflow' || (m.type === 'error' && m.error && m.error.code === 'overflow');
}

class Subscriber {
  constructor(name, tenant, token, topics) {
    Object.assign(this, { name, tenant, token, topics });
    this.start = null; // the sequence its first subscription started after
    this.pos = null; // the last sequence received (or start)
    this.seqs = []; // every event's sequence, all sessions, in order
    this.disorder = 0; // received not after the previous one
    this.ws = null;
    this.sessions = 0;
    this.overflows = 0;
  }

  // Opens a session; resolves when it is subscribed, and sets this.closed
  // to a promise of its end.
  connect() {
    const ws = new WebSocket(`${BASE.replace('http', 'ws')}/api/v1/stream?token=${encodeURIComponent(this.token)}`,
      { perMessageDeflate: false });
    this.ws = ws;
    this.leaving = false;
    this.overflowed = false;
    this.failed = false;
    this.sessions++;
    stream.sessions++;
    let subscribed = false;
    let ready;
    const isReady = new Promise((r) => { ready = r; });
    ws.on('open', () => {
      const m = { subscribe: this.topics };
      if (this.pos !== null) m.after = this.pos;
      ws.send(JSON.stringify(m));
    });
    ws.on('message', (data) => {
      let m;
      try { m = JSON.parse(String(data)); } catch {
        error('stream_protocol', `${this.name}: not JSON: ${String(data).slice(0, 80)}`);
        return;
      }
      if (m.type === 'subscribed' && !subscribed) {
        subscribed = true;
        if (this.pos === null) this.start = this.pos = m.last;
        ready();
      } else if (m.type === 'event' && subscribed) {
        this.onEvent(m);
      } else if (m.type === 'stats') {
        stream.stats++;
      } else if (isOverflow(m)) {
        this.onOverflow(m);
      } else {
        error('stream_protocol', `${this.name}: ${JSON.stringify(m).slice(0, 160)}`);
      }
    });
    ws.on('error', (e) => {
      if (this.leaving || this.overflowed) return;
      this.failed = true;
      error('stream_failed', `${this.name}: ${e.message}`);
    });
    this.closed = new Promise((resolve) => {
      ws.on('close', (code) => {
        if (this.ws === ws) this.ws = null;
        if (!this.leaving && !this.overflowed && !this.failed)
          error('stream_unexpected_close', `${this.name}: code ${code} after ${this.seqs.length} events`);
        ready();
        resolve();
      });
    });
    return isReady;
  }

  onEvent(m) {
    stream.events++;
    if (m.tenant !== this.tenant) error('stream_protocol', `${this.name}: event ${m.seq} of tenant ${m.tenant}`);
    if (!(m.seq > this.pos)) this.disorder++;
    else this.pos = m.seq;
    this.seqs.push(m.seq);
  }

  // The server gave up on this subscriber and said where it stopped.
  onOverflow(m) {
    stream.overflows++;
    this.overflows++;
    this.overflowed = true;
    if (!Number.isInteger(m.last)) {
      error('stream_protocol', `${this.name}: overflow without last: ${JSON.stringify(m).slice(0, 120)}`);
      return;
    }
    if (m.last !== this.pos) stream.overflowLastMismatch++;
    this.pos = m.last;
  }

  async leave() {
    const ws = this.ws;
    if (!ws) return;
    this.leaving = true;
    if (ws._socket) ws._socket.resume();
    ws.close(1000);
    const t = setTimeout(() => ws.terminate(), 5000);
    await this.closed;
    clearTimeout(t);
  }
}

// Comes and goes until the load stops; stays connected then.
async function comeAndGo(sub) {
  while (running) {
    await sub.connect();
    await Promise.race([sub.closed, nap(rand(5000, 20000))]);
    if (!running) break;
    if (sub.ws) await sub.leave();
    await nap(sub.overflowed ? 100 : rand(1000, 5000));
  }
}

// Stays, stops reading now and then, resumes after an overflow.
async function slowOne(sub, burst) {
  const reconnect = async () => {
    while (running) {
      await sub.connect();
      await Promise.race([sub.closed, stopped]);
      if (!running) break;
      await nap(100);
    }
  };
  const pauser = async () => {
    while (running) {
      await nap(rand(8000, 15000));
      const sock = sub.ws && sub.ws._socket;
      if (!running || !sock) continue;
      stream.pauses++;
      sock.pause();
      if (burst) await burst();
      await nap(rand(3000, 6000));
      sock.resume();
    }
  };
  await Promise.all([reconnect(), pauser()]);
}

// The log's events of each tenant in (after, until].
async function eventLog(token, after, until) {
  const byTenant = new Map();
  let pages = 0;
  while (after < until) {
    const r = await req('GET', `/api/v1/events?after=${after}&limit=1000`, { token });
    if (!check(r, 'GET /api/v1/events (final)')) throw new Error('the event log could not be read');
    pages++;
    for (const e of r.body.events) {
      if (e.seq > until) break;
      if (!byTenant.has(e.tenant)) byTenant.set(e.tenant, []);
      byTenant.get(e.tenant).push(e.seq);
    }
    if (!r.body.events.length || r.body.last <= after) break;
    after = r.body.last;
  }
  return { byTenant, pages };
}

// A subscriber's sequences in (start, until] against the log's.
function compare(sub, logSeqs, until) {
  const want = new Set(logSeqs.filter((s) => s > sub.start && s <= until));
  const count = new Map();
  for (const s of sub.seqs) if (s <= until) count.set(s, (count.get(s) || 0) + 1);
  let missing = 0, dup = 0, foreign = 0;
  for (const s of want) if (!count.has(s)) missing++;
  for (const [s, n] of count) {
    if (n > 1) dup += n - 1;
    if (!want.has(s)) foreign++;
  }
  return { expected: want.size, missing, dup, foreign, disorder: sub.disorder };
}

async function waitUntil(pred, ms) {
  const end = now() + ms;
  while (!pred() && now() < end) await sleep(100);
  return pred();
}

const f1 = (x) => (Number.isFinite(x) ? x.toFixed(1) : 'nan');

async function main() {
  const { startServer, login } = await import(new URL('tests/integration/lib.mjs', ROOT));
  const srv = await startServer({ demo: true, fsync: false, args: ['--demo-traffic'] });
  BASE = srv.url;
  const pid = srv.proc.pid;
  let serverStopped = false;
  const stopServer = async () => {
    if (serverStopped) return null;
    serverStopped = true;
    return srv.stop();
  };
  process.on('exit', () => {
    if (serverStopped) return;
    srv.proc.kill('SIGKILL');
    rmSync(srv.dataDir, { recursive: true, force: true });
  });
  for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, async () => { await stopServer(); process.exit(130); });

  const subs = [];
  try {
    const admin = await login(BASE, 'admin');
    const sup = await login(BASE, 'supervisor');
    const integ = await login(BASE, 'integration');
    const tenants = (await req('GET', '/api/v1/tenants?limit=500', { token: admin.token })).body.items;
    const queues = (await req('GET', '/api/v1/queues?limit=500', { token: admin.token })).body.items;
    if (tenants.length < 2 || !queues.length) throw new Error('the demo centre is not there');
    const names = new Map(tenants.map((t) => [t.id, t.name]));

    const t0 = now();
    const loops = [writer(integ.token, queues)];
    for (let i = 0; i < READERS; i++) loops.push(reader([admin.token, sup.token]));
    for (let i = 0; i < SUBS; i++) {
      const t = tenants[i % tenants.length];
      const sub = new Subscriber(`sub${i}`, t.id, i % 2 ? sup.token : admin.token, [`tenant:${t.id}`]);
      subs.push(sub);
      loops.push(comeAndGo(sub));
    }
    const slow = new Subscriber('slow', tenants[0].id, sup.token, [`tenant:${tenants[0].id}`, 'stats']);
    subs.push(slow);
    burstAgent = new http.Agent({ keepAlive: true, maxSockets: 4 });
    const burst = BURST && (() => Promise.all(Array.from({ length: BURST }, () => createContact(integ.token, queues, burstAgent))));
    loops.push(slowOne(slow, burst));

    await sleep(WARMUP_MS);
    const first = sample(pid);
    const samples = [first];
    const sampler = setInterval(() => samples.push(sample(pid)), 10000);
    await sleep(t0 + RUN_MS - now());

    // Stop the load; every subscriber connected again, until the log's S.
    running = false;
    stopLoad();
    clearInterval(sampler);
    for (const t of abandonTimers) clearTimeout(t);
    await Promise.race([Promise.all(loops), sleep(REQ_TIMEOUT_MS + 1000)]);
    burstAgent.destroy();
    // Connected again, and again if the server closes (an overflow).
    const rejoin = () => {
      for (const sub of subs) {
        if (sub.ws && sub.ws._socket) sub.ws._socket.resume();
        if (!sub.ws) sub.connect();
      }
    };
    rejoin();
    const rejoiner = setInterval(rejoin, 100);
    const until = (await req('GET', '/healthz')).body.seq;
    const from = Math.min(...subs.map((s) => (s.start === null ? Infinity : s.start)));
    for (const s of subs) if (s.start === null) error('stream_failed', `${s.name} never subscribed`);
    const log = await eventLog(admin.token, Number.isFinite(from) ? from : until, until);
    const lastOf = (sub) => {
      const a = (log.byTenant.get(sub.tenant) || []).filter((s) => s > sub.start);
      return a.length ? a[a.length - 1] : sub.start;
    };
    const caughtUp = await waitUntil(() => subs.every((s) => s.start === null || s.pos >= lastOf(s)), 20000);
    clearInterval(rejoiner);
    const results = subs.filter((s) => s.start !== null).map((s) => ({ s, ...compare(s, log.byTenant.get(s.tenant) || [], until) }));
    const gaps = results.reduce((a, r) => a + r.missing + r.dup + r.foreign + r.disorder, 0);

    const wsBefore = await req('GET', '/metrics');
    for (const sub of subs) await sub.leave();
    await sleep(SETTLE_S * 1000);
    const last = sample(pid);
    const metrics = await req('GET', '/metrics');
    const gauge = (r, name) => {
      const line = typeof r.body === 'string' && r.body.split('\n').find((l) => l.startsWith(name + ' '));
      return line ? Number(line.split(' ')[1]) : NaN;
    };
    const st = await stopServer();
    if (!st || st.code !== 0) error('server_exit', `exit ${st && st.code} signal ${st && st.sig}`);
    const logs = srv.logs().split('\n').filter(Boolean);
    const bad = logs.filter((l) => / (warn|error) /.test(l) || !/^\d{4}-\d\d-\d\dT/.test(l));

    const rss = samples.map((x) => x.rss), fds = samples.map((x) => x.fds);
    console.log(`  load: ${f1((now() - t0) / 60000)} min; contacts created ${writes.created} (${CPM}/min, bursts of ${BURST};` +
      ` abandoned ${writes.abandoned}, already taken ${writes.already_taken}); http requests ${http_.requests}` +
      ` by status ${JSON.stringify(http_.byStatus)}; readers' connections: fresh ${http_.fresh}, keep-alive ${http_.keepalive}`);
    console.log(`  stream: ${subs.length} subscribers (1 slow: ${stream.pauses} pauses, ${slow.overflows} overflow notices),` +
      ` ${stream.sessions} sessions, ${stream.events} events, ${stream.stats} stats messages; overflow last != last received: ${stream.overflowLastMismatch}`);
    console.log(`  log check up to seq ${until} (${log.pages} pages of /api/v1/events; all caught up: ${caughtUp}):`);
    for (const r of results) {
      console.log(`    ${r.s.name} ${names.get(r.s.tenant)} sessions=${r.s.sessions} from=${r.s.start} expected=${r.expected}` +
        ` received=${r.s.seqs.length} missing=${r.missing} duplicated=${r.dup} not_in_log=${r.foreign} out_of_order=${r.disorder}`);
    }
    console.log(`  server rss_mb min/max over the run ${f1(Math.min(...rss))}/${f1(Math.max(...rss))} (${samples.length} samples` +
      ` every 10 s), fds min/max ${Math.min(...fds)}/${Math.max(...fds)}; websocket_clients before the end ${gauge(wsBefore, 'relais_websocket_clients')},` +
      ` after ${gauge(metrics, 'relais_websocket_clients')}`);
    console.log(`  server exit ${st ? st.code : '?'} (pid ${pid}); data folder ${srv.dataDir} removed: ${!existsSync(srv.dataDir)}; log lines ${logs.length}, of them warn/error/foreign ${bad.length}`);
    for (const l of bad.slice(0, 8)) console.log(`    ${l.slice(0, 200)}`);
    console.log(`  errors by kind ${JSON.stringify(errs.kinds)}`);
    for (const e of errs.samples) console.log(`    ${e}`);
    console.log(`  machine: load average ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
    console.log(`soak minutes=${MINUTES} rss_start_mb=${f1(first.rss)} rss_end_mb=${f1(last.rss)}` +
      ` fds_start=${first.fds} fds_end=${last.fds} errors=${errs.total} stream_gaps=${gaps}`);
    process.exit(errs.total || gaps ? 1 : 0);
  } catch (e) {
    console.error('soak:', e.stack || e);
    const logs = srv.logs();
    if (logs) console.error(logs.split('\n').slice(-20).join('\n'));
    for (const sub of subs) if (sub.ws) sub.ws.terminate();
    await stopServer();
    process.exit(1);
  }
}

main();
