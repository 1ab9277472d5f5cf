// The web chat's server side, as the widget uses it: the loader and the
// frame (headers, 404 for an unknown key), what the frame shows, a new
// conversation that agent01 takes, messages, typing and attachments both
// ways through the visitor's stream and the agent's, a visitor token that
// opens its own conversation and nothing else, staff sessions that open no
// visitor route, rate limits, bad input refused with nothing changed, the
// stream's resume without duplicates, the end, the rating and the
// transcript, a closed queue that keeps the conversation for its opening,
// a message that survives kill -9 with its token, and tokens that expire.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import { startServer, login, client, request, requestFrom, openStream, demoIds, ok, until } from './lib.mjs';

let srv, base, admin, web;
const S = {};

// The visitor's side: requests with its token.
function visitor(token, b = base) {
  const call = (method) => (path, body, extra = {}) => request(b, method, path, { token, body, ...extra });
  return { get: call('GET'), post: call('POST') };
}

const conv = (c) => `/api/v1/widget/conversations/${c}`;

// A new conversation on a widget; the 201's body.
async function start(key, body = {}, b = base) {
  return ok(request(b, 'POST', `/api/v1/widget/${key}/conversations`, {
    body: { name: 'Alice Visitor', text: 'Bonjour, une question', consent: true, ...body },
  }), 201, 'new conversation');
}

// A visitor's stream, subscribed (after: resume after that sequence).
function visitorStream(token, after, b = base) {
  return openStream(b, token, { subscribe: [], after, param: 'visitor' });
}

const isEvent = (type, pred = () => true) => (m) => m.type === 'event' && m.event === type && pred(m);

// The contact offered to agent01, accepted.
async function takeIt(c) {
  await until(async () => (await admin.get(`/api/v1/contacts/${c}`)).body.state === 'offered', 'offered to agent01');
  await ok(S.agent01.post(`/api/v1/contacts/${c}/accept`, {}), 200, 'accept');
}

async function contactsOf(queue) {
  return (await ok(admin.get(`/api/v1/contacts?queue=${queue}&limit=500`), 200, 'contacts')).items.length;
}

before(async () => {
  web = mkdtempSync(join(tmpdir(), 'relais-widget-web-'));
  mkdirSync(join(web, 'widget'));
  writeFileSync(join(web, 'widget', 'loader.js'), '/* the loader */\n');
  writeFileSync(join(web, 'widget', 'index.html'), '<!doctype html><title>frame</title>\n');
  // a looser limit of new conversations than the default: the suite makes
  // many from one address; the rate test still finds it
  srv = await startServer({ fsync: false, args: ['--web', web], env: { RELAIS_WIDGET_NEW_RATE: '30/60', RELAIS_WIDGET_VISITOR_RATE: '150/300' } });
  base = srv.url;
  S.adminToken = (await login(base, 'admin')).token;
  admin = client(base, S.adminToken);
  const ids = await demoIds(base, S.adminToken);
  S.am = ids.tenants.find((t) => t.name === 'AssurMax').id;
  S.tp = ids.tenants.find((t) => t.name === 'Télécom Plus').id;
  S.camille = ids.agents.find((a) => a.name === 'Camille Martin').id;
  S.paris = ids.sites.find((s) => s.name === 'Paris').id;
  S.queue = (await ok(admin.post('/api/v1/queues', {
    tenant: S.am, name: 'WID chat', channel: 'chat', wrapup: 'none',
  }), 201, 'queue')).id;
  S.widget = await ok(admin.post('/api/v1/widgets', {
    tenant: S.am, queue: S.queue, name: 'AssurMax site',
    allowed_origins: ['https://www.assurmax.example', 'http://localhost:8081'],
    pre_chat: { name: true, email: false },
    consent_text: { en: 'I agree.', fr: "J'accepte." },
    closed_message: { en: 'We are closed.', fr: 'Nous sommes fermés.' },
  }), 201, 'widget');
  S.key = S.widget.key;
  const a01 = await login(base, 'agent01');
  S.agent01Token = a01.token;
  S.agent01 = client(base, a01.token);
  await ok(S.agent01.put(`/api/v1/agents/${S.camille}/state`, { state: 'available' }), 200, 'agent01 available');
});

after(async () => {
  if (srv) await srv.stop();
  rmSync(web, { recursive: true, force: true });
});

test('the widgets kind: a key of its own, origins checked, the queue a chat queue of the tenant', async () => {
  assert.match(S.key, /^[0-9a-f]{48}$/);
  const got = await ok(admin.get(`/api/v1/widgets/${S.widget.id}`), 200, 'get');
  assert.equal(got.key, S.key);
  // an update keeps the key, and the key cannot be written
  const upd = await ok(admin.patch(`/api/v1/widgets/${S.widget.id}`, { name: 'AssurMax website' }), 200, 'rename');
  assert.equal(upd.key, S.key);
  await ok(admin.patch(`/api/v1/widgets/${S.widget.id}`, { key: 'x' }), 400, 'key is read-only');
  for (const bad of ['www.example.com', 'https://example.com/', 'https://example.com/path', 'ftp://example.com',
    'https://exa mple.com', 'https://example.com:0', 'https://example.com:99999', 'https://EXAMPLE.com']) {
    const r = await admin.post('/api/v1/widgets', { tenant: S.am, queue: S.queue, name: 'bad', allowed_origins: [bad] });
    assert.equal(r.status, 400, bad);
    assert.match(r.body.error.message, /allowed_origins\[0\]/);
  }
  const voice = (await ok(admin.post('/api/v1/queues', { tenant: S.am, name: 'WID voice', channel: 'voice' }), 201, 'voice queue')).id;
  let r = await admin.post('/api/v1/widgets', { tenant: S.am, queue: voice, name: 'bad' });
  assert.equal(r.status, 400);
  r = await admin.post('/api/v1/widgets', { tenant: S.tp, queue: S.queue, name: 'bad' });
  assert.equal(r.status, 400);
  // the queue of a widget stays while the widget does
  const del = await admin.del(`/api/v1/queues/${S.queue}`);
  assert.equal(del.status, 409);
  assert.match(del.body.error.message, /widget/);
  const n = (await ok(admin.get('/api/v1/widgets?limit=500'), 200, 'list')).items.length;
  assert.ok(n >= 3); // the demo's and ours, none of the refused
  // a supervisor of Télécom Plus does not see AssurMax's widgets
  await ok(admin.post('/api/v1/users', { username: 'wid-sup-tp', password: 'wid-sup-tp-pw1', role: 'supervisor', tenants: [S.tp] }), 201, 'user');
  const supTP = client(base, (await login(base, 'wid-sup-tp', 'wid-sup-tp-pw1')).token);
  S.supTP = supTP;
  const seen = (await ok(supTP.get('/api/v1/widgets?limit=500'), 200, 'list')).items;
  assert.ok(seen.length >= 1 && seen.every((w) => w.tenant === S.tp));
  await ok(supTP.get(`/api/v1/widgets/${S.widget.id}`), 404, 'other tenant');
  await ok(supTP.patch(`/api/v1/widgets/${seen[0].id}`, { name: 'x' }), 403, 'supervisors read only');
});

test('the loader and the frame: files of the web folder, frame-ancestors from allowed_origins, 404 for an unknown key', async () => {
  let r = await request(base, 'GET', `/widget.js?key=${S.key}`);
  assert.equal(r.status, 200);
  assert.match(r.headers.get('content-type'), /javascript/);
  assert.equal(r.body, '/* the loader */\n');
  r = await request(base, 'GET', `/widget/frame?key=${S.key}&lang=fr`);
  assert.equal(r.status, 200);
  assert.match(r.headers.get('content-type'), /text\/html/);
  assert.match(r.body, /frame/);
  const csp = r.headers.get('content-security-policy');
  assert.match(csp, /frame-ancestors 'self' https:\/\/www\.assurmax\.example http:\/\/localhost:8081(;|$)/);
  assert.match(csp, /script-src 'self'/);
  for (const path of ['/widget.js?key=nope', '/widget/frame?key=nope', '/widget.js', '/api/v1/widget/nope']) {
    r = await request(base, 'GET', path);
    assert.equal(r.status, 404, path);
    assert.equal(r.body.error.code, 'not_found');
  }
  // a widget without origins is framed by this server only
  const demo = (await ok(admin.get('/api/v1/widgets?limit=500'), 200, 'list')).items.find((w) => w.tenant === S.tp);
  await ok(admin.patch(`/api/v1/widgets/${demo.id}`, { allowed_origins: [] }), 200, 'no origins');
  r = await request(base, 'GET', `/widget/frame?key=${demo.key}`);
  assert.match(r.headers.get('content-security-policy'), /frame-ancestors 'self'\r?$/);
  // the French error for the visitor
  r = await request(base, 'GET', '/api/v1/widget/nope?lang=fr');
  assert.equal(r.status, 404);
  assert.match(r.body.error.message, /widget/);
});

test('what the frame shows, in the visitor\'s language, and whether the chat is open', async () => {
  let info = await ok(request(base, 'GET', `/api/v1/widget/${S.key}?lang=fr`), 200, 'info fr');
  assert.deepEqual(info, {
    name: 'AssurMax website', pre_chat: { name: true, email: false }, consent_text: "J'accepte.",
    closed_message: 'Nous sommes fermés.', open: true, lang: 'fr',
  });
  info = await ok(request(base, 'GET', `/api/v1/widget/${S.key}`, { headers: { 'accept-language': 'en-GB,en;q=0.8' } }), 200, 'info en');
  assert.equal(info.consent_text, 'I agree.');
  assert.equal(info.lang, 'en');
});

test('bad input gets a 4xx in the visitor\'s language and creates nothing', async () => {
  const before = await contactsOf(S.queue);
  const post = (body, extra = {}) => request(base, 'POST', `/api/v1/widget/${S.key}/conversations${extra.q || ''}`, { body, ...extra });
  const cases = [
    [{ name: 'A', text: 'x' }, 400, /consent/],
    [{ name: 'A', text: 'x', consent: false }, 400, /consent/],
    [{ text: 'x', consent: true }, 400, /name/],
    [{ name: 'A', consent: true }, 400, /text/],
    [{ name: 'A', text: '', consent: true }, 400, /text/],
    [{ name: 'A', text: 'x', consent: true, email: 'not-an-address' }, 400, /email/],
    [{ name: 'A', text: 'x', consent: true, extra: 1 }, 400, /extra/],
    [{ name: 7, text: 'x', consent: true }, 400, /name/],
    [{ name: 'A', text: 'x'.repeat(20001), consent: true }, 400, /text/],
  ];
  for (const [body, status, msg] of cases) {
    const r = await post(body);
    assert.equal(r.status, status, JSON.stringify(body).slice(0, 80));
    assert.match(r.body.error.message, msg);
  }
  let r = await request(base, 'POST', `/api/v1/widget/${S.key}/conversations?lang=fr`, { body: { name: 'A', text: 'x' } });
  assert.equal(r.status, 400);
  assert.match(r.body.error.message, /consent :/); // French
  r = await request(base, 'POST', `/api/v1/widget/${S.key}/conversations`, { raw: '{"name":', headers: { 'content-type': 'application/json' } });
  assert.equal(r.status, 400);
  r = await request(base, 'POST', '/api/v1/widget/nope/conversations', { body: { name: 'A', text: 'x', consent: true } });
  assert.equal(r.status, 404);
  assert.equal(await contactsOf(S.queue), before);
});

test('a conversation: agent01 takes it, messages, typing and attachments both ways through both streams', async () => {
  const agentStream = await openStream(base, S.agent01Token, { subscribe: [`agent:${S.camille}`] });
  const made = await start(S.key, { email: 'alice.visitor@example.com' });
  assert.match(made.visitor_token, /^rv_[0-9a-f]{64}$/);
  assert.equal(made.open, true);
  assert.equal(typeof made.position, 'number');
  const c = made.contact;
  S.conv = made;
  const v = visitor(made.visitor_token);
  const vs = await visitorStream(made.visitor_token, 0);
  // the first message is there, the customer resolved by the email
  const row = await ok(admin.get(`/api/v1/contacts/${c}`), 200, 'contact');
  assert.equal(row.channel, 'chat');
  assert.ok(row.customer);
  const cust = await ok(admin.get(`/api/v1/customers/${row.customer}`), 200, 'customer');
  assert.deepEqual(cust.emails, ['alice.visitor@example.com']);
  assert.equal(cust.name, 'Alice Visitor');
  const first = await vs.next(isEvent('contact.message', (m) => m.data.direction === 'in'));
  assert.equal(first.data.text, 'Bonjour, une question');
  assert.equal(first.data.author, 'customer');

  await takeIt(c);
  const joined = await vs.next(isEvent('contact.accepted'));
  assert.equal(joined.data.agent_name, 'Camille Martin');
  const state = await ok(v.get(conv(c)), 200, 'conversation');
  assert.equal(state.state, 'active');
  assert.equal(state.agent_name, 'Camille Martin');
  assert.equal(state.position, 0);

  // visitor -> agent
  const m1 = await ok(v.post(`${conv(c)}/messages`, { text: 'Mon contrat ?' }), 201, 'visitor message');
  assert.equal(m1.direction, 'in');
  assert.equal(m1.author, 'customer');
  assert.equal(m1.status, 'delivered');
  assert.equal(m1.user, undefined);
  const got = await agentStream.next((m) => m.type === 'event' && m.event === 'contact.message' && m.data.message === m1.id);
  assert.equal(got.data.text, 'Mon contrat ?');
  // agent -> visitor, without the staff's fields
  const m2 = await ok(S.agent01.post(`/api/v1/contacts/${c}/messages`, { text: 'Je regarde.' }), 201, 'agent message');
  const seen = await vs.next(isEvent('contact.message', (m) => m.data.id === m2.id));
  assert.equal(seen.data.text, 'Je regarde.');
  assert.equal(seen.data.author, 'agent');
  assert.equal(seen.data.user, undefined);
  assert.equal(seen.tenant, undefined);
  await vs.next(isEvent('contact.message_status', (m) => m.data.message === m2.id && m.data.status === 'sent'));
  const list = await ok(v.get(`${conv(c)}/messages?after=0`), 200, 'messages');
  assert.deepEqual(list.messages.map((m) => m.text), ['Bonjour, une question', 'Mon contrat ?', 'Je regarde.']);
  assert.ok(list.messages.every((m) => m.user === undefined));
  const later = await ok(v.get(`${conv(c)}/messages?after=${m1.seq}`), 200, 'after');
  assert.deepEqual(later.messages.map((m) => m.id), [m2.id]);

  // typing both ways
  await ok(v.post(`${conv(c)}/typing`), 204, 'visitor typing');
  const t1 = await agentStream.next((m) => m.type === 'signal' && m.event === 'contact.typing' && m.data.contact === c && m.data.author === 'customer');
  assert.equal(t1.data.user, null); // no staff user wrote it
  await ok(S.agent01.post(`/api/v1/contacts/${c}/typing`), 204, 'agent typing');
  const t2 = await vs.next((m) => m.type === 'signal' && m.event === 'contact.typing');
  assert.deepEqual(t2.data, { contact: c, author: 'agent' });

  // attachments both ways
  const png = Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex');
  const up = await ok(request(base, 'POST', `${conv(c)}/attachments?name=${encodeURIComponent('photo sinistre.png')}`, {
    token: made.visitor_token, raw: png, headers: { 'content-type': 'image/png' },
  }), 201, 'visitor upload');
  assert.equal(up.size, png.length);
  const m3 = await ok(v.post(`${conv(c)}/messages`, { text: '', attachments: [up.id] }), 201, 'with the file');
  assert.equal(m3.attachments[0].name, 'photo sinistre.png');
  let r = await fetch(`${base}/api/v1/attachments/${up.id}`, { headers: { authorization: `Bearer ${S.agent01Token}` } });
  assert.equal(r.status, 200);
  assert.deepEqual(Buffer.from(await r.arrayBuffer()), png);
  const pdf = Buffer.from('%PDF-1.4\n%relais\n');
  const up2 = await ok(request(base, 'POST', `/api/v1/contacts/${c}/attachments?name=devis.pdf`, {
    token: S.agent01Token, raw: pdf, headers: { 'content-type': 'application/pdf' },
  }), 201, 'agent upload');
  const m4 = await ok(S.agent01.post(`/api/v1/contacts/${c}/messages`, { text: 'Le devis', attachments: [up2.id] }), 201, 'agent file');
  const seen4 = await vs.next(isEvent('contact.message', (m) => m.data.id === m4.id));
  assert.deepEqual(seen4.data.attachments, [{ id: up2.id, name: 'devis.pdf', type: 'application/pdf', size: pdf.length }]);
  r = await fetch(`${base}/api/v1/attachments/${up2.id}`, { headers: { authorization: `Bearer ${made.visitor_token}` } });
  assert.equal(r.status, 200);
  assert.match(r.headers.get('content-disposition'), /attachment/);
  assert.equal(r.headers.get('x-content-type-options'), 'nosniff');
  assert.deepEqual(Buffer.from(await r.arrayBuffer()), pdf);
  // a file of another type or too big is refused as for the agent
  r = await request(base, 'POST', `${conv(c)}/attachments?name=x.exe`, { token: made.visitor_token, raw: Buffer.from('MZ'), headers: { 'content-type': 'application/x-msdownload' } });
  assert.equal(r.status, 415);
  S.att = { visitor: up.id, agent: up2.id };
  await vs.close();
  await agentStream.close();
});

test('a visitor token opens its own conversation only, and no staff route; staff sessions open no visitor route', async () => {
  const other = await start(S.key, { name: 'Bob' });
  const mine = visitor(S.conv.visitor_token);
  const c = S.conv.contact;
  // another conversation: 404, whatever the route
  for (const [method, path, body] of [
    ['GET', conv(other.contact)], ['GET', `${conv(other.contact)}/messages`],
    ['POST', `${conv(other.contact)}/messages`, { text: 'hi' }], ['POST', `${conv(other.contact)}/typing`],
    ['POST', `${conv(other.contact)}/end`], ['POST', `${conv(other.contact)}/csat`, { score: 1 }],
    ['POST', `${conv(other.contact)}/transcript`, { email: 'x@example.com' }],
  ]) {
    const r = await request(base, method, path, { token: S.conv.visitor_token, body });
    assert.equal(r.status, 404, `${method} ${path}`);
  }
  let r = await request(base, 'POST', `${conv(other.contact)}/attachments?name=a.png`, { token: S.conv.visitor_token, raw: Buffer.from('x'), headers: { 'content-type': 'image/png' } });
  assert.equal(r.status, 404);
  // another conversation's attachment: 404; its own: 200
  r = await request(base, 'GET', `/api/v1/attachments/${S.att.visitor}`, { token: other.visitor_token });
  assert.equal(r.status, 404);
  // nothing of the staff's
  for (const path of ['/api/v1/contacts', `/api/v1/contacts/${c}`, `/api/v1/contacts/${c}/messages`, '/api/v1/queues',
    '/api/v1/session', '/api/v1/widgets', `/api/v1/customers/${(await admin.get(`/api/v1/contacts/${c}`)).body.customer}`]) {
    r = await request(base, 'GET', path, { token: S.conv.visitor_token });
    assert.equal(r.status, 401, path);
  }
  r = await request(base, 'POST', `/api/v1/contacts/${c}/messages`, { token: S.conv.visitor_token, body: { text: 'x' } });
  assert.equal(r.status, 401);
  // the staff stream is not a visitor's
  await assert.rejects(openStream(base, S.conv.visitor_token, { subscribe: ['tenant:' + S.am] }));
  // staff sessions (of this tenant or another) open no visitor route
  const supTP = (await login(base, 'wid-sup-tp', 'wid-sup-tp-pw1')).token;
  for (const tok of [supTP, S.adminToken, S.agent01Token]) {
    r = await request(base, 'GET', conv(c), { token: tok });
    assert.equal(r.status, 401);
    r = await request(base, 'POST', `${conv(c)}/messages`, { token: tok, body: { text: 'x' } });
    assert.equal(r.status, 401);
  }
  // a token that is not one, or none
  for (const tok of [undefined, 'rv_' + '0'.repeat(64), S.conv.visitor_token.slice(0, -1), 'garbage']) {
    r = await request(base, 'GET', conv(c), { token: tok });
    assert.equal(r.status, 401);
  }
  r = await request(base, 'GET', `/api/v1/attachments/${S.att.visitor}`, { token: 'rv_' + '1'.repeat(64) });
  assert.equal(r.status, 401);
  const bad = new WebSocket(base.replace('http', 'ws') + '/api/v1/stream?visitor=rv_' + '0'.repeat(64));
  const code = await new Promise((resolve) => bad.on('unexpected-response', (req, res) => resolve(res.statusCode)));
  assert.equal(code, 401);
  // still fine for its own
  await ok(mine.get(conv(c)), 200, 'own');
  await ok(request(base, 'POST', `${conv(other.contact)}/end`, { token: other.visitor_token }), 204, 'bob leaves');
});

test('rate limits: new conversations per address, requests per visitor; 429 with Retry-After', async () => {
  const from = '127.0.0.77';
  const post = () => requestFrom(from, base, 'POST', `/api/v1/widget/${S.key}/conversations`, { body: { name: 'R', text: 'x', consent: true } });
  let r, made = [];
  for (let i = 0; i < 100; i++) {
    r = await post();
    if (r.status !== 201) break;
    made.push(r.body);
  }
  assert.equal(r.status, 429);
  assert.ok(Number(r.headers.get('retry-after')) >= 1);
  assert.equal(r.body.error.code, 'too_many_requests');
  assert.ok(made.length >= 1 && made.length < 100);
  // another address is not limited
  await ok(requestFrom('127.0.0.78', base, 'POST', `/api/v1/widget/${S.key}/conversations`, { body: { name: 'R', text: 'x', consent: true } }), 201, 'another address');
  // one visitor's requests
  const tok = made[0].visitor_token;
  for (let i = 0; i < 400; i++) {
    r = await requestFrom('127.0.0.79', base, 'POST', `${conv(made[0].contact)}/typing`, { token: tok });
    if (r.status !== 204) break;
  }
  assert.equal(r.status, 429);
  assert.ok(Number(r.headers.get('retry-after')) >= 1);
  for (const m of made) await request(base, 'POST', `${conv(m.contact)}/end`, { token: m.visitor_token });
});

test('the visitor\'s stream resumes after the last sequence: nothing lost, nothing twice', async () => {
  const c = S.conv.contact;
  const v = visitor(S.conv.visitor_token);
  let vs = await visitorStream(S.conv.visitor_token);
  const a = await ok(S.agent01.post(`/api/v1/contacts/${c}/messages`, { text: 'un' }), 201, 'one');
  const got = await vs.next(isEvent('contact.message', (m) => m.data.id === a.id));
  await vs.next(isEvent('contact.message_status', (m) => m.data.message === a.id));
  const last = Math.max(...vs.messages.filter((m) => m.type === 'event').map((m) => m.seq));
  assert.ok(last >= got.seq);
  await vs.close();
  // while away: two messages
  const b = await ok(S.agent01.post(`/api/v1/contacts/${c}/messages`, { text: 'deux' }), 201, 'two');
  const d = await ok(v.post(`${conv(c)}/messages`, { text: 'trois' }), 201, 'three');
  await until(async () => (await v.get(`${conv(c)}/messages?after=${d.seq - 1}`)).body.messages.length === 1, 'durable');
  vs = await visitorStream(S.conv.visitor_token, last);
  await vs.next(isEvent('contact.message', (m) => m.data.id === d.id));
  const e = await ok(S.agent01.post(`/api/v1/contacts/${c}/messages`, { text: 'quatre' }), 201, 'four');
  await vs.next(isEvent('contact.message', (m) => m.data.id === e.id));
  const msgs = vs.messages.filter((m) => m.type === 'event' && m.event === 'contact.message');
  assert.deepEqual(msgs.map((m) => m.data.text), ['deux', 'trois', 'quatre']);
  const seqs = vs.messages.filter((m) => m.type === 'event').map((m) => m.seq);
  assert.deepEqual(seqs, [...new Set(seqs)].sort((x, y) => x - y));
  assert.ok(seqs.every((s) => s > last));
  assert.equal(b.text, 'deux');
  await vs.close();
});

test('the end: the agent sees the visitor left; a rating once; a transcript; no more messages', async () => {
  const c = S.conv.contact;
  const v = visitor(S.conv.visitor_token);
  const agentStream = await openStream(base, S.agent01Token, { subscribe: [`agent:${S.camille}`] });
  const vs = await visitorStream(S.conv.visitor_token);
  await ok(v.post(`${conv(c)}/end`), 204, 'end');
  await agentStream.next((m) => m.type === 'event' && m.data.contact === c && ['contact.ended', 'contact.completed'].includes(m.event));
  await vs.next(isEvent('contact.completed'));
  await ok(v.post(`${conv(c)}/messages`, { text: 'encore' }), 409, 'ended');
  await ok(v.post(`${conv(c)}/end`), 204, 'again: still ended');
  const st = await ok(v.get(conv(c)), 200, 'state');
  assert.equal(st.state, 'completed');
  assert.equal(st.agent_name, 'Camille Martin');
  // still readable
  assert.ok((await ok(v.get(`${conv(c)}/messages`), 200, 'read')).messages.length >= 5);
  for (const bad of [{}, { score: 0 }, { score: 6 }, { score: 'five' }, { score: 3, comment: 'x'.repeat(2001) }, { score: 3, x: 1 }]) {
    await ok(v.post(`${conv(c)}/csat`, bad), 400, JSON.stringify(bad));
  }
  const rated = await ok(v.post(`${conv(c)}/csat`, { score: 5, comment: 'Parfait' }), 201, 'csat');
  assert.deepEqual(rated, { contact: c, score: 5, comment: 'Parfait' });
  await ok(v.post(`${conv(c)}/csat`, { score: 1 }), 409, 'once');
  for (const bad of [{}, { email: 'nope' }, { email: 'a@b' }, { email: 'a b@example.com' }]) {
    await ok(v.post(`${conv(c)}/transcript`, bad), 400, JSON.stringify(bad));
  }
  await ok(v.post(`${conv(c)}/transcript?lang=fr`, { email: 'alice@example.com' }), 202, 'transcript');
  const events = await ok(admin.get('/api/v1/events?limit=1000'), 200, 'events');
  const text = JSON.stringify(events);
  const csat = (events.events || events.items).filter((e) => (e.type || e.event) === 'contact.csat' && (e.contact || e.data?.contact) === c);
  assert.equal(csat.length, 1, text.slice(0, 200));
  const ev = csat[0].data || csat[0];
  assert.equal(ev.score, 5);
  assert.equal(ev.queue, S.queue);
  assert.equal(ev.agent, S.camille);
  assert.equal(ev.site, S.paris);
  assert.equal(ev.channel, 'chat');
  const tr = (events.events || events.items).filter((e) => (e.type || e.event) === 'contact.transcript' && (e.contact || e.data?.contact) === c);
  assert.equal(tr.length, 1);
  assert.equal((tr[0].data || tr[0]).email, 'alice@example.com');
  assert.equal((tr[0].data || tr[0]).lang, 'fr');
  await vs.close();
  await agentStream.close();
});

test('a closed queue: the conversation is accepted and waits; it is offered at the opening', async () => {
  await ok(admin.post('/api/v1/skills', { name: 'wid.night' }), 201, 'skill');
  const cal = (await ok(admin.post('/api/v1/calendars', { name: 'WID never', timezone: 'Europe/Paris', weekly: [] }), 201, 'calendar')).id;
  const q = (await ok(admin.post('/api/v1/queues', {
    tenant: S.am, name: 'WID closed', channel: 'chat', calendar: cal, closed_action: 'close', wrapup: 'none',
    steps: [{ after_s: 0, filter: 'wid.night >= 1' }],
  }), 201, 'queue')).id;
  const w = await ok(admin.post('/api/v1/widgets', { tenant: S.am, queue: q, name: 'WID closed' }), 201, 'widget');
  const info = await ok(request(base, 'GET', `/api/v1/widget/${w.key}`), 200, 'info');
  assert.equal(info.open, false);
  assert.equal(info.consent_text, null);
  const made = await start(w.key, { consent: undefined });
  assert.equal(made.open, false);
  const row = await ok(admin.get(`/api/v1/contacts/${made.contact}`), 200, 'contact');
  assert.equal(row.state, 'queued');
  const st = await ok(visitor(made.visitor_token).get(conv(made.contact)), 200, 'state');
  assert.equal(st.state, 'queued');
  assert.equal(st.position, 1);
  // the place in line, live on the visitor's stream
  const vs = await visitorStream(made.visitor_token);
  const pos = await vs.next((m) => m.type === 'signal' && m.event === 'contact.position');
  assert.deepEqual(pos.data, { contact: made.contact, position: 1, ewt_s: pos.data.ewt_s });
  // the opening: the calendar opens and an agent of the skill comes
  const days = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'].map((day) => ({ day, from: '00:00', to: '24:00' }));
  await ok(admin.patch(`/api/v1/calendars/${cal}`, { weekly: days }), 200, 'open');
  const night = (await ok(admin.post('/api/v1/agents', {
    name: 'WID night', site: S.paris, tenants: [S.am], capacity: { chat: 2 }, skills: { 'wid.night': 5 },
  }), 201, 'agent')).id;
  assert.equal((await ok(request(base, 'GET', `/api/v1/widget/${w.key}`), 200, 'info')).open, true);
  await ok(admin.put(`/api/v1/agents/${night}/state`, { state: 'available' }), 200, 'available');
  await until(async () => {
    const b = (await admin.get(`/api/v1/contacts/${made.contact}`)).body;
    return b.state === 'offered' && b.agent === night;
  }, 'offered at the opening');
  const msgs = await ok(visitor(made.visitor_token).get(`${conv(made.contact)}/messages`), 200, 'messages');
  assert.equal(msgs.messages[0].text, 'Bonjour, une question');
  // offered: no longer in line, and the stream says so
  await vs.next((m) => m.type === 'signal' && m.event === 'contact.position' && m.data.position === 0, 5000);
  await vs.close();
});

test('an open queue nobody serves: the widget says closed until an agent of the tenant is logged in', async () => {
  const tenant = (await ok(admin.post('/api/v1/tenants', { name: 'WID nobody' }), 201, 'tenant')).id;
  const q = (await ok(admin.post('/api/v1/queues', { tenant, name: 'WID nobody chat', channel: 'chat' }), 201, 'queue')).id;
  const w = await ok(admin.post('/api/v1/widgets', { tenant, queue: q, name: 'WID nobody' }), 201, 'widget');
  assert.equal((await ok(request(base, 'GET', `/api/v1/widget/${w.key}`), 200, 'info')).open, false, 'no agent at all');
  const agent = (await ok(admin.post('/api/v1/agents', {
    name: 'WID lone', site: S.paris, tenants: [tenant], capacity: { chat: 2 },
  }), 201, 'agent')).id;
  assert.equal((await ok(request(base, 'GET', `/api/v1/widget/${w.key}`), 200, 'info')).open, false, 'its agent offline');
  await ok(admin.put(`/api/v1/agents/${agent}/state`, { state: 'available' }), 200, 'available');
  assert.equal((await ok(request(base, 'GET', `/api/v1/widget/${w.key}`), 200, 'info')).open, true, 'its agent logged in');
  await ok(admin.put(`/api/v1/agents/${agent}/state`, { state: 'offline' }), 200, 'offline');
  assert.equal((await ok(request(base, 'GET', `/api/v1/widget/${w.key}`), 200, 'info')).open, false, 'logged out again');
});

test('the demo: a page per client with its widget\'s script', async () => {
  let r = await request(base, 'GET', '/demo/');
  assert.equal(r.status, 200);
  const links = [...r.body.matchAll(/href="(\/demo\/[^"]+)"/g)].map((m) => m[1]);
  assert.ok(links.length >= 2);
  for (const l of links) {
    r = await request(base, 'GET', l);
    assert.equal(r.status, 200);
    const key = r.body.match(/<script src="\/widget\.js\?key=([0-9a-f]{48})"><\/script>/)[1];
    await ok(request(base, 'GET', `/api/v1/widget/${key}`), 200, 'its widget');
  }
  const widgets = (await ok(admin.get('/api/v1/widgets?limit=500'), 200, 'list')).items;
  const am = widgets.find((w) => w.tenant === S.am && w.queue !== S.queue && w.name !== 'WID closed');
  assert.ok(am.allowed_origins.every((o) => /^http:\/\/127\.0\.0\.1:/.test(o)));
});

test('kill -9 after a visitor\'s 201: the message and the token are there after the restart', async () => {
  const s2 = await startServer({});
  try {
    const tok = (await login(s2.url, 'admin')).token;
    const widgets = (await ok(client(s2.url, tok).get('/api/v1/widgets?limit=10'), 200, 'list')).items;
    const made = await start(widgets[0].key, {}, s2.url);
    const m = await ok(visitor(made.visitor_token, s2.url).post(`${conv(made.contact)}/messages`, { text: 'avant le crash' }), 201, 'message');
    await s2.kill9();
    const s3 = await startServer({ dataDir: s2.dataDir });
    try {
      const list = await ok(visitor(made.visitor_token, s3.url).get(`${conv(made.contact)}/messages`), 200, 'after restart');
      assert.deepEqual(list.messages.map((x) => x.text), ['Bonjour, une question', 'avant le crash']);
      assert.equal(list.messages[1].id, m.id);
      const vs = await visitorStream(made.visitor_token, 0, s3.url);
      await vs.next(isEvent('contact.message', (x) => x.data.id === m.id));
      await vs.close();
    } finally {
      await s3.stop();
    }
  } finally {
    rmSync(s2.dataDir, { recursive: true, force: true });
  }
});

test('a token stops working once its conversation has been over for its time to live', async () => {
  const s2 = await startServer({ fsync: false, env: { RELAIS_VISITOR_TTL_S: '1' } });
  try {
    const tok = (await login(s2.url, 'admin')).token;
    const widgets = (await ok(client(s2.url, tok).get('/api/v1/widgets?limit=10'), 200, 'list')).items;
    const made = await start(widgets[0].key, {}, s2.url);
    const v = visitor(made.visitor_token, s2.url);
    await ok(v.get(conv(made.contact)), 200, 'while open');
    await ok(v.post(`${conv(made.contact)}/end`), 204, 'leave');
    const st = await ok(v.get(conv(made.contact)), 200, 'just after');
    assert.equal(st.state, 'abandoned');
    await until(async () => (await v.get(conv(made.contact))).status === 401, 'expired', 15000);
  } finally {
    await s2.stop();
  }
});
