#!/usr/bin/env node
// voice_bench — SIP calls into relais's voice queue: bridged to answering
// agents' phones, or waiting with music. Per N (VOICE_NS, default
// 100,250,500) two lines:
//
//	voice_rig calls=2N rtp_loss_pct=X jitter_p99_ms=Y sipp_cpu_pct=Z
//	voice bridged=N held=M rtp_loss_pct=X jitter_p99_ms=Y relais_cpu_pct=Z
//
// voice_rig: the load generators alone, SIPp callers (uac_load: rtp_stream
// of a 1 kHz PCMU tone) straight to SIPp phones (uas_load: the same tone
// back), 2N calls at once (as many streams as the callers receive in the
// relais run), measured as below on what the callers receive:
// what the rig itself carries on this machine, to tell its limits from
// relais's. sipp_cpu_pct: both SIPps together. (SIPp's -rtp_echo drops
// packets from a few hundred calls: one thread reads every call's audio.)
//
// voice: `relais serve --demo --sip` and a generated centre: AssurMax's
// voice queue served by N bench agents only (a skill of theirs), each with
// a SIP login (phones API) registered by SIPp (register_logins, digest),
// a number whose flow goes straight to the queue (flows and numbers
// APIs), the agents available. SIPp answers every call to the agents'
// phones and sends a tone (uas_load); 2N callers arrive at VOICE_RATE
// calls/s (default 50): N bridged to the agents, N held with music.
//
// Measured, once every call is up, over VOICE_WINDOW_S seconds (default
// 10): what the callers receive (dumpcap on lo, the callers' RTP port
// only, read by voicelib's rtpStats: loss from sequence gaps, RFC 3550
// jitter p99 over every packet) and relais's CPU (utime + stime of
// /proc/PID/stat over the window, 100 = one core). Target: 500 bridged +
// 500 held, no loss, jitter p99 <= 5 ms.
//
// While relais lacks the routes a centre needs (phones, flows, numbers
// with a flow), or refuses the calls, it prints `voice skipped reason=...`
// and goes on. Needs root (dumpcap on lo).
//
//	node bench/voice_bench.mjs
//	VOICE_NS=100 VOICE_WINDOW_S=5 node bench/voice_bench.mjs
//	VOICE_RIG=0 VOICE_NS=500 node bench/voice_bench.mjs   # relais only
import { execFileSync } from 'node:child_process';
import http from 'node:http';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { startRelais, jsonRequest } from './lib.mjs';
import { startSipp, runSipp, startCapture, rtpStats, freePort, tempDir } from '../tests/integration/voicelib.mjs';

const BIN = process.env.RELAIS_BIN || new URL('../build/relais', import.meta.url).pathname;
const NS = (process.env.VOICE_NS || '100,250,500').split(',').map(Number);
const RATE = Number(process.env.VOICE_RATE || 50);
const WINDOW_S = Number(process.env.VOICE_WINDOW_S || 10);
const NUMBER = '+33180009999';
const HZ = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }));

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// A process's CPU time so far, in seconds (user + system).
function cpuSeconds(pid) {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const rest = f.slice(f.lastIndexOf(')') + 2).split(' ');
  return (Number(rest[11]) + Number(rest[12])) / HZ;
}

// Waits until every SIPp of `want` has that many calls up; resolves with
// the counts reached (the deadline passed or not).
async function callsUp(want, ms) {
  const t0 = Date.now();
  for (;;) {
    const now = want.map(([s]) => s.stats().CurrentCall || 0);
    if (want.every(([, n], i) => now[i] >= n) || Date.now() - t0 > ms) return now;
    await sleep(250);
  }
}

// Captures what arrives at the callers' RTP port for the window while
// measuring the CPU of pids; resolves with { st (rtpStats), cpu [%] }.
async function measure(callerPort, pids, dir) {
  const cap = await startCapture({ dir, filter: `udp dst port ${callerPort}` });
  const c0 = pids.map(cpuSeconds), t0 = performance.now();
  await sleep(WINDOW_S * 1000);
  const s = (performance.now() - t0) / 1000;
  const cpu = pids.map((pid, i) => (100 * (cpuSeconds(pid) - c0[i])) / s);
  const st = rtpStats(await cap.stop());
  if (cap.dropped()) console.error(`  the capture dropped ${cap.dropped()} packets: loss overstated`);
  // Packets received of those due (50 a second a stream): below 100,
  // senders fell behind their clock (none lost, but late).
  st.due_pct = st.streams ? (100 * st.packets) / (st.streams * s * 50) : 0;
  return { st, cpu };
}

function g711Tone(dir) {
  const f = join(dir, 'tone-1000.ulaw');
  execFileSync('sox', ['-n', '-r', '8000', '-c', '1', '-e', 'u-law', '-t', 'raw', f, 'synth', '10', 'sine', '1000', 'vol', '0.5']);
  return f;
}

const fixed = (x) => x.toFixed(2);
// The machine's load average over the last minute (other work skews
// jitter: every sender here is a userland timer).
const load = () => loadavg()[0].toFixed(1);

// The load generators alone: N SIPp callers to N SIPp echoing phones.
async function rig(n) {
  const dir = tempDir('voice-rig');
  const holdMs = Math.ceil((n / RATE) * 1000) + WINDOW_S * 1000 + 8000;
  const audio = g711Tone(dir);
  const phones = await startSipp({ scenario: 'uas_load', vars: { audio, wait_ms: holdMs + 30000 }, calls: 0, timeoutMs: holdMs + 60000 });
  const callers = await startSipp({
    scenario: 'uac_load', target: `127.0.0.1:${phones.port}`, service: 'agent', calls: n, rate: RATE,
    vars: { audio, hold_ms: holdMs }, args: ['-l', String(n)], timeoutMs: holdMs + 60000,
  });
  try {
    const up = await callsUp([[callers, n], [phones, n]], holdMs - WINDOW_S * 1000 - 2000);
    if (up[0] < n) throw new Error(`rig: ${up[0]} of ${n} calls up, ${callers.stats()['FailedCall(C)']} failed`);
    const { st, cpu } = await measure(callers.mediaPort, [callers.pid, phones.pid], dir);
    console.log(`voice_rig calls=${n} rtp_loss_pct=${fixed(st.loss_pct)} jitter_p99_ms=${fixed(st.jitter_p99_ms)} sipp_cpu_pct=${(cpu[0] + cpu[1]).toFixed(0)}`);
    console.error(`  ${st.streams} streams, ${st.packets} packets (${st.due_pct.toFixed(0)} % of those due), ${st.lost} lost, jitter max ${fixed(st.jitter_max_ms)} ms; caller ${cpu[0].toFixed(0)} %, phones ${cpu[1].toFixed(0)} %; load ${load()}`);
    const r = await callers.done;
    if (r.code !== 0) console.error(`  rig callers: code ${r.code} ${r.errors.slice(0, 500)}`);
  } finally {
    for (const x of [callers, phones]) {
      await x.stop();
      rmSync(x.dir, { recursive: true, force: true });
    }
    rmSync(dir, { recursive: true, force: true });
  }
}

// A call of the API that must answer `status`; else the reason to skip.
class Skip extends Error {}
async function must(p, status, what) {
  const r = await p;
  if (r.status !== status) throw new Skip(`${what}-${r.status}`);
  return r.body;
}

// The centre: N agents of AssurMax with a skill nobody else has, a voice
// queue for them, their SIP logins, a flow to the queue and its number.
async function centre(url, n, agentHttp) {
  const q = (method, path, body) => jsonRequest(agentHttp, url, method, path, token, body);
  const token = (await must(jsonRequest(agentHttp, url, 'POST', '/api/v1/session', null, { username: 'admin', password: 'admin-demo' }), 201, 'login')).token;
  const am = (await must(q('GET', '/api/v1/tenants'), 200, 'tenants')).items.find((t) => t.name === 'AssurMax').id;
  const paris = (await must(q('GET', '/api/v1/sites'), 200, 'sites')).items.find((s) => s.name === 'Paris').id;
  await must(q('POST', '/api/v1/skills', { name: 'bench.voice' }), 201, 'skill');
  const queue = (await must(q('POST', '/api/v1/queues', {
    tenant: am, name: 'bench voice', channel: 'voice', wrapup: 'none', steps: [{ after_s: 0, filter: 'bench.voice >= 1' }],
  }), 201, 'queue')).id;
  const flow = (await must(q('POST', '/api/v1/flows', { tenant: am, name: 'bench', start: 'q', nodes: { q: { type: 'queue', queue } } }), 201, 'flows')).id;
  await must(q('POST', '/api/v1/numbers', { tenant: am, number: NUMBER, flow }), 201, 'numbers');
  const agents = [];
  for (let i = 0; i < n; i++) {
    const id = (await must(q('POST', '/api/v1/agents', {
      name: `Bench ${i}`, site: paris, tenants: [am], capacity: { voice: 1, chat: 0, email: 0 }, skills: { 'bench.voice': 5 },
    }), 201, 'agent')).id;
    await must(q('POST', '/api/v1/phones', { agent: id, username: `bench${i}`, password: `bench${i}-sip` }), 201, 'phones');
    agents.push(id);
  }
  return { q, agents };
}

// relais with N agents' phones and 2N callers; false when skipped.
async function voice(n) {
  const dir = tempDir('voice-bench');
  const sip = await freePort();
  const agentHttp = new http.Agent({ keepAlive: true, maxSockets: 8 });
  const stops = [];
  try {
    let srv;
    mkdirSync(join(dir, 'data'));
    try {
      srv = await startRelais(BIN, join(dir, 'data'), ['--demo', '--sip', `127.0.0.1:${sip}`]);
    } catch (e) {
      throw new Skip(`serve-sip (${e.message.split('\n')[0].slice(0, 80)})`);
    }
    stops.push(async () => { srv.proc.kill('SIGTERM'); await srv.exited; });
    const { q, agents } = await centre(srv.url, n, agentHttp);
    // The phones: registered from port P, then answering there.
    const port = await freePort();
    writeFileSync(join(dir, 'logins.csv'), `SEQUENTIAL\n${agents.map((id, i) => `bench${i};bench${i}-sip`).join('\n')}\n`);
    const reg = await runSipp({
      scenario: 'register_logins', target: `127.0.0.1:${sip}`, port, calls: n, rate: 100, vars: { expires: 3600 },
      args: ['-inf', join(dir, 'logins.csv'), '-au', '[field0]', '-ap', '[field1]', '-l', '100'], timeoutMs: 60000,
    });
    if (reg.code !== 0) throw new Skip(`register-${reg.stats['FailedCall(C)']}-of-${n}-failed`);
    const holdMs = Math.ceil(((2 * n) / RATE) * 1000) + WINDOW_S * 1000 + 15000;
    const audio = g711Tone(dir);
    const phones = await startSipp({ scenario: 'uas_load', port, vars: { audio, wait_ms: holdMs + 30000 }, calls: 0, timeoutMs: holdMs + 90000 });
    stops.push(() => phones.stop().then(() => rmSync(phones.dir, { recursive: true, force: true })));
    for (const id of agents) await must(q('PUT', `/api/v1/agents/${id}/state`, { state: 'available' }), 200, 'available');
    const callers = await startSipp({
      scenario: 'uac_load', target: `127.0.0.1:${sip}`, service: NUMBER, calls: 2 * n, rate: RATE,
      vars: { audio, hold_ms: holdMs }, args: ['-l', String(2 * n)], timeoutMs: holdMs + 90000,
    });
    stops.unshift(() => callers.stop().then(() => rmSync(callers.dir, { recursive: true, force: true })));
    const [up, bridged] = await callsUp([[callers, 2 * n], [phones, n]], holdMs - WINDOW_S * 1000 - 3000);
    if (up === 0) throw new Skip(`no-call-up-${callers.stats()['FailedCall(C)'] || 0}-failed`);
    const { st, cpu } = await measure(callers.mediaPort, [srv.proc.pid], dir);
    console.log(`voice bridged=${bridged} held=${up - bridged} rtp_loss_pct=${fixed(st.loss_pct)} jitter_p99_ms=${fixed(st.jitter_p99_ms)} relais_cpu_pct=${cpu[0].toFixed(0)}`);
    console.error(`  wanted ${n} bridged + ${n} held; ${st.streams} streams, ${st.packets} packets (${st.due_pct.toFixed(0)} % of those due), ${st.lost} lost, jitter max ${fixed(st.jitter_max_ms)} ms; load ${load()}`);
    if (bridged < n || up < 2 * n) {
      // Short of the target: say so, with relais's warnings and errors.
      console.error(`  FAILED ${bridged} of ${n} bridged, ${up} of ${2 * n} calls up; phones failed ${phones.stats()['FailedCall(C)']}, callers failed ${callers.stats()['FailedCall(C)']}`);
      for (const l of srv.logs().split('\n').filter((x) => /^\S+ (warn|error) /.test(x)).slice(-10)) console.error(`  relais: ${l}`);
      const errs = existsSync(join(phones.dir, 'errors.log')) ? readFileSync(join(phones.dir, 'errors.log'), 'utf8') : '';
      for (const l of errs.split('\n').filter((x) => /Aborting|unexpected|timeout/i.test(x)).slice(0, 5)) console.error(`  phones: ${l}`);
      process.exitCode = 1;
    }
    return true;
  } catch (e) {
    if (!(e instanceof Skip)) throw e;
    console.log(`voice skipped reason=${e.message}`);
    return false;
  } finally {
    for (const s of stops) await s();
    agentHttp.destroy();
    rmSync(dir, { recursive: true, force: true });
  }
}

try {
  if (process.getuid() !== 0) throw new Skip('not-root (dumpcap on lo)');
  if (process.env.VOICE_RIG !== '0') for (const n of NS) await rig(2 * n);
  for (const n of NS) if (!(await voice(n))) break;
} catch (e) {
  if (e instanceof Skip) console.log(`voice skipped reason=${e.message}`);
  else {
    console.error(e.stack || e.message);
    process.exitCode = 1;
  }
}
