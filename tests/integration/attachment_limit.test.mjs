// A tenant's attachment limit (attachment_max_mb, default 10): an upload
// to a contact of that tenant over it gets 413 with the JSON error from
// its Content-Length, before its body is read; at the limit it is taken;
// another tenant keeps its own limit; the file is not stored.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { startServer, login, client, request, demoIds, ok } from './lib.mjs';

let srv, admin, S = {};
const MB = 1024 * 1024;

function upload(c, data) {
  return request(srv.url, 'POST', `/api/v1/contacts/${c}/attachments?name=file.pdf`, {
    token: S.token, raw: data, headers: { 'content-type': 'application/pdf' },
  });
}

// The answer to a head announcing n bytes, of which only 64 KiB are sent.
function headOnly(c, n) {
  return new Promise((resolve, reject) => {
    const sock = net.connect(srv.port, '127.0.0.1');
    let got = '';
    sock.on('error', reject);
    sock.on('data', (d) => { got += d; if (/\r\n\r\n[\s\S]*\}/.test(got)) { resolve(got); sock.destroy(); } });
    sock.on('close', () => resolve(got));
    sock.write(`POST /api/v1/contacts/${c}/attachments?name=big.pdf HTTP/1.1\r\nHost: x\r\n` +
      `Authorization: Bearer ${S.token}\r\nAccept-Language: fr\r\nContent-Type: application/pdf\r\nContent-Length: ${n}\r\n\r\n`);
    sock.write(Buffer.alloc(64 * 1024, 0x41));
  });
}

const stored = () => {
  const dir = join(srv.dataDir, 'attachments');
  return existsSync(dir) ? readdirSync(dir, { recursive: true }).filter((f) => f.length > 60).length : 0;
};

before(async () => {
  srv = await startServer({ fsync: false });
  S.token = (await login(srv.url, 'admin')).token;
  admin = client(srv.url, S.token);
  const ids = await demoIds(srv.url, S.token);
  S.am = ids.tenants.find((t) => t.name === 'AssurMax').id;
  S.tp = ids.tenants.find((t) => t.name === 'Télécom Plus').id;
  await ok(admin.post('/api/v1/skills', { name: 'lim.none' }), 201, 'skill');
  for (const t of ['am', 'tp']) {
    const q = (await ok(admin.post('/api/v1/queues', {
      tenant: S[t], name: `LIM ${t}`, channel: 'chat', steps: [{ after_s: 0, filter: 'lim.none >= 1' }],
    }), 201, 'queue')).id;
    S[`c_${t}`] = (await ok(admin.post('/api/v1/contacts', { tenant: S[t], queue: q, channel: 'chat' }), 201, 'contact')).id;
  }
  await ok(admin.patch(`/api/v1/tenants/${S.am}`, { attachment_max_mb: 1 }), 200, 'limit of AssurMax');
});

after(async () => {
  if (srv) await srv.stop();
});

test('over the tenant\'s limit: 413 from the head, with the JSON error, nothing stored', async () => {
  const before = stored();
  const answer = await headOnly(S.c_am, 2 * MB);
  assert.match(answer, /^HTTP\/1\.1 413 /);
  const body = JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4));
  assert.equal(body.error.code, 'payload_too_large');
  assert.match(body.error.message, new RegExp(`${MB}`));
  const over = await upload(S.c_am, Buffer.alloc(MB + 1, 0x43));
  assert.equal(over.status, 413);
  assert.equal(stored(), before);
});

test('at the limit it is taken; another tenant keeps the default 10 MiB', async () => {
  const a = await ok(upload(S.c_am, Buffer.alloc(MB, 0x44)), 201, 'at the limit');
  assert.equal(a.size, MB);
  const b = await ok(upload(S.c_tp, Buffer.alloc(2 * MB, 0x45)), 201, 'other tenant');
  assert.equal(b.size, 2 * MB);
  assert.match(await headOnly(S.c_tp, 10 * MB + 1), /^HTTP\/1\.1 413 /);
});

test('raising the limit takes effect at once', async () => {
  await ok(admin.patch(`/api/v1/tenants/${S.am}`, { attachment_max_mb: 3 }), 200, 'raise');
  const a = await ok(upload(S.c_am, Buffer.alloc(2 * MB, 0x46)), 201, 'now taken');
  assert.equal(a.size, 2 * MB);
});
