// The voice channel as a site runs it: Kamailio's dispatcher in front of
// relais (the caller's dialog routed through it both ways), and a restart
// (SIGKILL) during a live call: the call's contact ends with the reason
// logged, a callback waiting keeps its place, and the server takes new
// calls. Real peers on 127.0.0.1, stopped by their PIDs.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { ok, until } from './lib.mjs';
import { startSipp, runSipp, startKamailio, callerPcap, tempDir } from './voicelib.mjs';
import {
  startCentre, keepLog, talked, sippReport, skillFor, voiceQueue, numberWithFlow, straightTo, setAgentState, agentPhone, contactOf,
  contactUntil, eventUntil, getContact,
} from './voicecentre.mjs';

const dir = tempDir('voice-site');
const stops = [];
let c;
const S = {};

const sippSays = (r) => sippReport(c, r);

before(async () => {
  c = await startCentre();
  S.a01 = c.agentOf('agent01');
  await skillFor(c, 'e2e.site', [S.a01]);
  await setAgentState(c, S.a01, 'available');
  S.q = await voiceQueue(c, 'E2E site', 'e2e.site', { announce_s: 0 });
  await numberWithFlow(c, '+33189990021', 'E2E site', 'q', straightTo(S.q));
  await skillFor(c, 'e2e.site.nobody', []);
  S.qCb = await voiceQueue(c, 'E2E site callbacks', 'e2e.site.nobody', { announce_s: 0 });
  await numberWithFlow(c, '+33189990022', 'E2E site callbacks', 'q', straightTo(S.qCb));
  S.phone = await agentPhone(c, 'agent01', { toneHz: 440, dir: tempDir('agent01-site') });
  stops.push(() => S.phone.stop());
});

after(async () => {
  if (c) keepLog(c);
  for (const s of stops.reverse()) await Promise.resolve().then(s).catch(() => {});
  if (c) assert.equal((await c.srv.stop()).code, 0);
  rmSync(dir, { recursive: true, force: true });
});

let pcaps = 0;
const media = (digits = '') => callerPcap({ dir, toneHz: 1000, seconds: 60, digits, dtmfAtMs: 1500, name: `m${++pcaps}.pcap` });


test('through Kamailio\'s dispatcher: the call reaches relais, agent01\'s phone answers, the agent\'s hang-up reaches the caller through Kamailio', async () => {
  const k = await startKamailio({ targets: [`127.0.0.1:${c.sipPort}`] });
  stops.push(() => k.stop());
  const msgs = join(dir, 'kamailio-caller.log');
  const caller = await startSipp({
    scenario: 'uac_call_wait_bye', target: `127.0.0.1:${k.port}`, service: '+33189990021', vars: { media: media(), wait_ms: 60000 },
    timeoutMs: 90000, args: ['-trace_msg', '-message_file', msgs],
  });
  stops.push(() => caller.stop());
  const contact = await contactOf(c, S.q);
  await contactUntil(c, contact.id, (b) => b.state === 'active' && b.agent === S.a01, 'answered by agent01');
  await talked(S.phone, 2);
  assert.ok((await S.phone.ctrl('hangup')).ok);
  const r = await caller.done;
  assert.equal(r.code, 0, sippSays(r) + k.logs());
  assert.equal(k.dispatched().filter((l) => /dispatch INVITE /.test(l)).length, 1, k.logs());
  // relais's answer and its BYE came back through Kamailio (Record-Route)
  const log = readFileSync(msgs, 'utf8');
  assert.match(log, new RegExp(`^Record-Route: <sip:127\\.0\\.0\\.1:${k.port};lr[;>]`, 'mi'));
  const bye = log.slice(log.search(/^BYE sip:/m));
  assert.match(bye, new RegExp(`^Via: SIP/2\\.0/UDP 127\\.0\\.0\\.1:${k.port}`, 'mi'));
  await contactUntil(c, contact.id, (b) => b.state !== 'active', 'the contact no longer active');
});

test('relais killed during a live call and restarted on its data: the call\'s contact ends (abandoned, dropped at restart), a callback waiting keeps its place, new calls are taken', async () => {
  // a caller who chose a callback (1) before the restart
  const chose = await startSipp({
    scenario: 'uac_call_wait_bye', target: `127.0.0.1:${c.sipPort}`, service: '+33189990022',
    vars: { media: media('1'), wait_ms: 60000, from: '+33612345679' }, timeoutMs: 90000,
  });
  stops.push(() => chose.stop());
  const cb = await contactOf(c, S.qCb);
  await contactUntil(c, cb.id, (b) => b.state === 'callback-pending', 'the callback chosen');
  const rc = await chose.done;
  assert.equal(rc.code, 0, sippSays(rc));
  // a live call
  const caller = await startSipp({
    scenario: 'uac_call_wait_bye', target: `127.0.0.1:${c.sipPort}`, service: '+33189990021', vars: { media: media(), wait_ms: 60000 },
    timeoutMs: 90000,
  });
  stops.push(() => caller.stop());
  const contact = await until(async () => {
    const x = await contactOf(c, S.q);
    return x.state === 'active' && x.agent === S.a01 && x;
  }, 'a second call answered by agent01', 30000, () => c.srv.logs().slice(-2000));
  await c.restart();
  // the call is gone with the process: its contact ends, the reason logged
  const dropped = await eventUntil(c, contact.id, (e) => e.type === 'contact.call' && e.data.action === 'dropped', 'the drop logged');
  assert.equal(dropped.data.target, 'restart');
  const back = await contactUntil(c, contact.id, (b) => b.state === 'abandoned', 'the dropped call\'s contact abandoned');
  assert.equal(back.channel, 'voice');
  // the callback was no call: it still waits
  const kept = await getContact(c, cb.id);
  assert.equal(kept.state, 'callback-pending');
  assert.equal(kept.callback, true);
  // the SIP side is up again: a new call is answered, queued, then abandoned
  await caller.stop();
  await S.phone.ctrl('hangup').catch(() => {});
  await setAgentState(c, S.a01, 'paused');
  const good = await runSipp({ scenario: 'uac_call', target: `127.0.0.1:${c.sipPort}`, service: '+33189990021', vars: { media: media(), hold_ms: 1500 } });
  assert.equal(good.code, 0, sippSays(good));
  const fresh = await until(async () => {
    const x = await contactOf(c, S.q);
    return x.id !== contact.id && x;
  }, 'the new call\'s contact');
  await contactUntil(c, fresh.id, (b) => b.state === 'abandoned', 'the new call abandoned');
});
