// The web folder at /: files with their types, ETag and 304, caching by
// kind, precompressed gzip, the application's routes answered by
// index.html, a Content-Security-Policy, and no way out of the folder
// (dot segments, encoded dots and separators, NUL, hidden files, symbolic
// links that lead out).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { mkdtempSync, mkdirSync, writeFileSync, symlinkSync, rmSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, request } from './lib.mjs';

let srv, dir;
const INDEX = '<!doctype html><title>app</title><p>the application</p>';

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'relais-web-'));
  writeFileSync(join(dir, 'index.html'), INDEX);
  writeFileSync(join(dir, 'app.js'), 'export const a = 1;\n');
  writeFileSync(join(dir, 'style.css'), 'body { color: black; }\n'.repeat(50));
  writeFileSync(join(dir, 'style.css.gz'), gzipSync('body { color: black; }\n'.repeat(50)));
  writeFileSync(join(dir, '.secret'), 'hidden');
  mkdirSync(join(dir, 'vendor'));
  writeFileSync(join(dir, 'vendor', 'lib.mjs'), 'export default 1;\n');
  symlinkSync('/etc/hostname', join(dir, 'out.txt'));
  symlinkSync(join(dir, 'app.js'), join(dir, 'in.js'));
  srv = await startServer({ fsync: false, demo: false, args: ['--web', dir] });
});
after(async () => { await srv.stop(); rmSync(dir, { recursive: true, force: true }); });

test('GET / is index.html with its type, ETag, no-cache and the security headers', async () => {
  const r = await request(srv.url, 'GET', '/');
  assert.equal(r.status, 200);
  assert.equal(r.body, INDEX);
  assert.equal(r.headers.get('content-type'), 'text/html; charset=utf-8');
  assert.equal(r.headers.get('cache-control'), 'no-cache');
  assert.equal(r.headers.get('x-content-type-options'), 'nosniff');
  const csp = r.headers.get('content-security-policy');
  assert.match(csp, /default-src 'self'/);
  assert.match(csp, /script-src 'self'/);
  assert.doesNotMatch(csp, /unsafe-inline/);
  assert.match(csp, /frame-ancestors 'none'/);
  assert.match(r.headers.get('etag'), /^"[0-9a-f]+-[0-9a-f]+"$/);
});

test('HEAD has the headers and no body', async () => {
  const g = await request(srv.url, 'GET', '/app.js');
  const h = await fetch(srv.url + '/app.js', { method: 'HEAD' });
  assert.equal(h.status, 200);
  assert.equal(h.headers.get('content-length'), String(Buffer.byteLength(g.body)));
  assert.equal(h.headers.get('etag'), g.headers.get('etag'));
  assert.equal(await h.text(), '');
});

test('If-None-Match with the ETag gets 304 without a body', async () => {
  const g = await request(srv.url, 'GET', '/app.js');
  assert.equal(g.headers.get('content-type'), 'text/javascript; charset=utf-8');
  const r = await fetch(srv.url + '/app.js', { headers: { 'if-none-match': g.headers.get('etag') } });
  assert.equal(r.status, 304);
  assert.equal(await r.text(), '');
  const stale = await fetch(srv.url + '/app.js', { headers: { 'if-none-match': '"0-0"' } });
  assert.equal(stale.status, 200);
});

test('vendor files are cached for a year, the others revalidated', async () => {
  const v = await request(srv.url, 'GET', '/vendor/lib.mjs');
  assert.equal(v.status, 200);
  assert.equal(v.headers.get('cache-control'), 'public, max-age=31536000, immutable');
  assert.equal((await request(srv.url, 'GET', '/app.js')).headers.get('cache-control'), 'no-cache');
});

test('FILE.gz is sent to a client that accepts gzip, FILE to the others', async () => {
  const raw = (enc) => new Promise((resolve) => {
    const s = net.connect(srv.port, '127.0.0.1');
    let d = Buffer.alloc(0);
    s.on('data', (x) => { d = Buffer.concat([d, x]); });
    s.on('close', () => resolve(d.toString('latin1')));
    s.write(`GET /style.css HTTP/1.1\r\nHost: 127.0.0.1\r\n${enc}Connection: close\r\n\r\n`);
  });
  const gz = await raw('Accept-Encoding: gzip, br\r\n');
  assert.match(gz, /\r\nContent-Encoding: gzip\r\n/i);
  assert.match(gz, /\r\nVary: Accept-Encoding\r\n/i);
  assert.match(gz, /\r\nContent-Length: (\d+)\r\n/);
  assert.ok(Number(gz.match(/Content-Length: (\d+)/)[1]) < 200);
  const plain = await raw('');
  assert.doesNotMatch(plain, /Content-Encoding/i);
  assert.match(plain, /Content-Length: 1150\r\n/);
});

test('a route of the application is index.html; a missing file is a JSON 404', async () => {
  const r = await request(srv.url, 'GET', '/agent/desk');
  assert.equal(r.status, 200);
  assert.equal(r.body, INDEX);
  const m = await request(srv.url, 'GET', '/missing.js');
  assert.equal(m.status, 404);
  assert.equal(m.body.error.code, 'not_found');
  const a = await request(srv.url, 'GET', '/api/v1/nothing');
  assert.equal(a.status, 404);
  assert.equal(a.body.error.code, 'not_found');
  assert.equal((await request(srv.url, 'POST', '/app.js', { body: {} })).status, 404);
});

test('nothing outside the folder, nothing hidden', async () => {
  const get = (path) => new Promise((resolve) => {
    const s = net.connect(srv.port, '127.0.0.1');
    let d = '';
    s.on('data', (x) => { d += x.toString('latin1'); });
    s.on('close', () => resolve(d));
    s.write(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`);
  });
  for (const p of ['/../../../../etc/passwd', '/%2e%2e/%2e%2e/etc/passwd', '/%2E%2E%2Fetc%2Fpasswd', '/vendor/..%2f..%2fetc/passwd',
    '/.secret', '/%2esecret', '/app.js%00.html', '/out.txt', '/vendor//lib.mjs', '/vendor\\lib.mjs', '/./app.js']) {
    const res = await get(p);
    const status = Number(res.split(' ')[1]);
    assert.ok(status === 404 || status === 400, `${p}: ${res.slice(0, 80)}`);
    assert.doesNotMatch(res, /root:|hidden/, p);
  }
  // a link that stays inside is a file like any other
  const r = await request(srv.url, 'GET', '/in.js');
  assert.equal(r.status, 200);
  assert.equal(r.body, 'export const a = 1;\n');
});

test('without --web, a checkout serves its web/ folder and the API description', async () => {
  const s = await startServer({ fsync: false, demo: false });
  try {
    const r = await request(s.url, 'GET', '/');
    assert.equal(r.status, 200);
    assert.match(r.body, /relais/);
    assert.match(r.body, /lang="fr"/);
    const o = await request(s.url, 'GET', '/openapi.yaml');
    assert.equal(o.status, 200);
    assert.match(o.body, /^# OpenAPI description of the relais HTTP API/);
  } finally {
    await s.stop();
  }
});
