import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, login, client } from './lib.mjs';

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
