// The voice channel end to end, continued (voice.test.mjs has the menu,
// the bridge, hold, hang-ups and offers): the callback choice dialled
// through the trunk (SIPp as the carrier), voicemail and a closed
// calendar, and calls refused (404, 488, 400) without harm. Real peers on
// 127.0.0.1, stopped by their PIDs.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { ok, until } from './lib.mjs';
import { startSipp, runSipp, callerPcap, tempDir, wavInfo } from './voicelib.mjs';
import {
  startCentre, keepLog, talked, sippReport, skillFor, voiceQueue, closedCalendar, numberWithFlow, straightTo, setAgentState, agentPhone,
  contactOf, contactUntil, eventUntil, download, near, dominantHz,
} from './voicecentre.mjs';

const dir = tempDir('voice-more');
const stops = [];
let c;
const S = {};

const sippSays = (r) => sippReport(c, r);

before(async () => {
  c = await startCentre();
  S.a01 = c.agentOf('agent01');
  await skillFor(c, 'e2e.cb', [S.a01]);
  await skillFor(c, 'e2e.nobody', []);
  await setAgentState(c, S.a01, 'paused');
  S.qCb = await voiceQueue(c, 'E2E callback', 'e2e.cb', { announce_s: 0 });
  await numberWithFlow(c, '+33189990011', 'E2E callback', 'q', straightTo(S.qCb));
  S.closed = await closedCalendar(c, 'E2E never open');
  S.qVm = await voiceQueue(c, 'E2E voicemail', 'e2e.nobody', { calendar: S.closed, closed_action: 'voicemail' });
  await numberWithFlow(c, '+33189990012', 'E2E voicemail', 'q', straightTo(S.qVm));
  S.qClosed = await voiceQueue(c, 'E2E closed', 'e2e.nobody', { calendar: S.closed, closed_action: 'close' });
  await numberWithFlow(c, '+33189990013', 'E2E closed', 'q', straightTo(S.qClosed));
  S.qWait = await voiceQueue(c, 'E2E waiting', 'e2e.nobody', { announce_s: 0 });
  await numberWithFlow(c, '+33189990014', 'E2E waiting', 'q', straightTo(S.qWait));
});

after(async () => {
  if (c) keepLog(c);
  for (const s of stops.reverse()) await Promise.resolve().then(s).catch(() => {});
  if (c) assert.equal((await c.srv.stop()).code, 0);
  rmSync(dir, { recursive: true, force: true });
});

let pcaps = 0;
const media = (toneHz, digits = '') => callerPcap({ dir, toneHz, seconds: 60, digits, dtmfAtMs: 1500, name: `m${++pcaps}.pcap` });

// A SIPp caller (scenario, number, vars), running; stopped at the end.
async function call(scenario, number, vars = {}, more = {}) {
  const s = await startSipp({ scenario, target: `127.0.0.1:${c.sipPort}`, service: number, vars: { wait_ms: 60000, hold_ms: 5000, ...vars }, timeoutMs: 90000, ...more });
  stops.push(() => s.stop());
  return s;
}

test('the callback choice: 1 while waiting, the call ends; agent01 free, its phone answers and relais dials the customer through the trunk', async () => {
  const caller = await call('uac_call_wait_bye', '+33189990011', { media: media(1000, '1'), from: '+33612345678' });
  const contact = await contactOf(c, S.qCb);
  assert.equal(contact.attributes.caller, '+33612345678');
  // relais thanks the caller and hangs up; the contact waits as a callback
  const r = await caller.done;
  assert.equal(r.code, 0, sippSays(r));
  const cb = await contactUntil(c, contact.id, (b) => b.state === 'callback-pending', 'the contact a callback');
  assert.equal(cb.callback, true);

  // the carrier answers on the trunk's port with its own tone
  const msgs = join(dir, 'trunk-messages.log');
  const trunk = await startSipp({
    scenario: 'uas_answer', port: c.trunkPort, vars: { media: media(700), wait_ms: 60000 }, timeoutMs: 90000,
    args: ['-trace_msg', '-message_file', msgs],
  });
  stops.push(() => trunk.stop());
  const phone = await agentPhone(c, 'agent01', { toneHz: 440, dir: tempDir('agent01-cb') });
  stops.push(() => phone.stop());
  await setAgentState(c, S.a01, 'available');
  await phone.waitEvent('CALL_ESTABLISHED', 20000);
  const answered = await eventUntil(c, contact.id, (e) => e.type === 'contact.call' && e.data.action === 'callback', 'the callback logged', 30000);
  assert.equal(answered.data.target, 'answered');
  assert.equal(answered.data.agent, S.a01);
  assert.match(readFileSync(msgs, 'utf8'), /^INVITE sip:\+33612345678@127\.0\.0\.1:\d+ SIP\/2\.0/m);
  await contactUntil(c, contact.id, (b) => b.state === 'active' && b.agent === S.a01, 'the callback active with agent01');
  // agent and customer talk: the phone hears the carrier's tone
  await talked(phone, 3);
  assert.ok((await phone.ctrl('hangup')).ok);
  const t = await trunk.done;
  assert.equal(t.code, 0, sippSays(t));
  await phone.waitEvent('CALL_CLOSED');
  near(dominantHz(phone.recordings().at(-1).dec, { from: 1 }), 700, 'the phone heard the customer:');
  await contactUntil(c, contact.id, (b) => !['active', 'callback-pending', 'offered'].includes(b.state), 'the callback over');
  await setAgentState(c, S.a01, 'paused');
});

test('voicemail when the calendar is closed: the prompt, the tone, the message becomes a callback contact with the recording', async () => {
  const caller = await call('uac_call', '+33189990012', { media: media(800), hold_ms: 16000 });
  const first = await contactOf(c, S.qVm);
  const r = await caller.done;
  assert.equal(r.code, 0, sippSays(r));
  const vm = await until(async () => (await ok(c.api.get(`/api/v1/contacts?queue=${S.qVm}&limit=10`), 200, 'contacts')).items
    .find((x) => x.id !== first.id && x.attributes?.voicemail === true), 'the voicemail contact', 20000, () => c.srv.logs().slice(-2000));
  assert.equal(vm.callback, true);
  assert.equal(vm.channel, 'voice');
  assert.equal(vm.attributes.number, '+33189990012');
  const att = await eventUntil(c, vm.id, (e) => e.type === 'contact.attachment', 'the message attached');
  assert.match(att.data.name, /^voicemail-[0-9a-f]{8}\.wav$/);
  assert.equal(att.data.type, 'audio/wav');
  const wav = await download(c, att.data.attachment, dir, 'voicemail.wav');
  const info = wavInfo(wav);
  assert.equal(info.channels, 1);
  assert.ok(info.seconds >= 1, `${info.seconds} s recorded`);
  near(dominantHz(wav), 800, 'the message:');
  // the call's own contact is over
  const gone = await contactUntil(c, first.id, (b) => !['queued', 'offered', 'active'].includes(b.state), 'the call\'s contact over');
  assert.notEqual(gone.state, 'queued');
});

test('a closed calendar whose action is close: the closed message, then relais hangs up', async () => {
  const caller = await call('uac_call_wait_bye', '+33189990013', { media: media(1000) });
  const contact = await contactOf(c, S.qClosed);
  const r = await caller.done;
  assert.equal(r.code, 0, sippSays(r));
  const b = await contactUntil(c, contact.id, (x) => x.state !== 'queued', 'the contact closed');
  assert.equal(b.state, 'closed');
});

test('an unknown number gets 404, an offer without G.711 488, a malformed SDP 400; a good call still works', async () => {
  const target = `127.0.0.1:${c.sipPort}`;
  const r404 = await runSipp({ scenario: 'uac_404', target, service: '+33189999999' });
  assert.equal(r404.code, 0, sippSays(r404));
  const r488 = await runSipp({ scenario: 'uac_488', target, service: '+33189990014' });
  assert.equal(r488.code, 0, sippSays(r488));
  const msgs = join(dir, 'bad-sdp.log');
  const r400 = await runSipp({ scenario: 'uac_bad_sdp', target, service: '+33189990014', args: ['-trace_msg', '-message_file', msgs] });
  assert.equal(r400.code, 0, sippSays(r400));
  assert.match(readFileSync(msgs, 'utf8'), /^SIP\/2\.0 400 /m);
  // nothing was queued by them
  assert.equal((await ok(c.api.get(`/api/v1/contacts?queue=${S.qWait}`), 200, 'contacts')).items.length, 0);
  // and a good call is answered and queued, then abandoned when it hangs up
  const good = await runSipp({ scenario: 'uac_call', target, service: '+33189990014', vars: { media: media(1000), hold_ms: 1500 } });
  assert.equal(good.code, 0, sippSays(good));
  const w = await contactOf(c, S.qWait);
  await contactUntil(c, w.id, (b) => b.state === 'abandoned', 'the good call abandoned');
});
