// Erasure of one customer (DELETE /api/v1/customers/{id}/data, admin
// only): the messages and attachments of its contacts are redacted (the
// routes show none of the old words, the attachment answers 404, its file
// is gone from disk), the record is anonymised (its phone and email no
// longer resolve), the contacts stay and are counted, the erasure is
// audited; another customer, of the same or another tenant, keeps
// everything; a restart brings nothing back.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { startServer, login, client, request, demoIds, ok, holdingQueues } from './lib.mjs';

let srv, admin, S = {};

function upload(c, name, data) {
  return request(srv.url, 'POST', `/api/v1/contacts/${c}/attachments?name=${encodeURIComponent(name)}`, {
    token: S.token, raw: data, headers: { 'content-type': 'text/plain' },
  });
}

const fileOf = (sha) => join(srv.dataDir, 'attachments', sha.slice(0, 2), sha);

// A chat contact of customer cu in tenant t, with two messages and a file.
async function conversation(t, cu, words) {
  const c = (await ok(admin.post('/api/v1/contacts', {
    tenant: S[t], queue: S[`q_${t}`], channel: 'chat', customer: { id: cu },
  }), 201, 'contact')).id;
  for (const text of words) await ok(admin.post(`/api/v1/contacts/${c}/messages`, { text }), 201, 'message');
  const att = await ok(upload(c, `${words[0]}.txt`, Buffer.from(`file of ${words[0]}`)), 201, 'upload');
  return { c, att };
}

before(async () => {
  srv = await startServer();
  S.token = (await login(srv.url, 'admin')).token;
  admin = client(srv.url, S.token);
  const ids = await demoIds(srv.url, S.token);
  await holdingQueues(admin, ids, S, 'ERA', 'chat');
  // The same person known by two tenants, and another customer of the first.
  const who = { name: 'Jeanne Martin', phones: ['+33611112222'], emails: ['jeanne@example.org'], notes: 'Allergique aux appels' };
  S.jam = (await ok(admin.post('/api/v1/customers', { tenant: S.am, ...who }), 201, 'customer am')).id;
  S.jtp = (await ok(admin.post('/api/v1/customers', { tenant: S.tp, ...who }), 201, 'customer tp')).id;
  S.other = (await ok(admin.post('/api/v1/customers', { tenant: S.am, name: 'Paul', emails: ['paul@example.org'] }), 201, 'other')).id;
  S.c1 = await conversation('am', S.jam, ['secret-one', 'mon IBAN FR76']);
  S.c2 = await conversation('am', S.jam, ['secret-two', 'encore']);
  S.ctp = await conversation('tp', S.jtp, ['telecom-words', 'bonjour']);
  S.cother = await conversation('am', S.other, ['paul-words', 'merci']);
});

after(async () => {
  if (srv && srv.proc.exitCode === null && srv.proc.signalCode === null) await srv.stop();
  if (srv) rmSync(srv.dataDir, { recursive: true, force: true });
});

test('only an admin erases; an unknown customer is a 404 and changes nothing', async () => {
  for (const u of ['supervisor', 'agent01', 'client-assurmax', 'integration']) {
    const api = client(srv.url, (await login(srv.url, u)).token);
    assert.equal((await api.del(`/api/v1/customers/${S.jam}/data`)).status, 403, u);
  }
  const r = await admin.del('/api/v1/customers/00000000-0000-7000-8000-000000000000/data');
  assert.equal(r.status, 404);
  assert.equal(r.body.error.code, 'not_found');
  assert.equal((await ok(admin.get(`/api/v1/contacts/${S.c1.c}/messages`), 200, 'list')).messages.length, 2);
  assert.equal((await ok(admin.get(`/api/v1/customers/${S.jam}`), 200, 'customer')).name, 'Jeanne Martin');
});

test('the erasure answers with a receipt once the data is gone', async () => {
  const before = Date.now();
  const r = await ok(admin.del(`/api/v1/customers/${S.jam}/data`), 200, 'erase');
  assert.equal(r.customer, S.jam);
  assert.equal(r.contacts, 2);
  assert.equal(r.messages, 4);
  assert.equal(r.attachments, 2);
  assert.ok(Date.parse(r.erased_at) >= before - 1000);
  assert.equal(typeof r.receipt, 'number');
  // The files are gone when the answer comes; the others stay.
  for (const { att } of [S.c1, S.c2]) assert.equal(existsSync(fileOf(att.sha256)), false);
  for (const { att } of [S.ctp, S.cother]) assert.equal(existsSync(fileOf(att.sha256)), true);
  // The audit trail has it, under the receipt's sequence.
  const ev = (await ok(admin.get(`/api/v1/events?after=${r.receipt - 1}&limit=1`), 200, 'events')).events[0];
  assert.equal(ev.type, 'audit.customer_erased');
  assert.equal(ev.tenant, S.am);
  assert.deepEqual({ ...ev.data, user: undefined }, { customer: S.jam, user: undefined, contacts: 2, messages: 4, attachments: 2 });
});

async function checkErased() {
  for (const { c, att } of [S.c1, S.c2]) {
    assert.deepEqual((await ok(admin.get(`/api/v1/contacts/${c}/messages`), 200, 'list')).messages, []);
    assert.equal((await admin.get(`/api/v1/attachments/${att.id}`)).status, 404);
    // the contact stays (figures), still the customer's
    assert.equal((await ok(admin.get(`/api/v1/contacts/${c}`), 200, 'contact')).customer, S.jam);
  }
  const cu = await ok(admin.get(`/api/v1/customers/${S.jam}`), 200, 'customer');
  assert.equal(cu.name, '');
  assert.deepEqual(cu.phones, []);
  assert.deepEqual(cu.emails, []);
  assert.equal(cu.notes, null);
  assert.ok(cu.erased_at);
  // its phone, email and name find it no more in its tenant; the other tenant's
  // customer of the same person is untouched
  for (const q of ['email=jeanne@example.org', 'phone=%2B33611112222', 'q=Jeanne']) {
    const found = await ok(admin.get(`/api/v1/customers?tenant=${S.am}&${q}`), 200, 'search');
    assert.equal(found.items.some((x) => x.id === S.jam), false, q);
  }
  const tp = await ok(admin.get(`/api/v1/customers/${S.jtp}`), 200, 'tp customer');
  assert.equal(tp.name, 'Jeanne Martin');
  assert.deepEqual(tp.emails, ['jeanne@example.org']);
  // the history keeps both contacts
  assert.equal((await ok(admin.get(`/api/v1/customers/${S.jam}/contacts`), 200, 'history')).total, 2);
  // nothing of the old words anywhere in the log
  const log = JSON.stringify((await ok(admin.get('/api/v1/events?limit=1000'), 200, 'events')).events);
  for (const w of ['secret-one', 'mon IBAN FR76', 'secret-two']) assert.equal(log.includes(w), false, w);
  assert.ok(log.includes('telecom-words') && log.includes('paul-words'));
  for (const { c } of [S.ctp, S.cother]) {
    assert.equal((await ok(admin.get(`/api/v1/contacts/${c}/messages`), 200, 'list')).messages.length, 2);
  }
}

test('the messages, files and identities are gone; the contacts and the others stay', checkErased);

test('a new contact with the old email makes a new customer', async () => {
  const c = await ok(admin.post('/api/v1/contacts', {
    tenant: S.am, queue: S.q_am, channel: 'chat', customer: { email: 'jeanne@example.org' },
  }), 201, 'contact');
  assert.ok(c.customer);
  assert.notEqual(c.customer, S.jam);
});

test('a restart (the log replayed) brings nothing back', async () => {
  await srv.kill9();
  srv = await startServer({ dataDir: srv.dataDir });
  admin = client(srv.url, (S.token = (await login(srv.url, 'admin')).token));
  await checkErased();
});
