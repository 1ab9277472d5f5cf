// Retention: a tenant's messages and attachments older than its
// retention_days are redacted by the sweep (run now by an admin, as of a
// later instant): the messages routes show nothing of them, the attachment
// answers 404 and its file is gone from disk, the log keeps the rows
// (redacted, same sequences) and the contacts; another tenant without a
// retention keeps everything; a restart brings nothing back.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { startServer, login, client, request, demoIds, ok, holdingQueues } from './lib.mjs';

let srv, admin, S = {};
const DAY = 86400000;

async function contact(t) {
  return (await ok(admin.post('/api/v1/contacts', { tenant: S[t], queue: S[`q_${t}`], channel: 'chat' }), 201, 'contact')).id;
}

function upload(c, name, data) {
  return request(srv.url, 'POST', `/api/v1/contacts/${c}/attachments?name=${encodeURIComponent(name)}`, {
    token: S.token, raw: data, headers: { 'content-type': 'text/plain' },
  });
}

function fileOf(sha) {
  return join(srv.dataDir, 'attachments', sha.slice(0, 2), sha);
}

// The logged events of a contact, from the event replay.
async function eventsOf(c, type) {
  const r = await ok(admin.get('/api/v1/events?limit=1000'), 200, 'events');
  return r.events.filter((e) => e.type === type && e.data.contact === c);
}

before(async () => {
  srv = await startServer();
  S.token = (await login(srv.url, 'admin')).token;
  admin = client(srv.url, S.token);
  const ids = await demoIds(srv.url, S.token);
  await holdingQueues(admin, ids, S, 'RET', 'chat');
  S.cam = await contact('am');
  S.ctp = await contact('tp');
  for (const c of [S.cam, S.ctp]) {
    for (const text of ['Bonjour', 'Mon numéro est le 0612345678']) {
      await ok(admin.post(`/api/v1/contacts/${c}/messages`, { text }), 201, 'message');
    }
  }
  S.att = await ok(upload(S.cam, 'releve.txt', Buffer.from('relevé de compte AssurMax')), 201, 'upload am');
  S.attTp = await ok(upload(S.ctp, 'facture.txt', Buffer.from('facture Télécom Plus')), 201, 'upload tp');
  await ok(admin.patch(`/api/v1/tenants/${S.am}`, { retention_days: 1 }), 200, 'retention of AssurMax');
});

after(async () => {
  if (srv && srv.proc.exitCode === null && srv.proc.signalCode === null) await srv.stop();
  if (srv) rmSync(srv.dataDir, { recursive: true, force: true });
});

test('a tenant has no retention by default, attachment_max_mb 10; bad values are refused and change nothing', async () => {
  const tp = await ok(admin.get(`/api/v1/tenants/${S.tp}`), 200, 'tenant');
  assert.equal(tp.retention_days, undefined);
  assert.equal(tp.attachment_max_mb, 10);
  for (const bad of [{ retention_days: 0 }, { retention_days: 'ten' }, { attachment_max_mb: 0 }, { attachment_max_mb: 101 }]) {
    const r = await admin.patch(`/api/v1/tenants/${S.tp}`, bad);
    assert.equal(r.status, 400, JSON.stringify(bad));
    assert.equal(r.body.error.code, 'invalid_field');
  }
  assert.deepEqual(await ok(admin.get(`/api/v1/tenants/${S.tp}`), 200, 'tenant'), tp);
  const r = await admin.post('/api/v1/retention/run', { at: 'tomorrow' });
  assert.equal(r.status, 400);
  assert.equal(r.body.error.code, 'invalid_field');
});

test('only an admin runs the sweep', async () => {
  for (const u of ['supervisor', 'agent01', 'client-assurmax', 'integration']) {
    const api = client(srv.url, (await login(srv.url, u)).token);
    assert.equal((await api.post('/api/v1/retention/run', {})).status, 403, u);
  }
});

test('messages younger than the retention stay', async () => {
  const at = new Date(Date.now() + DAY / 2).toISOString();
  const r = await ok(admin.post('/api/v1/retention/run', { at }), 200, 'run');
  assert.equal(r.messages, 0);
  assert.equal(r.attachments, 0);
  assert.deepEqual(r.tenants.map((t) => t.tenant), [S.am]);
  assert.equal((await ok(admin.get(`/api/v1/contacts/${S.cam}/messages`), 200, 'list')).messages.length, 2);
  assert.ok(existsSync(fileOf(S.att.sha256)));
});

test('past the retention, the tenant\'s messages and files are redacted; the other tenant keeps its own', async () => {
  const before = await eventsOf(S.cam, 'contact.message');
  assert.equal(before.length, 2);
  const at = new Date(Date.now() + 2 * DAY).toISOString();
  const r = await ok(admin.post('/api/v1/retention/run', { at }), 200, 'run');
  assert.equal(r.messages, 2);
  assert.equal(r.attachments, 1);
  assert.equal(r.tenants.length, 1);
  assert.equal(r.tenants[0].tenant, S.am);
  assert.equal(r.tenants[0].messages, 2);
  // The answer comes once the file is gone.
  assert.equal(existsSync(fileOf(S.att.sha256)), false);
  assert.equal(existsSync(fileOf(S.attTp.sha256)), true);
  assert.deepEqual((await ok(admin.get(`/api/v1/contacts/${S.cam}/messages`), 200, 'list')).messages, []);
  assert.equal((await admin.get(`/api/v1/attachments/${S.att.id}`)).status, 404);
  // The log keeps the rows, same sequences, without their words.
  const after = await eventsOf(S.cam, 'contact.message');
  assert.deepEqual(after.map((e) => e.seq), before.map((e) => e.seq));
  for (const e of after) {
    assert.equal(e.data.redacted, true);
    assert.equal(e.data.text, '');
  }
  const [att] = await eventsOf(S.cam, 'contact.attachment');
  assert.equal(att.data.redacted, true);
  assert.equal(att.data.name, '');
  const audit = (await ok(admin.get('/api/v1/events?limit=1000'), 200, 'events')).events
    .filter((e) => e.type === 'audit.retention');
  assert.equal(audit.length, 1);
  assert.equal(audit[0].tenant, S.am);
  assert.equal(audit[0].data.messages, 2);
  // The contact and the other tenant's conversation are untouched.
  assert.equal((await ok(admin.get(`/api/v1/contacts/${S.cam}`), 200, 'contact')).id, S.cam);
  const tp = (await ok(admin.get(`/api/v1/contacts/${S.ctp}/messages`), 200, 'tp')).messages;
  assert.deepEqual(tp.map((m) => m.text), ['Bonjour', 'Mon numéro est le 0612345678']);
  const down = await request(srv.url, 'GET', `/api/v1/attachments/${S.attTp.id}`, { token: S.token });
  assert.equal(down.status, 200);
  // A second run finds nothing more to redact.
  const again = await ok(admin.post('/api/v1/retention/run', { at }), 200, 'again');
  assert.equal(again.messages, 0);
});

test('a restart (the log replayed) brings nothing back', async () => {
  await srv.kill9();
  srv = await startServer({ dataDir: srv.dataDir });
  admin = client(srv.url, (S.token = (await login(srv.url, 'admin')).token));
  assert.deepEqual((await ok(admin.get(`/api/v1/contacts/${S.cam}/messages`), 200, 'list')).messages, []);
  assert.equal((await admin.get(`/api/v1/attachments/${S.att.id}`)).status, 404);
  assert.equal((await ok(admin.get(`/api/v1/contacts/${S.ctp}/messages`), 200, 'tp')).messages.length, 2);
  assert.equal(createHash('sha256').update('facture Télécom Plus').digest('hex'), S.attTp.sha256);
});
