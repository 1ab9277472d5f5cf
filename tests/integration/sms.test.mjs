// The SMS channel end to end against a real gateway: Kannel's bearerbox
// and smsbox with fakesmsc as the carrier (kannel-lib.mjs), and relais
// with a gateway and numbers configured. A phone's SMS (accents, emoji)
// becomes a contact with its customer; agent01 answers, the carrier
// receives it and the delivery report marks it delivered; the phone's
// next SMS joins its open contact; STOP and START with their
// confirmations; the out-of-hours reply, once per closed period; a
// wrong secret changes nothing; an SMS acknowledged to Kannel survives
// kill -9; secrets never leave; numbers stay within their tenant.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { startServer, login, client, demoIds, ok, request, until as untilIn } from './lib.mjs';
import { startKannel, freePort } from './kannel-lib.mjs';

const SECRET = 'gw-' + Math.random().toString(36).slice(2) + '-secret';
const PHONE = '+33612345678';
const PHONE2 = '+33698765432';
const NUM_AM = '+33700000001';
const NUM_CLOSED = '+33700000002';
const NUM_TP = '+33700000003';
const MO_TEXT = 'Bonjour, ça va ? Réponse à 9h 😀';

let srv, kannel, port, base, admin, S = {};

// Polls fn until it returns a truthy value; the deadline only turns a
// hang into a readable failure.
const until = (fn, what, ms = 60000) => untilIn(fn, what, ms,
  () => `${kannel ? kannel.logs() : ''}\n${srv ? srv.logs().slice(-3000) : ''}`);

async function messagesOf(api, c) {
  return (await ok(api.get(`/api/v1/contacts/${c}/messages`), 200, 'messages')).messages;
}

// The live contact of the phone in a queue, once its SMS arrived.
async function contactOf(queue, phone) {
  return until(async () => {
    const r = await ok(admin.get(`/api/v1/contacts?queue=${queue}&limit=500`), 200, 'contacts');
    return r.items.find((c) => c.attributes && c.attributes.sms_from === phone && !['completed', 'closed', 'abandoned'].includes(c.state));
  }, `a contact of ${phone}`);
}

function carriedTo(phone) {
  return kannel.carried().filter((m) => m.to === phone);
}

// What Kannel's get-url would call with, for a message of our own.
function inboundQuery(from, to, text, id, secret = SECRET) {
  const q = new URLSearchParams({ from, to, text, charset: 'UTF-8', coding: '0', smsc: 'fake', ts: String(Math.floor(Date.now() / 1000)), id, secret });
  return `/api/v1/sms/gateways/${S.gateway}/inbound?${q}`;
}

before(async () => {
  // a fixed port: Kannel's get-url names it, across the restart below
  port = await freePort();
  srv = await startServer({ args: ['--http', `127.0.0.1:${port}`] });
  base = srv.url;
  admin = client(base, (await login(base, 'admin')).token);
  const ids = await demoIds(base, (await login(base, 'admin')).token);
  S.am = ids.tenants.find((t) => t.name === 'AssurMax').id;
  S.tp = ids.tenants.find((t) => t.name === 'Télécom Plus').id;
  await ok(admin.post('/api/v1/skills', { name: 'sms.none' }), 201, 'skill');
  const queue = async (t, name, extra = {}) => (await ok(admin.post('/api/v1/queues', {
    tenant: t, name, channel: 'sms', wrapup: 'manual', steps: [{ after_s: 0, filter: 'sms.none >= 1' }], ...extra,
  }), 201, name)).id;
  S.qAm = await queue(S.am, 'SMS AssurMax');
  S.cal = (await ok(admin.post('/api/v1/calendars', { name: 'SMS never open', timezone: 'Europe/Paris', weekly: [] }), 201, 'calendar')).id;
  // closed: the SMS waits for the opening as a callback (the permanence
  // promise), keeping its place
  S.qClosed = await queue(S.am, 'SMS AssurMax closed', { calendar: S.cal, closed_action: 'callback' });
  S.qTp = await queue(S.tp, 'SMS Télécom Plus');
  S.voiceAm = ids.queues.find((q) => q.tenant === S.am && q.channel === 'voice').id;
  const gw = await ok(admin.post('/api/v1/gateways', {
    name: 'Kannel test', kind: 'kannel', sendsms_url: 'http://127.0.0.1:9/cgi-bin/sendsms',
    username: 'relais', password: 'not-yet', secret: SECRET, relais_url: base,
  }), 201, 'gateway');
  S.gateway = gw.id;
  S.gwAnswers = [gw];
  for (const [n, t, q] of [[NUM_AM, S.am, S.qAm], [NUM_CLOSED, S.am, S.qClosed], [NUM_TP, S.tp, S.qTp]])
    S[n] = (await ok(admin.post('/api/v1/numbers', { tenant: t, queue: q, number: n, gateway: S.gateway }), 201, n)).id;
  kannel = await startKannel({ getUrl: gw.get_url.replace('secret=SECRET', `secret=${SECRET}`) });
  S.gwAnswers.push(await ok(admin.patch(`/api/v1/gateways/${S.gateway}`, {
    sendsms_url: kannel.sendsmsUrl, password: kannel.password,
  }), 200, 'gateway update'));
  // agent01 takes SMS
  const u = ids.users.find((x) => x.username === 'agent01');
  S.agent = u.agent;
  const a = ids.agents.find((x) => x.id === S.agent);
  await ok(admin.patch(`/api/v1/agents/${S.agent}`, { capacity: { ...a.capacity, sms: 3 }, tenants: [...new Set([...(a.tenants || []), S.am])] }), 200, 'agent capacity');
  S.agentApi = client(base, (await login(base, 'agent01')).token);
  await ok(S.agentApi.put(`/api/v1/agents/${S.agent}/state`, { state: 'available' }), 200, 'available');
});

after(async () => {
  if (kannel) await kannel.stop();
  if (srv && srv.proc.exitCode === null && srv.proc.signalCode === null) await srv.stop();
  if (srv) rmSync(srv.dataDir, { recursive: true, force: true });
});

test('a phone\'s SMS becomes a contact of the number\'s queue with its customer', async () => {
  await kannel.phone(PHONE, NUM_AM, MO_TEXT);
  const c = await contactOf(S.qAm, PHONE);
  S.contact = c.id;
  assert.equal(c.channel, 'sms');
  assert.equal(c.tenant, S.am);
  assert.equal(c.attributes.sms_to, NUM_AM);
  const cust = await ok(admin.get(`/api/v1/customers/${c.customer}`), 200, 'customer');
  assert.deepEqual(cust.phones, [PHONE]);
  assert.equal(cust.sms_opt_out ?? null, null);
  S.customer = c.customer;
  const msgs = await until(async () => (await messagesOf(admin, c.id)).length && messagesOf(admin, c.id), 'the message');
  assert.equal(msgs.length, 1);
  assert.equal(msgs[0].text, MO_TEXT);
  assert.equal(msgs[0].direction, 'in');
  assert.equal(msgs[0].author, 'customer');
});

test('agent01 answers: the carrier receives it from our number and the report marks it delivered', async () => {
  await ok(admin.post(`/api/v1/contacts/${S.contact}/transfer`, { agent: S.agent }), 200, 'transfer');
  await until(async () => (await admin.get(`/api/v1/contacts/${S.contact}`)).body.state === 'offered', 'offered');
  await ok(S.agentApi.post(`/api/v1/contacts/${S.contact}/accept`, {}), 200, 'accept');
  const text = 'Bonjour ! Votre dossier est à jour, à bientôt 😀';
  const m = await ok(S.agentApi.post(`/api/v1/contacts/${S.contact}/messages`, { text }), 201, 'answer');
  await until(() => carriedTo(PHONE).some((x) => x.text === text), 'the carrier receiving the answer');
  const got = carriedTo(PHONE).find((x) => x.text === text);
  assert.equal(got.from, NUM_AM);
  const done = await until(async () => (await messagesOf(S.agentApi, S.contact)).find((x) => x.id === m.id && x.status === 'delivered'), 'delivered');
  assert.equal(done.reason, null);
  S.answer = m.id;
});

test('the phone\'s next SMS joins its open contact', async () => {
  await kannel.phone(PHONE, NUM_AM, 'Merci, une autre question');
  const msgs = await until(async () => {
    const l = await messagesOf(admin, S.contact);
    return l.some((x) => x.text === 'Merci, une autre question') && l;
  }, 'the second message in the same contact');
  assert.deepEqual(msgs.filter((x) => x.direction === 'in').map((x) => x.text), [MO_TEXT, 'Merci, une autre question']);
  const r = await ok(admin.get(`/api/v1/contacts?queue=${S.qAm}&limit=500`), 200, 'contacts');
  assert.equal(r.items.filter((c) => c.attributes && c.attributes.sms_from === PHONE).length, 1);
});

test('STOP opts the customer out, confirmed in French; START opts back in', async () => {
  await kannel.phone(PHONE, NUM_AM, 'Stop');
  await until(async () => (await ok(admin.get(`/api/v1/customers/${S.customer}`), 200, 'customer')).sms_opt_out, 'the opt-out on the record');
  await until(() => carriedTo(PHONE).some((x) => /ne recevrez plus/.test(x.text) && /START/.test(x.text)), 'the French confirmation');
  const refused = await ok(S.agentApi.post(`/api/v1/contacts/${S.contact}/messages`, { text: 'Une offre ?' }), 201, 'post');
  const failed = await until(async () => (await messagesOf(S.agentApi, S.contact)).find((x) => x.id === refused.id && x.status === 'failed'), 'failed');
  assert.equal(failed.reason, 'opted out');
  // the log has the change of the record
  const ev = await ok(admin.get('/api/v1/events?type=customer.updated&limit=500'), 200, 'events');
  assert.ok(JSON.stringify(ev).includes(S.customer), 'customer.updated in the log');

  await kannel.phone(PHONE, NUM_AM, 'START');
  await until(async () => (await ok(admin.get(`/api/v1/customers/${S.customer}`), 200, 'customer')).sms_opt_out === null, 'the opt-out cleared');
  await until(() => carriedTo(PHONE).some((x) => /recevrez à nouveau/.test(x.text)), 'the French confirmation of START');
  const m = await ok(S.agentApi.post(`/api/v1/contacts/${S.contact}/messages`, { text: 'De retour' }), 201, 'post');
  await until(() => carriedTo(PHONE).some((x) => x.text === 'De retour'), 'the answer after START');
  await until(async () => (await messagesOf(S.agentApi, S.contact)).find((x) => x.id === m.id && x.status === 'delivered'), 'delivered');
  assert.ok(!carriedTo(PHONE).some((x) => x.text === 'Une offre ?'), 'nothing went while opted out');
});

test('a phone whose very first SMS is STOP is a customer opted out at once', async () => {
  const r = await ok(request(base, 'GET', inboundQuery('+33644444444', NUM_AM, 'STOP', 'first-stop')), 200, 'STOP');
  const found = await ok(admin.get('/api/v1/customers?phone=%2B33644444444'), 200, 'customer');
  assert.equal(found.items.length, 1);
  assert.match(found.items[0].sms_opt_out, /^\d{4}-\d\d-\d\dT/);
  const msgs = await messagesOf(admin, r.contact);
  assert.deepEqual(msgs.map((m) => [m.author, m.direction]), [['customer', 'in'], ['system', 'out']]);
});

test('a closed queue answers once per closed period, in the tenant\'s language', async () => {
  await kannel.phone(PHONE2, NUM_CLOSED, 'Vous êtes là ?');
  const c = await contactOf(S.qClosed, PHONE2);
  await until(() => carriedTo(PHONE2).some((x) => /fermés/.test(x.text)), 'the out-of-hours reply');
  assert.equal(carriedTo(PHONE2)[0].from, NUM_CLOSED);
  await kannel.phone(PHONE2, NUM_CLOSED, 'Toujours fermé ?');
  const msgs = await until(async () => {
    const l = await messagesOf(admin, c.id);
    return l.some((x) => x.text === 'Toujours fermé ?') && l;
  }, 'the second message');
  // the reply would be logged with the message that asked for it
  assert.equal(msgs.filter((x) => x.author === 'system').length, 1);
});

test('a wrong secret or an unknown gateway gets 403 and changes nothing', async () => {
  const before = await ok(admin.get(`/api/v1/contacts?queue=${S.qAm}&limit=500`), 200, 'contacts');
  for (const path of [
    inboundQuery('+33611111111', NUM_AM, 'forged', 'f-1', 'wrong-secret-123456'),
    inboundQuery('+33611111111', NUM_AM, 'forged', 'f-2').replace(/&secret=[^&]*/, ''),
    inboundQuery('+33611111111', NUM_AM, 'forged', 'f-3').replace(S.gateway, 'nope'),
  ]) {
    const r = await request(base, 'GET', path);
    assert.equal(r.status, 403, path);
    assert.equal(r.body.error.code, 'forbidden');
  }
  const dlr = await request(base, 'GET', `/api/v1/sms/gateways/${S.gateway}/reports?contact=${S.contact}&id=x&type=2&smsc=fake&ts=1&reply=x&secret=wrong-secret-1234`);
  assert.equal(dlr.status, 403);
  const bad = await request(base, 'GET', `/api/v1/sms/gateways/${S.gateway}/inbound?from=%ZZ&secret=${SECRET}`);
  assert.equal(bad.status, 400);
  // another gateway, with its own right secret, cannot touch our messages
  const other = await ok(admin.post('/api/v1/gateways', {
    name: 'Another', sendsms_url: 'http://127.0.0.1:9/cgi-bin/sendsms', username: 'u', password: 'p', secret: 'another-secret-0123',
  }), 201, 'another gateway');
  const forged = await request(base, 'GET', `/api/v1/sms/gateways/${other.id}/reports?contact=${S.contact}&id=${S.answer}&type=2&smsc=fake&ts=1&reply=x&secret=another-secret-0123`);
  assert.equal(forged.status, 404);
  assert.equal((await messagesOf(admin, S.contact)).find((x) => x.id === S.answer).status, 'delivered');
  assert.equal((await admin.del(`/api/v1/gateways/${other.id}`)).status, 204);
  const after = await ok(admin.get(`/api/v1/contacts?queue=${S.qAm}&limit=500`), 200, 'contacts');
  assert.equal(after.total, before.total);
  const cust = await ok(admin.get('/api/v1/customers?phone=%2B33611111111'), 200, 'customers');
  assert.equal(cust.items.length, 0);
});

test('an SMS Kannel got its 200 for is there after kill -9', async () => {
  // smsbox logs the get-url it calls, then dumps our answer in hex: its
  // 200 with {"contact"...} (a report's answer is {"status"...})
  const sent = 'inbound?from=%2B33622222222';
  await kannel.phone('+33622222222', NUM_AM, 'Durable ?');
  await until(() => {
    const log = kannel.log('smsbox');
    const i = log.indexOf(sent);
    if (i < 0) return false;
    const after = log.slice(i);
    const bytes = [...after.matchAll(/ data: ((?:[0-9a-f]{2} )+)/g)].map((m) => m[1].trim()).join(' ');
    const text = Buffer.from(bytes.split(' ').filter(Boolean).map((h) => parseInt(h, 16))).toString('latin1');
    return /HTTP: Status line: <HTTP\/1\.1 200/.test(after) && text.includes('{"contact"');
  }, 'Kannel getting its 200');
  await srv.kill9();
  srv = await startServer({ dataDir: srv.dataDir, args: ['--http', `127.0.0.1:${port}`] });
  base = srv.url;
  admin = client(base, (await login(base, 'admin')).token);
  const c = await contactOf(S.qAm, '+33622222222');
  assert.deepEqual((await messagesOf(admin, c.id)).map((m) => m.text), ['Durable ?']);
  // and the phone's next SMS joins the restored contact
  await kannel.phone('+33622222222', NUM_AM, 'Encore');
  await until(async () => (await messagesOf(admin, c.id)).length === 2, 'the next SMS in the restored contact');
  assert.deepEqual((await messagesOf(admin, c.id)).map((m) => m.text), ['Durable ?', 'Encore']);
});

test('the gateway\'s password and secret never appear in an answer', async () => {
  const answers = [...S.gwAnswers,
    await ok(admin.get('/api/v1/gateways'), 200, 'list'),
    await ok(admin.get(`/api/v1/gateways/${S.gateway}`), 200, 'get')];
  for (const a of answers) {
    const text = JSON.stringify(a);
    assert.ok(!text.includes(SECRET), 'secret in ' + text);
    assert.ok(!text.includes(kannel.password) && !text.includes('not-yet'), 'password in ' + text);
  }
  const g = answers.at(-1);
  assert.equal(g.password, undefined);
  assert.equal(g.secret, undefined);
  assert.match(g.get_url, /\/api\/v1\/sms\/gateways\/.+\/inbound\?from=%p.*secret=SECRET$/);
  // an update without them keeps them: a message still goes out
  await ok(admin.patch(`/api/v1/gateways/${S.gateway}`, { name: 'Kannel test renamed' }), 200, 'rename');
  const r = await ok(request(base, 'GET', inboundQuery('+33633333333', NUM_AM, 'Après renommage', 'rn-1')), 200, 'inbound after rename');
  assert.ok(r.contact);
  // supervisors and agents do not read gateways at all
  const sup = client(base, (await login(base, 'supervisor')).token);
  assert.equal((await sup.get('/api/v1/gateways')).status, 403);
});

test('numbers stay within their tenant', async () => {
  await ok(admin.post('/api/v1/users', { username: 'sms-sup-tp', password: 'sms-sup-tp-pw', role: 'supervisor', tenants: [S.tp] }), 201, 'supervisor');
  const sup = client(base, (await login(base, 'sms-sup-tp', 'sms-sup-tp-pw')).token);
  const list = await ok(sup.get('/api/v1/numbers'), 200, 'numbers');
  // the SMS numbers (the demo's own voice number of Télécom Plus aside)
  assert.deepEqual(list.items.filter((n) => n.gateway).map((n) => n.number), [NUM_TP]);
  assert.ok(list.items.every((n) => n.tenant === S.tp));
  assert.equal((await sup.get(`/api/v1/numbers/${S[NUM_AM]}`)).status, 404);
  // a number on another tenant's queue, or a voice queue, or taken, or not E.164
  for (const [body, status] of [
    [{ tenant: S.tp, queue: S.qAm, number: '+33700000009', gateway: S.gateway }, 400],
    [{ tenant: S.am, queue: S.voiceAm, number: '+33700000009', gateway: S.gateway }, 400],
    [{ tenant: S.tp, queue: S.qTp, number: NUM_AM, gateway: S.gateway }, 409],
    [{ tenant: S.tp, queue: S.qTp, number: '0612345678', gateway: S.gateway }, 400],
  ]) {
    const r = await admin.post('/api/v1/numbers', body);
    assert.equal(r.status, status, JSON.stringify(r.body));
  }
  // a phone writing to Télécom Plus's number is Télécom Plus's customer only
  const r = await ok(request(base, 'GET', inboundQuery(PHONE, NUM_TP, 'Bonjour Télécom', 'tp-1')), 200, 'inbound');
  const c = await ok(admin.get(`/api/v1/contacts/${r.contact}`), 200, 'contact');
  assert.equal(c.tenant, S.tp);
  assert.notEqual(c.customer, S.customer);
  assert.equal((await sup.get(`/api/v1/customers/${S.customer}`)).status, 404);
  // an SMS contact created through the API has no numbers: as before, its
  // messages are for the outside system and become sent
  const api = await ok(admin.post('/api/v1/contacts', { tenant: S.am, queue: S.qAm, channel: 'sms', customer: { phone: '+33655500000' } }), 201, 'API contact');
  const m = await ok(admin.post(`/api/v1/contacts/${api.id}/messages`, { text: 'Par l\'API' }), 201, 'message');
  await until(async () => (await messagesOf(admin, api.id)).find((x) => x.id === m.id && x.status === 'sent'), 'sent');
  assert.ok(!carriedTo('+33655500000').length);
  // a gateway still carrying numbers is not deleted, nor a queue they serve
  assert.equal((await admin.del(`/api/v1/gateways/${S.gateway}`)).status, 409);
  const q = await admin.del(`/api/v1/queues/${S.qTp}`);
  assert.equal(q.status, 409);
  assert.match(q.body.error.message, /numbers/);
});
