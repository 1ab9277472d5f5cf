#!/usr/bin/env node
// sms_mo_bench — inbound SMS made durable contacts, through a real Kannel
// and into relais alone. Two lines:
//
//	sms mo_per_s=X via=kannel n=N
//	sms mo_per_s=Y via=direct n=N concurrency=C
//
// Method: `relais serve --demo` with fsync on (each answer to Kannel waits
// for its commit), an SMS queue whose filter no agent matches (nothing is
// offered), a gateway and a number. via=kannel: bearerbox and smsbox on
// 127.0.0.1 with fakesmsc sending N SMS (default 5000) as fast as it can
// from random phones (-z 1); the time from fakesmsc's start to relais's
// Nth SMS taken (its /metrics counter relais_sms_total{kind="mo"}), then
// checks that every SMS is a message of a contact (the API, from the
// store). via=direct: the same N get-url requests sent by this program,
// C at a time (default 64) over keep-alive connections, each distinct
// phone a new contact: relais alone, without Kannel's own pace.
//
//	node bench/sms_mo_bench.mjs
//	SMS_N=1000 SMS_CONCURRENCY=32 node bench/sms_mo_bench.mjs
//
// Exit status 1 when an SMS is lost or refused.
import http from 'node:http';
import { startServer, login, client, demoIds, ok } from '../tests/integration/lib.mjs';
import { startKannel } from '../tests/integration/kannel-lib.mjs';

const N = Number(process.env.SMS_N || 5000);
const CONCURRENCY = Number(process.env.SMS_CONCURRENCY || 64);
const SECRET = 'bench-' + Math.random().toString(36).slice(2) + '-secret';

async function moTaken(url) {
  const m = (await (await fetch(`${url}/metrics`)).text()).match(/relais_sms_total\{kind="mo"\} (\d+)/);
  return m ? Number(m[1]) : 0;
}

// A server with a holding SMS queue of AssurMax and a number on a gateway.
async function setUp(number) {
  const srv = await startServer();
  const admin = client(srv.url, (await login(srv.url, 'admin')).token);
  const ids = await demoIds(srv.url, (await login(srv.url, 'admin')).token);
  const am = ids.tenants.find((t) => t.name === 'AssurMax').id;
  await ok(admin.post('/api/v1/skills', { name: 'bench.none' }), 201, 'skill');
  const queue = (await ok(admin.post('/api/v1/queues', {
    tenant: am, name: 'SMS bench', channel: 'sms', steps: [{ after_s: 0, filter: 'bench.none >= 1' }],
  }), 201, 'queue')).id;
  const gw = await ok(admin.post('/api/v1/gateways', {
    name: 'bench', sendsms_url: 'http://127.0.0.1:9/cgi-bin/sendsms', username: 'relais', password: 'x', secret: SECRET, relais_url: srv.url,
  }), 201, 'gateway');
  await ok(admin.post('/api/v1/numbers', { tenant: am, queue, number, gateway: gw.id }), 201, 'number');
  return { srv, admin, queue, gw };
}

// The messages of the queue's contacts, from the API (the store).
async function messagesIn(admin, queue) {
  let n = 0;
  for (let offset = 0; ; offset += 500) {
    const page = await ok(admin.get(`/api/v1/contacts?queue=${queue}&limit=500&offset=${offset}`), 200, 'contacts');
    for (const c of page.items) {
      for (let after = 0; ;) {
        const l = (await ok(admin.get(`/api/v1/contacts/${c.id}/messages?after=${after}`), 200, 'messages')).messages;
        n += l.length;
        if (l.length < 100) break;
        after = l.at(-1).seq;
      }
    }
    if (offset + 500 >= page.total) return n;
  }
}

async function viaKannel() {
  const number = '+33700000301';
  const { srv, admin, queue, gw } = await setUp(number);
  const kannel = await startKannel({ getUrl: gw.get_url.replace('secret=SECRET', `secret=${SECRET}`) });
  try {
    await ok(admin.patch(`/api/v1/gateways/${gw.id}`, { sendsms_url: kannel.sendsmsUrl, password: kannel.password }), 200, 'gateway');
    const t0 = performance.now();
    await kannel.phone('+336', number, 'Bonjour, ma commande ?', { count: N, interval: 0.0001, randomFrom: true });
    for (;;) {
      const n = await moTaken(srv.url);
      if (n >= N) break;
      if (performance.now() - t0 > 600000) throw new Error(`only ${n} of ${N} SMS in 10 min\n${kannel.logs()}`);
      await new Promise((r) => setTimeout(r, 20));
    }
    const s = (performance.now() - t0) / 1000;
    const kept = await messagesIn(admin, queue);
    if (kept !== N) throw new Error(`${kept} messages kept of ${N}`);
    console.log(`sms mo_per_s=${(N / s).toFixed(0)} via=kannel n=${N}`);
  } finally {
    await kannel.stop();
    await srv.stop();
  }
}

async function viaDirect() {
  const number = '+33700000302';
  const { srv, admin, queue, gw } = await setUp(number);
  const agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  const get = (path) => new Promise((resolve, reject) => {
    http.get(new URL(path, srv.url), { agent }, (res) => { res.resume(); res.on('end', () => resolve(res.statusCode)); }).on('error', reject);
  });
  try {
    let next = 0, bad = 0;
    const t0 = performance.now();
    await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
      while (next < N) {
        const i = next++;
        const q = new URLSearchParams({
          from: `+3361${String(i).padStart(7, '0')}`, to: number, text: `Bonjour ${i}`, charset: 'UTF-8', coding: '0',
          smsc: 'bench', ts: String(Math.floor(Date.now() / 1000)), id: `bench-${i}`, secret: SECRET,
        });
        if ((await get(`/api/v1/sms/gateways/${gw.id}/inbound?${q}`)) !== 200) bad++;
      }
    }));
    const s = (performance.now() - t0) / 1000;
    if (bad) throw new Error(`${bad} SMS refused`);
    const kept = await messagesIn(admin, queue);
    if (kept !== N) throw new Error(`${kept} messages kept of ${N}`);
    console.log(`sms mo_per_s=${(N / s).toFixed(0)} via=direct n=${N} concurrency=${CONCURRENCY}`);
  } finally {
    agent.destroy();
    await srv.stop();
  }
}

try {
  await viaKannel();
  await viaDirect();
} catch (e) {
  console.error(e.message);
  process.exitCode = 1;
}
