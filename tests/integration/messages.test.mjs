// Messages of written contacts: an agent holding a chat contact writes and
// reads them back in order and by pages; other tenants and other agents do
// not see them (404), a client may not (403); the stream carries
// contact.message to the holding agent's topic and the tenant's; an
// attachment goes up, comes down with its headers, is refused when too big
// (413 from the head, before the body is sent) or of a refused type (415);
// a message and its attachment survive kill -9.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import net from 'node:net';
import { rmSync } from 'node:fs';
import { startServer, login, client, request, openStream, demoIds, ok, until } from './lib.mjs';

let srv, base, admin, S = {};

// Polls fn until it returns a truthy value (effects, never a fixed sleep).
// A new contact of tenant t in its holding queue of channel ch.
async function contact(t, ch) {
  const q = S[`hold_${t}_${ch}`];
  return (await ok(admin.post('/api/v1/contacts', { tenant: S[t], queue: q, channel: ch }), 201, 'contact')).id;
}

// A chat contact of AssurMax that the test's agent holds (active).
async function held() {
  const c = await contact('am', 'chat');
  await ok(admin.post(`/api/v1/contacts/${c}/transfer`, { agent: S.agent }), 200, 'transfer');
  await until(async () => (await admin.get(`/api/v1/contacts/${c}`)).body.state === 'offered', 'offered');
  await ok(S.agentApi.post(`/api/v1/contacts/${c}/accept`, {}), 200, 'accept');
  return c;
}

function upload(token, c, name, type, data) {
  return request(base, 'POST', `/api/v1/contacts/${c}/attachments?name=${encodeURIComponent(name)}`, {
    token, raw: data, headers: { 'content-type': type },
  });
}

before(async () => {
  srv = await startServer(); // fsync on: the last test kills it
  base = srv.url;
  const tok = (await login(base, 'admin')).token;
  admin = client(base, tok);
  S.adminToken = tok;
  const ids = await demoIds(base, tok);
  S.am = ids.tenants.find((t) => t.name === 'AssurMax').id;
  S.tp = ids.tenants.find((t) => t.name === 'Télécom Plus').id;
  const paris = ids.sites.find((s) => s.name === 'Paris').id;
  await ok(admin.post('/api/v1/skills', { name: 'msg.none' }), 201, 'skill');
  for (const t of ['am', 'tp']) {
    for (const ch of ['chat', 'voice']) {
      S[`hold_${t}_${ch}`] = (await ok(admin.post('/api/v1/queues', {
        tenant: S[t], name: `MSG hold ${t} ${ch}`, channel: ch, wrapup: 'manual',
        steps: [{ after_s: 0, filter: 'msg.none >= 1' }],
      }), 201, 'holding queue')).id;
    }
  }
  S.agent = (await ok(admin.post('/api/v1/agents', {
    name: 'MSG agent', site: paris, tenants: [S.am], capacity: { chat: 4 },
  }), 201, 'agent')).id;
  S.other = (await ok(admin.post('/api/v1/agents', {
    name: 'MSG other', site: paris, tenants: [S.am], capacity: { chat: 4 },
  }), 201, 'agent')).id;
  for (const [u, a] of [['msg-agent', S.agent], ['msg-other', S.other]]) {
    await ok(admin.post('/api/v1/users', { username: u, password: `${u}-pw-123`, role: 'agent', agent: a }), 201, 'user');
  }
  await ok(admin.post('/api/v1/users', {
    username: 'msg-sup-tp', password: 'msg-sup-tp-pw', role: 'supervisor', tenants: [S.tp],
  }), 201, 'supervisor of Télécom Plus');
  S.agentToken = (await login(base, 'msg-agent', 'msg-agent-pw-123')).token;
  S.agentApi = client(base, S.agentToken);
  S.otherApi = client(base, (await login(base, 'msg-other', 'msg-other-pw-123')).token);
  S.supTP = client(base, (await login(base, 'msg-sup-tp', 'msg-sup-tp-pw')).token);
  S.clientApi = client(base, (await login(base, 'client-assurmax')).token);
  await ok(admin.put(`/api/v1/agents/${S.agent}/state`, { state: 'available' }), 200, 'available');
  S.chat = await held();
});

after(async () => {
  if (srv && srv.proc.exitCode === null && srv.proc.signalCode === null) await srv.stop();
  if (srv) rmSync(srv.dataDir, { recursive: true, force: true });
});

test('the holding agent writes messages and reads them back in order, by pages', async () => {
  const texts = ['Bonjour', 'Je regarde votre dossier', 'Voilà qui est fait'];
  const posted = [];
  for (const text of texts) {
    const m = await ok(S.agentApi.post(`/api/v1/contacts/${S.chat}/messages`, { text }), 201, 'post');
    assert.equal(m.text, text);
    assert.equal(m.direction, 'out');
    assert.equal(m.author, 'agent');
    assert.equal(m.status, 'queued');
    assert.deepEqual(m.attachments, []);
    posted.push(m);
  }
  assert.ok(posted[0].seq < posted[1].seq && posted[1].seq < posted[2].seq);
  // The api channel has no medium: each message becomes sent.
  const all = await until(async () => {
    const r = await ok(S.agentApi.get(`/api/v1/contacts/${S.chat}/messages`), 200, 'list');
    return r.messages.length === 3 && r.messages.every((m) => m.status === 'sent') && r.messages;
  }, 'three sent messages');
  assert.deepEqual(all.map((m) => m.text), texts);
  assert.deepEqual(all.map((m) => m.id), posted.map((m) => m.id));
  assert.deepEqual(all.map((m) => m.seq), posted.map((m) => m.seq));
  for (const m of all) {
    assert.equal(m.html, null);
    assert.equal(m.subject, null);
    assert.equal(m.reason, null);
    assert.match(m.at, /^\d{4}-\d\d-\d\dT/);
  }
  const page = await ok(S.agentApi.get(`/api/v1/contacts/${S.chat}/messages?after=${posted[0].seq}`), 200, 'page');
  assert.deepEqual(page.messages.map((m) => m.text), texts.slice(1));
  const none = await ok(S.agentApi.get(`/api/v1/contacts/${S.chat}/messages?after=${posted[2].seq}`), 200, 'end');
  assert.deepEqual(none.messages, []);
  // Staff of the tenant read them too.
  assert.equal((await ok(admin.get(`/api/v1/contacts/${S.chat}/messages`), 200, 'admin')).messages.length, 3);
});

test('an integration writes the customer\'s side (direction in): delivered, never handed back; others may not', async () => {
  const c = await held();
  const integ = client(base, (await login(base, 'integration')).token);
  const m = await ok(integ.post(`/api/v1/contacts/${c}/messages`, { text: 'Bonjour, ma box ne marche plus', direction: 'in' }), 201, 'in');
  assert.equal(m.direction, 'in');
  assert.equal(m.author, 'customer');
  assert.equal(m.status, 'delivered');
  // the agent may not write as the customer, nor may an admin: 403, nothing logged
  for (const as of [S.agentApi, admin]) {
    const r = await as.post(`/api/v1/contacts/${c}/messages`, { text: 'forged', direction: 'in' });
    assert.equal(r.status, 403, JSON.stringify(r.body));
    assert.match(r.body.error.message, /only an integration/);
  }
  const r = await integ.post(`/api/v1/contacts/${c}/messages`, { text: 'x', direction: 'sideways' });
  assert.equal(r.status, 400);
  // the agent's answer goes out; the customer's message stays delivered
  await ok(S.agentApi.post(`/api/v1/contacts/${c}/messages`, { text: 'Je regarde' }), 201, 'out');
  const list = await until(async () => {
    const l = (await ok(S.agentApi.get(`/api/v1/contacts/${c}/messages`), 200, 'list')).messages;
    return l.length === 2 && l[1].status === 'sent' && l;
  }, 'the answer sent');
  assert.deepEqual(list.map((x) => [x.direction, x.author, x.status, x.text]),
    [['in', 'customer', 'delivered', 'Bonjour, ma box ne marche plus'], ['out', 'agent', 'sent', 'Je regarde']]);
  await ok(S.agentApi.post(`/api/v1/contacts/${c}/complete`, {}), 200, 'complete');
  await ok(S.agentApi.post(`/api/v1/contacts/${c}/wrapup`, {}), 200, 'wrapup');
});

test('bad input is refused with a clear error and changes nothing', async () => {
  const before = (await admin.get(`/api/v1/contacts/${S.chat}/messages`)).body.messages.length;
  const cases = [
    [{}, 400, /text: required/],
    [{ text: '' }, 400, /text: required/],
    [{ text: 'x', subject: 'Re' }, 400, /only for an email contact/],
    [{ text: 'x', attachments: ['nope'] }, 400, /attachments\[0\]: no attachment nope/],
    [{ text: 'x', colour: 'red' }, 400, /colour/],
    [{ text: 7 }, 400, /text/],
  ];
  for (const [body, status, re] of cases) {
    const r = await S.agentApi.post(`/api/v1/contacts/${S.chat}/messages`, body);
    assert.equal(r.status, status, JSON.stringify(body));
    assert.match(r.body.error.message, re);
  }
  const r = await S.agentApi.get(`/api/v1/contacts/${S.chat}/messages?after=x`);
  assert.equal(r.status, 400);
  assert.match(r.body.error.message, /after/);
  assert.equal((await admin.get(`/api/v1/contacts/${S.chat}/messages`)).body.messages.length, before);
});

test('other tenants and agents see nothing (404), a client may not (403), voice has none (409)', async () => {
  const path = `/api/v1/contacts/${S.chat}/messages`;
  assert.equal((await S.supTP.get(path)).status, 404);
  assert.equal((await S.supTP.post(path, { text: 'intrus' })).status, 404);
  assert.equal((await S.otherApi.get(path)).status, 404);
  assert.equal((await S.otherApi.post(path, { text: 'intrus' })).status, 404);
  assert.equal((await S.clientApi.get(path)).status, 403);
  assert.equal((await S.clientApi.post(path, { text: 'intrus' })).status, 403);
  assert.equal((await request(base, 'GET', path)).status, 401);
  const all = (await admin.get(path)).body.messages;
  assert.ok(!all.some((m) => m.text === 'intrus'));

  const voice = await contact('am', 'voice');
  const r = await admin.get(`/api/v1/contacts/${voice}/messages`);
  assert.equal(r.status, 409);
  assert.match(r.body.error.message, /voice contact has no messages/);
  assert.equal((await admin.post(`/api/v1/contacts/${voice}/messages`, { text: 'x' })).status, 409);
  assert.equal((await admin.get('/api/v1/contacts/nope/messages')).status, 404);
  assert.equal((await admin.post('/api/v1/contacts/nope/messages', { text: 'x' })).status, 404);
});

test('a finished contact keeps its messages for its agent and takes no more (409)', async () => {
  const c = await held();
  const m = await ok(S.agentApi.post(`/api/v1/contacts/${c}/messages`, { text: 'au revoir' }), 201, 'post');
  await ok(S.agentApi.post(`/api/v1/contacts/${c}/complete`, {}), 200, 'complete');
  await ok(S.agentApi.post(`/api/v1/contacts/${c}/wrapup`, {}), 200, 'wrapup');
  await until(async () => (await admin.get(`/api/v1/contacts/${c}`)).body.state === 'completed', 'completed');
  const r = await S.agentApi.post(`/api/v1/contacts/${c}/messages`, { text: 'trop tard' });
  assert.equal(r.status, 409);
  assert.match(r.body.error.message, /already/);
  assert.equal((await upload(S.agentToken, c, 'x.txt', 'text/plain', 'x')).status, 409);
  const list = (await ok(S.agentApi.get(`/api/v1/contacts/${c}/messages`), 200, 'read')).messages;
  assert.deepEqual(list.map((x) => x.id), [m.id]);
  assert.equal((await S.otherApi.get(`/api/v1/contacts/${c}/messages`)).status, 404);
  assert.equal((await S.supTP.get(`/api/v1/contacts/${c}/messages`)).status, 404);
});

test('the stream carries contact.message to the holding agent and the tenant', async () => {
  const agentSt = await openStream(base, S.agentToken, { subscribe: [`agent:${S.agent}`] });
  const tenantSt = await openStream(base, S.adminToken, { subscribe: [`tenant:${S.am}`] });
  const otherSt = await openStream(base, (await login(base, 'msg-sup-tp', 'msg-sup-tp-pw')).token, { subscribe: [`tenant:${S.tp}`] });
  try {
    const m = await ok(S.agentApi.post(`/api/v1/contacts/${S.chat}/messages`, { text: 'sur le flux' }), 201, 'post');
    const isIt = (e) => e.type === 'event' && e.event === 'contact.message' && e.data.message === m.id;
    const got = await agentSt.next(isIt);
    assert.equal(got.seq, m.seq);
    assert.equal(got.data.agent, S.agent);
    assert.equal(got.data.text, 'sur le flux');
    assert.equal(got.data.channel, 'chat');
    await tenantSt.next(isIt);
    await tenantSt.next((e) => e.type === 'event' && e.event === 'contact.message_status' && e.data.message === m.id && e.data.status === 'sent');
    // The other tenant's stream, which has seen everything up to the
    // status above (one commit order), never got it.
    assert.ok(!otherSt.messages.some((e) => e.type === 'event' && e.event.startsWith('contact.message')));
  } finally {
    await agentSt.close();
    await tenantSt.close();
    await otherSt.close();
  }
});

test('typing is a signal on the agent and tenant streams, never logged', async () => {
  const agentSt = await openStream(base, S.agentToken, { subscribe: [`agent:${S.agent}`] });
  const otherSt = await openStream(base, (await login(base, 'msg-sup-tp', 'msg-sup-tp-pw')).token, { subscribe: [`tenant:${S.tp}`] });
  try {
    const last = (await admin.get('/api/v1/events?limit=1000')).body.last;
    const r = await request(base, 'POST', `/api/v1/contacts/${S.chat}/typing`, { token: S.adminToken, body: {} });
    assert.equal(r.status, 204);
    const sig = await agentSt.next((e) => e.type === 'signal' && e.event === 'contact.typing');
    assert.equal(sig.data.contact, S.chat);
    assert.equal(sig.data.agent, S.agent);
    assert.equal(sig.seq, undefined);
    // A message after it reaches the other tenant's stream as nothing either.
    const m = await ok(S.agentApi.post(`/api/v1/contacts/${S.chat}/messages`, { text: 'après' }), 201, 'post');
    await agentSt.next((e) => e.type === 'event' && e.data.message === m.id);
    assert.ok(!otherSt.messages.some((e) => e.type === 'signal'));
    const evs = (await admin.get(`/api/v1/events?after=${last}&limit=1000`)).body.events;
    assert.ok(!evs.some((e) => e.type === 'contact.typing'));
    assert.equal((await S.otherApi.post(`/api/v1/contacts/${S.chat}/typing`, {})).status, 404);
    assert.equal((await S.clientApi.post(`/api/v1/contacts/${S.chat}/typing`, {})).status, 403);
  } finally {
    await agentSt.close();
    await otherSt.close();
  }
});

test('an attachment goes up, comes down with its headers, and rides a message', async () => {
  const data = Buffer.from('Numéro de contrat : 12345\n');
  const name = 'contrat é 1.txt';
  const a = await ok(upload(S.agentToken, S.chat, name, 'text/plain; charset=utf-8', data), 201, 'upload');
  assert.equal(a.name, name);
  assert.equal(a.type, 'text/plain');
  assert.equal(a.size, data.length);
  assert.equal(a.sha256, createHash('sha256').update(data).digest('hex'));

  const res = await fetch(`${base}/api/v1/attachments/${a.id}`, { headers: { authorization: `Bearer ${S.agentToken}` } });
  assert.equal(res.status, 200);
  assert.deepEqual(Buffer.from(await res.arrayBuffer()), data);
  assert.equal(res.headers.get('content-type'), 'text/plain');
  assert.equal(res.headers.get('x-content-type-options'), 'nosniff');
  assert.equal(res.headers.get('content-disposition'), "attachment; filename*=UTF-8''contrat%20%C3%A9%201.txt");

  assert.equal((await S.supTP.get(`/api/v1/attachments/${a.id}`)).status, 404);
  assert.equal((await S.otherApi.get(`/api/v1/attachments/${a.id}`)).status, 404);
  assert.equal((await S.clientApi.get(`/api/v1/attachments/${a.id}`)).status, 403);
  assert.equal((await S.supTP.post(`/api/v1/contacts/${S.chat}/attachments?name=x.txt`)).status, 404);

  const m = await ok(S.agentApi.post(`/api/v1/contacts/${S.chat}/messages`, { text: 'ci-joint', attachments: [a.id] }), 201, 'post');
  assert.deepEqual(m.attachments, [{ id: a.id, name, type: 'text/plain', size: data.length }]);
  const list = (await admin.get(`/api/v1/contacts/${S.chat}/messages?after=${m.seq - 1}`)).body.messages;
  assert.deepEqual(list[0].attachments, m.attachments);
  // Another contact may not carry it.
  const c2 = await held();
  const r = await S.agentApi.post(`/api/v1/contacts/${c2}/messages`, { text: 'x', attachments: [a.id] });
  assert.equal(r.status, 400);
});

test('a refused type gets 415, a bad name or an empty file 400, and nothing is stored', async () => {
  for (const type of ['text/html', 'image/svg+xml', 'application/x-msdownload', 'application/zip']) {
    const r = await upload(S.agentToken, S.chat, 'f.bin', type, 'MZ....');
    assert.equal(r.status, 415, type);
    assert.match(r.body.error.message, /cannot be attached; allowed: png/);
  }
  assert.equal((await request(base, 'POST', `/api/v1/contacts/${S.chat}/attachments?name=x`, { token: S.agentToken, raw: 'x', headers: { 'content-type': '' } })).status, 415);
  for (const name of ['', '../etc/passwd', 'a\u0001b']) {
    const r = await upload(S.agentToken, S.chat, name, 'text/plain', 'x');
    assert.equal(r.status, 400, JSON.stringify(name));
    assert.match(r.body.error.message, /name: required/);
  }
  const r = await upload(S.agentToken, S.chat, 'empty.txt', 'text/plain', '');
  assert.equal(r.status, 400);
  assert.match(r.body.error.message, /empty/);
});

// The head alone says 64 MiB: the server answers 413 while most of the body
// was never sent (the client sends 64 KiB, then waits for the answer).
test('a file over the limit gets 413 from its Content-Length, before its body is read', async () => {
  const answer = await new Promise((resolve, reject) => {
    const sock = net.connect(srv.port, '127.0.0.1');
    let got = '';
    sock.on('error', reject);
    sock.on('data', (d) => { got += d; if (got.includes('\r\n\r\n') && /"error"/.test(got)) { resolve(got); sock.destroy(); } });
    sock.on('close', () => resolve(got));
    sock.write(`POST /api/v1/contacts/${S.chat}/attachments?name=big.pdf HTTP/1.1\r\nHost: x\r\n` +
      `Authorization: Bearer ${S.agentToken}\r\nContent-Type: application/pdf\r\nContent-Length: ${64 * 1024 * 1024}\r\n\r\n`);
    sock.write(Buffer.alloc(64 * 1024, 0x41));
  });
  assert.match(answer, /^HTTP\/1\.1 413 /);
  assert.match(answer, /payload_too_large/);
  // At the limit itself it is taken.
  const big = Buffer.alloc(10 * 1024 * 1024, 0x42);
  const a = await ok(upload(S.agentToken, S.chat, 'ten.pdf', 'application/pdf', big), 201, 'at the limit');
  assert.equal(a.size, big.length);
  const over = await upload(S.agentToken, S.chat, 'over.pdf', 'application/pdf', Buffer.alloc(10 * 1024 * 1024 + 1));
  assert.equal(over.status, 413);
});

test('an acknowledged message and its attachment survive kill -9', async () => {
  const data = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2, 3]);
  const a = await ok(upload(S.agentToken, S.chat, 'photo.png', 'image/png', data), 201, 'upload');
  const m = await ok(S.agentApi.post(`/api/v1/contacts/${S.chat}/messages`, { text: 'avant la panne', attachments: [a.id] }), 201, 'post');
  await srv.kill9();
  srv = await startServer({ dataDir: srv.dataDir });
  base = srv.url;
  // A restart puts the chat back in line (contact.requeued): its agent no
  // longer holds it, so its tenant's admin reads it.
  const api = client(base, S.adminToken);
  const list = (await ok(api.get(`/api/v1/contacts/${S.chat}/messages`), 200, 'after restart')).messages;
  const back = list.find((x) => x.id === m.id);
  assert.ok(back, 'the message is back');
  assert.equal(back.seq, m.seq);
  assert.equal(back.text, 'avant la panne');
  assert.deepEqual(back.attachments, [{ id: a.id, name: 'photo.png', type: 'image/png', size: data.length }]);
  assert.ok(['queued', 'sent'].includes(back.status));
  await until(async () => (await api.get(`/api/v1/contacts/${S.chat}/messages?after=${m.seq - 1}`)).body.messages[0].status === 'sent', 'sent after restart');
  assert.equal(list.filter((x) => x.text === 'Bonjour').length, 1, 'nothing doubled');
  const res = await fetch(`${base}/api/v1/attachments/${a.id}`, { headers: { authorization: `Bearer ${S.adminToken}` } });
  assert.equal(res.status, 200);
  assert.deepEqual(Buffer.from(await res.arrayBuffer()), data);
});
