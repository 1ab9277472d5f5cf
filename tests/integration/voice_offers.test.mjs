// The voice channel end to end: the offers of a call to an agent's phone
// (a baresip that does not answer by itself): not answered before the
// offer's expiry (a miss, the ringing stops), rejected from the phone
// (486: the engine's offer.rejected), then answered by hand. Real peers
// on 127.0.0.1, stopped by their PIDs.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { until } from './lib.mjs';
import { startSipp, callerPcap, tempDir } from './voicelib.mjs';
import {
  startCentre, keepLog, talked, sippReport, skillFor, voiceQueue, numberWithFlow, straightTo, setAgentState, agentPhone, contactOf,
  contactUntil, eventUntil,
} from './voicecentre.mjs';

const dir = tempDir('voice-offers');
const stops = [];
let c;
const S = {};

const sippSays = (r) => sippReport(c, r);

before(async () => {
  c = await startCentre({ offerTimeoutS: 6 });
  S.a02 = c.agentOf('agent02');
  await skillFor(c, 'e2e.two', [S.a02]);
  await setAgentState(c, S.a02, 'paused');
  S.qTwo = await voiceQueue(c, 'E2E two', 'e2e.two', { announce_s: 0 });
  await numberWithFlow(c, '+33189990003', 'E2E two', 'q', straightTo(S.qTwo));
});

after(async () => {
  if (c) keepLog(c);
  for (const s of stops.reverse()) await Promise.resolve().then(s).catch(() => {});
  if (c) assert.equal((await c.srv.stop()).code, 0);
  rmSync(dir, { recursive: true, force: true });
});

// A SIPp caller to number that waits for relais's BYE.
async function call(number) {
  const media = callerPcap({ dir, toneHz: 1000, seconds: 60, name: 'caller.pcap' });
  const s = await startSipp({ scenario: 'uac_call_wait_bye', target: `127.0.0.1:${c.sipPort}`, service: number, vars: { media, wait_ms: 90000 }, timeoutMs: 120000 });
  stops.push(() => s.stop());
  return s;
}


test('a phone that does not answer in time misses the offer and stops ringing; one that rejects rejects it', async () => {
  const phone = await agentPhone(c, 'agent02', { toneHz: 550, autoAnswer: false, dir: tempDir('agent02') });
  stops.push(() => phone.stop());
  const caller = await call('+33189990003');
  const contact = await contactOf(c, S.qTwo);
  await setAgentState(c, S.a02, 'available');
  // ringing, not answered: the offer expires (--offer-timeout 6), a miss
  await phone.waitEvent('CALL_INCOMING', 20000);
  const missed = await eventUntil(c, contact.id, (e) => e.type === 'offer.missed', 'the offer missed', 30000);
  assert.equal(missed.data.agent, S.a02);
  await phone.waitEvent('CALL_CLOSED', 15000);
  assert.equal((await c.api.get(`/api/v1/contacts/${contact.id}`)).body.state, 'queued');

  // offered again, rejected from the phone (486)
  await setAgentState(c, S.a02, 'available');
  await until(() => phone.count('CALL_INCOMING') === 2, 'the phone rings again', 20000, phone.logs);
  assert.ok((await phone.ctrl('hangup')).ok);
  const rejected = await eventUntil(c, contact.id, (e) => e.type === 'offer.rejected', 'the offer rejected');
  assert.equal(rejected.data.agent, S.a02);
  assert.equal(phone.count('CALL_ESTABLISHED'), 0);

  // offered once more, answered by hand, then the phone hangs up
  await setAgentState(c, S.a02, 'available');
  await until(() => phone.count('CALL_INCOMING') === 3, 'the phone rings a third time', 20000, phone.logs);
  assert.ok((await phone.ctrl('accept')).ok);
  await contactUntil(c, contact.id, (b) => b.state === 'active' && b.agent === S.a02, 'accepted from the phone');
  await talked(phone, 1);
  assert.ok((await phone.ctrl('hangup')).ok);
  const r = await caller.done;
  assert.equal(r.code, 0, sippSays(r));
});
