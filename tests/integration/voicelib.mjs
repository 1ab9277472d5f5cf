// The voice test rig: real SIP peers on 127.0.0.1 for the voice tests and
// the voice benchmark, each in a temporary folder, on free ports, stopped
// by its PID.
//
//   const phone = await startBaresip({ user: 'agent01', password: 'agent01-sip',
//     registrar: '127.0.0.1:5060', toneHz: 440 });   // an agent's phone
//   await phone.waitEvent('REGISTER_OK');
//   const media = callerPcap({ dir, toneHz: 1000, digits: '1', dtmfAtMs: 2000 });
//   const r = await runSipp({ scenario: 'uac_call', target: '127.0.0.1:5060',
//     service: '+33180000001', vars: { media, hold_ms: 8000 } });
//   r.code                                               // 0: every call passed
//   dominantHz(phone.recordings()[0].dec)                // ~1000 (the caller)
//   dominantHz(relaisWav, { channel: 2 })                // the agent's side
//   const k = await startKamailio({ targets: ['127.0.0.1:5060'] });
//
// What each peer does here:
// - baresip (headless: a WAV tone as its microphone, nothing as speaker,
//   sndfile records every call, ctrl_tcp + menu for commands and events):
//   an agent's phone, auto-answering or not, registered or not.
// - SIPp: callers (scenarios in tests/voice/, {{placeholders}} filled by
//   runSipp) and the carrier (uas_answer). Its media is a pcap made here
//   (callerPcap: G.711 tone made by sox + RFC 4733 digits), played with
//   play_pcap_audio, which sends through a raw socket: root only (the
//   tests run as root here and in CI).
// - Kamailio with its dispatcher in front of relais (or of phones).
// - RTP measured from a capture on lo (startCapture: dumpcap, headers
//   only) read by rtpStats(): per stream sequence gaps (loss) and the
//   RFC 3550 interarrival jitter.
import { spawn, spawnSync, execFileSync } from 'node:child_process';
import dgram from 'node:dgram';
import net from 'node:net';
import { mkdtempSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { until } from './lib.mjs';

export const VOICE_DIR = new URL('../voice/', import.meta.url).pathname;
const SIPP = '/usr/bin/sipp';
const BARESIP = '/usr/bin/baresip';
const KAMAILIO = '/usr/sbin/kamailio';
const DUMPCAP = '/usr/bin/dumpcap';

// A temporary folder of the rig (the caller removes it, or stop() does).
export function tempDir(prefix = 'voice') {
  return mkdtempSync(join(tmpdir(), `relais-${prefix}-`));
}

// Whether 127.0.0.1:port can be bound, for UDP (udp) or TCP.
async function binds(port, udp) {
  const s = udp ? dgram.createSocket('udp4') : net.createServer();
  try {
    await new Promise((resolve, reject) => {
      s.once('error', reject);
      if (udp) s.bind(port, '127.0.0.1', resolve);
      else s.listen(port, '127.0.0.1', resolve);
    });
    return true;
  } catch {
    return false;
  } finally {
    try { s.close(); } catch { /* never bound */ }
  }
}

// A port free for UDP and TCP, and so are the `span` - 1 ports after it
// (baresip also listens for TLS on port + 1; RTP uses port + 1 for RTCP).
// Ports are drawn at random in 20000-59999 to keep parallel suites apart.
export async function freePort(span = 1) {
  for (let i = 0; i < 200; i++) {
    const base = 20000 + 2 * Math.floor(Math.random() * 20000);
    let free = true;
    for (let p = base; p < base + span && free; p++) free = (await binds(p, true)) && (await binds(p, false));
    if (free) return base;
  }
  throw new Error('no free port');
}

// Spawns a peer; { proc, pid, out() (stdout and stderr), err(), exited,
// running(), stop() } where stop() sends SIGTERM to its PID, then
// SIGKILL after `grace` ms.
function startProcess(cmd, args, { cwd, env, grace = 3000 } = {}) {
  const proc = spawn(cmd, args, { cwd, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '', err = '';
  proc.stdout.on('data', (d) => { out += d; });
  proc.stderr.on('data', (d) => { out += d; err += d; });
  const exited = new Promise((resolve) => proc.on('exit', (code, sig) => resolve({ code, sig })));
  let done = false;
  exited.then(() => { done = true; });
  return {
    proc, pid: proc.pid, exited, out: () => out, err: () => err, running: () => !done,
    async stop() {
      if (done) return exited;
      proc.kill('SIGTERM');
      const t = setTimeout(() => { if (!done) proc.kill('SIGKILL'); }, grace);
      const st = await exited;
      clearTimeout(t);
      return st;
    },
  };
}

// Waits for a peer to be ready (ready() resolves or throws); on failure
// stops it by its PID before throwing, so that no peer outlives a test.
async function whenReady(p, ready) {
  try {
    return await ready();
  } catch (e) {
    await p.stop();
    throw e;
  }
}

// ---------------------------------------------------------------- media

// A WAV tone made by sox: mono 16-bit, `rate` Hz, `seconds` long.
export function toneWav(path, hz, seconds = 120, rate = 8000) {
  execFileSync('sox', ['-n', '-r', String(rate), '-c', '1', '-b', '16', path, 'synth', String(seconds), 'sine', String(hz), 'vol', '0.5']);
  return path;
}

// The same tone as raw G.711 (`law`: 'u-law' or 'a-law'), for SIPp.
function toneG711(path, hz, seconds, law) {
  execFileSync('sox', ['-n', '-r', '8000', '-c', '1', '-e', law, '-t', 'raw', path, 'synth', String(seconds), 'sine', String(hz), 'vol', '0.5']);
  return readFileSync(path);
}

// The RFC 4733 event code of a DTMF digit.
function dtmfEvent(d) {
  const i = '0123456789*#ABCD'.indexOf(String(d).toUpperCase());
  if (i < 0) throw new Error(`not a DTMF digit: ${d}`);
  return i;
}

// A pcap writer of UDP datagrams over Ethernet/IPv4 (what SIPp's
// play_pcap_audio reads; it keeps each packet's time offset and RTP
// header and rewrites addresses and ports).
function pcapFile(packets) {
  const head = Buffer.alloc(24);
  head.writeUInt32LE(0xa1b2c3d4, 0);
  head.writeUInt16LE(2, 4);
  head.writeUInt16LE(4, 6);
  head.writeUInt32LE(65535, 16);
  head.writeUInt32LE(1, 20);
  const recs = packets.map(({ ms, payload }) => {
    const len = 14 + 20 + 8 + payload.length;
    const rec = Buffer.alloc(16 + len);
    rec.writeUInt32LE(Math.floor(ms / 1000), 0);
    rec.writeUInt32LE(Math.round((ms % 1000) * 1000), 4);
    rec.writeUInt32LE(len, 8);
    rec.writeUInt32LE(len, 12);
    const eth = 16;
    rec.writeUInt16BE(0x0800, eth + 12);
    const ip = eth + 14;
    rec.writeUInt8(0x45, ip);
    rec.writeUInt16BE(20 + 8 + payload.length, ip + 2);
    rec.writeUInt8(64, ip + 8);
    rec.writeUInt8(17, ip + 9);
    Buffer.from([127, 0, 0, 1, 127, 0, 0, 1]).copy(rec, ip + 12);
    let sum = 0;
    for (let i = 0; i < 20; i += 2) sum += rec.readUInt16BE(ip + i);
    while (sum > 0xffff) sum = (sum & 0xffff) + (sum >> 16);
    rec.writeUInt16BE(~sum & 0xffff, ip + 10);
    const udp = ip + 20;
    rec.writeUInt16BE(6000, udp);
    rec.writeUInt16BE(6000, udp + 2);
    rec.writeUInt16BE(8 + payload.length, udp + 4);
    payload.copy(rec, udp + 8);
    return rec;
  });
  return Buffer.concat([head, ...recs]);
}

function rtpPacket({ pt, seq, ts, ssrc, marker = false, payload }) {
  const h = Buffer.alloc(12);
  h.writeUInt8(0x80, 0);
  h.writeUInt8((marker ? 0x80 : 0) | pt, 1);
  h.writeUInt16BE(seq & 0xffff, 2);
  h.writeUInt32BE(ts >>> 0, 4);
  h.writeUInt32BE(ssrc >>> 0, 8);
  return Buffer.concat([h, payload]);
}

// The caller's media as a pcap for SIPp's play_pcap_audio: `seconds` of
// a `toneHz` sine in G.711 (`codec` 'PCMU', payload 0, or 'PCMA', 8),
// 20 ms packets, and the DTMF `digits` as RFC 4733 events (payload
// `eventPt`, 101) from `dtmfAtMs`, each `digitMs` long then `gapMs` of
// tone; the tone stops while a digit plays, as a phone does. Returns the
// path (in `dir`).
export function callerPcap({ dir, toneHz = 1000, seconds = 30, codec = 'PCMU', digits = '', dtmfAtMs = 2000, digitMs = 200, gapMs = 400, eventPt = 101, name }) {
  const law = codec === 'PCMA' ? 'a-law' : 'u-law';
  const pt = codec === 'PCMA' ? 8 : 0;
  const audio = toneG711(join(dir, `tone-${toneHz}-${codec}.raw`), toneHz, seconds, law);
  const ssrc = 0x1000 + Math.floor(Math.random() * 0xfffff);
  const spans = [...digits].map((d, i) => ({ event: dtmfEvent(d), from: dtmfAtMs + i * (digitMs + gapMs) }));
  const packets = [];
  let seq = 1;
  for (let t = 0; t < seconds * 1000; t += 20) {
    const span = spans.find((s) => t >= s.from && t < s.from + digitMs);
    const ts = t * 8;
    if (!span) {
      packets.push({ ms: t, payload: rtpPacket({ pt, seq: seq++, ts, ssrc, payload: audio.subarray(ts, ts + 160) }) });
      continue;
    }
    // One event: its first packet marked, the duration growing, the
    // last one (end bit) sent three times.
    const elapsed = t - span.from + 20;
    const end = elapsed >= digitMs;
    const ev = Buffer.from([span.event, (end ? 0x80 : 0) | 10, 0, 0]);
    ev.writeUInt16BE(elapsed * 8, 2);
    const evTs = span.from * 8;
    const copies = end ? 3 : 1;
    for (let c = 0; c < copies; c++)
      packets.push({ ms: t + c * 2, payload: rtpPacket({ pt: eventPt, seq: seq++, ts: evTs, ssrc, marker: t === span.from && c === 0, payload: ev }) });
  }
  const path = join(dir, name || `caller-${toneHz}-${digits || 'none'}-${codec}.pcap`);
  writeFileSync(path, pcapFile(packets));
  return path;
}

// A WAV's { rate, channels, seconds } (soxi).
export function wavInfo(path) {
  const q = (flag) => execFileSync('soxi', [flag, path], { encoding: 'utf8' }).trim();
  return { rate: Number(q('-r')), channels: Number(q('-c')), seconds: Number(q('-D')) };
}

// The dominant frequency (Hz) of a WAV, or of one channel of it (1 left,
// 2 right): sox's spectrum (`stat -freq`, one per 4096-sample window)
// summed over the file, its peak bin. `from`/`seconds` trim first.
// null when the audio is silence.
export function dominantHz(path, { channel, from = 0, seconds } = {}) {
  const args = [path, '-n'];
  if (channel) args.push('remix', String(channel));
  if (from || seconds) args.push('trim', String(from), ...(seconds ? [String(seconds)] : []));
  args.push('stat', '-freq');
  const r = spawnSyncText('sox', args);
  const power = new Map();
  for (const line of r.split('\n')) {
    const m = line.match(/^\s*([\d.]+)\s+([\d.eE+-]+)\s*$/);
    if (!m) continue;
    const f = Number(m[1]);
    power.set(f, (power.get(f) || 0) + Number(m[2]));
  }
  let best = null, bestP = 0;
  for (const [f, p] of power) if (p > bestP) { best = f; bestP = p; }
  return bestP > 0 ? Math.round(best) : null;
}

// A command's standard error (where sox prints its stat), or an error.
function spawnSyncText(cmd, args) {
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 256 << 20 });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')}: ${r.stderr || r.error}`);
  return r.stderr;
}

// -------------------------------------------------------------- baresip

// Phones' microphones, one WAV a frequency for the whole process (in a
// folder removed at exit): 300 s, longer than any call.
let toneDir = null;
function sharedTone(hz) {
  if (!toneDir) {
    toneDir = tempDir('tones');
    process.on('exit', () => rmSync(toneDir, { recursive: true, force: true }));
  }
  const f = join(toneDir, `tone-${hz}.wav`);
  return existsSync(f) ? f : toneWav(f, hz, 300);
}

// netstring frames ("LEN:JSON,") out of a growing buffer.
function netstrings(buf, onMessage) {
  for (;;) {
    const colon = buf.indexOf(0x3a);
    if (colon < 0) return buf;
    const n = Number(buf.subarray(0, colon).toString());
    if (buf.length < colon + 1 + n + 1) return buf;
    onMessage(JSON.parse(buf.subarray(colon + 1, colon + 1 + n).toString()));
    buf = buf.subarray(colon + 1 + n + 1);
  }
}

function baresipConfig({ port, ctrlPort, source, recDir }) {
  return `# baresip 1.0.0, headless: written by voicelib.mjs
poll_method		epoll
sip_listen		127.0.0.1:${port}
net_interface		127.0.0.1
audio_player		aubridge,nil
audio_source		aufile,${source}
audio_alert		aubridge,nil
module_path		/usr/lib/baresip/modules
module			g711.so
module			aufile.so
module			aubridge.so
module			sndfile.so
module_app		account.so
module_app		menu.so
module_app		ctrl_tcp.so
ctrl_tcp_listen		127.0.0.1:${ctrlPort}
snd_path		${recDir}
call_max_calls		200
rtp_stats		yes
`;
}

// An agent's phone: baresip on `port` (a free one when not given, with
// port + 1 free for its TLS), its microphone a `toneHz` sine longer than
// any test, its speaker nothing, every call recorded. With `registrar`
// ("127.0.0.1:5060") it registers USER there with digest
// user/password; without, it takes calls sent to 127.0.0.1:port.
// Returns { pid, port, aor, ctrl(command, params), waitEvent(type, ms,
// pred), events, recordings(), logs(), stop() }. Commands of 1.0.0's menu
// over ctrl_tcp: dial URI, accept, hangup, hold, resume, sndcode DIGITS,
// answermode auto|manual, listcalls, reinvite. Events: REGISTER_OK,
// REGISTER_FAIL, CALL_INCOMING, CALL_RINGING, CALL_ESTABLISHED,
// CALL_CLOSED, CALL_DTMF_START/END, CALL_RTCP...
export async function startBaresip({ user = 'agent', password = '', registrar = null, port, toneHz = 440, autoAnswer = true, catchall = true, dir, regint = 60 } = {}) {
  dir = dir || tempDir('baresip');
  port = port || await freePort(2);
  const ctrlPort = await freePort();
  const recDir = join(dir, 'rec');
  mkdirSync(recDir, { recursive: true });
  const source = sharedTone(toneHz);
  writeFileSync(join(dir, 'config'), baresipConfig({ port, ctrlPort, source, recDir }));
  const mode = autoAnswer ? 'auto' : 'manual';
  const aor = registrar ? `sip:${user}@${registrar}` : `sip:${user}@127.0.0.1:${port}`;
  const params = registrar
    ? `;auth_user=${user};auth_pass=${password};regint=${regint};answermode=${mode};catchall=${catchall ? 'yes' : 'no'}`
    : `;regint=0;answermode=${mode};catchall=${catchall ? 'yes' : 'no'}`;
  // The account is added over ctrl_tcp once connected (uanew), so that
  // its first REGISTER_OK/FAIL is an event we see.
  writeFileSync(join(dir, 'accounts'), '');
  const p = startProcess(BARESIP, ['-f', dir], { cwd: dir, grace: 1000 });
  const events = [], pending = new Map(), waiters = [];
  let sock = null;
  await whenReady(p, () => until(async () => {
    if (!p.running()) throw new Error(`baresip exited:\n${p.out()}`);
    sock = await new Promise((resolve) => {
      const s = net.connect(ctrlPort, '127.0.0.1', () => resolve(s));
      s.once('error', () => resolve(null));
    });
    return sock;
  }, 'baresip ctrl_tcp', 20000, p.out));
  let buf = Buffer.alloc(0);
  sock.on('data', (d) => {
    buf = netstrings(Buffer.concat([buf, d]), (m) => {
      if (m.response && pending.has(m.token)) { pending.get(m.token)(m); pending.delete(m.token); }
      if (!m.event) return;
      events.push(m);
      for (const w of [...waiters]) if (w.types.includes(m.type) && w.pred(m)) { waiters.splice(waiters.indexOf(w), 1); clearTimeout(w.timer); w.resolve(m); }
    });
  });
  sock.on('error', () => {});
  let n = 0;
  const ctrl = (command, params = '') => new Promise((resolve, reject) => {
    const token = `t${++n}`;
    const body = Buffer.from(JSON.stringify({ command, params, token }));
    const t = setTimeout(() => { pending.delete(token); reject(new Error(`baresip ${command}: no response`)); }, 5000);
    pending.set(token, (m) => { clearTimeout(t); resolve(m); });
    sock.write(Buffer.concat([Buffer.from(`${body.length}:`), body, Buffer.from(',')]));
  });
  const added = await ctrl('uanew', `<${aor}>${params}`).catch((e) => ({ ok: false, error: e.message }));
  if (!added.ok) {
    sock.destroy();
    await p.stop();
    throw new Error(`baresip uanew: ${JSON.stringify(added)}\n${p.out()}`);
  }
  // The first event of `type` (a name, or a list: the first of any)
  // received or to come that pred accepts.
  const waitEvent = (type, ms = 10000, pred = () => true) => {
    const types = [type].flat();
    const found = events.find((e) => types.includes(e.type) && pred(e));
    if (found) return Promise.resolve(found);
    return new Promise((resolve, reject) => {
      const w = { types, pred, resolve };
      w.timer = setTimeout(() => {
        waiters.splice(waiters.indexOf(w), 1);
        reject(new Error(`baresip ${user}: no ${types.join('/')} in ${ms} ms; events: ${events.map((e) => e.type).join(' ')}\n${p.out().slice(-3000)}`));
      }, ms);
      waiters.push(w);
    });
  };
  // sndfile's files, one pair a call: dump-DATE-TIME-{enc,dec}.wav (enc:
  // what the phone sent, dec: what it received), oldest first.
  const recordings = () => readdirSync(recDir).filter((f) => f.endsWith('-dec.wav')).sort()
    .map((f) => ({ dec: join(recDir, f), enc: join(recDir, f.replace(/-dec\.wav$/, '-enc.wav')) }));
  return {
    pid: p.pid, port, aor, dir, events, ctrl, waitEvent, recordings, logs: p.out,
    count: (type) => events.filter((e) => e.type === type).length,
    async stop({ keep = false } = {}) {
      for (const w of waiters.splice(0)) clearTimeout(w.timer);
      sock.destroy();
      await p.stop();
      if (!keep) rmSync(dir, { recursive: true, force: true });
    },
  };
}

// ----------------------------------------------------------------- SIPp

// The scenario's text: tests/voice/NAME.xml with its {{placeholders}}
// filled from vars (an unfilled one is an error), or null for SIPp's
// built-in NAME (uac, uas...).
function scenarioText(scenario, vars) {
  const file = existsSync(scenario) ? scenario : join(VOICE_DIR, scenario.endsWith('.xml') ? scenario : `${scenario}.xml`);
  if (!existsSync(file)) return null;
  // A block <!-- each NAME -->...<!-- end each --> repeats for every
  // character of vars.NAME, with {{digit}} that character and {{cseq}}
  // 2, 3... (CSeq numbers after the INVITE's).
  const repeated = readFileSync(file, 'utf8').replace(/<!-- each (\w+) -->([\s\S]*?)<!-- end each -->/g, (all, name, body) => {
    if (vars[name] === undefined) throw new Error(`${scenario}: no value for {{${name}}}`);
    return [...String(vars[name])].map((c, i) => body.replaceAll('{{digit}}', c).replaceAll('{{cseq}}', String(i + 2))).join('');
  });
  const text = repeated.replace(/\{\{(\w+)\}\}/g, (all, k) => {
    if (vars[k] === undefined) throw new Error(`${scenario}: no value for {{${k}}}`);
    return String(vars[k]);
  });
  return text;
}

// The last line of SIPp's -trace_stat CSV as { name: value } (counters
// such as SuccessfulCall(C), FailedCall(C), CurrentCall).
function sippStats(dir) {
  const f = join(dir, 'stats.csv');
  if (!existsSync(f)) return {};
  const lines = readFileSync(f, 'utf8').trim().split('\n');
  if (lines.length < 2) return {};
  const head = lines[0].split(';'), last = lines.at(-1).split(';');
  const out = {};
  head.forEach((h, i) => { if (h) out[h] = /^\d+$/.test(last[i]) ? Number(last[i]) : last[i]; });
  return out;
}

// Starts SIPp in a temporary folder: scenario (a file of tests/voice, a
// path, or a built-in name), target "host:port" (none for a UAS), service
// (-s: the number or user called), port (-p, free by default), calls
// (-m), rate (-r), vars ({{name}} in the scenario; defaults from=caller,
// hold_ms=5000), args (more SIPp options). Always -i 127.0.0.1 -nostdin
// -trace_err -trace_stat. Returns { pid, port, mediaPort (-mp: its RTP
// port), dir, stats(), done (a promise of the result, see runSipp),
// stop() } at once.
export async function startSipp({ scenario, target, service, port, calls = 1, rate, vars = {}, args = [], timeoutMs = 60000, dir } = {}) {
  dir = dir || tempDir('sipp');
  port = port || await freePort();
  const mediaPort = await freePort(4);
  const text = scenarioText(scenario, { from: 'caller', hold_ms: 5000, ...vars });
  const argv = [];
  if (target) argv.push(target);
  if (text === null) argv.push('-sn', scenario);
  else { writeFileSync(join(dir, 'scenario.xml'), text); argv.push('-sf', join(dir, 'scenario.xml')); }
  argv.push('-i', '127.0.0.1', '-p', String(port), '-mi', '127.0.0.1', '-mp', String(mediaPort), '-nostdin',
    '-trace_err', '-error_file', join(dir, 'errors.log'), '-trace_stat', '-stf', join(dir, 'stats.csv'), '-fd', '1');
  if (service) argv.push('-s', service);
  if (calls) argv.push('-m', String(calls));
  if (rate) argv.push('-r', String(rate));
  argv.push(...args);
  const p = startProcess(SIPP, argv, { cwd: dir, grace: 2000 });
  let timedOut = false;
  const timer = setTimeout(() => { timedOut = true; p.proc.kill('SIGKILL'); }, timeoutMs);
  const done = p.exited.then(({ code, sig }) => {
    clearTimeout(timer);
    const errors = existsSync(join(dir, 'errors.log')) ? readFileSync(join(dir, 'errors.log'), 'utf8') : '';
    return { code: timedOut ? -1 : code, signal: sig, timedOut, stdout: p.out(), stderr: p.err(), errors, stats: sippStats(dir), dir, argv };
  });
  return {
    pid: p.pid, port, mediaPort, dir, done,
    // Its counters so far (the CSV is written every second: -fd 1).
    stats: () => sippStats(dir),
    // SIGUSR1: SIPp stops placing calls and ends (a UAS at once).
    async stop() {
      if (p.running()) p.proc.kill('SIGUSR1');
      const t = setTimeout(() => { if (p.running()) p.proc.kill('SIGKILL'); }, 3000);
      const r = await done;
      clearTimeout(t);
      return r;
    },
  };
}

// Runs SIPp to its end (options of startSipp); resolves with { code (0
// when every call succeeded, 1 when one failed, -1 on timeout: SIPp is
// then killed by its PID), stdout (its screens and messages), stderr,
// errors (its -trace_err log), stats (sippStats), dir }. The folder is
// removed unless keep.
export async function runSipp(opts) {
  const s = await startSipp(opts);
  const r = await s.done;
  if (!opts.keep && !opts.dir) rmSync(s.dir, { recursive: true, force: true });
  return r;
}

// ------------------------------------------------------------- Kamailio

// Kamailio with tests/voice/kamailio.cfg on 127.0.0.1:port (UDP and TCP),
// dispatching new requests round robin to targets ["127.0.0.1:PORT"...].
// The config is checked (kamailio -c) first. Returns { pid, port,
// dispatched() (its "dispatch" log lines), logs(), stop() }.
export async function startKamailio({ port, targets, dir } = {}) {
  dir = dir || tempDir('kamailio');
  port = port || await freePort();
  const list = join(dir, 'dispatcher.list');
  writeFileSync(list, targets.map((t) => `1 sip:${t}\n`).join(''));
  const cfg = join(dir, 'kamailio.cfg');
  writeFileSync(cfg, scenarioText(join(VOICE_DIR, 'kamailio.cfg'), { port, dispatcher_list: list }));
  const check = spawnSync(KAMAILIO, ['-c', '-f', cfg, '-Y', dir], { encoding: 'utf8' });
  if (check.status !== 0) throw new Error(`kamailio -c: ${check.stderr}`);
  const p = startProcess(KAMAILIO, ['-f', cfg, '-DD', '-E', '-Y', dir, '-P', join(dir, 'kamailio.pid'), '-w', dir, '-m', '64', '-M', '8'], { cwd: dir });
  await whenReady(p, () => until(async () => {
    if (!p.running()) throw new Error(`kamailio exited:\n${p.out()}`);
    return !(await binds(port, true));
  }, 'kamailio listening', 20000, p.out));
  return {
    pid: p.pid, port, dir, logs: p.out,
    dispatched: () => p.out().split('\n').filter((l) => l.includes('dispatch ')),
    async stop({ keep = false } = {}) {
      await p.stop();
      if (!keep) rmSync(dir, { recursive: true, force: true });
    },
  };
}

// ------------------------------------------------------------------ RTP

// Captures UDP on lo (dumpcap, headers only: 96 bytes a packet) into a
// pcap file until stop(); filter: a capture filter ("udp" by default).
// Needs root (or dumpcap's capabilities). A 64 MB kernel buffer (-B).
export async function startCapture({ dir, filter = 'udp', snaplen = 96 } = {}) {
  dir = dir || tempDir('capture');
  const file = join(dir, 'capture.pcap');
  const p = startProcess(DUMPCAP, ['-i', 'lo', '-P', '-s', String(snaplen), '-f', filter, '-w', file, '-B', '64'], { cwd: dir, grace: 5000 });
  await whenReady(p, () => until(() => {
    if (!p.running()) throw new Error(`dumpcap exited:\n${p.out()}`);
    return /Capturing on/.test(p.out());
  }, 'dumpcap capturing', 20000, p.out));
  return {
    pid: p.pid, file, dir, logs: p.out,
    // What the kernel dropped before dumpcap read it (after stop()): a
    // capture with drops does not measure loss.
    dropped: () => Number((p.out().match(/Packets received\/dropped on interface '[^']*': \d+\/(\d+)/) || [])[1] || 0),
    // SIGTERM: dumpcap flushes the file and ends.
    async stop() {
      await p.stop();
      return file;
    },
  };
}

// The UDP datagrams of a pcap file (Ethernet, Linux cooked or raw IP):
// [{ t (s), src, dst (ports), data (the UDP payload, maybe truncated) }].
export function udpPackets(file) {
  const b = readFileSync(file);
  const le = b.readUInt32LE(0) === 0xa1b2c3d4 || b.readUInt32LE(0) === 0xa1b23c4d;
  const nano = b.readUInt32LE(0) === 0xa1b23c4d || b.readUInt32BE(0) === 0xa1b23c4d;
  const u32 = (o) => (le ? b.readUInt32LE(o) : b.readUInt32BE(o));
  const link = u32(20);
  const linkLen = { 1: 14, 113: 16, 101: 0, 228: 0 }[link];
  if (linkLen === undefined) throw new Error(`${file}: link type ${link}`);
  const out = [];
  for (let o = 24; o + 16 <= b.length;) {
    const t = u32(o) + u32(o + 4) / (nano ? 1e9 : 1e6);
    const incl = u32(o + 8);
    const pkt = b.subarray(o + 16, o + 16 + incl);
    o += 16 + incl;
    const ip = linkLen;
    if (pkt.length < ip + 28 || (pkt[ip] >> 4) !== 4 || pkt[ip + 9] !== 17) continue;
    const udp = ip + (pkt[ip] & 15) * 4;
    out.push({ t, src: pkt.readUInt16BE(udp), dst: pkt.readUInt16BE(udp + 2), data: pkt.subarray(udp + 8) });
  }
  return out;
}

function percentile(sorted, p) {
  if (!sorted.length) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

// RTP loss and jitter of a capture (a pcap file, or udpPackets' list).
// Streams are told apart by destination port and SSRC (RTCP left out);
// every packet counts for loss, the audio ones (G.711: payload 0 or 8,
// 8 kHz) for jitter. keep(pkt): which
// datagrams to look at (e.g. those to the callers' media ports).
// Per stream: expected = highest - lowest sequence + 1 (wrap handled),
// lost = expected - received; jitter: RFC 3550's running interarrival
// estimate (J += (|D| - J) / 16), in ms, sampled at every packet. Returns
// { streams, packets, lost, loss_pct, jitter_p99_ms, jitter_max_ms,
// per: [{ dst, ssrc, packets, lost, jitter_max_ms }] }.
export function rtpStats(capture, { keep = () => true } = {}) {
  const pkts = (typeof capture === 'string' ? udpPackets(capture) : capture).filter(keep);
  const streams = new Map();
  for (const p of pkts) {
    const d = p.data;
    if (d.length < 12 || (d[0] >> 6) !== 2) continue;
    const pt = d[1] & 0x7f;
    if (pt >= 72 && pt <= 76) continue;
    const key = `${p.dst}/${d.readUInt32BE(8)}`;
    let s = streams.get(key);
    if (!s) streams.set(key, s = { dst: p.dst, ssrc: d.readUInt32BE(8), n: 0, first: null, ext: 0, last: null, seen: new Set(), j: 0, prev: null, js: [] });
    // The extended sequence number (cycles counted near the wrap).
    const seq = d.readUInt16BE(2);
    if (s.last === null) s.ext = seq;
    else {
      let delta = seq - (s.ext & 0xffff);
      if (delta < -32768) delta += 65536;
      if (delta > 32768) delta -= 65536;
      s.ext += delta;
    }
    s.last = seq;
    if (s.first === null || s.ext < s.first) s.first = s.ext;
    s.max = Math.max(s.max ?? s.ext, s.ext);
    s.seen.add(s.ext);
    s.n++;
    const ts = d.readUInt32BE(4);
    if (pt !== 0 && pt !== 8) continue;
    if (s.prev) {
      const dr = (p.t - s.prev.t) * 8000, dts = (ts - s.prev.ts) | 0;
      s.j += (Math.abs(dr - dts) - s.j) / 16;
      s.js.push(s.j / 8);
    }
    s.prev = { t: p.t, ts };
  }
  let packets = 0, expected = 0;
  const all = [], per = [];
  for (const s of streams.values()) {
    const exp = s.max - s.first + 1, lost = Math.max(0, exp - s.seen.size);
    packets += s.n;
    expected += exp;
    for (const j of s.js) all.push(j);
    per.push({ dst: s.dst, ssrc: s.ssrc, packets: s.n, lost, jitter_max_ms: s.js.reduce((a, j) => Math.max(a, j), 0) });
  }
  all.sort((a, b) => a - b);
  const lost = per.reduce((a, s) => a + s.lost, 0);
  return {
    streams: streams.size, packets, lost,
    loss_pct: expected ? (100 * lost) / expected : 0,
    jitter_p99_ms: percentile(all, 99), jitter_max_ms: all.length ? all.at(-1) : 0, per,
  };
}
