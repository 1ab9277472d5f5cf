#!/usr/bin/env node
// ws_bench — how long a contact event takes to reach 1,000 WebSocket
// subscribers. First line:
//
//	ws subscribers=1000 p50_ms=X p99_ms=Y
//
// then details. Method: a `relais serve --demo` (fsync on, the default) on
// a free port and a temporary data folder; SUBS subscribers (default 1000)
// spread over PROCS child processes (default 2), each a `ws` client of
// /api/v1/stream subscribed to "tenant:<AssurMax id>", sharing a few
// logins (admin, supervisor, integration, several sessions each). Once all
// are subscribed, the driver creates WARM contacts (default 10) at
// WARM_RATE a second (default 2: unloaded, one at a time, a detail line),
// then CONTACTS contacts (default 200) at RATE a second (default 20: the
// first line), in AssurMax's email queue, each with a unique
// attributes.bench_seq. Latency = from just before the driver's POST to
// each subscriber's receipt of the "contact.created" event carrying that
// bench_seq (process.hrtime, CLOCK_MONOTONIC, common to all processes):
// CONTACTS x SUBS samples. The details split it with the event's "time"
// (the server's clock, in ms, taken when the request made the event, before
// the commit): send -> event is the request's way in, event -> receipt the
// commit, the fan-out and the client; and show the CPU each side used, and
// how long the server's loop thread waited for a CPU.
//
//	node bench/ws_bench.mjs
//	WS_SUBS=1100 WS_CONTACTS=100 node bench/ws_bench.mjs
//
// Exit status 1 when a subscriber misses an event, gets one twice, gets an
// error message or is disconnected, or the server fails.
import { fork, spawnSync } from 'node:child_process';
import http from 'node:http';
import { loadavg } from 'node:os';
import { createRequire } from 'node:module';
import { readFileSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const ROOT = new URL('..', import.meta.url);
const SELF = fileURLToPath(import.meta.url);
const env = (k, d) => (process.env[k] !== undefined ? Number(process.env[k]) : d);
const SUBS = env('WS_SUBS', 1000);
const PROCS = Math.max(1, env('WS_PROCS', 2));
const CONTACTS = env('WS_CONTACTS', 200);
const RATE = env('WS_RATE', 20);
const WARM = env('WS_WARM_CONTACTS', 10);
const WARM_RATE = env('WS_WARM_RATE', 2);
// Connections opened at once per subscriber process: libre listens with a
// backlog of 5, and a connect beyond it stalls 1-3 s.
const CONNECT_BATCH = env('WS_CONNECT_BATCH', 2);
const POOL = env('WS_DRIVER_CONNS', 8);
const hr = () => Number(process.hrtime.bigint()) / 1e6; // ms, monotonic

// ---- a subscriber process: node ws_bench.mjs --sub ----
async function subscriberMain() {
  const require = createRequire(new URL('tests/integration/', ROOT));
  const WebSocket = require('ws');
  const { url, tokens, topic, n, first, batch } = JSON.parse(process.argv[3]);
  // recv[seq] = array of receipt times (one per subscriber that got it)
  const recv = new Map();
  const evTime = new Map(); // seq -> server event time (epoch ms)
  const wallAtRecv = new Map(); // seq -> [Date.now() at receipt]
  const stats = { errors: 0, closes: 0, dups: 0, other: 0, messages: 0 };
  const socks = [];
  const seen = []; // per subscriber: Set of seqs
  const CREATED = Buffer.from('"event":"contact.created"');
  const ERROR = Buffer.from('"type":"error"');

  function open(i) {
    return new Promise((resolve, reject) => {
      const tok = tokens[(first + i) % tokens.length];
      const ws = new WebSocket(`${url.replace('http', 'ws')}/api/v1/stream?token=${encodeURIComponent(tok)}`,
        { perMessageDeflate: false, skipUTF8Validation: true });
      const mine = new Set();
      seen.push(mine);
      let subscribed = false;
      ws.on('message', (data) => {
        const t = hr();
        stats.messages++;
        if (!subscribed) {
          const m = JSON.parse(data.toString());
          if (m.type === 'subscribed') { subscribed = true; resolve(ws); return; }
          reject(new Error('subscribe: ' + data.toString()));
          return;
        }
        // Cheap filter on the bytes first: half the messages are other
        // event types (contact.queued).
        if (data.indexOf(CREATED) < 0) {
          if (data.indexOf(ERROR) >= 0) stats.errors++;
          return;
        }
        const m = JSON.parse(data.toString());
        const seq = m.data && m.data.attributes && m.data.attributes.bench_seq;
        if (seq === undefined) { stats.other++; return; }
        if (mine.has(seq)) { stats.dups++; return; }
        mine.add(seq);
        let a = recv.get(seq);
        if (!a) {
          a = [];
          recv.set(seq, a);
          wallAtRecv.set(seq, []);
          evTime.set(seq, Date.parse(m.time));
        }
        a.push(t);
        wallAtRecv.get(seq).push(Date.now());
      });
      ws.on('open', () => ws.send(JSON.stringify({ subscribe: [topic] })));
      ws.on('error', (e) => { if (!subscribed) reject(e); else stats.errors++; });
      ws.on('close', () => { if (subscribed) stats.closes++; });
      socks.push(ws);
    });
  }

  const t0 = hr();
  for (let i = 0; i < n; i += batch) {
    const k = Math.min(batch, n - i);
    await Promise.all(Array.from({ length: k }, (_, j) => open(i + j)));
  }
  process.send({ type: 'ready', ms: hr() - t0 });
  let cpuMark = process.cpuUsage();
  process.on('message', (msg) => {
    if (msg.type === 'mark') {
      cpuMark = process.cpuUsage();
    } else if (msg.type === 'count') {
      let got = 0;
      for (const [seq, a] of recv) if (seq >= msg.from && seq < msg.to) got += a.length;
      process.send({ type: 'count', got });
    } else if (msg.type === 'report') {
      process.send({
        type: 'report',
        recv: [...recv.entries()],
        evTime: [...evTime.entries()],
        wall: [...wallAtRecv.entries()],
        stats,
        cpu: (() => { const u = process.cpuUsage(cpuMark); return (u.user + u.system) / 1e6; })(),
        missing: seen.reduce((acc, s) => acc + (msg.expect - s.size), 0),
      });
    } else if (msg.type === 'close') {
      for (const ws of socks) ws.terminate();
      setTimeout(() => process.exit(0), 50);
    }
  });
}

// ---- the driver ----
function pct(sorted, p) {
  if (!sorted.length) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i];
}
const f1 = (x) => (Number.isFinite(x) ? x.toFixed(1) : 'nan');
const f2 = (x) => (Number.isFinite(x) ? x.toFixed(2) : 'nan');
const sortNum = (a) => Float64Array.from(a).sort();

function nofileLimit() {
  const m = readFileSync('/proc/self/limits', 'utf8').match(/Max open files\s+(\d+|unlimited)\s+(\d+|unlimited)/);
  const v = (x) => (x === 'unlimited' ? Infinity : Number(x));
  return m ? { soft: v(m[1]), hard: v(m[2]) } : { soft: Infinity, hard: Infinity };
}

// POST with a keep-alive agent: resolves with the status.
function post(agent, url, path, token, body) {
  return new Promise((resolve, reject) => {
    const req = http.request(url + path, {
      method: 'POST', agent,
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, 'content-length': Buffer.byteLength(body) },
    }, (res) => { res.resume(); res.on('end', () => resolve(res.statusCode)); });
    req.on('error', reject);
    req.end(body);
  });
}

// One /metrics sample, through the driver's agent when given.
let metricAgent;
function metric(url, name) {
  return new Promise((resolve, reject) => {
    http.get(url + '/metrics', { agent: metricAgent }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d) => { text += d; });
      res.on('end', () => {
        const line = text.split('\n').find((l) => l.startsWith(name + ' '));
        resolve(line ? Number(line.split(' ')[1]) : NaN);
      });
    }).on('error', reject);
  });
}

// CPU seconds (user + system) of a process so far.
const CLK_TCK = Number(spawnSync('getconf', ['CLK_TCK']).stdout.toString().trim()) || 100;
function cpuSeconds(pid) {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const v = f.slice(f.lastIndexOf(')') + 2).split(' ');
  return (Number(v[11]) + Number(v[12])) / CLK_TCK;
}

// The loop thread's time on a CPU and waiting for one (runqueue), in s.
function schedstat(pid) {
  try {
    const [run, wait] = readFileSync(`/proc/${pid}/task/${pid}/schedstat`, 'utf8').split(' ').map(Number);
    return { run: run / 1e9, wait: wait / 1e9 };
  } catch { return { run: NaN, wait: NaN }; }
}

function listenDrops() {
  const lines = readFileSync('/proc/net/netstat', 'utf8').split('\n').filter((l) => l.startsWith('TcpExt:'));
  const names = lines[0].split(/\s+/), vals = lines[1].split(/\s+/);
  return Number(vals[names.indexOf('ListenDrops')]);
}

async function main() {
  // The server and each subscriber process need a descriptor per socket:
  // raise the soft limit through a shell when it is too low.
  const need = SUBS + 256;
  const lim = nofileLimit();
  if (lim.soft < need && !process.env.WS_BENCH_REEXEC) {
    if (lim.hard < need) {
      console.error(`ws_bench: ulimit -n is ${lim.soft} (hard ${lim.hard}); ${need} needed`);
      process.exit(1);
    }
    const r = spawnSync('sh', ['-c', `ulimit -n ${need} && exec "$0" "$@"`, process.execPath, SELF, ...process.argv.slice(2)],
      { stdio: 'inherit', env: { ...process.env, WS_BENCH_REEXEC: '1' } });
    process.exit(r.status ?? 1);
  }

  const { startServer, login, client } = await import(new URL('tests/integration/lib.mjs', ROOT));
  const srv = await startServer({ demo: true });
  const children = [];
  let stopped = false;
  const stop = async () => {
    if (stopped) return null;
    stopped = true;
    for (const c of children) c.kill('SIGKILL');
    return srv.stop();
  };
  for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, async () => { await stop(); process.exit(130); });
  // Whatever happens, leave no server, subscriber or data folder behind.
  process.on('exit', () => {
    if (stopped) return;
    for (const c of children) c.kill('SIGKILL');
    srv.proc.kill('SIGKILL');
    rmSync(srv.dataDir, { recursive: true, force: true });
  });

  try {
    const admin = await login(srv.url, 'admin');
    const api = client(srv.url, admin.token);
    const tenant = (await api.get('/api/v1/tenants?limit=500')).body.items.find((t) => t.name === 'AssurMax');
    const queue = (await api.get('/api/v1/queues?limit=500')).body.items.find((q) => q.name === 'AssurMax email');
    const tokens = [admin.token];
    for (const u of ['supervisor', 'integration', 'admin', 'supervisor', 'integration', 'admin', 'supervisor']) {
      tokens.push((await login(srv.url, u)).token);
    }
    const integ = await login(srv.url, 'integration');
    // The driver's connections, opened before the subscribers' (a client
    // of the API keeps its connections): POOL requests at once.
    const agent = new http.Agent({ keepAlive: true, maxSockets: POOL });
    metricAgent = agent;
    const warm = await Promise.all(Array.from({ length: POOL }, () =>
      post(agent, srv.url, '/api/v1/session', 'x', '{}').catch((e) => String(e))));
    if (warm.some((w) => typeof w !== 'number')) throw new Error('driver warm-up: ' + warm.join(' '));

    // Subscribers.
    const drops0 = listenDrops();
    const t0 = hr();
    const per = Math.ceil(SUBS / PROCS);
    const ready = [];
    for (let p = 0, first = 0; first < SUBS; p++, first += per) {
      const n = Math.min(per, SUBS - first);
      const arg = JSON.stringify({ url: srv.url, tokens, topic: `tenant:${tenant.id}`, n, first, batch: CONNECT_BATCH });
      const c = fork(SELF, ['--sub', arg], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], execArgv: process.env.WS_PROF ? ['--cpu-prof', '--cpu-prof-dir=' + process.env.WS_PROF] : [] });
      children.push(c);
      ready.push(new Promise((resolve, reject) => {
        c.once('message', (m) => (m.type === 'ready' ? resolve(m.ms) : reject(new Error('child: ' + JSON.stringify(m)))));
        c.once('exit', (code) => reject(new Error(`subscriber process exited ${code} before it was ready`)));
      }));
    }
    await Promise.all(ready);
    const setupMs = hr() - t0;
    const drops = listenDrops() - drops0;
    const wsClients = await metric(srv.url, 'relais_websocket_clients');

    // The driver: n POSTs from bench_seq base, paced at rate a second, not
    // waiting for one answer before the next; then waits (at most 10 s)
    // until every subscriber has the n events.
    const total = WARM + CONTACTS;
    const sent = new Array(total), sentWall = new Array(total), answered = new Array(total);
    const body = (i) => JSON.stringify({ tenant: tenant.id, queue: queue.id, channel: 'email', attributes: { bench_seq: i, source: 'ws_bench' } });
    let failed = 0, firstFailure = '';
    const count = (from, to) => Promise.all(children.map((c) => new Promise((resolve) => {
      c.once('message', (m) => resolve(m.got));
      c.send({ type: 'count', from, to });
    }))).then((a) => a.reduce((x, y) => x + y, 0));
    async function drive(base, n, rate) {
      const posts = [];
      const start = hr();
      for (let i = base; i < base + n; i++) {
        const due = start + ((i - base) * 1000) / rate;
        const wait = due - hr();
        if (wait > 0) await new Promise((r) => setTimeout(r, wait));
        sentWall[i] = Date.now();
        sent[i] = hr();
        posts.push(post(agent, srv.url, '/api/v1/contacts', integ.token, body(i)).then((status) => {
          answered[i] = hr();
          if (status !== 201) { failed++; if (!firstFailure) firstFailure = `status ${status}`; }
        }, (e) => { failed++; if (!firstFailure) firstFailure = String(e); }));
      }
      await Promise.all(posts);
      const deadline = hr() + 10000;
      while ((await count(base, base + n)) < n * SUBS && hr() < deadline) await new Promise((r) => setTimeout(r, 50));
      return (hr() - start) / 1000;
    }

    // First, unloaded: WARM contacts, one at a time (WARM_RATE a second),
    // the time one contact takes to reach every subscriber.
    if (WARM) await drive(0, WARM, WARM_RATE);
    // Then the load of the first line.
    const m0 = await metric(srv.url, 'relais_websocket_messages_total');
    const c0 = await metric(srv.url, 'relais_store_commits_total');
    const cs0 = await metric(srv.url, 'relais_store_commit_seconds_total');
    for (const c of children) c.send({ type: 'mark' });
    const cpu0 = cpuSeconds(srv.proc.pid);
    const sch0 = schedstat(srv.proc.pid);
    const dcpu0 = process.cpuUsage();
    const driveS = await drive(WARM, CONTACTS, RATE);
    const cpu1 = cpuSeconds(srv.proc.pid);
    const sch1 = schedstat(srv.proc.pid);
    const dcpu = process.cpuUsage(dcpu0);
    const m1 = await metric(srv.url, 'relais_websocket_messages_total');
    const c1 = await metric(srv.url, 'relais_store_commits_total');
    const cs1 = await metric(srv.url, 'relais_store_commit_seconds_total');
    const reports = await Promise.all(children.map((c) => new Promise((resolve) => {
      c.once('message', resolve);
      c.send({ type: 'report', expect: total });
    })));
    // The subscribers leave first, and the server sees them go, before it
    // is stopped (a stop with subscribers still connected leaves their
    // descriptors registered in libre, which reports them at exit).
    const gone = children.map((c) => new Promise((r) => { c.once('exit', r); setTimeout(r, 5000); }));
    for (const c of children) c.send({ type: 'close' });
    await Promise.all(gone);
    let left = NaN;
    for (let i = 0; i < 100; i++) {
      left = await metric(srv.url, 'relais_websocket_clients');
      if (left === 0) break;
      await new Promise((r) => setTimeout(r, 50));
    }

    // Latencies, for the seqs [from, to).
    const evTime = new Map();
    let missing = 0, dups = 0, errors = 0, closes = 0;
    for (const rep of reports) {
      missing += rep.missing; dups += rep.stats.dups; errors += rep.stats.errors; closes += rep.stats.closes;
      for (const [seq, t] of rep.evTime) evTime.set(seq, t);
    }
    function analyse(from, to) {
      const lat = [], fromEvent = [], toEvent = [];
      const firstBy = new Map(), lastBy = new Map();
      for (const rep of reports) {
        for (const [seq, times] of rep.recv) {
          if (seq < from || seq >= to) continue;
          for (const t of times) {
            lat.push(t - sent[seq]);
            if (!(firstBy.get(seq) <= t)) firstBy.set(seq, t);
            if (!(lastBy.get(seq) >= t)) lastBy.set(seq, t);
          }
        }
        for (const [seq, walls] of rep.wall) {
          if (seq < from || seq >= to) continue;
          for (const w of walls) fromEvent.push(w - evTime.get(seq));
        }
      }
      for (const [seq, ev] of evTime) if (seq >= from && seq < to) toEvent.push(ev - sentWall[seq]);
      const seqs = [...firstBy.keys()];
      return {
        L: sortNum(lat),
        first: sortNum(seqs.map((q) => firstBy.get(q) - sent[q])),
        last: sortNum(seqs.map((q) => lastBy.get(q) - sent[q])),
        spread: sortNum(seqs.map((q) => lastBy.get(q) - firstBy.get(q))),
        post: sortNum(answered.slice(from, to).map((t, i) => t - sent[from + i]).filter(Number.isFinite)),
        TE: sortNum(toEvent), FE: sortNum(fromEvent),
      };
    }
    const pp = (a) => `${f1(pct(a, 50))}/${f1(pct(a, 99))}`;
    const A = analyse(WARM, total), L = A.L;
    const commits = c1 - c0;

    console.log(`ws subscribers=${SUBS} p50_ms=${f1(pct(L, 50))} p99_ms=${f1(pct(L, 99))}`);
    console.log(`  method: ${SUBS} ws clients in ${children.length} processes on tenant:AssurMax, ${tokens.length} sessions;` +
      ` ${CONTACTS} POST /api/v1/contacts at ${RATE}/s (fsync on); latency = POST sent -> contact.created received,` +
      ` ${L.length} samples`);
    console.log(`  latency_ms p50=${f1(pct(L, 50))} p90=${f1(pct(L, 90))} p99=${f1(pct(L, 99))} p999=${f1(pct(L, 99.9))} max=${f1(L[L.length - 1])}`);
    console.log(`  per contact (p50/p99 over contacts): post_answered_ms=${pp(A.post)}` +
      ` first_subscriber_ms=${pp(A.first)} last_subscriber_ms=${pp(A.last)} fanout_spread_ms=${pp(A.spread)}`);
    console.log(`  split by the event's server time (ms clock): send->event p50=${f1(pct(A.TE, 50))} p99=${f1(pct(A.TE, 99))};` +
      ` event->receipt (commit + fan-out + client) p50=${f1(pct(A.FE, 50))} p99=${f1(pct(A.FE, 99))}`);
    console.log(`  server: commits=${commits} commit_ms_mean=${f2(commits ? ((cs1 - cs0) * 1000) / commits : NaN)}` +
      ` ws_messages=${m1 - m0} (${f1((m1 - m0) / CONTACTS / SUBS)} per contact per subscriber) websocket_clients=${wsClients}`);
    console.log(`  cpu over the ${f1(driveS)} s of the drive: server ${f2(cpu1 - cpu0)} s (${f1(((cpu1 - cpu0) * 100) / driveS)} % of a core,` +
      ` ${f1(((cpu1 - cpu0) * 1e6) / Math.max(1, m1 - m0))} us per message pushed; its loop thread ran ${f2(sch1.run - sch0.run)} s` +
      ` and waited ${f2(sch1.wait - sch0.wait)} s for a CPU);` +
      ` subscriber processes ${reports.map((r) => f2(r.cpu)).join(' + ')} s (${f1((reports.reduce((a, r) => a + r.cpu, 0) * 1e6) / Math.max(1, m1 - m0))} us per message); driver ${f2((dcpu.user + dcpu.system) / 1e6)} s`);
    if (WARM) {
      const U = analyse(0, WARM);
      console.log(`  unloaded (${WARM} contacts first, ${WARM_RATE}/s): p50_ms=${f1(pct(U.L, 50))} p99_ms=${f1(pct(U.L, 99))}` +
        ` post_answered_ms=${pp(U.post)} first_subscriber_ms=${pp(U.first)} last_subscriber_ms=${pp(U.last)}` +
        ` send->event=${pp(U.TE)} event->receipt=${pp(U.FE)}`);
    }
    console.log(`  setup: ${SUBS} subscribed in ${f1(setupMs / 1000)} s (batches of ${CONNECT_BATCH}); listen_drops=${drops}`);
    console.log(`  machine: load average ${loadavg().map((x) => x.toFixed(2)).join(' ')} (2 cores shared by the server, the driver and the subscribers)`);
    console.log(`  target p99<=50ms: ${pct(L, 99) <= 50 ? 'met' : 'NOT met'}`);
    const st = await stop();
    const logs = srv.logs().split('\n');
    const errLines = logs.filter((l) => / error /.test(l)).length;
    // libre's own warnings (not relais's log format), e.g. fd_listen; and
    // apart, its list of descriptors still registered at exit (fd_debug).
    const foreign = logs.filter((l) => l && !/^\d{4}-\d\d-\d\dT/.test(l));
    const atExit = foreign.filter((l) => /^fd \d+ in use/.test(l));
    const libre = foreign.filter((l) => !/^fd \d+ in use/.test(l));
    console.log(`  checks: missing=${missing} duplicates=${dups} error_messages=${errors} disconnects=${closes}` +
      ` post_failures=${failed}${failed ? ` (${firstFailure})` : ''} server_exit=${st ? st.code : '?'} error_log_lines=${errLines}` +
      ` libre_warnings=${libre.length} fds_registered_at_exit=${atExit.length}` +
      ` (websocket_clients before the stop: ${left})`);
    if (libre.length) console.log(`  first libre warning: ${libre[0].slice(0, 160)}`);
    const ok = !missing && !dups && !errors && !closes && !failed && !libre.length && st && st.code === 0;
    process.exit(ok ? 0 : 1);
  } catch (e) {
    console.error('ws_bench:', e.stack || e);
    const logs = srv.logs();
    if (logs) console.error(logs.split('\n').slice(-20).join('\n'));
    await stop();
    process.exit(1);
  }
}

if (process.argv[2] === '--sub') subscriberMain().catch((e) => { console.error('ws_bench subscriber:', e.message); process.exit(1); });
else main();
