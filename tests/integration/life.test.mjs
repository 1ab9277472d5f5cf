// The life of a contact through the HTTP API and the WebSocket stream:
// created, queued, offered to an agent who made itself available, accepted,
// completed, wrapped up with a disposition; reject, transfer, callback and
// abandon; realtime statistics and interval reports (JSON and CSV); resuming
// a tenant stream after a disconnection; and an agent's stream that never
// carries another tenant's events.
import { test, before, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, login, client, openStream, demoIds, request } from './lib.mjs';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

let srv, admin, api, ids;
let T1, T2; // AssurMax, Télécom Plus
let watch; // agent02's stream, open for the whole suite (tenant isolation)
let agent02;
const streams = [];
const created = []; // contacts made by the running test
const agentsUsed = new Map(); // agents logged in by the running test

// ---- helpers of this suite ----

// Polls fn() until pred(value) holds; fails after ms.
async function until(fn, pred, ms = 5000, what = 'condition') {
  const end = Date.now() + ms;
  let v;
  for (;;) {
    v = await fn();
    if (pred(v)) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}; last value: ${JSON.stringify(v).slice(0, 500)}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

// Logs in as agentNN; returns its session, agent id and API client.
async function agentLogin(username) {
  const s = await login(srv.url, username);
  assert.equal(s.user.role, 'agent');
  assert.match(s.user.agent, UUID);
  const a = { ...s, name: username, id: s.user.agent, api: client(srv.url, s.token) };
  agentsUsed.set(a.id, a);
  return a;
}

async function setState(agent, state, reason) {
  const body = reason ? { state, reason } : { state };
  const r = await agent.api.put(`/api/v1/agents/${agent.id}/state`, body);
  assert.equal(r.status, 200, `PUT state ${state} for ${agent.name}: ${JSON.stringify(r.body)}`);
  assert.equal(r.body.id, agent.id);
  assert.match(r.body.state_since, ISO);
  return r.body;
}

async function stream(token, subscribe, after) {
  const st = await openStream(srv.url, token, { subscribe, after });
  streams.push(st);
  const ack = st.messages.find((m) => m.type === 'subscribed' || m.type === 'error');
  assert.equal(ack?.type, 'subscribed', `subscribe ${JSON.stringify(subscribe)}: ${JSON.stringify(ack)}`);
  assert.deepEqual(ack.topics, subscribe);
  assert.equal(typeof ack.last, 'number');
  return st;
}

// The stream's event message `name` about `contact` (and agent, if given).
function streamEvent(st, name, contact, agent, ms = 5000) {
  return st.next((m) => m.type === 'event' && m.event === name && m.data?.contact === contact &&
    (agent === undefined || m.data.agent === agent), ms);
}

// A chat queue of AssurMax made for one test, so its counters start at 0.
async function newQueue(name, extra = {}) {
  const r = await api.post('/api/v1/queues', {
    tenant: T1, name, channel: 'chat', strategy: 'longest-idle', wrapup: 'manual',
    dispositions: ['resolved', 'follow-up', 'escalated'], ...extra,
  });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  return r.body;
}

async function createContact(queue, extra = {}) {
  const r = await api.post('/api/v1/contacts', { tenant: queue.tenant, queue: queue.id, channel: queue.channel, ...extra });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  created.push(r.body);
  return r.body;
}

async function getContact(id, as = api) {
  const r = await as.get(`/api/v1/contacts/${id}`);
  assert.equal(r.status, 200, JSON.stringify(r.body));
  return r.body;
}

function types(contact) {
  return contact.timeline.map((e) => e.type);
}

// Asserts that `want` occurs in `list` in this order (other items may sit between).
function assertSubsequence(list, want, msg) {
  let i = 0;
  for (const x of list) if (i < want.length && x === want[i]) i++;
  assert.equal(i, want.length, `${msg}: expected ${JSON.stringify(want)} in order within ${JSON.stringify(list)}`);
}

async function queueStats(queueId, as = api) {
  const r = await as.get(`/api/v1/stats/realtime?tenant=${T1}`);
  assert.equal(r.status, 200, JSON.stringify(r.body));
  const q = r.body.queues.find((x) => x.id === queueId);
  assert.ok(q, `queue ${queueId} in the realtime statistics`);
  return q;
}

// An interval report window of one bucket that surely holds this run.
function reportWindow() {
  const from = new Date(Date.now() - 3600e3).toISOString();
  const to = new Date(Date.now() + 3600e3).toISOString();
  return `from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}&interval=1d`;
}

// RFC 4180 CSV into rows of fields.
function parseCsv(text) {
  const rows = [];
  let row = [], field = '', i = 0, quoted = false;
  while (i < text.length) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') { field += '"'; i += 2; continue; }
      if (c === '"') { quoted = false; i++; continue; }
      field += c; i++; continue;
    }
    if (c === '"') { quoted = true; i++; continue; }
    if (c === ',') { row.push(field); field = ''; i++; continue; }
    if (c === '\r' && text[i + 1] === '\n') { row.push(field); rows.push(row); row = []; field = ''; i += 2; continue; }
    if (c === '\n') { row.push(field); rows.push(row); row = []; field = ''; i++; continue; }
    field += c; i++;
  }
  if (field !== '' || row.length) { row.push(field); rows.push(row); }
  return rows;
}

// Every event of the log after `after` (paged), as the admin sees them.
async function eventsAfter(after) {
  const out = [];
  for (;;) {
    const r = await api.get(`/api/v1/events?after=${after}&limit=1000`);
    assert.equal(r.status, 200, JSON.stringify(r.body));
    if (!r.body.events.length) return out;
    out.push(...r.body.events);
    after = r.body.last;
  }
}

// Best-effort cleanup after a test, passing or not: contacts still in
// progress are finished or abandoned, agents go offline, so that the next
// test starts from a quiet centre.
async function cleanup(contacts, agents) {
  for (const c of contacts) {
    const r = await api.get(`/api/v1/contacts/${c.id}`);
    const s = r.body?.state;
    if (s === 'active') await api.post(`/api/v1/contacts/${c.id}/complete`, {});
    if (s === 'active' || s === 'wrapup') await api.post(`/api/v1/contacts/${c.id}/wrapup`, { disposition: 'resolved' });
    if (['queued', 'offered', 'callback-pending'].includes(s)) await api.post(`/api/v1/contacts/${c.id}/abandon`, {});
  }
  for (const a of agents) await api.put(`/api/v1/agents/${a.id}/state`, { state: 'offline' });
}

// Accepts, completes and wraps up a contact offered to `agent`.
async function handle(agent, contactId, disposition = 'resolved') {
  let r = await agent.api.post(`/api/v1/contacts/${contactId}/accept`);
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.equal(r.body.state, 'active');
  r = await agent.api.post(`/api/v1/contacts/${contactId}/complete`, {});
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.equal(r.body.state, 'wrapup');
  r = await agent.api.post(`/api/v1/contacts/${contactId}/wrapup`, { disposition });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.equal(r.body.state, 'completed');
  return r.body;
}

before(async () => {
  srv = await startServer({ fsync: false });
  admin = await login(srv.url, 'admin');
  api = client(srv.url, admin.token);
  ids = await demoIds(srv.url, admin.token);
  T1 = ids.tenants.find((t) => t.name === 'AssurMax').id;
  T2 = ids.tenants.find((t) => t.name === 'Télécom Plus').id;
  agent02 = await agentLogin('agent02');
  // agentNN is the NNth agent of GET /api/v1/agents.
  assert.equal(agent02.id, ids.agents[1].id);
  assert.deepEqual(ids.agents[1].tenants, [T1], 'agent02 serves AssurMax only');
  watch = await stream(agent02.token, [`agent:${agent02.id}`, 'stats']);
});

afterEach(async () => {
  await cleanup(created.splice(0), [...agentsUsed.values()]);
  agentsUsed.clear();
});

after(async () => {
  for (const st of streams) if (st.ws.readyState === 1) await st.close();
  if (srv) {
    const st = await srv.stop();
    assert.equal(st.code, 0, srv.logs());
  }
});

test('the whole life of a contact: created, offered on the agent stream, accepted, completed, wrapped up', async () => {
  const voice = ids.queues.find((q) => q.name === 'AssurMax voice');
  assert.equal(voice.steps[0].filter, 'lang.fr >= 6');
  assert.ok(voice.dispositions.includes('resolved'));
  assert.equal(voice.wrapup, 'manual');

  // Nobody is available yet: the contact waits, first in line.
  const created = await createContact(voice, { attributes: { reason: 'sinistre auto' } });
  assert.match(created.id, UUID);
  assert.equal(created.state, 'queued');
  assert.equal(created.position, 1);
  assert.ok('ewt_s' in created, 'ewt_s is part of a contact');
  assert.ok(created.ewt_s === null || Number.isInteger(created.ewt_s));
  assert.equal(created.tenant, T1);
  assert.equal(created.queue, voice.id);
  assert.equal(created.channel, 'voice');
  assert.equal(created.agent, null);
  assert.deepEqual(created.attributes, { reason: 'sinistre auto' });
  assert.match(created.created_at, ISO);

  // The agent (lang.fr 9, so past the filter) opens its stream, becomes available.
  const me = agent02;
  const st = await stream(me.token, [`agent:${me.id}`]);
  const state = await setState(me, 'available');
  assert.ok(['available', 'busy'].includes(state.state), state.state);

  const offered = await streamEvent(st, 'contact.offered', created.id);
  assert.equal(offered.type, 'event');
  assert.ok(Number.isInteger(offered.seq) && offered.seq > 0);
  assert.equal(offered.tenant, T1);
  assert.equal(offered.data.agent, me.id);
  assert.equal(offered.data.queue, voice.id);
  assert.match(offered.time, ISO);
  // The offer says when it times out: the server's offer time-out (20 s)
  // after the engine made it, which is at most the row's time.
  assert.match(offered.data.expires_at, ISO);
  const left = Date.parse(offered.data.expires_at) - Date.parse(offered.time);
  assert.ok(left > 19000 && left <= 20000, `expires_at - time = ${left} ms`);
  // The contact's view says the same while it is offered.
  const view = await getContact(created.id, me.api);
  assert.equal(view.state, 'offered');
  assert.equal(view.expires_at, offered.data.expires_at);

  // The agent sees the offered contact and accepts it without naming itself.
  let r = await me.api.post(`/api/v1/contacts/${created.id}/accept`);
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.equal(r.body.state, 'active');
  assert.equal(r.body.agent, me.id);
  assert.equal(r.body.position, 0);
  assert.ok(!('expires_at' in r.body), 'an accepted contact has no offer to expire');
  const accepted = await streamEvent(st, 'contact.accepted', created.id, me.id);
  assert.ok(accepted.seq > offered.seq);
  // A talk of a few milliseconds, so that the handle time is not zero.
  await new Promise((res) => setTimeout(res, 5));

  r = await me.api.post(`/api/v1/contacts/${created.id}/complete`, {});
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.equal(r.body.state, 'wrapup');
  // A disposition that is not one of the queue's is refused, and changes nothing.
  r = await me.api.post(`/api/v1/contacts/${created.id}/wrapup`, { disposition: 'no-such-code' });
  assert.equal(r.status, 400);
  assert.equal(r.body.error.code, 'invalid_field');
  assert.match(r.body.error.message, /disposition/);
  assert.equal((await getContact(created.id)).state, 'wrapup');

  r = await me.api.post(`/api/v1/contacts/${created.id}/wrapup`, { disposition: 'resolved', notes: 'déclaration enregistrée' });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.equal(r.body.state, 'completed');
  assert.equal(r.body.disposition, 'resolved');
  await streamEvent(st, 'contact.completed', created.id, me.id);

  // The agent's stream carried its contact's events in sequence order.
  const seqs = st.messages.filter((m) => m.type === 'event').map((m) => m.seq);
  for (let i = 1; i < seqs.length; i++) assert.ok(seqs[i] > seqs[i - 1], `stream seqs increase: ${seqs}`);

  // The record: final state and the timeline in order.
  const done = await getContact(created.id);
  assert.equal(done.state, 'completed');
  assert.equal(done.agent, me.id);
  assert.equal(done.disposition, 'resolved');
  assert.equal(done.notes, 'déclaration enregistrée');
  assert.equal(done.position, 0);
  assert.deepEqual(types(done), ['contact.created', 'contact.queued', 'contact.offered', 'contact.accepted',
    'contact.ended', 'contact.disposition', 'contact.completed']);
  for (let i = 0; i < done.timeline.length; i++) {
    const e = done.timeline[i];
    assert.ok(Number.isInteger(e.seq));
    assert.match(e.time, ISO);
    if (i) assert.ok(e.seq > done.timeline[i - 1].seq, 'timeline in sequence order');
  }
  assert.equal(done.timeline.find((e) => e.type === 'contact.offered').seq, offered.seq);
  assert.equal(done.timeline.find((e) => e.type === 'contact.accepted').agent, me.id);
  // The agent may read the contact it handled.
  assert.equal((await getContact(created.id, me.api)).state, 'completed');

  // Realtime statistics of the queue (today).
  const qs = await queueStats(voice.id);
  assert.equal(qs.offered, 1);
  assert.equal(qs.answered, 1);
  assert.equal(qs.handled, 1);
  assert.equal(qs.abandoned, 0);
  assert.equal(qs.waiting, 0);
  assert.equal(qs.name, 'AssurMax voice');
  // The agent role may read its tenants' statistics too.
  assert.equal((await queueStats(voice.id, me.api)).handled, 1);

  // The interval report has the queue's row...
  const win = reportWindow();
  r = await api.get(`/api/v1/reports/intervals?${win}`);
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.equal(r.body.group, 'queue');
  assert.equal(r.body.interval_s, 86400);
  const rows = r.body.rows.filter((x) => x.key === voice.id);
  assert.equal(rows.length, 1, JSON.stringify(r.body.rows));
  const row = rows[0];
  assert.equal(row.name, 'AssurMax voice');
  assert.equal(row.offered, 1);
  assert.equal(row.handled, 1);
  assert.equal(row.abandoned, 0);
  for (const f of ['start', 'key', 'name', 'offered', 'handled', 'abandoned', 'short_abandoned', 'answered_in_threshold',
    'service_level', 'asa_s', 'avg_wait_s', 'max_wait_s', 'aht_s', 'avg_abandon_s', 'transfers']) {
    assert.ok(f in row, `report row field ${f}`);
  }

  // ... and so does its CSV variant, with a header line.
  r = await request(srv.url, 'GET', `/api/v1/reports/intervals?${win}`, { token: admin.token, headers: { accept: 'text/csv' } });
  assert.equal(r.status, 200);
  assert.match(r.headers.get('content-type'), /^text\/csv/);
  assert.equal(typeof r.body, 'string');
  const csv = parseCsv(r.body);
  const header = csv[0];
  for (const f of ['start', 'key', 'name', 'offered', 'handled', 'abandoned']) assert.ok(header.includes(f), `CSV column ${f} in ${header}`);
  const data = csv.slice(1).filter((x) => x.length > 1);
  assert.equal(data.length, r.body.split('\r\n').filter(Boolean).length - 1);
  const cr = data.filter((x) => x[header.indexOf('key')] === voice.id);
  assert.equal(cr.length, 1, r.body);
  assert.equal(cr[0].length, header.length);
  assert.equal(cr[0][header.indexOf('name')], 'AssurMax voice');
  assert.equal(Number(cr[0][header.indexOf('offered')]), 1);
  assert.equal(Number(cr[0][header.indexOf('handled')]), 1);
  assert.equal(Number(cr[0][header.indexOf('abandoned')]), 0);

  // A client of the other tenant does not see this queue in its report.
  const other = await login(srv.url, 'client-telecom');
  r = await client(srv.url, other.token).get(`/api/v1/reports/intervals?${win}`);
  assert.equal(r.status, 200);
  assert.ok(!r.body.rows.some((x) => x.key === voice.id), 'no AssurMax row for the Télécom Plus client');

  await setState(me, 'offline');
});

// agent03 and agent10 serve AssurMax only; the one who rejects then rests a
// few seconds (the engine's reject delay), so later tests use agent02.
test('reject: the contact goes back to queued and another available agent gets the offer', async () => {
  const q = await newQueue('Life reject');
  const a = await agentLogin('agent03');
  const b = await agentLogin('agent10');
  const sa = await stream(a.token, [`agent:${a.id}`]);
  const sb = await stream(b.token, [`agent:${b.id}`]);
  await setState(a, 'available');
  await setState(b, 'available');

  const c = await createContact(q);
  assert.equal(c.state, 'offered', 'an available agent gets it at once');
  const [first, second, sFirst, sSecond] = c.agent === a.id ? [a, b, sa, sb] : [b, a, sb, sa];
  assert.equal(c.agent, first.id);
  const offer1 = await streamEvent(sFirst, 'contact.offered', c.id, first.id);

  let r = await first.api.post(`/api/v1/contacts/${c.id}/reject`);
  assert.equal(r.status, 200, JSON.stringify(r.body));
  const offer2 = await streamEvent(sSecond, 'contact.offered', c.id, second.id);
  assert.ok(offer2.seq > offer1.seq);
  const now = await getContact(c.id);
  assert.equal(now.state, 'offered');
  assert.equal(now.agent, second.id);
  assertSubsequence(types(now), ['contact.created', 'contact.queued', 'contact.offered', 'offer.rejected', 'contact.queued',
    'contact.offered'], 'timeline after a reject');
  const rejected = now.timeline.find((e) => e.type === 'offer.rejected');
  assert.equal(rejected.agent, first.id);
  assert.equal(now.timeline.filter((e) => e.type === 'contact.offered').at(-1).agent, second.id);

  // The agent who rejected cannot take it back any more.
  r = await first.api.post(`/api/v1/contacts/${c.id}/accept`);
  assert.equal(r.status, 409, JSON.stringify(r.body));
  assert.equal(r.body.error.code, 'conflict');
  // An agent acts only for itself.
  r = await first.api.post(`/api/v1/contacts/${c.id}/accept`, { agent: second.id });
  assert.equal(r.status, 403);

  const done = await handle(second, c.id, 'follow-up');
  assert.equal(done.agent, second.id);
  assert.equal(done.disposition, 'follow-up');
  const qs = await queueStats(q.id);
  assert.equal(qs.offered, 1, 'a reject does not count as a new offered contact');
  assert.equal(qs.answered, 1);
  assert.equal(qs.handled, 1);

  await setState(a, 'offline');
  await setState(b, 'offline');
});

test('transfer to another queue of the same tenant (and not to another tenant\'s)', async () => {
  const q1 = await newQueue('Life transfer from');
  // Nobody has lang.en 10: the transferred contact stays in line there.
  const q2 = await newQueue('Life transfer to', { steps: [{ after_s: 0, filter: 'lang.en >= 10' }] });
  const telcoChat = ids.queues.find((q) => q.name === 'Télécom Plus chat');
  const a = await agentLogin('agent02');
  const sa = await stream(a.token, [`agent:${a.id}`]);
  await setState(a, 'available');
  const c = await createContact(q1);
  await streamEvent(sa, 'contact.offered', c.id, a.id);
  let r = await a.api.post(`/api/v1/contacts/${c.id}/accept`);
  assert.equal(r.status, 200, JSON.stringify(r.body));
  const before = await getContact(c.id);

  // Where it may go: the tenant's other queues, the agents of the tenant
  // on its channel (not the one who holds it), each saying if it is free.
  const agent03 = await agentLogin('agent03');
  await setState(agent03, 'available');
  r = await a.api.get(`/api/v1/contacts/${c.id}/transfer-targets`);
  assert.equal(r.status, 200, JSON.stringify(r.body));
  const qids = r.body.queues.map((x) => x.id);
  assert.ok(qids.includes(q2.id), JSON.stringify(r.body.queues));
  assert.ok(!qids.includes(q1.id), 'not the queue it is in');
  assert.ok(!qids.includes(telcoChat.id), 'not another tenant\'s queue');
  assert.ok(!r.body.agents.some((x) => x.id === a.id), 'not the agent who holds it');
  const other = r.body.agents.find((x) => x.id === agent03.id);
  assert.deepEqual(other, { id: agent03.id, name: other.name, state: 'available', free: true });
  for (const x of r.body.agents) assert.ok(ids.agents.find((y) => y.id === x.id).tenants.includes(T1), x.name);
  await setState(agent03, 'paused', 'break');
  r = await a.api.get(`/api/v1/contacts/${c.id}/transfer-targets`);
  assert.deepEqual(r.body.agents.find((x) => x.id === agent03.id).free, false);
  await setState(agent03, 'offline');

  // Another tenant's queue: refused, nothing changes.
  r = await a.api.post(`/api/v1/contacts/${c.id}/transfer`, { queue: telcoChat.id });
  assert.equal(r.status, 400, JSON.stringify(r.body));
  assert.equal(r.body.error.code, 'invalid_field');
  assert.match(r.body.error.message, /queue/);
  assert.deepEqual(await getContact(c.id), before);

  r = await a.api.post(`/api/v1/contacts/${c.id}/transfer`, { queue: q2.id });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.equal(r.body.queue, q2.id);
  assert.equal(r.body.state, 'queued');
  assert.equal(r.body.position, 1);
  // (that it names no agent any more is checked by the next test)
  const moved = await streamEvent(sa, 'contact.transferred', c.id, a.id);
  assert.equal(moved.data.target, q2.id);

  const after = await getContact(c.id);
  assert.equal(after.queue, q2.id);
  assert.equal(after.state, 'queued');
  const tl = after.timeline;
  const ti = tl.findIndex((e) => e.type === 'contact.transferred');
  assert.ok(ti > 0, JSON.stringify(types(after)));
  assert.equal(tl[ti].target, q2.id);
  assert.equal(tl[ti].queue, q1.id, 'the transfer is recorded against the queue it leaves');
  const requeued = tl.slice(ti + 1).find((e) => e.type === 'contact.queued');
  assert.equal(requeued?.queue, q2.id);

  // The agent is free again; the target queue counts the contact as waiting.
  r = await api.get(`/api/v1/agents/${a.id}`);
  assert.equal(r.body.state, 'available');
  assert.equal((await queueStats(q2.id)).waiting, 1);

  r = await api.post(`/api/v1/contacts/${c.id}/abandon`, {});
  assert.equal(r.status, 200);
  await setState(a, 'offline');
});

test('a contact transferred to a queue no longer names its former agent, who no longer sees it', async () => {
    const q1 = await newQueue('Life transfer agent from');
    const q2 = await newQueue('Life transfer agent to', { steps: [{ after_s: 0, filter: 'lang.en >= 10' }] });
    const a = await agentLogin('agent02');
    await setState(a, 'available');
    const c = await createContact(q1);
    assert.equal(c.agent, a.id);
    let r = await a.api.post(`/api/v1/contacts/${c.id}/accept`);
    assert.equal(r.status, 200);
    r = await a.api.post(`/api/v1/contacts/${c.id}/transfer`, { queue: q2.id });
    assert.equal(r.status, 200);
    assert.equal(r.body.state, 'queued');
    assert.equal(r.body.agent, null, 'a queued contact has no agent');
    assert.equal((await getContact(c.id)).agent, null);
    r = await a.api.get(`/api/v1/contacts/${c.id}`);
    assert.equal(r.status, 404, 'the former agent no longer handles it');
  });

test('callback: a waiting contact becomes callback-pending, keeps its place, and is served', async () => {
  const q = await newQueue('Life callback');
  const c = await createContact(q, { customer: { phone: '+33612345678', name: 'Jeanne Rappel' } });
  assert.equal(c.state, 'queued');
  assert.match(c.customer, UUID);

  let r = await api.post(`/api/v1/contacts/${c.id}/callback`, {});
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.equal(r.body.state, 'callback-pending');
  assert.equal((await getContact(c.id)).state, 'callback-pending');
  // Only a queued contact can become a callback.
  r = await api.post(`/api/v1/contacts/${c.id}/callback`, {});
  assert.equal(r.status, 409, JSON.stringify(r.body));
  assert.equal(r.body.error.code, 'conflict');
  assert.equal((await queueStats(q.id)).waiting, 1, 'a pending callback still waits in the queue');

  const a = await agentLogin('agent02');
  const sa = await stream(a.token, [`agent:${a.id}`]);
  await setState(a, 'available');
  await streamEvent(sa, 'contact.offered', c.id, a.id);
  const done = await handle(a, c.id);
  assert.equal(done.state, 'completed');
  const tl = types(await getContact(c.id));
  assertSubsequence(tl, ['contact.created', 'contact.queued', 'contact.callback', 'contact.offered', 'contact.accepted',
    'callback.dial', 'contact.ended', 'contact.completed'], 'callback timeline');
  await setState(a, 'offline');
});

test('abandon: the contact ends abandoned and is counted in the statistics', async () => {
  const q = await newQueue('Life abandon');
  const first = await createContact(q);
  const second = await createContact(q);
  assert.equal(first.position, 1);
  assert.equal(second.position, 2);

  // Agents may not abandon contacts.
  const a = await agentLogin('agent03');
  let r = await a.api.post(`/api/v1/contacts/${first.id}/abandon`, {});
  assert.equal(r.status, 403);
  assert.equal(r.body.error.code, 'forbidden');

  const integ = await login(srv.url, 'integration');
  r = await client(srv.url, integ.token).post(`/api/v1/contacts/${first.id}/abandon`, {});
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.equal(r.body.state, 'abandoned');
  // (position 0 once not waiting: see the test marked todo below)

  const gone = await getContact(first.id);
  assert.equal(gone.state, 'abandoned');
  assert.equal(types(gone).at(-1), 'contact.abandoned');
  assert.equal((await getContact(second.id)).state, 'queued');

  const qs = await queueStats(q.id);
  assert.equal(qs.offered, 2);
  assert.equal(qs.abandoned, 1);
  assert.equal(qs.waiting, 1);
  assert.equal(qs.handled, 0);

  r = await api.get(`/api/v1/reports/intervals?${reportWindow()}`);
  const row = r.body.rows.find((x) => x.key === q.id);
  assert.equal(row?.offered, 2);
  assert.equal(row?.abandoned, 1);

  r = await api.post(`/api/v1/contacts/${second.id}/abandon`, {});
  assert.equal(r.status, 200);
  assert.equal((await queueStats(q.id)).abandoned, 2);
});

test('position: 0 once a contact no longer waits, and it moves up when the one ahead leaves', async () => {
    const q = await newQueue('Life position');
    const first = await createContact(q);
    const second = await createContact(q);
    assert.equal(second.position, 2);
    const r = await api.post(`/api/v1/contacts/${first.id}/abandon`, {});
    assert.equal(r.status, 200);
    assert.equal(r.body.position, 0, 'an abandoned contact does not wait');
    assert.equal((await getContact(first.id)).position, 0);
    assert.equal((await getContact(second.id)).position, 1, 'second in line becomes first');
  });

test('an action on a contact that has ended is a 409 conflict, as for any state that does not allow it', async () => {
    const q = await newQueue('Life ended');
    const c = await createContact(q);
    let r = await api.post(`/api/v1/contacts/${c.id}/abandon`, {});
    assert.equal(r.status, 200);
    r = await api.post(`/api/v1/contacts/${c.id}/abandon`, {});
    assert.equal(r.status, 409, JSON.stringify(r.body));
    assert.equal(r.body.error.code, 'conflict');
  });

test('a timed wrap-up says when it ends, in the ended event and the contact\'s view, and forgets it once over', async () => {
  const q = await newQueue('Life timed wrap-up', { wrapup: 'timed', wrapup_s: 45 });
  const me = agent02;
  const st = await stream(me.token, [`agent:${me.id}`]);
  const c = await createContact(q);
  await setState(me, 'available');
  await streamEvent(st, 'contact.offered', c.id);
  let r = await me.api.post(`/api/v1/contacts/${c.id}/accept`);
  assert.equal(r.status, 200, JSON.stringify(r.body));
  r = await me.api.post(`/api/v1/contacts/${c.id}/complete`, {});
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.equal(r.body.state, 'wrapup');
  const ended = await streamEvent(st, 'contact.ended', c.id);
  assert.match(ended.data.wrapup_ends_at, ISO);
  const left = Date.parse(ended.data.wrapup_ends_at) - Date.parse(ended.time);
  assert.ok(left > 44000 && left <= 45000, `wrapup_ends_at - time = ${left} ms`);
  assert.equal(r.body.wrapup_ends_at, ended.data.wrapup_ends_at);
  r = await me.api.post(`/api/v1/contacts/${c.id}/wrapup`, { disposition: 'resolved' });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.ok(!('wrapup_ends_at' in r.body), 'a completed contact has no wrap-up to end');
  // A manual wrap-up has no end of its own.
  const manual = await newQueue('Life manual wrap-up');
  const d = await createContact(manual);
  await streamEvent(st, 'contact.offered', d.id);
  await me.api.post(`/api/v1/contacts/${d.id}/accept`);
  r = await me.api.post(`/api/v1/contacts/${d.id}/complete`, {});
  assert.equal(r.body.state, 'wrapup');
  assert.ok(!('wrapup_ends_at' in r.body), JSON.stringify(r.body));
  assert.ok(!('wrapup_ends_at' in (await streamEvent(st, 'contact.ended', d.id)).data));
  r = await me.api.post(`/api/v1/contacts/${d.id}/wrapup`, { disposition: 'resolved' });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  await setState(me, 'offline');
});

test('a queue that requires a disposition refuses a wrap-up without one, and changes nothing', async () => {
  const q = await newQueue('Life disposition required', { disposition_required: true });
  assert.equal(q.disposition_required, true);
  const me = agent02;
  const st = await stream(me.token, [`agent:${me.id}`]);
  const c = await createContact(q);
  await setState(me, 'available');
  await streamEvent(st, 'contact.offered', c.id);
  assert.equal((await me.api.post(`/api/v1/contacts/${c.id}/accept`)).status, 200);
  assert.equal((await me.api.post(`/api/v1/contacts/${c.id}/complete`, {})).status, 200);
  for (const body of [{}, { disposition: null, notes: 'no code' }]) {
    const r = await me.api.post(`/api/v1/contacts/${c.id}/wrapup`, body);
    assert.equal(r.status, 400, JSON.stringify(r.body));
    assert.match(r.body.error.message, /disposition: the queue requires one/);
  }
  assert.equal((await getContact(c.id)).state, 'wrapup');
  const r = await me.api.post(`/api/v1/contacts/${c.id}/wrapup`, { disposition: 'escalated' });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.equal(r.body.disposition, 'escalated');
  await setState(me, 'offline');
});

test('a contact in progress asks for a callback: a voice callback of its customer, and the contact ends', async () => {
  const q = await newQueue('Life callback request');
  const voice = ids.queues.find((x) => x.name === 'AssurMax voice');
  const me = agent02;
  const st = await stream(me.token, [`agent:${me.id}`]);
  const bare = await createContact(q);
  const c = await createContact(q, { customer: { phone: '+33655443322', name: 'Rappel Martin' } });
  await setState(me, 'available');
  await streamEvent(st, 'contact.offered', bare.id);
  // not active yet: refused, nothing created
  let r = await me.api.post(`/api/v1/contacts/${bare.id}/callback-request`, { queue: voice.id });
  assert.equal(r.status, 409, JSON.stringify(r.body));
  assert.equal((await me.api.post(`/api/v1/contacts/${bare.id}/accept`)).status, 200);
  // no customer: nobody to call
  r = await me.api.post(`/api/v1/contacts/${bare.id}/callback-request`, { queue: voice.id });
  assert.equal(r.status, 400, JSON.stringify(r.body));
  assert.match(r.body.error.message, /customer/);
  assert.equal((await getContact(bare.id)).state, 'active');
  await me.api.post(`/api/v1/contacts/${bare.id}/complete`, {});
  await me.api.post(`/api/v1/contacts/${bare.id}/wrapup`, { disposition: 'resolved' });

  await streamEvent(st, 'contact.offered', c.id);
  assert.equal((await me.api.post(`/api/v1/contacts/${c.id}/accept`)).status, 200);
  // a chat queue cannot take a call: refused, the contact still in progress
  r = await me.api.post(`/api/v1/contacts/${c.id}/callback-request`, { queue: q.id });
  assert.equal(r.status, 400, JSON.stringify(r.body));
  assert.match(r.body.error.message, /channel/);
  assert.equal((await getContact(c.id)).state, 'active');
  r = await me.api.post(`/api/v1/contacts/${c.id}/callback-request`, { queue: voice.id });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  const cb = r.body;
  created.push(cb);
  assert.equal(cb.channel, 'voice');
  assert.equal(cb.queue, voice.id);
  assert.equal(cb.customer, (await getContact(c.id)).customer);
  assert.equal(cb.attributes.callback_for, c.id);
  assert.ok(['callback-pending', 'offered'].includes(cb.state), cb.state);
  // the contact itself ended: its wrap-up follows
  const done = await getContact(c.id);
  assert.equal(done.state, 'wrapup');
  assert.equal((await me.api.post(`/api/v1/contacts/${c.id}/wrapup`, { disposition: 'follow-up' })).status, 200);
  // the callback is in the customer's history
  const hist = await api.get(`/api/v1/customers/${cb.customer}/contacts`);
  assert.ok(hist.body.items.some((x) => x.id === cb.id), JSON.stringify(hist.body));
  await setState(me, 'offline');
});

test('a step with action "callback-offer" offers a callback', async () => {
    const q = await newQueue('Life callback offer', {
      steps: [{ after_s: 0, filter: 'lang.en >= 10' }, { after_s: 1, action: 'callback-offer' }],
    });
    const st = await stream(admin.token, [`queue:${q.id}`]);
    const c = await createContact(q);
    await streamEvent(st, 'contact.step', c.id, undefined, 4000);
    try {
      await streamEvent(st, 'callback.offer', c.id, undefined, 1500);
    } finally {
      await api.post(`/api/v1/contacts/${c.id}/abandon`, {});
    }
  });

test('interval report rows carry every field of the contract (occupancy included)', async () => {
    const r = await api.get(`/api/v1/reports/intervals?${reportWindow()}`);
    assert.equal(r.status, 200);
    assert.ok(r.body.rows.length > 0);
    for (const row of r.body.rows) assert.ok('occupancy' in row, 'occupancy');
  });

// A queue named like a formula was written as is in the CSV report, and a
// spreadsheet would run it (OWASP: CSV injection). Text cells that begin
// with = + - @ (or a tab or CR) get a leading ' ; numbers stay numbers.
test('the CSV report neutralises text cells that a spreadsheet would run as formulas', async () => {
  const names = ['=HYPERLINK("http://evil.example","x")', '+1+cmd', '-2+3', '@SUM(A1:A9)', '\t=1+1'];
  const queues = [];
  for (const name of names) {
    const q = await newQueue(name);
    await createContact(q);
    queues.push(q);
  }
  const r = await request(srv.url, 'GET', `/api/v1/reports/intervals?${reportWindow()}`, { token: admin.token, headers: { accept: 'text/csv' } });
  assert.equal(r.status, 200);
  const csv = parseCsv(r.body);
  const header = csv[0];
  for (const [i, q] of queues.entries()) {
    const row = csv.find((x) => x[header.indexOf('key')] === q.id);
    assert.ok(row, `a row for ${names[i]}`);
    assert.equal(row[header.indexOf('name')], `'${names[i]}`);
    assert.equal(row[header.indexOf('offered')], '1');
  }
  for (const row of csv.slice(1).filter((x) => x.length > 1)) {
    for (const c of ['offered', 'handled', 'abandoned', 'asa_s']) {
      const v = row[header.indexOf(c)];
      assert.ok(v === '' || /^-?[0-9.e+-]+$/.test(v), `${c}: ${v} is a number`);
    }
  }
});

test('stream resume: after a disconnection, {"after": lastSeq} delivers exactly the missed events', async () => {
  const q = await newQueue('Life resume');
  const telcoChat = ids.queues.find((x) => x.name === 'Télécom Plus chat');
  const sup = await login(srv.url, 'supervisor');
  const topic = [`tenant:${T1}`];

  // First connection: some events live.
  const s1 = await stream(sup.token, topic);
  const since = s1.messages[0].last;
  const live = [await createContact(q), await createContact(q)];
  await createContact(telcoChat);
  await streamEvent(s1, 'contact.queued', live[1].id);
  const got1 = s1.messages.filter((m) => m.type === 'event');
  await s1.close();
  const lastSeq = got1.at(-1).seq;
  const want1 = (await eventsAfter(since)).filter((e) => e.tenant === T1 && e.seq <= lastSeq).map((e) => e.seq);
  assert.deepEqual(got1.map((m) => m.seq), want1, 'the first connection got every event of the tenant, in order');

  // Disconnected: more happens, in both tenants.
  const missed = [await createContact(q), await createContact(q), await createContact(telcoChat)];
  let r = await api.post(`/api/v1/contacts/${missed[0].id}/abandon`, {});
  assert.equal(r.status, 200);
  r = await api.patch(`/api/v1/queues/${q.id}`, { priority: 5 });
  assert.equal(r.status, 200);

  // Reconnect with after=lastSeq while new events keep coming.
  const [s2, more] = await Promise.all([
    stream(sup.token, topic, lastSeq),
    Promise.all([createContact(q), createContact(q), createContact(telcoChat)]),
  ]);
  r = await api.post(`/api/v1/contacts/${more[0].id}/abandon`, {});
  assert.equal(r.status, 200);

  const want = (await eventsAfter(lastSeq)).filter((e) => e.tenant === T1);
  assert.ok(want.length >= 10, `events to resume: ${want.length}`);
  const finalSeq = want.at(-1).seq;
  await until(async () => s2.messages.filter((m) => m.type === 'event'), (ev) => ev.some((m) => m.seq >= finalSeq), 5000,
    `the resumed stream to reach seq ${finalSeq}`);
  const got = s2.messages.filter((m) => m.type === 'event');
  const gotSeqs = got.map((m) => m.seq);
  for (let i = 1; i < gotSeqs.length; i++) assert.ok(gotSeqs[i] > gotSeqs[i - 1], `strictly increasing: ${gotSeqs}`);
  assert.ok(gotSeqs[0] > lastSeq, 'nothing already seen is sent again');
  assert.deepEqual(gotSeqs, want.map((e) => e.seq), 'exactly the tenant\'s events after lastSeq: no gap, no duplicate');
  for (let i = 0; i < got.length; i++) {
    assert.equal(got[i].tenant, T1);
    assert.equal(got[i].event, want[i].type);
    assert.deepEqual(got[i].data, want[i].data);
  }
  assert.ok(s2.messages.every((m) => m.type !== 'error'), JSON.stringify(s2.messages.filter((m) => m.type === 'error')));
  const missedIds = new Set([...missed.slice(0, 2), ...more.slice(0, 2)].map((c) => c.id));
  for (const id of missedIds) assert.ok(got.some((m) => m.event === 'contact.created' && m.data.contact === id), `created ${id}`);
  assert.ok(!got.some((m) => m.data.contact === missed[2].id || m.data.contact === more[2].id), 'no Télécom Plus contact');

  for (const c of [...missed.slice(1, 2), ...more.slice(1, 2), ...live]) await api.post(`/api/v1/contacts/${c.id}/abandon`, {});
});

test('an agent stream never carries another tenant\'s events, and agents may not follow other topics', async () => {
  // Activity in Télécom Plus, handled by a Télécom Plus agent.
  const telcoChat = ids.queues.find((x) => x.name === 'Télécom Plus chat');
  const hugo = await agentLogin('agent04');
  assert.deepEqual(ids.agents[3].tenants, [T2]);
  const sh = await stream(hugo.token, [`agent:${hugo.id}`]);
  await setState(hugo, 'available');
  const c = await createContact(telcoChat);
  await streamEvent(sh, 'contact.offered', c.id, hugo.id);
  await handle(hugo, c.id);
  await setState(hugo, 'offline');
  // A transfer to an agent who does not serve the tenant is refused.
  const c2 = await createContact(telcoChat);
  let r = await api.post(`/api/v1/contacts/${c2.id}/transfer`, { agent: agent02.id });
  assert.equal(r.status, 409, JSON.stringify(r.body));
  assert.equal((await getContact(c2.id)).agent, null);
  r = await api.post(`/api/v1/contacts/${c2.id}/abandon`, {});
  assert.equal(r.status, 200);
  // Let at least one statistics push happen after that activity.
  const n = watch.messages.length;
  await until(async () => watch.messages.slice(n), (m) => m.some((x) => x.type === 'stats'), 3000, 'a stats push');

  // agent02's stream, open since the start of the suite.
  const events = watch.messages.filter((m) => m.type === 'event');
  assert.ok(events.some((m) => m.event === 'contact.offered' && m.tenant === T1), 'the watch stream saw its own offers');
  for (const m of events) {
    assert.ok(m.tenant === undefined || m.tenant === null || m.tenant === T1, `event of another tenant: ${JSON.stringify(m)}`);
    if (m.data.agent) assert.equal(m.data.agent, agent02.id);
  }
  const stats = watch.messages.filter((m) => m.type === 'stats');
  assert.ok(stats.length > 0);
  for (const m of stats) {
    assert.ok(m.data.queues.length > 0);
    for (const q of m.data.queues) assert.equal(q.tenant, T1, `stats of another tenant's queue ${q.name}`);
    for (const a of m.data.agents) assert.equal(a.id, agent02.id, 'an agent sees only itself');
  }
  assert.ok(!watch.messages.some((m) => m.type === 'error'));

  // Topics an agent may not follow.
  const voice1 = ids.queues.find((x) => x.name === 'AssurMax voice');
  for (const topic of [`tenant:${T2}`, `tenant:${T1}`, `queue:${voice1.id}`, `agent:${hugo.id}`, 'agent:nope', 'bogus']) {
    const st = await openStream(srv.url, agent02.token, { subscribe: [topic] });
    streams.push(st);
    const m = st.messages.find((x) => x.type === 'subscribed' || x.type === 'error');
    assert.equal(m?.type, 'error', `${topic}: ${JSON.stringify(m)}`);
    assert.equal(m.error.code, 'forbidden');
  }
});
