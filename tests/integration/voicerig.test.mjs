// The voice test rig's own check, against the real peers alone (no
// relais): SIPp calls a baresip phone with a tone and RFC 4733 digits and
// the phone records the tone; Kamailio's dispatcher shares calls between
// two phones; SIP INFO digits reach a SIPp callee; the error scenarios
// pass on the answer they expect and fail on another; a phone registers
// with its digest and is refused with a wrong password; a phone dials,
// holds and resumes, sends digits and hangs up; the load scenarios stream
// both ways; SIPp as a trunk answers with its own tone. Every peer runs
// on 127.0.0.1, stopped by its PID.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { until } from './lib.mjs';
import {
  startBaresip, startSipp, runSipp, startKamailio, startCapture, callerPcap, dominantHz, wavInfo, rtpStats, udpPackets, tempDir,
} from './voicelib.mjs';

const dir = tempDir('voicerig');
const stops = [];
after(async () => {
  for (const s of stops.reverse()) await s();
  rmSync(dir, { recursive: true, force: true });
});

async function phone(opts) {
  const p = await startBaresip(opts);
  stops.push(() => p.stop());
  return p;
}

// The phone's last recording once its file is complete (sndfile writes
// the WAV header when the call's audio ends).
async function lastRecording(p, minSeconds = 1) {
  return until(() => {
    const r = p.recordings().at(-1);
    try {
      return r && wavInfo(r.dec).seconds >= minSeconds && wavInfo(r.enc).seconds >= minSeconds && r;
    } catch {
      return false;
    }
  }, 'a complete recording', 10000, p.logs);
}

const near = (hz, want) => assert.ok(hz !== null && Math.abs(hz - want) <= 15, `dominant ${hz} Hz, want ${want}`);
const sippSays = (r) => `code ${r.code}\n${r.errors}\n${r.stdout.slice(-2000)}`;

test('a SIPp caller reaches a baresip phone: both tones, the digits, no RTP lost', async () => {
  const agent = await phone({ toneHz: 440 });
  const cap = await startCapture({ dir: tempDir('cap') });
  stops.push(() => rmSync(cap.dir, { recursive: true, force: true }));
  const media = callerPcap({ dir, toneHz: 1000, seconds: 10, digits: '15', dtmfAtMs: 1000 });
  const r = await runSipp({ scenario: 'uac_call', target: `127.0.0.1:${agent.port}`, service: 'agent', vars: { media, hold_ms: 3500 } });
  assert.equal(r.code, 0, sippSays(r));
  assert.equal(r.stats['SuccessfulCall(C)'], 1);
  await agent.waitEvent('CALL_ESTABLISHED');
  await agent.waitEvent('CALL_CLOSED');
  const digits = agent.events.filter((e) => e.type === 'CALL_DTMF_START').map((e) => e.param);
  assert.deepEqual(digits, ['1', '5']);
  const rec = await lastRecording(agent, 2);
  near(dominantHz(rec.dec), 1000);
  near(dominantHz(rec.enc), 440);
  const st = rtpStats(await cap.stop());
  assert.ok(st.streams >= 2 && st.packets > 250, JSON.stringify(st));
  assert.equal(st.lost, 0, JSON.stringify(st.per));
});

test('a caller waiting for the other side to hang up', async () => {
  const agent = await phone({ toneHz: 440 });
  const media = callerPcap({ dir, toneHz: 1000, seconds: 10, name: 'wait.pcap' });
  const caller = await startSipp({ scenario: 'uac_call_wait_bye', target: `127.0.0.1:${agent.port}`, service: 'agent', vars: { media, wait_ms: 10000 } });
  await agent.waitEvent('CALL_ESTABLISHED');
  // the caller's audio arrives once SIPp has sent its ACK and started
  // playing: it now waits for the BYE (a BYE sooner, while SIPp is still
  // between its ACK and its play, is "unexpected" to it)
  await agent.waitEvent('CALL_RTPESTAB');
  assert.ok((await agent.ctrl('hangup')).ok);
  const r = await caller.done;
  assert.equal(r.code, 0, sippSays(r));
});

test('Kamailio dispatches calls round robin to two phones', async () => {
  const a = await phone({ toneHz: 440 }), b = await phone({ toneHz: 550 });
  const k = await startKamailio({ targets: [`127.0.0.1:${a.port}`, `127.0.0.1:${b.port}`] });
  stops.push(() => k.stop());
  const media = callerPcap({ dir, toneHz: 1000, seconds: 5, name: 'short.pcap' });
  const r = await runSipp({ scenario: 'uac_call', target: `127.0.0.1:${k.port}`, service: 'agent', calls: 4, rate: 4, vars: { media, hold_ms: 1500 } });
  assert.equal(r.code, 0, sippSays(r) + k.logs());
  await until(() => a.count('CALL_CLOSED') === 2 && b.count('CALL_CLOSED') === 2, 'both phones took 2 calls', 10000,
    () => `a: ${a.events.map((e) => e.type)}\nb: ${b.events.map((e) => e.type)}`);
  assert.equal(a.count('CALL_ESTABLISHED'), 2);
  assert.equal(b.count('CALL_ESTABLISHED'), 2);
  assert.equal(k.dispatched().length, 4);
});

test('DTMF as SIP INFO reaches a SIPp callee; another digit fails the call', async () => {
  const media = callerPcap({ dir, toneHz: 1000, seconds: 5, name: 'info.pcap' });
  const callee = await startSipp({ scenario: 'uas_info', vars: { media, digits: '3*#', wait_ms: 15000 } });
  const r = await runSipp({ scenario: 'uac_info_dtmf', target: `127.0.0.1:${callee.port}`, service: 'ivr', vars: { media, digits: '3*#', dtmf_at_ms: 300, gap_ms: 100, hold_ms: 300 } });
  assert.equal(r.code, 0, sippSays(r));
  const c = await callee.done;
  assert.equal(c.code, 0, sippSays(c));

  const strict = await startSipp({ scenario: 'uas_info', vars: { media, digits: '5', wait_ms: 5000 } });
  const bad = await runSipp({ scenario: 'uac_info_dtmf', target: `127.0.0.1:${strict.port}`, service: 'ivr', vars: { media, digits: '7', dtmf_at_ms: 300, gap_ms: 100, hold_ms: 300 }, args: ['-recv_timeout', '1500'] });
  assert.notEqual((await strict.done).code, 0);
  assert.notEqual(bad.code, 0);
});

test('the refusal scenarios pass on their answer and fail on another', async () => {
  // baresip without catchall: an unknown user gets 404, GSM/G.729 only
  // 488, a malformed SDP 500 (relais must answer 400 or 488).
  const p = await phone({ catchall: false });
  const target = `127.0.0.1:${p.port}`;
  assert.equal((await runSipp({ scenario: 'uac_404', target, service: 'nobody' })).code, 0);
  const tcp = await runSipp({ scenario: 'uac_404', target, service: 'nobody', args: ['-t', 't1'] });
  assert.equal(tcp.code, 0, sippSays(tcp));
  assert.equal((await runSipp({ scenario: 'uac_488', target, service: 'agent' })).code, 0);
  const wrong = await runSipp({ scenario: 'uac_488', target, service: 'nobody' });
  assert.equal(wrong.code, 1);
  assert.match(wrong.errors, /404 Not Found/);
  const sdp = await runSipp({ scenario: 'uac_bad_sdp', target, service: 'agent' });
  assert.equal(sdp.code, 1);
  assert.match(sdp.errors, /SIP\/2\.0 500/);
  assert.equal(p.count('CALL_ESTABLISHED'), 0);
});

test('a phone registers with its digest; a wrong password is refused', async () => {
  for (const [password, want] of [['s3cret', 'REGISTER_OK'], ['wrong', 'REGISTER_FAIL']]) {
    const registrar = await startSipp({ scenario: 'uas_registrar', vars: { user: 'agent07', password: 's3cret', expires: 60 } });
    const p = await phone({ user: 'agent07', password, registrar: `127.0.0.1:${registrar.port}` });
    const e = await p.waitEvent(['REGISTER_OK', 'REGISTER_FAIL']);
    assert.equal(e.type, want, e.param);
    assert.equal((await registrar.done).code, 0);
  }
  // SIPp registering logins of an -inf file (the voice benchmark's phones).
  for (const [password, code] of [['s3cret', 0], ['wrong', 1]]) {
    writeFileSync(join(dir, 'logins.csv'), `SEQUENTIAL\nagent07;${password}\n`);
    const registrar = await startSipp({ scenario: 'uas_registrar', vars: { user: 'agent07', password: 's3cret', expires: 60 } });
    const r = await runSipp({
      scenario: 'register_logins', target: `127.0.0.1:${registrar.port}`, vars: { expires: 60 },
      args: ['-inf', join(dir, 'logins.csv'), '-au', '[field0]', '-ap', '[field1]'],
    });
    assert.equal(r.code, code, sippSays(r));
    await registrar.stop();
  }
});

test('a phone dials, rings the other, holds, resumes, sends a digit and hangs up', async () => {
  const a = await phone({ toneHz: 440 }), b = await phone({ toneHz: 550, autoAnswer: false });
  assert.ok((await a.ctrl('dial', `sip:agent@127.0.0.1:${b.port}`)).ok);
  await b.waitEvent('CALL_INCOMING');
  assert.ok((await b.ctrl('accept')).ok);
  await a.waitEvent('CALL_ESTABLISHED');
  assert.ok((await a.ctrl('sndcode', '4')).ok);
  assert.equal((await b.waitEvent('CALL_DTMF_START')).param, '4');
  const offers = () => b.count('CALL_REMOTE_SDP');
  const before = offers();
  assert.ok((await a.ctrl('hold')).ok);
  await until(() => offers() === before + 1, 'the hold re-INVITE', 5000);
  assert.ok((await a.ctrl('resume')).ok);
  await until(() => offers() === before + 2, 'the resume re-INVITE', 5000);
  assert.ok((await b.ctrl('hangup')).ok);
  await a.waitEvent('CALL_CLOSED');
});

test('load callers and load phones stream to each other', async () => {
  const audio = join(dir, 'load.ulaw');
  execFileSync('sox', ['-n', '-r', '8000', '-c', '1', '-e', 'u-law', '-t', 'raw', audio, 'synth', '5', 'sine', '1000']);
  const phones = await startSipp({ scenario: 'uas_load', vars: { audio, wait_ms: 15000 }, calls: 3 });
  const cap = await startCapture({ dir: tempDir('cap') });
  stops.push(() => rmSync(cap.dir, { recursive: true, force: true }));
  const callers = await runSipp({ scenario: 'uac_load', target: `127.0.0.1:${phones.port}`, service: 'agent', calls: 3, rate: 10, vars: { audio, hold_ms: 2000 } });
  assert.equal(callers.code, 0, sippSays(callers));
  assert.equal((await phones.done).code, 0);
  const pkts = udpPackets(await cap.stop());
  const toPhones = rtpStats(pkts, { keep: (p) => p.dst === phones.mediaPort });
  const toCallers = rtpStats(pkts, { keep: (p) => p.src === phones.mediaPort });
  assert.equal(toPhones.streams, 3, JSON.stringify(toPhones.per));
  assert.equal(toCallers.streams, 3, JSON.stringify(toCallers.per));
  assert.ok(toPhones.packets > 150 && toCallers.packets > 150);
});

test('SIPp as a trunk answers a phone with its own tone', async () => {
  const media = callerPcap({ dir, toneHz: 700, seconds: 10, name: 'trunk.pcap' });
  const trunk = await startSipp({ scenario: 'uas_answer', vars: { media, wait_ms: 15000 } });
  const p = await phone({ toneHz: 440 });
  assert.ok((await p.ctrl('dial', `sip:+33612345678@127.0.0.1:${trunk.port}`)).ok);
  await p.waitEvent('CALL_ESTABLISHED');
  await p.waitEvent('CALL_RTPESTAB');
  // A second of what the phone hears written (16-bit samples at 8 kHz).
  await until(() => {
    const r = p.recordings().at(-1);
    return r && statSync(r.dec).size > 44 + 16000;
  }, 'a second of the trunk recorded', 10000, p.logs);
  assert.ok((await p.ctrl('hangup')).ok);
  await p.waitEvent('CALL_CLOSED');
  const t = await trunk.done;
  assert.equal(t.code, 0, sippSays(t));
  near(dominantHz((await lastRecording(p)).dec), 700);
});

test('dominantHz reads each channel of a stereo file; rtpStats counts a missing packet', () => {
  const wav = join(dir, 'stereo.wav');
  execFileSync('sox', ['-n', '-r', '8000', '-c', '2', '-b', '16', wav, 'synth', '2', 'sine', '440', 'sine', '1000']);
  assert.deepEqual(wavInfo(wav), { rate: 8000, channels: 2, seconds: 2 });
  near(dominantHz(wav, { channel: 1 }), 440);
  near(dominantHz(wav, { channel: 2 }), 1000);
  const pkts = udpPackets(callerPcap({ dir, toneHz: 1000, seconds: 2, digits: '9', dtmfAtMs: 500, name: 'gap.pcap' }));
  const whole = rtpStats(pkts);
  assert.deepEqual([whole.streams, whole.lost, whole.packets], [1, 0, pkts.length]);
  const gap = rtpStats(pkts.filter((p, i) => i !== 40));
  assert.deepEqual([gap.streams, gap.lost], [1, 1]);
});
