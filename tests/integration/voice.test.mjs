// The voice channel end to end, against real peers on 127.0.0.1: SIPp
// callers, agents' baresip phones registered at relais (voicelib.mjs,
// voicecentre.mjs). A call walks an IVR menu by DTMF into a queue, hears
// the music and its place announced, rings agent01's phone, which answers;
// the media flows both ways (the stereo recording: the caller's tone left,
// the phone's right); hold and resume from the API; either side hangs up.
// voice_offers.test.mjs has the offers a phone misses or rejects.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { ok, until, login, client, openStream } from './lib.mjs';
import { startSipp, startCapture, callerPcap, tempDir, wavInfo } from './voicelib.mjs';
import {
  startCentre, keepLog, talked, sippReport, skillFor, voiceQueue, numberWithFlow, straightTo, setAgentState, agentPhone, contactOf,
  contactUntil, eventUntil, contactEvents, download, near, dominantHz, heardAt, promptsRendered,
} from './voicecentre.mjs';

const dir = tempDir('voice-e2e');
const stops = [];
let c;
const S = {};

const sippSays = (r) => sippReport(c, r);

before(async () => {
  c = await startCentre();
  S.a01 = c.agentOf('agent01');
  await skillFor(c, 'e2e.one', [S.a01]);
  await setAgentState(c, S.a01, 'paused');
  // The menu's queue: recorded, its place announced every 3 s.
  S.q = await voiceQueue(c, 'E2E menu', 'e2e.one', { recording: true, announce_s: 3 });
  S.flow = await numberWithFlow(c, '+33189990001', 'E2E menu', 'menu', {
    menu: {
      type: 'menu', say: { fr: 'Pour les ventes, tapez 1. Pour le support, tapez 2.', en: 'For sales, press 1. For support, press 2.' },
      options: { 1: 'q', 2: 'support' }, timeout_s: 10, retries: 1, fail: 'q',
    },
    support: { type: 'set', priority: 3, attributes: { topic: 'support', tier: 'gold' }, next: 'q' },
    q: { type: 'queue', queue: S.q },
  });
  S.qPlain = await voiceQueue(c, 'E2E plain', 'e2e.one', { announce_s: 0 });
  await numberWithFlow(c, '+33189990002', 'E2E plain', 'q', straightTo(S.qPlain));
  await promptsRendered(c, S.flow, 'menu');
  const tp = c.ids.tenants.find((t) => t.name === 'Télécom Plus').id;
  await ok(c.api.post('/api/v1/users', { username: 'e2e-sup-tp', password: 'e2e-sup-tp-pw', role: 'supervisor', tenants: [tp] }), 201, 'supervisor');
  S.supTP = client(c.srv.url, (await login(c.srv.url, 'e2e-sup-tp', 'e2e-sup-tp-pw')).token);
  S.agent03 = client(c.srv.url, (await login(c.srv.url, 'agent03')).token);
  S.phone = await agentPhone(c, 'agent01', { toneHz: 440, dir: tempDir('agent01') });
  stops.push(() => S.phone.stop());
});

after(async () => {
  if (c) keepLog(c);
  for (const s of stops.reverse()) await Promise.resolve().then(s).catch(() => {});
  if (c) assert.equal((await c.srv.stop()).code, 0);
  rmSync(dir, { recursive: true, force: true });
});


const promptFiles = () => readdirSync(join(c.srv.dataDir, 'prompts')).filter((f) => f.endsWith('.wav'));

// A call by SIPp to number; the caller's tone toneHz, digits at dtmfAtMs.
async function call(number, { scenario = 'uac_call_wait_bye', toneHz = 1000, digits = '', hold_ms = 5000, from = 'caller' } = {}) {
  const media = callerPcap({ dir, toneHz, seconds: 60, digits, dtmfAtMs: 1500, name: `c-${number}-${digits}-${Date.now()}.pcap` });
  const s = await startSipp({ scenario, target: `127.0.0.1:${c.sipPort}`, service: number, vars: { media, hold_ms, wait_ms: 90000, from }, timeoutMs: 120000 });
  stops.push(() => s.stop());
  return s;
}

test('a call walks the menu by DTMF into the queue, hears music and its place, and agent01\'s phone answers: both tones recorded', async () => {
  const prompts = new Set(promptFiles());
  // what the caller hears, captured from before the call (its media port
  // is known once SIPp starts)
  const cap = await startCapture({ dir: tempDir('cap'), filter: 'udp', snaplen: 300 });
  stops.push(() => rmSync(cap.dir, { recursive: true, force: true }));
  const caller = await call('+33189990001', { digits: '2' });
  // queued with what the menu's branch set
  const contact = await contactOf(c, S.q);
  assert.equal(contact.channel, 'voice');
  assert.equal(contact.state, 'queued');
  assert.equal(contact.priority, 3);
  assert.equal(contact.attributes.topic, 'support');
  assert.equal(contact.attributes.tier, 'gold');
  assert.equal(contact.attributes.number, '+33189990001');
  assert.deepEqual(contact.attributes.ivr_path, ['menu', 'support', 'q']);
  // the place announced (announce_s 3): its words rendered as a new prompt
  await until(() => promptFiles().some((f) => !prompts.has(f)), 'the announcement rendered', 20000, () => c.srv.logs().slice(-2000));
  // from its queueing to the first announcement (3 s later) the caller
  // heard the music: notes of 175 to 392 Hz, not silence
  const queuedAt = Date.parse(contact.created_at) / 1000;
  const music = heardAt(await cap.stop(), caller.mediaPort, { from: queuedAt + 0.3, to: queuedAt + 2.7, wav: join(dir, 'music.wav') });
  assert.ok(music.packets >= 100 && music.rms > 300, JSON.stringify(music));
  const hz = dominantHz(music.wav);
  assert.ok(hz >= 165 && hz <= 400, `the music's dominant ${hz} Hz`);

  await setAgentState(c, S.a01, 'available');
  await S.phone.waitEvent('CALL_ESTABLISHED', 20000);
  const active = await contactUntil(c, contact.id, (b) => b.state === 'active', 'the contact active');
  assert.equal(active.agent, S.a01);
  const view = await ok(c.api.get(`/api/v1/contacts/${contact.id}/call`), 200, 'call');
  assert.equal(view.state, 'talking');
  assert.equal(view.held, false);
  assert.equal(view.recording, true);
  assert.deepEqual(view.legs.map((l) => [l.role, l.state]).sort(), [['agent', 'talking'], ['caller', 'talking']]);
  S.contact1 = contact.id;

  // hold and resume by the API, each logged (contact.call) and streamed
  const sup = await login(c.srv.url, 'supervisor');
  const st = await openStream(c.srv.url, sup.token, { subscribe: [`tenant:${c.am}`] });
  stops.push(() => st.close());
  const held = await ok(c.api.post(`/api/v1/contacts/${contact.id}/call/hold`), 200, 'hold');
  assert.equal(held.held, true);
  assert.equal((await ok(c.api.get(`/api/v1/contacts/${contact.id}/call`), 200, 'call')).held, true);
  const m = await st.next((x) => x.type === 'event' && x.event === 'contact.call' && x.data.contact === contact.id && x.data.action === 'hold', 10000);
  assert.equal(m.data.agent, S.a01);
  const resumed = await ok(c.api.post(`/api/v1/contacts/${contact.id}/call/resume`), 200, 'resume');
  assert.equal(resumed.held, false);
  await st.next((x) => x.type === 'event' && x.event === 'contact.call' && x.data.contact === contact.id && x.data.action === 'resume', 10000);
  // the recording paused and resumed; a bad body changes nothing
  const bad = await c.api.post(`/api/v1/contacts/${contact.id}/call/recording`, { paused: 'yes' });
  assert.equal(bad.status, 400, JSON.stringify(bad.body));
  assert.match(bad.body.error.message, /paused/, JSON.stringify(bad.body));
  assert.equal((await ok(c.api.post(`/api/v1/contacts/${contact.id}/call/recording`, { paused: true }), 200, 'pause')).recording_paused, true);
  assert.equal((await ok(c.api.post(`/api/v1/contacts/${contact.id}/call/recording`, { paused: false }), 200, 'unpause')).recording_paused, false);
  assert.deepEqual((await contactEvents(c, contact.id, 'contact.call')).map((e) => e.data.action), ['hold', 'resume', 'record_pause', 'record_resume']);
  // another tenant's supervisor and another agent cannot see or touch the call
  for (const api of [S.supTP, S.agent03]) {
    assert.equal((await api.get(`/api/v1/contacts/${contact.id}/call`)).status, 404);
    assert.equal((await api.post(`/api/v1/contacts/${contact.id}/call/hold`)).status, 404);
  }
  assert.equal((await ok(c.api.get(`/api/v1/contacts/${contact.id}/call`), 200, 'call')).held, false);

  // a few seconds of talk reach the phone, then the agent hangs up
  await talked(S.phone, 4);
  assert.ok((await S.phone.ctrl('hangup')).ok);
  // the caller gets the BYE; the contact leaves active
  const r = await caller.done;
  assert.equal(r.code, 0, sippSays(r));
  const ended = await contactUntil(c, contact.id, (b) => b.state !== 'active', 'the contact no longer active');
  assert.ok(['wrapup', 'completed'].includes(ended.state), ended.state);
  // the recording: the contact's attachment, stereo, caller left, agent right
  const att = await eventUntil(c, contact.id, (e) => e.type === 'contact.attachment', 'the recording attached');
  assert.match(att.data.name, /^recording-[0-9a-f]{8}\.wav$/);
  assert.equal(att.data.type, 'audio/wav');
  const wav = await download(c, att.data.attachment, dir, 'recording.wav');
  const info = wavInfo(wav);
  assert.equal(info.channels, 2);
  assert.equal(info.rate, 8000);
  assert.ok(info.seconds >= 3, `${info.seconds} s recorded`);
  near(dominantHz(wav, { channel: 1 }), 1000, 'the caller (left):');
  near(dominantHz(wav, { channel: 2 }), 440, 'the agent (right):');
  assert.equal((await S.supTP.get(`/api/v1/attachments/${att.data.attachment}`)).status, 404);
  // the phone heard the caller's tone
  await S.phone.waitEvent('CALL_CLOSED');
  near(dominantHz(S.phone.recordings().at(-1).dec), 1000, 'the phone heard');
});

test('the caller hangs up: while waiting the contact is abandoned; while talking it leaves active and the phone hangs up', async () => {
  await setAgentState(c, S.a01, 'paused');
  const waiting = await call('+33189990002', { scenario: 'uac_call', hold_ms: 3000 });
  const w = await contactOf(c, S.qPlain);
  const r1 = await waiting.done;
  assert.equal(r1.code, 0, sippSays(r1));
  await contactUntil(c, w.id, (b) => b.state === 'abandoned', 'the waiting contact abandoned');

  const closed = S.phone.count('CALL_CLOSED');
  await setAgentState(c, S.a01, 'available');
  const talking = await call('+33189990002', { scenario: 'uac_call', hold_ms: 12000 });
  const t = await until(async () => {
    const x = await contactOf(c, S.qPlain);
    return x.id !== w.id && x;
  }, 'the second call queued');
  await contactUntil(c, t.id, (b) => b.state === 'active' && b.agent === S.a01, 'the call answered by agent01');
  const r2 = await talking.done;
  assert.equal(r2.code, 0, sippSays(r2));
  const after = await contactUntil(c, t.id, (b) => b.state !== 'active', 'the contact no longer active');
  assert.ok(['wrapup', 'completed'].includes(after.state), after.state);
  await until(() => S.phone.count('CALL_CLOSED') > closed, 'the phone hung up', 10000, S.phone.logs);
  // no live call is left for the contact
  assert.equal((await c.api.get(`/api/v1/contacts/${t.id}/call`)).status, 409);
});
