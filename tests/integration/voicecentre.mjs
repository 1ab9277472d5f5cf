// The voice end-to-end suites' centre: a relais with voice on (--sip on a
// free port, the trunk on another where a SIPp carrier may answer), the
// demo's agents and their SIP logins, and what each suite builds of its
// own through the API: a skill given to one agent (so that only that
// agent's phone rings: no hour-dependent demo queue, no other agent),
// voice queues, flows and numbers. Every peer runs on 127.0.0.1 and is
// stopped by its PID (voicelib.mjs).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startServer, login, client, ok, until, demoIds } from './lib.mjs';
import { freePort, startBaresip, dominantHz, wavInfo, udpPackets } from './voicelib.mjs';

// With RELAIS_VOICE_LOG=FILE set, a suite writes relais's log there at its
// end (to read what the server did around a failure).
export function keepLog(c) {
  if (process.env.RELAIS_VOICE_LOG) writeFileSync(process.env.RELAIS_VOICE_LOG, c.srv.logs());
}

// Starts relais with voice; returns the centre { srv, api, sipPort,
// trunkPort, ids, am (AssurMax's id), agentOf(username), restart() }.
export async function startCentre({ offerTimeoutS = 8, dataDir } = {}) {
  const sipPort = await freePort();
  const trunkPort = await freePort();
  const args = ['--sip', `127.0.0.1:${sipPort}`, '--sip-trunk', `sip:127.0.0.1:${trunkPort}`,
    '--offer-timeout', String(offerTimeoutS)];
  const c = { sipPort, trunkPort, args };
  c.srv = await startServer({ args, dataDir });
  const admin = await login(c.srv.url, 'admin');
  c.api = client(c.srv.url, admin.token);
  c.ids = await demoIds(c.srv.url, admin.token);
  c.am = c.ids.tenants.find((t) => t.name === 'AssurMax').id;
  c.agentOf = (u) => c.ids.users.find((x) => x.username === u).agent;
  // SIGKILL, then the same data and addresses again.
  c.restart = async () => {
    await c.srv.kill9();
    c.srv = await startServer({ args, dataDir: c.srv.dataDir });
    c.api = client(c.srv.url, (await login(c.srv.url, 'admin')).token);
  };
  return c;
}

// A skill of the suite given to these agents (their other skills kept).
export async function skillFor(c, name, agents) {
  await ok(c.api.post('/api/v1/skills', { name }), 201, 'skill');
  for (const a of agents) {
    const cur = await ok(c.api.get(`/api/v1/agents/${a}`), 200, 'agent');
    await ok(c.api.patch(`/api/v1/agents/${a}`, { skills: { ...cur.skills, [name]: 5 } }), 200, 'agent skills');
  }
}

// A voice queue of AssurMax served only by the agents with `skill`; a
// second of wrap-up, so that the agent is soon free again.
export async function voiceQueue(c, name, skill, more = {}) {
  return (await ok(c.api.post('/api/v1/queues', {
    tenant: c.am, name, channel: 'voice', steps: [{ after_s: 0, filter: `${skill} >= 1` }], wrapup_s: 1, ...more,
  }), 201, `queue ${name}`)).id;
}

// A calendar closed at every hour (no opening hours at all).
export async function closedCalendar(c, name) {
  return (await ok(c.api.post('/api/v1/calendars', { name, timezone: 'UTC', weekly: [] }), 201, 'calendar')).id;
}

// A flow of AssurMax (nodes as the API takes them) and a number that
// starts it; returns the flow's id.
export async function numberWithFlow(c, number, name, start, nodes) {
  const flow = (await ok(c.api.post('/api/v1/flows', { tenant: c.am, name, start, nodes }), 201, `flow ${name}`)).id;
  await ok(c.api.post('/api/v1/numbers', { tenant: c.am, number, flow }), 201, `number ${number}`);
  return flow;
}

// Waits for the prompts renderer to finish what was submitted so far:
// reading a node's prompt is a job queued after every rendering before
// it (prompts.h: one job at a time, in order).
export async function promptsRendered(c, flow, node, lang = 'fr') {
  const r = await c.api.get(`/api/v1/flows/${flow}/prompts/${node}/${lang}`);
  assert.equal(r.status, 200, `prompt ${node}/${lang}: ${r.status}`);
}

// The simplest flow: straight into queue.
export const straightTo = (queue) => ({ q: { type: 'queue', queue } });

export async function setAgentState(c, agent, state) {
  await ok(c.api.put(`/api/v1/agents/${agent}/state`, { state, ...(state === 'paused' ? { reason: 'other' } : {}) }), 200, `agent ${state}`);
}

// An agent's phone registered at relais with its demo login.
export async function agentPhone(c, user, opts = {}) {
  const p = await startBaresip({ user, password: `${user}-sip`, registrar: `127.0.0.1:${c.sipPort}`, ...opts });
  await p.waitEvent('REGISTER_OK', 15000);
  return p;
}

// The newest contact of queue (once there is one), as GET shows it.
export async function contactOf(c, queue, what = 'a contact in the queue', ms = 20000) {
  return until(async () => (await ok(c.api.get(`/api/v1/contacts?queue=${queue}&limit=5`), 200, 'contacts')).items[0],
    what, ms, () => c.srv.logs().slice(-3000));
}

export const getContact = async (c, id) => ok(c.api.get(`/api/v1/contacts/${id}`), 200, 'contact');

// Waits until the contact's body satisfies pred; returns it.
export async function contactUntil(c, id, pred, what, ms = 20000) {
  return until(async () => {
    const b = await getContact(c, id);
    return pred(b) && b;
  }, what, ms, () => c.srv.logs().slice(-3000));
}

// Every event of the log after `since` (small pages), as the admin sees it.
export async function eventsAfter(c, since = 0) {
  const out = [];
  for (;;) {
    const r = await ok(c.api.get(`/api/v1/events?after=${since}&limit=200`), 200, 'events');
    if (!r.events.length) return out;
    out.push(...r.events);
    since = r.last;
  }
}

// The events of one contact (of `type` when given).
export async function contactEvents(c, id, type) {
  return (await eventsAfter(c)).filter((e) => e.data?.contact === id && (!type || e.type === type));
}

// Waits for an event of the contact that pred accepts; returns it.
export async function eventUntil(c, id, pred, what, ms = 20000) {
  return until(async () => (await contactEvents(c, id)).find(pred), what, ms, () => c.srv.logs().slice(-3000));
}

// An attachment's bytes written to dir/name; returns the path.
export async function download(c, attachment, dir, name) {
  const token = (await login(c.srv.url, 'admin')).token;
  const res = await fetch(`${c.srv.url}/api/v1/attachments/${attachment}`, { headers: { authorization: `Bearer ${token}` } });
  assert.equal(res.status, 200, `attachment ${attachment}`);
  const path = join(dir, name);
  writeFileSync(path, Buffer.from(await res.arrayBuffer()));
  return path;
}

// Waits until the phone's current call has received `seconds` of audio
// (sndfile writes the 16-bit samples at 8 kHz as they come).
export async function talked(phone, seconds) {
  await until(() => {
    const r = phone.recordings().at(-1);
    try { return r && statSync(r.dec).size > 44 + seconds * 16000; } catch { return false; }
  }, `${seconds} s of talk at the phone`, 30000, phone.logs);
}

// What a SIPp run and relais said, for an assertion's message.
export const sippReport = (c, r) => `code ${r.code}\n${r.errors}\n${r.stdout.slice(-2000)}\n${c.srv.logs().slice(-3000)}`;

export const near = (hz, want, what = '') => assert.ok(hz !== null && Math.abs(hz - want) <= 15, `${what} dominant ${hz} Hz, want ${want}`);

// The G.711 µ-law byte's linear value.
function ulaw(b) {
  b = ~b & 0xff;
  const t = (((b & 0x0f) << 3) + 0x84) << ((b & 0x70) >> 4);
  return b & 0x80 ? 0x84 - t : t - 0x84;
}

// What a capture holds of the PCMU RTP sent to port, from `from` to `to`
// (seconds since the epoch, as the capture's times), decoded: { packets,
// rms (over all samples; silence is 0), wav (with `wav`: that path, a WAV
// of the samples for dominantHz) }.
export function heardAt(capture, port, { from = 0, to = Infinity, wav } = {}) {
  let sum = 0;
  const pcm = [];
  for (const p of udpPackets(capture)) {
    const d = p.data;
    if (p.dst !== port || p.t < from || p.t > to || d.length <= 12 || (d[0] >> 6) !== 2 || (d[1] & 0x7f) !== 0) continue;
    for (let i = 12; i < d.length; i++) pcm.push(ulaw(d[i]));
  }
  for (const x of pcm) sum += x * x;
  if (wav) {
    const raw = Buffer.alloc(2 * pcm.length);
    pcm.forEach((x, i) => raw.writeInt16LE(x, 2 * i));
    writeFileSync(`${wav}.raw`, raw);
    execFileSync('sox', ['-t', 'raw', '-r', '8000', '-e', 'signed', '-b', '16', '-c', '1', `${wav}.raw`, wav]);
  }
  return { packets: pcm.length / 160, rms: pcm.length ? Math.sqrt(sum / pcm.length) : 0, wav };
}

export { dominantHz, wavInfo };
