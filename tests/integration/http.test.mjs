// The HTTP connection layer from the outside, on raw sockets: strict
// framing (RFC 9112 §6), limits answered with their status and the JSON
// error, deadlines that trickled bytes do not reset, connection caps, and
// a server at its descriptor limit that keeps serving without spinning.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { readFileSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { startServer, request, login } from './lib.mjs';

let srv;

before(async () => {
  // Under AddressSanitizer, freed memory waits in a quarantine (256 MB)
  // before reuse: keep it small so that resident memory means what it
  // means without it (the memory test below). Ignored by other builds.
  const asan = [process.env.ASAN_OPTIONS, 'quarantine_size_mb=8'].filter(Boolean).join(':');
  srv = await startServer({ fsync: false, env: { ASAN_OPTIONS: asan }, args: ['--header-timeout', '1', '--idle-timeout', '2', '--max-conns-per-addr', '40'] });
});
after(async () => { await srv.stop(); });

// Sends raw bytes (a string or a list of [bytes, delayMs] pieces); resolves
// with everything the server sent and whether it closed the connection.
function raw(port, pieces, { wait = 3000 } = {}) {
  return new Promise((resolve, reject) => {
    const sock = net.connect(port, '127.0.0.1');
    let data = Buffer.alloc(0);
    let closed = false;
    const t0 = Date.now();
    const timer = setTimeout(() => { sock.destroy(); resolve({ text: data.toString('latin1'), closed, ms: Date.now() - t0 }); }, wait);
    sock.on('data', (d) => { data = Buffer.concat([data, d]); });
    sock.on('error', () => {});
    sock.on('close', () => { closed = true; clearTimeout(timer); resolve({ text: data.toString('latin1'), closed, ms: Date.now() - t0 }); });
    sock.on('connect', async () => {
      const list = typeof pieces === 'string' || Buffer.isBuffer(pieces) ? [[pieces, 0]] : pieces;
      for (const [bytes, delay] of list) {
        if (delay) await new Promise((r) => setTimeout(r, delay));
        if (sock.destroyed) return;
        sock.write(bytes);
      }
    });
    sock.on('timeout', reject);
  });
}

// The responses in a byte stream: [{status, headers, body}].
function responses(text) {
  const out = [];
  let rest = text;
  while (rest.startsWith('HTTP/1.1 ')) {
    const end = rest.indexOf('\r\n\r\n');
    if (end < 0) break;
    const head = rest.slice(0, end).split('\r\n');
    const status = Number(head[0].split(' ')[1]);
    const headers = {};
    for (const l of head.slice(1)) { const i = l.indexOf(':'); headers[l.slice(0, i).toLowerCase()] = l.slice(i + 1).trim(); }
    const len = Number(headers['content-length'] || 0);
    if (rest.length < end + 4 + len) break; // not all here yet
    const body = rest.slice(end + 4, end + 4 + len);
    out.push({ status, headers, body: headers['content-type'] === 'application/json' && body ? JSON.parse(body) : body });
    rest = rest.slice(end + 4 + len);
  }
  return out;
}

function one(res, status, code) {
  const r = responses(res.text);
  assert.equal(r.length, 1, `one answer expected, got:\n${res.text.slice(0, 600)}`);
  assert.equal(r[0].status, status, res.text.slice(0, 300));
  if (code) {
    assert.equal(r[0].body.error.code, code);
    assert.ok(r[0].body.error.message.length > 0);
  }
  return r[0];
}

const H = 'Host: 127.0.0.1\r\n';

test('a chunked body is refused with 501 and never runs as a request', async () => {
  const smuggled = 'GET /api/v1/session HTTP/1.1\r\n' + H + '\r\n';
  const body = `${smuggled.length.toString(16)}\r\n${smuggled}\r\n0\r\n\r\n`;
  const res = await raw(srv.port, `POST /api/v1/session HTTP/1.1\r\n${H}Transfer-Encoding: chunked\r\nContent-Type: application/json\r\n\r\n${body}`);
  const r = one(res, 501, 'not_implemented');
  assert.equal(r.headers.connection, 'close');
  assert.ok(res.closed, 'the connection closes');
  // also when Content-Length is there too, and with odd case
  one(await raw(srv.port, `POST /api/v1/session HTTP/1.1\r\n${H}Content-Length: 5\r\ntransfer-encoding: CHUNKED\r\n\r\n0\r\n\r\n`), 501, 'not_implemented');
});

test('invalid or conflicting Content-Length gets 400 and a close', async () => {
  for (const cl of ['Content-Length: -1', 'Content-Length: +5', 'Content-Length: 5, 5', 'Content-Length: 0x10', 'Content-Length: 5\r\nContent-Length: 6']) {
    const res = await raw(srv.port, `POST /api/v1/session HTTP/1.1\r\n${H}${cl}\r\nContent-Type: application/json\r\n\r\n{"a":1}GET /healthz HTTP/1.1\r\n${H}\r\n`);
    one(res, 400, 'bad_request');
    assert.ok(res.closed, cl);
  }
  // two equal lengths are one length
  const res = await raw(srv.port, `POST /api/v1/session HTTP/1.1\r\n${H}Content-Length: 2\r\nContent-Length: 2\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n{}`);
  assert.equal(one(res, 400, 'invalid_field').status, 400); // the login body is read (and refused for its fields)
});

test('oversized heads, lines and targets get 431 and 414 with the JSON error', async () => {
  one(await raw(srv.port, `GET /healthz HTTP/1.1\r\n${H}X-Big: ${'a'.repeat(9000)}\r\n\r\n`), 431, 'header_fields_too_large');
  let many = '';
  for (let i = 0; i < 120; i++) many += `X-H${i}: v\r\n`;
  one(await raw(srv.port, `GET /healthz HTTP/1.1\r\n${H}${many}\r\n`), 431, 'header_fields_too_large');
  let total = '';
  for (let i = 0; i < 6; i++) total += `X-T${i}: ${'b'.repeat(7000)}\r\n`;
  one(await raw(srv.port, `GET /healthz HTTP/1.1\r\n${H}${total}\r\n`), 431, 'header_fields_too_large');
  // the target is refused as soon as it is too long, before the head ends
  const res = await raw(srv.port, `GET /api/v1/${'x'.repeat(5000)}`);
  one(res, 414, 'uri_too_long');
  assert.ok(res.closed);
});

test('garbage request lines and versions get 400 or 505', async () => {
  for (const line of ['HELLO', 'GET', 'GET  / HTTP/1.1', 'GET / HTTP/1.1 x', 'GET http://evil/ HTTP/1.1', 'GET / FOO/1.1', '\x00\x01\x02']) {
    const res = await raw(srv.port, `${line}\r\n${H}\r\n`);
    one(res, 400, 'bad_request');
  }
  one(await raw(srv.port, `GET / HTTP/2.0\r\n${H}\r\n`), 505, 'http_version_not_supported');
  one(await raw(srv.port, 'GET /healthz HTTP/1.1\r\n\r\n'), 400, 'bad_request'); // no Host
  one(await raw(srv.port, `GET /healthz HTTP/1.1\r\n${H}Bad Header: x\r\n\r\n`), 400, 'bad_request');
  one(await raw(srv.port, `GET /healthz HTTP/1.1\r\n${H} folded: x\r\n\r\n`), 400, 'bad_request');
});

test('a byte that is not ASCII in the path gets 400, not a 500', async () => {
  const res = await raw(srv.port, Buffer.concat([Buffer.from('GET /api/v1/'), Buffer.from([0xff]), Buffer.from(` HTTP/1.1\r\n${H}\r\n`)]));
  const r = one(res, 400, 'bad_request');
  assert.ok(!r.body.error.message.includes('\u0000'));
  // and a %-escaped one is a plain 404 with a clean message
  const r2 = await request(srv.url, 'GET', '/api/v1/%ff%fe');
  assert.equal(r2.status, 404);
});

test('a body over the route limit gets 413 from its head, before it is sent', async () => {
  // only the head is sent: the answer cannot wait for 10 MB
  const res = await raw(srv.port, `POST /api/v1/session HTTP/1.1\r\n${H}Content-Type: application/json\r\nContent-Length: 10000000\r\n\r\n`, { wait: 2000 });
  const r = one(res, 413, 'payload_too_large');
  assert.match(r.body.error.message, /65536/);
  assert.ok(res.closed);
  // 600 KiB really sent: still a 413 answer, not a dropped connection
  const big = JSON.stringify({ pad: 'x'.repeat(600 * 1024) });
  const r2 = await request(srv.url, 'POST', '/api/v1/session', { raw: big }).catch((e) => ({ status: 'reset', e }));
  assert.equal(r2.status, 413);
  assert.equal(r2.body.error.code, 'payload_too_large');
  // a GET has no body
  one(await raw(srv.port, `GET /healthz HTTP/1.1\r\n${H}Content-Length: 3\r\n\r\nabc`), 413, 'payload_too_large');
});

test('pipelined requests are answered in order on one connection', async () => {
  const req = (p) => `GET ${p} HTTP/1.1\r\n${H}\r\n`;
  const res = await raw(srv.port, req('/healthz') + req('/api/v1/nothing') + req('/healthz') + `GET /healthz HTTP/1.1\r\n${H}Connection: close\r\n\r\n`);
  const r = responses(res.text);
  assert.deepEqual(r.map((x) => x.status), [200, 404, 200, 200]);
  assert.equal(r[3].headers.connection, 'close');
  assert.ok(res.closed);
});

test('a head trickled byte by byte is cut at the header deadline (408)', async () => {
  const head = `GET /healthz HTTP/1.1\r\n${H}X-Slow: ${'s'.repeat(40)}\r\n\r\n`;
  const pieces = [...head].map((c) => [c, 100]); // 4+ s in all, a byte per 100 ms
  const res = await raw(srv.port, pieces, { wait: 6000 });
  one(res, 408, 'request_timeout');
  assert.ok(res.closed);
  assert.ok(res.ms < 3000, `closed after ${res.ms} ms (deadline 1 s)`);
});

test('the header deadline holds on every request of a keep-alive connection', async () => {
  const res = await raw(srv.port, [[`GET /healthz HTTP/1.1\r\n${H}\r\n`, 0], ['GET /hea', 50], ['l', 400], ['t', 400], ['h', 400], ['z', 400]], { wait: 5000 });
  const r = responses(res.text);
  assert.deepEqual(r.map((x) => x.status), [200, 408]);
  assert.ok(res.closed);
});

test('an idle keep-alive connection is closed after the idle timeout', async () => {
  const res = await raw(srv.port, `GET /healthz HTTP/1.1\r\n${H}\r\n`, { wait: 6000 });
  assert.equal(one(res, 200).status, 200);
  assert.ok(res.closed, 'closed by the server');
  assert.ok(res.ms >= 1500 && res.ms < 5000, `closed after ${res.ms} ms (idle 2 s)`);
});

test('connections of one address are capped; the open ones keep working', async () => {
  const socks = [];
  const open = () => new Promise((resolve) => {
    const s = net.connect(srv.port, '127.0.0.1');
    s.on('error', () => {});
    s.on('connect', () => resolve(s));
  });
  for (let i = 0; i < 40; i++) socks.push(await open());
  const extra = await raw(srv.port, `GET /healthz HTTP/1.1\r\n${H}\r\n`, { wait: 1500 });
  assert.equal(responses(extra.text).length, 0, 'the 41st connection is refused');
  assert.ok(extra.closed);
  // an open one still answers
  const answer = await new Promise((resolve) => {
    let d = '';
    socks[0].on('data', (x) => { d += x; if (d.includes('\r\n\r\n')) resolve(d); });
    socks[0].write(`GET /healthz HTTP/1.1\r\n${H}\r\n`);
  });
  assert.match(answer, /^HTTP\/1\.1 200/);
  for (const s of socks) s.destroy();
  await new Promise((r) => setTimeout(r, 200));
  assert.equal(one(await raw(srv.port, `GET /healthz HTTP/1.1\r\n${H}Connection: close\r\n\r\n`), 200).status, 200);
});

test('a query value too long for its filter is refused, never ignored', async () => {
  const { token } = await login(srv.url, 'admin', 'admin-demo');
  const long = 'a'.repeat(600);
  for (const p of [`/api/v1/contacts?queue=${long}`, `/api/v1/customers?tenant=${long}`, `/api/v1/stats/realtime?tenant=${long}`]) {
    const r = await request(srv.url, 'GET', p, { token });
    assert.equal(r.status, 400, p);
    assert.equal(r.body.error.code, 'invalid_field');
  }
  // a value that is not UTF-8 once decoded is refused the same way
  for (const p of ['/api/v1/customers?q=%ff', '/api/v1/contacts?queue=%c3%28', '/api/v1/customers?email=%ed%a0%80']) {
    const r = await request(srv.url, 'GET', p, { token });
    assert.equal(r.status, 400, p);
    assert.match(r.body.error.message, /not UTF-8/);
  }
});

// CPU seconds the process used (user + system), from /proc.
function cpuSeconds(pid) {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(f[11]) + Number(f[12])) / 100;
}

test('at its descriptor limit the server keeps serving and does not spin', async (t) => {
  const prlimit = spawn('prlimit', ['--version']);
  const ok = await new Promise((r) => { prlimit.on('exit', (c) => r(c === 0)); prlimit.on('error', () => r(false)); });
  if (!ok) { t.skip('prlimit is missing'); return; }
  const s = await startServer({ fsync: false, demo: false, wrap: ['prlimit', '--nofile=128:128', '--'] });
  try {
    const socks = [];
    const open = () => new Promise((resolve) => {
      const c = net.connect(s.port, '127.0.0.1');
      c.on('error', () => resolve(null));
      c.on('close', () => {});
      c.on('connect', () => resolve(c));
    });
    for (let i = 0; i < 150; i++) socks.push(await open());
    await new Promise((r) => setTimeout(r, 300));
    const cpu0 = cpuSeconds(s.proc.pid);
    await new Promise((r) => setTimeout(r, 1500));
    const used = cpuSeconds(s.proc.pid) - cpu0;
    assert.ok(used < 0.5, `the server used ${used} s of CPU in 1.5 s while full`);
    // a connection it holds is served
    const live = socks.filter((c) => c && !c.destroyed);
    assert.ok(live.length >= 50);
    const answer = await new Promise((resolve) => {
      let d = '';
      live[0].on('data', (x) => { d += x; if (d.includes('\r\n\r\n')) resolve(d); });
      live[0].write(`GET /healthz HTTP/1.1\r\n${H}\r\n`);
    });
    assert.match(answer, /^HTTP\/1\.1 200/);
    for (const c of socks) if (c) c.destroy();
    await new Promise((r) => setTimeout(r, 300));
    const r = await request(s.url, 'GET', '/healthz');
    assert.equal(r.status, 200);
  } finally {
    await s.stop();
  }
});

test('a large answer (7 MB of events) arrives whole', async () => {
  const { token } = await login(srv.url, 'admin', 'admin-demo');
  const ids = await request(srv.url, 'GET', '/api/v1/queues?limit=200', { token });
  const q = ids.body.items.find((x) => x.channel === 'chat' || (x.channels || []).includes('chat')) || ids.body.items[0];
  const pad = 'p'.repeat(60000);
  let made = 0;
  for (let i = 0; i < 120; i++) {
    const r = await request(srv.url, 'POST', '/api/v1/contacts', { token, body: { tenant: q.tenant, queue: q.id, channel: 'chat', attributes: { pad, i } } });
    if (r.status === 201) made++;
  }
  assert.equal(made, 120);
  const r = await request(srv.url, 'GET', '/api/v1/events?after=0&limit=1000', { token });
  assert.equal(r.status, 200);
  const big = r.body.events.filter((e) => e.data && e.data.attributes && e.data.attributes.pad);
  assert.ok(big.length >= 120, `events with the padding: ${big.length}`);
  assert.ok(JSON.stringify(r.body).length > 7_000_000);
});

test('Expect: 100-continue gets 100 before the body, and 413 instead when too large', async () => {
  const body = JSON.stringify({ username: 'nobody', password: 'x'.repeat(50) });
  const head = `POST /api/v1/session HTTP/1.1\r\n${H}Content-Type: application/json\r\nContent-Length: ${body.length}\r\nExpect: 100-continue\r\nConnection: close\r\n\r\n`;
  const res = await raw(srv.port, [[head, 0], [body, 300]]);
  const r = responses(res.text);
  assert.deepEqual(r.map((x) => x.status), [100, 401], res.text.slice(0, 300));
  const big = await raw(srv.port, `POST /api/v1/session HTTP/1.1\r\n${H}Content-Type: application/json\r\nContent-Length: 100000\r\nExpect: 100-continue\r\n\r\n`);
  assert.deepEqual(responses(big.text).map((x) => x.status), [413]);
});

// Resident memory of a process, in MB.
function rssMb(pid) {
  const m = readFileSync(`/proc/${pid}/status`, 'utf8').match(/^VmRSS:\s+(\d+)/m);
  return Number(m[1]) / 1024;
}

test('a client that pipelines large answers without reading them holds little memory', async () => {
  const { token } = await login(srv.url, 'admin', 'admin-demo');
  const N = 40; // answers of more than 7 MB: 280 MB if all were queued
  const get = `GET /api/v1/events?after=0&limit=1000 HTTP/1.1\r\n${H}Authorization: Bearer ${token}\r\n\r\n`;
  const rss0 = rssMb(srv.proc.pid);
  const sock = net.connect(srv.port, '127.0.0.1');
  await new Promise((r) => sock.on('connect', r));
  sock.pause(); // reads nothing
  sock.write(get.repeat(N));
  let peak = 0;
  for (let i = 0; i < 40; i++) {
    await new Promise((r) => setTimeout(r, 100));
    peak = Math.max(peak, rssMb(srv.proc.pid) - rss0);
  }
  // at most the pipeline's 8 answers are made before the client reads
  assert.ok(peak < 150, `the server grew by ${peak.toFixed(1)} MB`);
  // and every answer still comes, whole, once the client reads (counted
  // as they stream: 280 MB are not kept)
  const done = [];
  let head = '', left = 0;
  sock.on('data', (d) => {
    let i = 0;
    while (i < d.length) {
      if (left > 0) {
        const n = Math.min(left, d.length - i);
        left -= n; i += n;
        if (!left) done[done.length - 1].whole = true;
        continue;
      }
      const end = d.indexOf('\r\n\r\n', i, 'latin1');
      const upto = end < 0 ? d.length : end + 4;
      head += d.toString('latin1', i, upto);
      i = upto;
      const h = head.indexOf('\r\n\r\n');
      if (h < 0) continue;
      const status = Number(head.split(' ')[1]);
      left = Number((head.match(/content-length: (\d+)/i) || [0, 0])[1]);
      done.push({ status, length: left, whole: !left });
      head = '';
    }
  });
  sock.resume();
  const deadline = Date.now() + 60000;
  while (Date.now() < deadline && done.filter((x) => x.whole).length < N) await new Promise((r) => setTimeout(r, 100));
  sock.destroy();
  assert.equal(done.filter((x) => x.whole).length, N);
  assert.ok(done.every((x) => x.status === 200 && x.length > 7_000_000));
});
