// Shared harness of the integration suites: starts `relais serve` on a
// free port and a temporary data folder, logs in, sends requests, opens
// WebSocket streams. Every suite is run by CTest as
//   node --test tests/integration/NAME.test.mjs
// with RELAIS_BIN set to the relais binary under test.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import http from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';

export const BIN = process.env.RELAIS_BIN || new URL('../../build/relais', import.meta.url).pathname;

// Starts a server. opts: { demo, fsync, dataDir, args, env, wrap } (wrap:
// a command that execs relais, e.g. ['prlimit', '--nofile=128:128', '--']).
// Returns { url, port, dataDir, proc, stop(), kill9(), logs() }.
export async function startServer(opts = {}) {
  const dataDir = opts.dataDir || mkdtempSync(join(tmpdir(), 'relais-it-'));
  const args = ['serve', '--data', dataDir, '--http', '127.0.0.1:0'];
  if (opts.demo !== false) args.push('--demo');
  if (opts.fsync === false) args.push('--no-fsync');
  if (opts.args) args.push(...opts.args);
  const argv = opts.wrap ? [...opts.wrap.slice(1), BIN, ...args] : args;
  const proc = spawn(opts.wrap ? opts.wrap[0] : BIN, argv, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...opts.env } });
  let out = '', err = '';
  proc.stderr.on('data', (d) => { err += d; });
  const port = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('server did not start:\n' + err)), 15000);
    proc.stdout.on('data', (d) => {
      out += d;
      const m = out.match(/listening on http:\/\/127\.0\.0\.1:(\d+)\//);
      if (m) { clearTimeout(timer); resolve(Number(m[1])); }
    });
    proc.on('exit', (code) => { clearTimeout(timer); reject(new Error(`server exited ${code}:\n${err}`)); });
  });
  const exited = new Promise((resolve) => proc.on('exit', (code, sig) => resolve({ code, sig })));
  return {
    url: `http://127.0.0.1:${port}`,
    port, dataDir, proc, exited,
    logs: () => err,
    // Graceful stop (SIGTERM); resolves with the exit status.
    async stop({ keep = false } = {}) {
      proc.kill('SIGTERM');
      const st = await exited;
      if (!keep && !opts.dataDir) rmSync(dataDir, { recursive: true, force: true });
      return st;
    },
    async kill9() { proc.kill('SIGKILL'); return exited; },
  };
}

// One HTTP request. Returns { status, headers, body (parsed JSON or text) }.
export async function request(base, method, path, { token, body, raw, headers = {}, cookie, csrf } = {}) {
  const h = { ...headers };
  if (token) h.authorization = `Bearer ${token}`;
  if (cookie) h.cookie = cookie;
  if (csrf) h['x-csrf-token'] = csrf;
  let payload;
  if (raw !== undefined) payload = raw;
  else if (body !== undefined) payload = JSON.stringify(body);
  if (payload !== undefined && !h['content-type']) h['content-type'] = 'application/json';
  const res = await fetch(base + path, { method, headers: h, body: payload });
  const text = await res.text();
  let parsed = text;
  if ((res.headers.get('content-type') || '').includes('application/json') && text) parsed = JSON.parse(text);
  return { status: res.status, headers: res.headers, body: parsed };
}

// The same as request(), sent from localAddress (any 127.x.y.z: the
// loopback answers to all of them), for what depends on the client's
// address. headers.get(name) works as with fetch. agent: an http.Agent
// (e.g. a few keep-alive sockets for many requests); default one
// connection per request.
export function requestFrom(localAddress, base, method, path, { body, headers = {}, token, agent = false } = {}) {
  const h = { ...headers };
  if (token) h.authorization = `Bearer ${token}`;
  const payload = body === undefined ? undefined : JSON.stringify(body);
  if (payload !== undefined) h['content-type'] = 'application/json';
  return new Promise((resolve, reject) => {
    const req = http.request(base + path, { method, headers: h, localAddress, agent }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d) => { text += d; });
      res.on('end', () => {
        let parsed = text;
        if ((res.headers['content-type'] || '').includes('application/json') && text) parsed = JSON.parse(text);
        const hd = res.headers;
        resolve({ status: res.statusCode, headers: { get: (n) => { const v = hd[n.toLowerCase()]; return Array.isArray(v) ? v.join(', ') : v ?? null; } }, body: parsed });
      });
    });
    req.on('error', reject);
    req.end(payload);
  });
}

// Logs in; returns { token, csrf, user, cookie }.
export async function login(base, username, password = `${username}-demo`) {
  const r = await request(base, 'POST', '/api/v1/session', { body: { username, password } });
  if (r.status !== 201) throw new Error(`login ${username}: ${r.status} ${JSON.stringify(r.body)}`);
  const setCookie = r.headers.get('set-cookie') || '';
  return { ...r.body, cookie: setCookie.split(';')[0] };
}

// A client bound to a base URL and a token: api.get('/api/v1/queues').
// The body of an answer that must have this status (what: for the message).
export async function ok(p, status, what) {
  const r = await p;
  assert.equal(r.status, status, `${what}: ${JSON.stringify(r.body)}`);
  return r.body;
}

export function client(base, token) {
  const call = (method) => (path, body, extra = {}) => request(base, method, path, { token, body, ...extra });
  return { get: call('GET'), post: call('POST'), put: call('PUT'), patch: call('PATCH'), del: call('DELETE') };
}

// Opens /api/v1/stream; returns { ws, messages, next(pred, ms), close() }.
// param: the query parameter of the token (a web chat visitor's: 'visitor').
export async function openStream(base, token, { subscribe, after, param = 'token' } = {}) {
  const ws = new WebSocket(base.replace('http', 'ws') + `/api/v1/stream?${param}=` + encodeURIComponent(token));
  const messages = [];
  const waiters = [];
  ws.on('message', (data) => {
    const m = JSON.parse(String(data));
    messages.push(m);
    for (const w of [...waiters]) if (w.pred(m)) { waiters.splice(waiters.indexOf(w), 1); clearTimeout(w.timer); w.resolve(m); }
  });
  await new Promise((resolve, reject) => { ws.once('open', resolve); ws.once('error', reject); });
  const next = (pred, ms = 5000) => {
    const found = messages.find(pred);
    if (found) return Promise.resolve(found);
    return new Promise((resolve, reject) => {
      const w = { pred, resolve };
      waiters.push(w);
      w.timer = setTimeout(() => { const i = waiters.indexOf(w); if (i >= 0) { waiters.splice(i, 1); reject(new Error('no matching stream message in ' + ms + ' ms')); } }, ms);
    });
  };
  if (subscribe) {
    ws.send(JSON.stringify(after === undefined ? { subscribe } : { subscribe, after }));
    await next((m) => m.type === 'subscribed' || m.type === 'error');
  }
  return { ws, messages, next, close: () => new Promise((r) => { ws.once('close', r); ws.close(); }) };
}

// Polls fn until it returns a truthy value (effects, never a fixed sleep);
// a failure says what, and context() when given (the peers' logs).
export async function until(fn, what, ms = 10000, context = null) {
  const t0 = Date.now();
  while (Date.now() - t0 < ms) {
    const v = await fn();
    if (v) return v;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`${what}: not reached in ${ms} ms${context ? `\n${context()}` : ''}`);
}

// A queue of each demo client (S.am: AssurMax, S.tp: Télécom Plus) that
// nobody serves (its filter names a skill no agent has): contacts wait
// there. Sets S.am, S.tp (tenants) and S.q_am, S.q_tp (queues).
export async function holdingQueues(api, ids, S, prefix, channel) {
  const skill = `${prefix.toLowerCase()}.none`;
  await ok(api.post('/api/v1/skills', { name: skill }), 201, 'skill');
  for (const [k, name] of [['am', 'AssurMax'], ['tp', 'Télécom Plus']]) {
    S[k] = ids.tenants.find((t) => t.name === name).id;
    S[`q_${k}`] = (await ok(api.post('/api/v1/queues', {
      tenant: S[k], name: `${prefix} ${k}`, channel, steps: [{ after_s: 0, filter: `${skill} >= 1` }],
    }), 201, 'queue')).id;
  }
}

// The demo centre's ids by name: tenants, sites, queues, agents, users.
export async function demoIds(base, adminToken) {
  const api = client(base, adminToken);
  const ids = {};
  for (const kind of ['tenants', 'sites', 'queues', 'agents', 'users', 'skills', 'calendars', 'dispositions']) {
    const r = await api.get(`/api/v1/${kind}?limit=500`);
    ids[kind] = r.body.items;
  }
  return ids;
}
