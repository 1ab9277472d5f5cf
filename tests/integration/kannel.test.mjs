// The SMS channel's lower layer against a real gateway: Debian's Kannel
// (bearerbox, smsbox) with its fakesmsc as the carrier, all on
// 127.0.0.1 with their own kannel.conf in a temporary folder, and a small
// HTTP receiver standing for relais's get-url and dlr-url routes.
//
// The C layer (src/channels/sms/kannel.c, through build/kannel_tool)
// writes the get-url and the sendsms request and parses what Kannel
// really sends: a message from a phone with accents and an emoji, and
// the delivery reports of an answer. No relais server yet: that wiring
// comes with the channel.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFileSync } from 'node:child_process';
import http from 'node:http';
import net from 'node:net';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { BIN } from './lib.mjs';

const BEARERBOX = '/usr/sbin/bearerbox';
const SMSBOX = '/usr/sbin/smsbox';
// Debian ships fakesmsc in kannel-extras, with Kannel's other test tools.
const FAKESMSC = '/usr/lib/kannel/test/fakesmsc';
const TOOL = join(dirname(BIN), 'kannel_tool');
const SECRET = 'gw1-' + Math.random().toString(36).slice(2);
const PHONE = '+33612345678';
const SHORT = '36180';
const MO_TEXT = 'Bonjour, ça va ? Réponse à 9h 😀';

let dir, receiver, receiverPort;
const procs = [];
const mos = [], dlrs = [];
const waiters = [];

function tool(...args) {
  return execFileSync(TOOL, args, { encoding: 'utf8' }).trim();
}

function toolFails(...args) {
  try {
    execFileSync(TOOL, args, { encoding: 'utf8', stdio: 'pipe' });
  } catch (e) {
    return e.stderr.trim();
  }
  return null;
}

async function freePort() {
  const srv = net.createServer();
  await new Promise((r) => srv.listen(0, '127.0.0.1', r));
  const { port } = srv.address();
  await new Promise((r) => srv.close(r));
  return port;
}

// Resolves when cond() holds, checked at each event that may change it;
// fails with what is known after a generous deadline (no effect expected
// to take it: the deadline only turns a hang into a readable failure).
function until(what, cond) {
  if (cond()) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const w = {
      check: () => { if (cond()) { clearTimeout(w.timer); resolve(); return true; } return false; },
      timer: setTimeout(() => reject(new Error(`${what} did not happen\n${logs()}`)), 60000),
    };
    waiters.push(w);
  });
}

function wake() {
  for (let i = waiters.length - 1; i >= 0; i--) if (waiters[i].check()) waiters.splice(i, 1);
}

function logs() {
  return procs.map((p) => `--- ${p.name} (exit ${p.proc.exitCode})\n${p.out.slice(-3000)}`).join('\n');
}

function start(name, cmd, args) {
  const proc = spawn(cmd, args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  const p = { name, proc, out: '', exited: new Promise((r) => proc.on('exit', r)) };
  const add = (d) => { p.out += d; wake(); };
  proc.stdout.on('data', add);
  proc.stderr.on('data', add);
  proc.on('exit', wake);
  procs.push(p);
  return p;
}

// Stops by PID: SIGTERM, then SIGKILL if it is still there after 20 s.
async function stop(p) {
  if (p.proc.exitCode !== null || p.proc.signalCode !== null) return;
  p.proc.kill('SIGTERM');
  const t = setTimeout(() => p.proc.kill('SIGKILL'), 20000);
  await p.exited;
  clearTimeout(t);
}

async function answers(url) {
  try {
    const r = await fetch(url);
    await r.text();
    return true;
  } catch {
    return false;
  }
}

// Polls a port until it answers HTTP (the boxes print nothing we can wait on).
async function untilAnswers(what, url, p) {
  for (;;) {
    if (p.proc.exitCode !== null) throw new Error(`${what} exited\n${logs()}`);
    if (await answers(url)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
}

function conf(ports, getUrl) {
  return `group = core
admin-port = ${ports.admin}
admin-interface = 127.0.0.1
admin-password = adm
admin-allow-ip = 127.0.0.1
smsbox-port = ${ports.box}
smsbox-interface = 127.0.0.1
box-allow-ip = 127.0.0.1
dlr-storage = internal
log-file = "${dir}/bearerbox.log"
log-level = 0

group = smsc
smsc = fake
smsc-id = fake
port = ${ports.smsc}
our-host = 127.0.0.1
connect-allow-ip = 127.0.0.1

group = smsbox
bearerbox-host = 127.0.0.1
bearerbox-port = ${ports.box}
sendsms-port = ${ports.sendsms}
sendsms-interface = 127.0.0.1
mo-recode = true
log-file = "${dir}/smsbox.log"
log-level = 0

group = sms-service
keyword = default
catch-all = true
max-messages = 0
get-url = "${getUrl}"

group = sendsms-user
username = relais
password = pw-${SECRET}
max-messages = 10
concatenation = true
`;
}

// fakesmsc's url-encoded bytes ('+' for a space, %XX, the rest as is).
function urlBytes(s) {
  const out = [];
  for (let i = 0; i < s.length; i++) {
    if (s[i] === '+') out.push(0x20);
    else if (s[i] === '%') { out.push(parseInt(s.slice(i + 1, i + 3), 16)); i += 2; }
    else out.push(s.charCodeAt(i));
  }
  return Buffer.from(out);
}

function utf16be(data) {
  return urlBytes(data).swap16().toString('utf16le');
}

let ports;

before(async () => {
  for (const f of [BEARERBOX, SMSBOX, FAKESMSC])
    if (!existsSync(f)) throw new Error(`${f} is missing: run scripts/install-deps.sh (kannel, kannel-extras)`);
  dir = mkdtempSync(join(tmpdir(), 'relais-kannel-'));
  receiver = http.createServer((req, res) => {
    const u = new URL(req.url, 'http://x');
    const q = req.url.slice(req.url.indexOf('?') + 1);
    if (u.pathname === '/mo') mos.push(q);
    else if (u.pathname === '/dlr') dlrs.push(q);
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.end('');
    wake();
  });
  await new Promise((r) => receiver.listen(0, '127.0.0.1', r));
  receiverPort = receiver.address().port;
  ports = { admin: await freePort(), box: await freePort(), smsc: await freePort(), sendsms: await freePort() };
  const getUrl = tool('geturl', `http://127.0.0.1:${receiverPort}/mo`, SECRET);
  writeFileSync(join(dir, 'kannel.conf'), conf(ports, getUrl));
  const bb = start('bearerbox', BEARERBOX, [join(dir, 'kannel.conf')]);
  await untilAnswers('bearerbox', `http://127.0.0.1:${ports.admin}/status?password=adm`, bb);
  const sb = start('smsbox', SMSBOX, [join(dir, 'kannel.conf')]);
  await untilAnswers('smsbox', `http://127.0.0.1:${ports.sendsms}/cgi-bin/sendsms`, sb);
  // One message from the phone, in UCS-2 (the emoji needs it); fakesmsc
  // then stays connected as the carrier that receives our answers.
  const ucs2 = [...Buffer.from(MO_TEXT, 'utf16le').swap16()]
    .map((c) => '%' + c.toString(16).padStart(2, '0')).join('');
  start('fakesmsc', FAKESMSC, ['-H', '127.0.0.1', '-r', String(ports.smsc), '-m', '1',
    `${PHONE} ${SHORT} ucs2 ${ucs2}`]);
});

after(async () => {
  for (const p of [...procs].reverse()) await stop(p);
  if (receiver) receiver.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

test('a message from a phone reaches the get-url with its number, our number and its text', async () => {
  await until('the MO callback', () => mos.length >= 1);
  const mo = JSON.parse(tool('mo', SECRET, mos[0]));
  assert.equal(mo.from, PHONE);
  assert.equal(mo.to, SHORT);
  assert.equal(mo.text, MO_TEXT);
  assert.equal(mo.smsc, 'fake');
  assert.match(mo.id, /^[0-9a-f-]{36}$/);
  assert.ok(mo.ts > 1600000000, `ts ${mo.ts}`);
  // The same query without the gateway's secret, or with another's, is refused.
  assert.equal(toolFails('mo', 'another-secret', mos[0]), 'kannel_tool: missing or wrong secret');
  assert.equal(toolFails('mo', SECRET, mos[0].replace(/&secret=[^&]*/, '')), 'kannel_tool: missing or wrong secret');
});

async function send(text, id) {
  const url = tool('sendsms', `http://127.0.0.1:${ports.sendsms}/cgi-bin/sendsms`, 'relais', `pw-${SECRET}`,
    `http://127.0.0.1:${receiverPort}/dlr`, SECRET, SHORT, PHONE, text, id);
  const r = await fetch(url);
  assert.equal(r.status, 202, await r.clone().text());
  assert.match(await r.text(), /^0: Accepted for delivery/);
}

// What fakesmsc printed for each message it received: [from, to, type, data].
function carried() {
  const f = procs.find((p) => p.name === 'fakesmsc');
  return [...f.out.matchAll(/Got message \d+: <(\S+) (\S+) (\S+) ([^>]*)>/g)].map((m) => m.slice(1));
}

function reports(id) {
  return dlrs.map((q) => JSON.parse(tool('dlr', SECRET, q))).filter((d) => d.id === id);
}

test('an answer in UCS-2 reaches the carrier and its delivery reports come back', async () => {
  const text = 'Réponse : ça marche, à demain 😀';
  await send(text, 'msg-ucs2-1');
  await until('the carrier receiving the answer', () => carried().some((c) => c[2] === 'ucs-2'));
  const [from, to, , data] = carried().find((c) => c[2] === 'ucs-2');
  assert.equal(from, SHORT);
  assert.equal(to, PHONE);
  assert.equal(utf16be(data), text);
  // Kannel reports the SMSC's acceptance (8) and the delivery (1).
  await until('both reports', () => reports('msg-ucs2-1').length >= 2);
  const got = reports('msg-ucs2-1');
  assert.deepEqual(got.map((d) => d.status).sort(), ['delivered', 'sent']);
  assert.ok(got.every((d) => d.smsc === 'fake' && d.ts > 1600000000));
  assert.equal(toolFails('dlr', 'another-secret', dlrs[0]), 'kannel_tool: missing or wrong secret');
});

test('an answer that GSM-7 carries goes without coding=2 and is reported delivered', async () => {
  const text = 'Votre colis est arrivé à 9h';
  await send(text, 'msg-gsm7-1');
  await until('the carrier receiving the GSM-7 answer', () => carried().length >= 2);
  const c = carried().find((x) => x[2] !== 'ucs-2');
  assert.ok(c, JSON.stringify(carried()));
  assert.equal(c[0], SHORT);
  assert.equal(c[1], PHONE);
  // fakesmsc shows it as it is ("text") or url-encoded ("data").
  assert.equal(c[2] === 'data' ? urlBytes(c[3]).toString('utf8') : c[3], text);
  await until('the delivery report', () => reports('msg-gsm7-1').some((d) => d.status === 'delivered'));
});
