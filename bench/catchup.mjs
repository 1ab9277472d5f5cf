#!/usr/bin/env node
// catchup — what stream catch-ups cost the writers. First line:
//
//	catchup events=200000 subscribers=10 write_p99_ms=X catchup_s=Y rss_peak_mb=Z
//
// then details on standard error. Method: a `relais serve --demo --no-fsync` on a temporary
// data folder builds a log of EVENTS events (default 200,000) by creating
// contacts (two events each) over POOL keep-alive connections, and stops.
// A second server on the same folder, fsync on (the default), serves the
// measurement: SUBS supervisors (default 10, one user each, so that the
// per-user limit does not serialise them) open /api/v1/stream, subscribe
// to both demo tenants with after=0 at once, while a writer creates
// contacts at RATE a second (default 1,000). write_p99_ms: the 99th
// percentile of those POSTs' latency (send to reply) while any catch-up
// runs (the subscribers run in a child process, apart from the writer's
// clock); catchup_s: from the subscriptions to the moment the last
// subscriber has every event up to the log's end at subscription time;
// rss_peak_mb: the second server's VmHWM (/proc/PID/status) at the end.
// Then the writer stops and every subscriber must hold exactly the
// tenants' events of the log (from /api/v1/events), in order, once. The
// contacts wait in one single-step queue a tenant, so that they make no
// events of their own later.
//
//	node bench/catchup.mjs
//	CATCHUP_EVENTS=20000 CATCHUP_SUBS=3 node bench/catchup.mjs
//
// Exit status 1 when a subscriber misses an event, gets one twice or out
// of order, gets an error or overflow, is disconnected, or a POST fails.
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import http from 'node:http';
import { createRequire } from 'node:module';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { startRelais, jsonRequest, procMb } from './lib.mjs';

const ROOT = new URL('..', import.meta.url);
const SELF = fileURLToPath(import.meta.url);
const require = createRequire(new URL('tests/integration/', ROOT));
const WebSocket = require('ws');
const BIN = process.env.RELAIS_BIN || new URL('build/relais', ROOT).pathname;
const env = (k, d) => (process.env[k] !== undefined ? Number(process.env[k]) : d);
const EVENTS = env('CATCHUP_EVENTS', 200000);
const SUBS = env('CATCHUP_SUBS', 10);
const RATE = env('CATCHUP_RATE', 1000);
const POOL = env('CATCHUP_POOL', 16);
const CATCHUP_MAX_S = env('CATCHUP_MAX_S', 120); // then it failed
const hr = () => Number(process.hrtime.bigint()) / 1e6;
const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });

const start = (dir, args) => startRelais(BIN, dir, args);

const req = (url, method, path, token, body) =>
  jsonRequest(agent, url, method, path, token, body);

async function login(url, username, password) {
  const r = await req(url, 'POST', '/api/v1/session', null, { username, password });
  if (r.status !== 201) throw new Error(`login ${username}: ${r.status}`);
  return r.body.token;
}

// The last sequence of the log: a stream's subscription acknowledgement.
function lastSeq(url, token) {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`${url.replace('http', 'ws')}/api/v1/stream?token=${token}`);
    ws.on('open', () => ws.send(JSON.stringify({ subscribe: [] })));
    ws.on('message', (d) => { resolve(JSON.parse(d).last); ws.terminate(); });
    ws.on('error', reject);
  });
}

function contactBody(q) {
  return { tenant: q.tenant, queue: q.id, channel: q.channel };
}

async function buildLog(url, token, queues) {
  let seq = await lastSeq(url, token);
  let n = 0;
  while (seq < EVENTS) {
    const todo = Math.max(1, Math.min(5000, Math.ceil((EVENTS - seq) / 2)));
    let next = 0;
    await Promise.all(Array.from({ length: POOL }, async () => {
      while (next < todo) {
        next++;
        const r = await req(url, 'POST', '/api/v1/contacts', token, contactBody(queues[n++ % queues.length]));
        if (r.status !== 201) throw new Error(`POST contact: ${r.status} ${JSON.stringify(r.body)}`);
      }
    }));
    seq = await lastSeq(url, token);
  }
  return seq;
}

const rss = procMb;

function subscriber(url, token, topics, stats) {
  const s = { seqs: [], ackLast: null, caughtUp: false, errors: [], closed: false };
  const ws = new WebSocket(`${url.replace('http', 'ws')}/api/v1/stream?token=${token}`,
    { perMessageDeflate: false, skipUTF8Validation: true });
  const SEQ = /"seq":(\d+)/;
  s.ready = new Promise((resolve, reject) => { ws.once('open', resolve); ws.once('error', reject); });
  ws.on('message', (data) => {
    const text = data.toString();
    if (text.startsWith('{"type":"event"')) {
      const seq = Number(SEQ.exec(text)[1]);
      s.seqs.push(seq);
      if (!s.caughtUp && s.ackLast !== null && seq >= s.ackLast) {
        s.caughtUp = true;
        stats.caughtUp++;
        if (stats.caughtUp === stats.n) process.send({ type: 'caught-up' });
      }
      return;
    }
    const m = JSON.parse(text);
    if (m.type === 'subscribed') s.ackLast = m.last;
    else { s.errors.push(text); process.send({ type: 'failed', msg: text }); }
  });
  ws.on('close', () => { s.closed = true; process.send({ type: 'failed', msg: 'closed' }); });
  s.subscribe = () => ws.send(JSON.stringify({ subscribe: topics, after: 0 }));
  s.ws = ws;
  return s;
}

// The subscribers, in their own process so that parsing their messages
// does not delay the writer's clock: node catchup.mjs --subs JSON.
async function subscribersMain() {
  const { url, tokens, topics, admin } = JSON.parse(process.argv[3]);
  const stats = { caughtUp: 0, n: tokens.length };
  const subs = tokens.map((t) => subscriber(url, t, topics, stats));
  await Promise.all(subs.map((s) => s.ready));
  process.send({ type: 'ready' });
  process.on('message', async (msg) => {
    if (msg.type === 'subscribe') for (const s of subs) s.subscribe();
    if (msg.type !== 'verify') return;
    const want = [];
    for (let after = 0; ;) {
      const r = await req(url, 'GET', `/api/v1/events?after=${after}&limit=1000`, admin);
      if (!r.body.events.length) break;
      for (const e of r.body.events) if (e.tenant) want.push(e.seq);
      after = r.body.last;
    }
    const end = hr() + 10000;
    while (hr() < end && subs.some((s) => s.seqs.at(-1) < want.at(-1) && !s.closed))
      await new Promise((r) => setTimeout(r, 20));
    const bad = [];
    subs.forEach((s, i) => {
      const seqs = s.seqs.filter((x) => x <= want.at(-1)); // the log as fetched
      const ok = seqs.length === want.length && seqs.every((x, j) => x === want[j]);
      if (!ok || s.errors.length || s.closed) {
        const got = new Set(seqs), w = new Set(want);
        const missing = want.filter((x) => !got.has(x));
        const disorder = seqs.findIndex((x, j) => j > 0 && x <= seqs[j - 1]);
        bad.push(`subscriber ${i}: ${seqs.length}/${want.length} events, ${seqs.length - got.size} duplicates, ` +
          `${missing.length} missing (${missing.slice(0, 3)}), ${[...got].filter((x) => !w.has(x)).length} unexpected, ` +
          `first out of order at ${disorder}${s.errors.length ? ', ' + s.errors[0] : ''}${s.closed ? ', closed' : ''}`);
      }
    });
    for (const s of subs) s.ws.terminate();
    process.send({ type: 'verified', events: want.length, bad });
  });
}

function pct(a, p) {
  if (!a.length) return 0;
  const s = [...a].sort((x, y) => x - y);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
}

async function main() {
  const dir = mkdtempSync(join(tmpdir(), 'relais-catchup-'));
  let a, b, failed = false;
  try {
    // 1. the log
    a = await start(dir, ['--demo', '--no-fsync']);
    let admin = await login(a.url, 'admin', 'admin-demo');
    const tenants = (await req(a.url, 'GET', '/api/v1/tenants', admin)).body.items.map((t) => t.id);
    // One queue a tenant with a single step: waiting contacts make no
    // events of their own later (the demo queues' steps would).
    const queues = [];
    for (const tenant of tenants) {
      const r = await req(a.url, 'POST', '/api/v1/queues', admin, {
        tenant, name: 'bench catchup', channel: 'chat', strategy: 'longest-idle', wrapup: 'manual',
        dispositions: ['resolved'], steps: [{ after_s: 0 }],
      });
      if (r.status !== 201) throw new Error(`queue: ${r.status} ${JSON.stringify(r.body)}`);
      queues.push(r.body);
    }
    const t0 = hr();
    const built = await buildLog(a.url, admin, queues);
    const buildS = (hr() - t0) / 1000;
    a.proc.kill('SIGTERM');
    await a.exited;
    a = null;

    // 2. the measurement, fsync on
    b = await start(dir, []);
    admin = await login(b.url, 'admin', 'admin-demo');
    const tokens = [];
    for (let i = 0; i < SUBS; i++) {
      const username = `bench-catchup-${i}`, password = `${username}-password`;
      const r = await req(b.url, 'POST', '/api/v1/users', admin, { username, password, role: 'supervisor', tenants });
      if (r.status !== 201) throw new Error(`user: ${r.status} ${JSON.stringify(r.body)}`);
      tokens.push(await login(b.url, username, password));
    }
    const rssStart = rss(b.proc.pid, 'VmRSS');
    const topics = tenants.map((x) => `tenant:${x}`);
    const child = fork(SELF, ['--subs', JSON.stringify({ url: b.url, tokens, topics, admin })]);
    const fromChild = [];
    let caughtUp = false, childFailed = null;
    const waiters = [];
    child.on('message', (m) => {
      if (m.type === 'caught-up') caughtUp = true;
      if (m.type === 'failed' && !childFailed) childFailed = m.msg;
      fromChild.push(m);
      for (const w of waiters.splice(0)) w();
    });
    const message = async (type) => {
      while (!fromChild.some((m) => m.type === type)) await new Promise((r) => waiters.push(r));
      return fromChild.find((m) => m.type === type);
    };
    await message('ready');

    const lat = [], latAfter = [];
    let postErrors = 0, writing = true, sent = 0, started = false;
    const tw = hr();
    const writer = (async () => {
      const pending = new Set();
      while (writing) {
        const due = Math.floor(((hr() - tw) / 1000) * RATE);
        for (; sent < due; sent++) {
          const t = hr(), during = started && !caughtUp;
          const p = req(b.url, 'POST', '/api/v1/contacts', admin, contactBody(queues[sent % queues.length]))
            .then((r) => { if (r.status !== 201) postErrors++; (during ? lat : latAfter).push(hr() - t); })
            .catch(() => { postErrors++; })
            .finally(() => pending.delete(p));
          pending.add(p);
        }
        await new Promise((r) => setTimeout(r, 2));
      }
      await Promise.all(pending);
    })();
    await new Promise((r) => setTimeout(r, 300)); // writes before, for comparison
    const ts = hr();
    started = true;
    child.send({ type: 'subscribe' });
    const limit = hr() + CATCHUP_MAX_S * 1000;
    while (!caughtUp && hr() < limit && !childFailed)
      await new Promise((r) => setTimeout(r, 20));
    const catchupS = (hr() - ts) / 1000;
    writing = false;
    await writer;
    const rssPeak = rss(b.proc.pid, 'VmHWM');

    // 3. every event, once, in order
    child.send({ type: 'verify' });
    const v = await message('verified');
    child.kill();
    const bad = [...v.bad];
    if (!caughtUp) bad.push(`not caught up after ${CATCHUP_MAX_S} s${childFailed ? ': ' + childFailed : ''}`);
    if (postErrors) bad.push(`${postErrors} POST errors`);
    failed = bad.length > 0;
    const p99 = pct(lat, 99);
    console.log(`catchup events=${built} subscribers=${SUBS} write_p99_ms=${p99.toFixed(1)} ` +
      `catchup_s=${catchupS.toFixed(2)} rss_peak_mb=${rssPeak.toFixed(0)}`);
    console.error(`  log built in ${buildS.toFixed(1)} s (--no-fsync); ${v.events} tenant events per subscriber`);
    console.error(`  writes during catch-up: ${lat.length}, p50 ${pct(lat, 50).toFixed(1)} ms, p99 ${p99.toFixed(1)} ms, ` +
      `max ${pct(lat, 100).toFixed(1)} ms; before and after: ${latAfter.length}, p99 ${pct(latAfter, 99).toFixed(1)} ms`);
    console.error(`  rss at start of the measurement ${rssStart.toFixed(0)} MB, peak ${rssPeak.toFixed(0)} MB, ` +
      `now ${rss(b.proc.pid, 'VmRSS').toFixed(0)} MB; load average ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
    console.error(`  target write p99 <= 20 ms during catch-up: ${p99 <= 20 ? 'met' : 'NOT met'}`);
    for (const m of bad) console.error(`  FAILED ${m}`);
  } finally {
    for (const s of [a, b]) if (s) { s.proc.kill('SIGTERM'); await s.exited; }
    agent.destroy();
    rmSync(dir, { recursive: true, force: true });
  }
  process.exit(failed ? 1 : 0);
}

if (process.argv[2] === '--subs') subscribersMain().catch((e) => { console.error(e); process.exit(1); });
else main().catch((e) => { console.error(e); process.exit(1); });
