#!/usr/bin/env node
// chat_bench — web chat messages from visitors to busy agents. First line:
//
//	chat conversations=1000 msg_p50_ms=X msg_p99_ms=Y
//
// then details. Method: a `relais serve --demo` (fsync on, the default) on
// a free port and a temporary data folder, with the web chat's rate limits
// lifted (one address plays every visitor). A chat queue of AssurMax and
// its widget; AGENTS agents (default 340) of 3 chats each (the engine's
// default budget), available, their topics (agent:ID) followed on a few
// streams, every offer accepted over the API (scripted agents). CONVERSATIONS
// visitors (default 1000) start a conversation each through the public
// route (POST /api/v1/widget/{key}/conversations); once every one is
// accepted, each visitor sends a message every PERIOD_S seconds (default
// 5, the visitors' phases spread over the period) for SECONDS (default
// 30): 200 messages a second. Latency = from just before the visitor's
// POST .../messages (its visitor token) to the receipt, on the holding
// agent's stream, of the contact.message event carrying that text
// (process.hrtime, one process). The stream pushes an event only once its
// batch is on disk, so every message is durable before the agent sees it.
//
//	node bench/chat_bench.mjs
//	CHAT_CONVERSATIONS=200 CHAT_SECONDS=10 node bench/chat_bench.mjs
//
// Exit status 1 when a message is refused, lost or seen twice, an offer
// is not accepted, or the server fails.
import http from 'node:http';
import { createRequire } from 'node:module';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { startRelais, jsonRequest, procMb } from './lib.mjs';

const ROOT = new URL('..', import.meta.url);
const require = createRequire(new URL('tests/integration/', ROOT));
const WebSocket = require('ws');
const BIN = process.env.RELAIS_BIN || new URL('build/relais', ROOT).pathname;
const env = (k, d) => (process.env[k] !== undefined ? Number(process.env[k]) : d);
const CONVERSATIONS = env('CHAT_CONVERSATIONS', 1000);
const AGENTS = env('CHAT_AGENTS', 340); // 3 chats each: the engine's budget
const PERIOD_S = env('CHAT_PERIOD_S', 5);
const SECONDS = env('CHAT_SECONDS', 30);
const POOL = env('CHAT_POOL', 64);
const hr = () => Number(process.hrtime.bigint()) / 1e6;
const agent = new http.Agent({ keepAlive: true, maxSockets: POOL });
const req = (url, method, path, token, body) => jsonRequest(agent, url, method, path, token, body);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function pct(a, p) {
  if (!a.length) return 0;
  const s = [...a].sort((x, y) => x - y);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
}

async function must(p, status, what) {
  const r = await p;
  if (r.status !== status) throw new Error(`${what}: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body;
}

async function until(fn, what, ms) {
  const t0 = Date.now();
  while (Date.now() - t0 < ms) {
    if (await fn()) return;
    await sleep(50);
  }
  throw new Error(`${what}: not reached in ${ms} ms`);
}

// The scripted agents: streams following their topics (agent:ID), 100
// agents a stream; every offer accepted over the API for its agent (the
// admin acts for it, as a supervisor's console would).
async function agentStreams(url, admin, agents, sent, recv, bad) {
  const streams = [];
  const byId = new Map(agents.map((a) => [a.id, a]));
  for (let i = 0; i < agents.length; i += 100) {
    const ws = new WebSocket(url.replace('http', 'ws') + '/api/v1/stream?token=' + admin);
    await new Promise((resolve, reject) => { ws.once('open', resolve); ws.once('error', reject); });
    ws.on('message', (data) => {
      const m = JSON.parse(String(data));
      if (m.type === 'error' || m.type === 'overflow') bad.push(`agent stream: ${String(data)}`);
      if (m.type !== 'event') return;
      const a = byId.get(m.data.agent);
      if (m.event === 'contact.offered' && a) {
        req(url, 'POST', `/api/v1/contacts/${m.data.contact}/accept`, admin, { agent: a.id }).then((r) => {
          if (r.status !== 200) bad.push(`accept ${r.status} ${JSON.stringify(r.body)}`);
          else a.accepted++;
        }, (e) => bad.push(`accept: ${e.message}`));
      }
      if (m.event === 'contact.message' && m.data.direction === 'in') {
        const t = m.data.text;
        if (!sent.has(t)) return; // a first message
        if (recv.has(t)) bad.push(`twice: ${t}`);
        else recv.set(t, hr() - sent.get(t));
      }
    });
    ws.send(JSON.stringify({ subscribe: agents.slice(i, i + 100).map((a) => `agent:${a.id}`) }));
    streams.push(ws);
  }
  return streams;
}

async function setup(url) {
  const admin = (await must(req(url, 'POST', '/api/v1/session', null, { username: 'admin', password: 'admin-demo' }), 201, 'login')).token;
  const am = (await must(req(url, 'GET', '/api/v1/tenants', admin), 200, 'tenants')).items.find((t) => t.name === 'AssurMax').id;
  const paris = (await must(req(url, 'GET', '/api/v1/sites', admin), 200, 'sites')).items.find((s) => s.name === 'Paris').id;
  await must(req(url, 'POST', '/api/v1/skills', admin, { name: 'bench.chat' }), 201, 'skill');
  // a skill only the bench's agents have: the demo's agents take nothing
  const queue = (await must(req(url, 'POST', '/api/v1/queues', admin, {
    tenant: am, name: 'bench chat', channel: 'chat', wrapup: 'none', steps: [{ after_s: 0, filter: 'bench.chat >= 1' }],
  }), 201, 'queue')).id;
  const widget = await must(req(url, 'POST', '/api/v1/widgets', admin, { tenant: am, queue, name: 'bench', pre_chat: { name: false } }), 201, 'widget');
  const agents = [];
  for (let i = 0; i < AGENTS; i++) {
    const id = (await must(req(url, 'POST', '/api/v1/agents', admin, {
      name: `Bench ${i}`, site: paris, tenants: [am], capacity: { voice: 0, chat: 3, email: 0 }, skills: { 'bench.chat': 5 },
    }), 201, 'agent')).id;
    agents.push({ id, accepted: 0 });
  }
  return { admin, key: widget.key, agents };
}

async function main() {
  const dir = mkdtempSync(join(tmpdir(), 'relais-chat-'));
  Object.assign(process.env, {
    RELAIS_WIDGET_NEW_RATE: '100000/100000', RELAIS_WIDGET_ADDR_RATE: '100000/1000000',
    RELAIS_WIDGET_VISITOR_RATE: '1000/1000',
  });
  const sent = new Map(); // text -> time of the POST
  const recv = new Map(); // text -> latency ms
  const bad = [];
  let srv, streams = [], failed = false;
  try {
    srv = await startRelais(BIN, dir, ['--demo']);
    const { admin, key, agents } = await setup(srv.url);
    streams = await agentStreams(srv.url, admin, agents, sent, recv, bad);
    for (const a of agents) await must(req(srv.url, 'PUT', `/api/v1/agents/${a.id}/state`, admin, { state: 'available' }), 200, 'available');
    const t0 = hr();
    const visitors = [];
    for (let i = 0; i < CONVERSATIONS; i += 50) {
      const batch = [];
      for (let j = i; j < Math.min(CONVERSATIONS, i + 50); j++) {
        batch.push(must(req(srv.url, 'POST', `/api/v1/widget/${key}/conversations`, null, { text: `hello ${j}` }), 201, 'conversation'));
      }
      visitors.push(...(await Promise.all(batch)));
    }
    const startS = (hr() - t0) / 1000;
    const accepted = () => agents.reduce((k, a) => k + a.accepted, 0);
    await until(() => accepted() >= CONVERSATIONS, 'every conversation accepted', 120000).catch((e) => {
      throw new Error(`${e.message}: ${accepted()} accepted; ${bad.slice(0, 5).join('; ')}`);
    });
    // the messages: each visitor every PERIOD_S, phases spread
    const rss0 = procMb(srv.proc.pid, 'VmRSS');
    const end = hr() + SECONDS * 1000;
    let refused = 0, n = 0;
    await Promise.all(visitors.map(async (v, i) => {
      await sleep((i / visitors.length) * PERIOD_S * 1000);
      for (let k = 0; hr() < end; k++) {
        const text = `m ${i} ${k}`;
        const tick = hr();
        sent.set(text, tick);
        n++;
        const r = await req(srv.url, 'POST', `/api/v1/widget/conversations/${v.contact}/messages`, v.visitor_token, { text });
        if (r.status !== 201) { refused++; bad.push(`message ${r.status} ${JSON.stringify(r.body)}`); }
        await sleep(Math.max(0, tick + PERIOD_S * 1000 - hr()));
      }
    }));
    await until(() => recv.size + refused >= sent.size, 'every message on an agent stream', 15000).catch(() => {});
    const lat = [...recv.values()];
    const lost = sent.size - recv.size - refused;
    if (lost) bad.push(`${lost} messages never reached an agent`);
    const p50 = pct(lat, 50), p99 = pct(lat, 99);
    console.log(`chat conversations=${CONVERSATIONS} msg_p50_ms=${p50.toFixed(1)} msg_p99_ms=${p99.toFixed(1)}`);
    console.error(`  ${AGENTS} agents x 3 chats; ${CONVERSATIONS} conversations started in ${startS.toFixed(1)} s`);
    console.error(`  ${n} messages in ${SECONDS} s (${(n / SECONDS).toFixed(0)}/s), received ${recv.size}, refused ${refused}, ` +
      `lost ${Math.max(0, lost)}; max ${pct(lat, 100).toFixed(1)} ms`);
    console.error(`  server rss ${rss0.toFixed(0)} MB -> ${procMb(srv.proc.pid, 'VmRSS').toFixed(0)} MB; load average ` +
      `${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
    console.error(`  target msg p99 <= 100 ms: ${p99 <= 100 ? 'met' : 'NOT met'}`);
    for (const m of bad.slice(0, 10)) console.error(`  FAILED ${m}`);
    failed = bad.length > 0;
  } finally {
    for (const ws of streams) ws.terminate();
    if (srv) {
      srv.proc.kill('SIGTERM');
      if ((await srv.exited) !== 0) failed = true;
    }
    agent.destroy();
    rmSync(dir, { recursive: true, force: true });
  }
  process.exit(failed ? 1 : 0);
}

main().catch((e) => { console.error(e); process.exit(1); });
