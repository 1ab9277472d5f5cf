import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, login, client, openStream } from './lib.mjs';

test('the demo server starts, answers /healthz and lets the admin log in', async () => {
  const srv = await startServer({ fsync: false });
  try {
    const h = await fetch(srv.url + '/healthz').then((r) => r.json());
    assert.equal(h.status, 'ok');
    const admin = await login(srv.url, 'admin');
    assert.equal(admin.user.role, 'admin');
    const q = await client(srv.url, admin.token).get('/api/v1/queues');
    assert.equal(q.status, 200);
    assert.equal(q.body.items.length, 6);
  } finally {
    assert.equal((await srv.stop()).code, 0);
  }
});

test('pipelined requests are answered in order, even when the first waits for its commit', async () => {
  const { createConnection } = await import('node:net');
  const srv = await startServer({ fsync: true });
  try {
    const admin = await login(srv.url, 'admin');
    const q = (await client(srv.url, admin.token).get('/api/v1/queues')).body.items[1];
    const body = JSON.stringify({ tenant: q.tenant, queue: q.id, channel: q.channel });
    const raw = `POST /api/v1/contacts HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${admin.token}\r\n` +
      `Content-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}` +
      'GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n' +
      'GET /api/v1/nowhere HTTP/1.1\r\nHost: x\r\n\r\n';
    const sock = createConnection(srv.port, '127.0.0.1');
    let data = '';
    await new Promise((resolve, reject) => {
      sock.on('data', (d) => { data += d; if ((data.match(/HTTP\/1\.1 \d+/g) || []).length >= 3) resolve(); });
      sock.on('error', reject);
      setTimeout(() => reject(new Error('no 3 answers: ' + data)), 5000);
      sock.write(raw);
    });
    sock.destroy();
    assert.deepEqual(data.match(/HTTP\/1\.1 \d+/g), ['HTTP/1.1 201', 'HTTP/1.1 200', 'HTTP/1.1 404']);
  } finally {
    await srv.stop();
  }
});

// /metrics gathers the server's own counters and each module's lines
// (logins from auth, stream clients and messages from the stream).
test('/metrics counts logins, stream clients and messages, responses and events', async () => {
  const srv = await startServer({ fsync: false });
  try {
    const value = async (name) => {
      const text = await fetch(srv.url + '/metrics').then((r) => r.text());
      const line = text.split('\n').find((l) => l.startsWith(name + ' '));
      assert.ok(line, `${name} in /metrics`);
      return Number(line.slice(name.length + 1));
    };
    assert.equal(await value('relais_logins_total{result="ok"}'), 0);
    const admin = await login(srv.url, 'admin');
    await fetch(srv.url + '/api/v1/session', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'admin', password: 'wrong-password' }) });
    assert.equal(await value('relais_logins_total{result="ok"}'), 1);
    assert.equal(await value('relais_logins_total{result="failed"}'), 1);
    assert.equal(await value('relais_websocket_clients'), 0);
    const st = await openStream(srv.url, admin.token, { subscribe: ['tenant:*'] });
    assert.equal(await value('relais_websocket_clients'), 1);
    assert.ok(await value('relais_websocket_messages_total') >= 1, 'the subscription answer was pushed');
    await st.close();
    assert.ok(await value('relais_http_responses_total{class="2xx"}') >= 1);
    assert.ok(await value('relais_events_total') >= 1);
  } finally {
    assert.equal((await srv.stop()).code, 0);
  }
});
