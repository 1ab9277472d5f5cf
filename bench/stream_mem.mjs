#!/usr/bin/env node
// stream_mem — does the server give its memory back when stream
// subscribers leave? One line on standard output:
//
//	stream_mem subscribers=2000 rss_start_mb=A rss_peak_mb=B rss_end_mb=C
//
// then details on standard error. Method: a `relais serve --demo` (fsync
// on) on a temporary data folder; the driver creates CONTACTS contacts
// (default 400, 2 KB of attributes each: about 1 MB of AssurMax events) at
// RATE a second (default 100); then SUBS subscribers (default 2,000) of
// "tenant:<AssurMax id>" in a child process (admin and supervisor
// sessions) connect two at a time (libre's listen backlog is 5), each
// resuming from after=0 (a catch-up of the whole log); half of them stop
// reading once subscribed (a paused socket: slow clients). Three seconds
// later every subscriber leaves and, SETTLE_S seconds later (default 3),
// the server's VmRSS (/proc/PID/status) is read: rss_end_mb. rss_start_mb
// is read before the contacts, rss_peak_mb is VmHWM before they leave.
//
//	node bench/stream_mem.mjs
//	MEM_SUBS=500 node bench/stream_mem.mjs
//
// Exit status 1 when the server fails or a POST fails; memory is a figure,
// not a verdict (target: rss_end_mb close to rss_start_mb).
import { fork } from 'node:child_process';
import http from 'node:http';
import { createRequire } from 'node:module';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { startRelais, jsonRequest, procMb } from './lib.mjs';
import { fileURLToPath } from 'node:url';

const ROOT = new URL('..', import.meta.url);
const SELF = fileURLToPath(import.meta.url);
const BIN = process.env.RELAIS_BIN || new URL('build/relais', ROOT).pathname;
const env = (k, d) => (process.env[k] !== undefined ? Number(process.env[k]) : d);
const SUBS = env('MEM_SUBS', 2000);
const CONTACTS = env('MEM_CONTACTS', 400);
const RATE = env('MEM_RATE', 100);
const SETTLE_S = env('MEM_SETTLE_S', 3);
const agent = new http.Agent({ keepAlive: true, maxSockets: 8 });
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

const req = (url, method, path, token, body) =>
  jsonRequest(agent, url, method, path, token, body);

async function login(url, username) {
  const r = await req(url, 'POST', '/api/v1/session', null, { username, password: `${username}-demo` });
  if (r.status !== 201) throw new Error(`login ${username}: ${r.status}`);
  return r.body.token;
}

const rss = procMb;

// ---- the subscribers: node stream_mem.mjs --subs JSON ----
async function subscribersMain() {
  const require = createRequire(new URL('tests/integration/', ROOT));
  const WebSocket = require('ws');
  const { url, tokens, topic, n, after } = JSON.parse(process.argv[3]);
  const socks = [];
  const open = (i) => new Promise((resolve, reject) => {
    const ws = new WebSocket(`${url.replace('http', 'ws')}/api/v1/stream?token=${tokens[i % tokens.length]}`,
      { perMessageDeflate: false });
    ws.once('open', () => ws.send(JSON.stringify({ subscribe: [topic], after })));
    ws.once('message', () => { if (i % 2) ws._socket.pause(); resolve(); });
    ws.once('error', reject);
    ws.on('error', () => {});
    socks.push(ws);
  });
  for (let i = 0; i < n; i += 2) await Promise.all([open(i), ...(i + 1 < n ? [open(i + 1)] : [])]);
  process.send({ type: 'ready' });
  process.on('message', (m) => {
    if (m.type !== 'leave') return;
    for (const ws of socks) ws.terminate();
    process.send({ type: 'left' });
  });
}

async function main() {
  const dir = mkdtempSync(join(tmpdir(), 'relais-mem-'));
  const srv = await startRelais(BIN, dir, ['--demo']);
  const { proc, url } = srv;
  let child, failed = false;
  try {
    const admin = await login(url, 'admin');
    const tokens = [admin, await login(url, 'supervisor'), await login(url, 'admin'), await login(url, 'supervisor')];
    const tenants = (await req(url, 'GET', '/api/v1/tenants', admin)).body.items;
    const T1 = tenants.find((t) => t.name === 'AssurMax').id;
    const queue = (await req(url, 'GET', '/api/v1/queues?limit=500', admin)).body.items.find((q) => q.tenant === T1);
    await sleep(500);
    const start = rss(proc.pid, 'VmRSS');
    const blob = 'x'.repeat(2000);
    let errors = 0;
    const tw = Date.now();
    const pending = [];
    for (let i = 0; i < CONTACTS; i++) {
      while (Date.now() - tw < (i * 1000) / RATE) await sleep(2);
      pending.push(req(url, 'POST', '/api/v1/contacts', admin,
        { tenant: T1, queue: queue.id, channel: queue.channel, attributes: { blob, i } })
        .then((r) => { if (r.status !== 201) errors++; }, () => { errors++; }));
    }
    await Promise.all(pending);
    child = fork(SELF, ['--subs', JSON.stringify({ url, tokens, topic: `tenant:${T1}`, n: SUBS, after: 0 })]);
    const msg = (type) => new Promise((resolve) => child.on('message', (m) => { if (m.type === type) resolve(m); }));
    const t0 = Date.now();
    await msg('ready');
    const connectS = (Date.now() - t0) / 1000;
    await sleep(3000);
    const peak = rss(proc.pid, 'VmHWM');
    const before = rss(proc.pid, 'VmRSS');
    const left = msg('left');
    child.send({ type: 'leave' });
    await left;
    await sleep(SETTLE_S * 1000);
    const end = rss(proc.pid, 'VmRSS');
    failed = errors > 0;
    console.log(`stream_mem subscribers=${SUBS} rss_start_mb=${start.toFixed(0)} rss_peak_mb=${peak.toFixed(0)} rss_end_mb=${end.toFixed(0)}`);
    console.error(`  ${SUBS} subscribers connected in ${connectS.toFixed(1)} s (half of them paused), each a catch-up from 0 after ` +
      `${CONTACTS} contacts at ${RATE}/s; RSS with them ${before.toFixed(0)} MB; ${SETTLE_S} s after they left ${end.toFixed(0)} MB; ` +
      `load average ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
    if (errors) console.error(`  FAILED ${errors} POST errors`);
  } finally {
    if (child) child.kill();
    proc.kill('SIGTERM');
    await srv.exited;
    agent.destroy();
    rmSync(dir, { recursive: true, force: true });
  }
  process.exit(failed ? 1 : 0);
}

if (process.argv[2] === '--subs') subscribersMain().catch((e) => { console.error(e); process.exit(1); });
else main().catch((e) => { console.error(e); process.exit(1); });
