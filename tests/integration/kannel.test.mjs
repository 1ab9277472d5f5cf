// The SMS channel's lower layer against a real gateway: Debian's Kannel
// (bearerbox, smsbox) with its fakesmsc as the carrier, all on
// 127.0.0.1 with their own kannel.conf in a temporary folder
// (kannel-lib.mjs), and a small HTTP receiver standing for relais's
// get-url and dlr-url routes.
//
// The C layer (src/channels/sms/kannel.c, through build/kannel_tool)
// writes the get-url and the sendsms request and parses what Kannel
// really sends: a message from a phone with accents and an emoji, and
// the delivery reports of an answer. The channel wired into relais is
// sms.test.mjs's.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import http from 'node:http';
import { dirname, join } from 'node:path';
import { BIN } from './lib.mjs';
import { startKannel } from './kannel-lib.mjs';

const TOOL = join(dirname(BIN), 'kannel_tool');
const SECRET = 'gw1-' + Math.random().toString(36).slice(2);
const PHONE = '+33612345678';
const SHORT = '36180';
const MO_TEXT = 'Bonjour, ça va ? Réponse à 9h 😀';

let receiver, receiverPort, kannel;
const mos = [], dlrs = [];

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

// Resolves when cond() holds, polled; fails with Kannel's logs after a
// generous deadline (no effect expected to take it: the deadline only
// turns a hang into a readable failure).
async function until(what, cond) {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > 60000) throw new Error(`${what} did not happen\n${kannel.logs()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

before(async () => {
  receiver = http.createServer((req, res) => {
    const u = new URL(req.url, 'http://x');
    const q = req.url.slice(req.url.indexOf('?') + 1);
    if (u.pathname === '/mo') mos.push(q);
    else if (u.pathname === '/dlr') dlrs.push(q);
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.end('');
  });
  await new Promise((r) => receiver.listen(0, '127.0.0.1', r));
  receiverPort = receiver.address().port;
  kannel = await startKannel({ getUrl: tool('geturl', `http://127.0.0.1:${receiverPort}/mo`, SECRET) });
  // One message from the phone, in UCS-2 (the emoji needs it); fakesmsc
  // then stays connected as the carrier that receives our answers.
  await kannel.phone(PHONE, SHORT, MO_TEXT);
});

after(async () => {
  if (kannel) await kannel.stop();
  if (receiver) receiver.close();
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
  const url = tool('sendsms', kannel.sendsmsUrl, kannel.username, kannel.password,
    `http://127.0.0.1:${receiverPort}/dlr`, SECRET, SHORT, PHONE, text, id);
  const r = await fetch(url);
  assert.equal(r.status, 202, await r.clone().text());
  assert.match(await r.text(), /^0: Accepted for delivery/);
}

// What the carrier received: [{from, to, type, text}].
const carried = () => kannel.carried();

function reports(id) {
  return dlrs.map((q) => JSON.parse(tool('dlr', SECRET, q))).filter((d) => d.id === id);
}

test('an answer in UCS-2 reaches the carrier and its delivery reports come back', async () => {
  const text = 'Réponse : ça marche, à demain 😀';
  await send(text, 'msg-ucs2-1');
  await until('the carrier receiving the answer', () => carried().some((c) => c.type === 'ucs-2'));
  const c = carried().find((x) => x.type === 'ucs-2');
  assert.equal(c.from, SHORT);
  assert.equal(c.to, PHONE);
  assert.equal(c.text, text);
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
  const c = carried().find((x) => x.type !== 'ucs-2');
  assert.ok(c, JSON.stringify(carried()));
  assert.equal(c.from, SHORT);
  assert.equal(c.to, PHONE);
  // fakesmsc shows it as it is ("text") or url-encoded ("data"): decoded
  assert.equal(c.text, text);
  await until('the delivery report', () => reports('msg-gsm7-1').some((d) => d.status === 'delivered'));
});
