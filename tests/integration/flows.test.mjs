// IVR flows as configuration: the demo's voice numbers and flows; create,
// read, update and delete a flow; every
// class of validation error refused with 400 naming the node, in English
// and in French, with nothing changed; tenant isolation (a supervisor of
// one client sees none of the other's flows, a flow cannot name another
// client's queue); a queue, a calendar or a flow still named cannot be
// deleted (409); numbers that gain voice (a flow) beside SMS; prompts
// rendered by espeak-ng and sox at save (8 kHz mono WAV, parsed here), an
// uploaded recording (audited) that replaces a text, survives a restart and
// goes back to the text when deleted, and a bad upload refused; without
// espeak-ng a flow still saves, and a failed rendering is not retried.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { startServer, login, client, request, demoIds, ok, until } from './lib.mjs';

let srv, base, admin, token;
const S = {};

// A WAV file of 16-bit PCM: a sine of freq Hz, seconds long.
function wav({ rate = 16000, channels = 2, seconds = 0.5, freq = 440 } = {}) {
  const frames = Math.round(rate * seconds);
  const data = Buffer.alloc(frames * channels * 2);
  for (let i = 0; i < frames; i++) {
    const v = Math.round(Math.sin((2 * Math.PI * freq * i) / rate) * 12000);
    for (let c = 0; c < channels; c++) data.writeInt16LE(v, (i * channels + c) * 2);
  }
  const h = Buffer.alloc(44);
  h.write('RIFF', 0); h.writeUInt32LE(36 + data.length, 4); h.write('WAVE', 8);
  h.write('fmt ', 12); h.writeUInt32LE(16, 16); h.writeUInt16LE(1, 20);
  h.writeUInt16LE(channels, 22); h.writeUInt32LE(rate, 24);
  h.writeUInt32LE(rate * channels * 2, 28); h.writeUInt16LE(channels * 2, 32);
  h.writeUInt16LE(16, 34); h.write('data', 36); h.writeUInt32LE(data.length, 40);
  return Buffer.concat([h, data]);
}

// The format of a WAV file, from its chunks: { rate, channels, bits, frames }.
function wavInfo(buf) {
  assert.equal(buf.toString('latin1', 0, 4), 'RIFF', 'a RIFF file');
  assert.equal(buf.toString('latin1', 8, 12), 'WAVE', 'a WAVE file');
  const info = {};
  for (let o = 12; o + 8 <= buf.length;) {
    const id = buf.toString('latin1', o, o + 4);
    const size = buf.readUInt32LE(o + 4);
    if (id === 'fmt ') {
      info.channels = buf.readUInt16LE(o + 10);
      info.rate = buf.readUInt32LE(o + 12);
      info.bits = buf.readUInt16LE(o + 22);
    }
    if (id === 'data') info.frames = Math.min(size, buf.length - o - 8) / ((info.bits / 8) * info.channels);
    o += 8 + size + (size & 1);
  }
  return info;
}

// GET a prompt as bytes.
async function prompt(flow, node, lang, tok = token) {
  const res = await fetch(`${base}/api/v1/flows/${flow}/prompts/${node}/${lang}`, { headers: { authorization: `Bearer ${tok}` } });
  return { status: res.status, type: res.headers.get('content-type'), body: Buffer.from(await res.arrayBuffer()) };
}

function put(flow, node, lang, bytes) {
  return request(base, 'PUT', `/api/v1/flows/${flow}/prompts/${node}/${lang}`, { token, raw: bytes, headers: { 'content-type': 'audio/wav' } });
}

// A flow of tenant t whose nodes say hello and queue into q.
function flowBody(t, q, extra = {}) {
  return {
    tenant: t, name: 'Main line', start: 'welcome',
    nodes: {
      welcome: { type: 'prompt', say: { fr: 'Bienvenue chez AssurMax.', en: 'Welcome to AssurMax.' }, next: 'hours' },
      hours: { type: 'calendar', calendar: S.cal, open: 'menu', closed: 'bye' },
      menu: { type: 'menu', say: { fr: 'Tapez 1 pour un conseiller.' }, options: { 1: 'vip', 2: 'q' }, timeout_s: 5, retries: 2, fail: 'q' },
      vip: { type: 'set', priority: 5, attributes: { segment: 'vip' }, next: 'q' },
      q: { type: 'queue', queue: q },
      bye: { type: 'hangup', say: { fr: 'Nous sommes fermés.' } },
    },
    ...extra,
  };
}

before(async () => {
  srv = await startServer({ fsync: false });
  base = srv.url;
  token = (await login(base, 'admin')).token;
  admin = client(base, token);
  const ids = await demoIds(base, token);
  S.am = ids.tenants.find((t) => t.name === 'AssurMax').id;
  S.tp = ids.tenants.find((t) => t.name === 'Télécom Plus').id;
  S.paris = ids.sites.find((s) => s.name === 'Paris').id;
  S.amVoice = ids.queues.find((q) => q.tenant === S.am && q.channel === 'voice').id;
  S.amChat = ids.queues.find((q) => q.tenant === S.am && q.channel === 'chat').id;
  S.tpVoice = ids.queues.find((q) => q.tenant === S.tp && q.channel === 'voice').id;
  S.cal = (await ok(admin.post('/api/v1/calendars', { name: 'IVR hours', timezone: 'Europe/Paris', weekly: [{ day: 'mon', from: '09:00', to: '17:00' }] }), 201, 'calendar')).id;
  for (const [name, t] of [['sup-am', S.am], ['sup-tp', S.tp]]) {
    await ok(admin.post('/api/v1/users', { username: name, password: `${name}-password`, role: 'supervisor', tenants: [t], sites: [S.paris] }), 201, name);
    S[name] = client(base, (await login(base, name, `${name}-password`)).token);
    S[`${name}-token`] = (await login(base, name, `${name}-password`)).token;
  }
});

after(async () => {
  if (srv) assert.equal((await srv.stop()).code, 0);
  if (S.dataDir) rmSync(S.dataDir, { recursive: true, force: true });
});

test('the demo centre has a voice number per client, each on a flow of its tenant', async () => {
  const numbers = (await ok(admin.get('/api/v1/numbers?limit=500'), 200, 'numbers')).items;
  for (const [number, tenant, queue, start] of [['+33180000001', S.am, S.amVoice, 'welcome'], ['+33180000002', S.tp, S.tpVoice, 'menu']]) {
    const n = numbers.find((x) => x.number === number);
    assert.ok(n && n.flow, number);
    assert.equal(n.tenant, tenant);
    const f = await ok(admin.get(`/api/v1/flows/${n.flow}`), 200, 'its flow');
    assert.equal(f.tenant, tenant);
    assert.equal(f.start, start);
    assert.ok(Object.values(f.nodes).some((nd) => nd.type === 'queue' && nd.queue === queue), 'ends in the voice queue');
    assert.equal((await prompt(f.id, start, 'fr')).status, 200);
  }
});

test('a flow is created, read, listed, updated and deleted', async () => {
  const f = await ok(admin.post('/api/v1/flows', flowBody(S.am, S.amVoice)), 201, 'create');
  assert.equal(f.name, 'Main line');
  assert.deepEqual(f.recordings, {});
  const got = await ok(admin.get(`/api/v1/flows/${f.id}`), 200, 'get');
  assert.deepEqual(got.nodes, flowBody(S.am, S.amVoice).nodes);
  const list = await ok(admin.get('/api/v1/flows'), 200, 'list');
  assert.ok(list.items.some((x) => x.id === f.id));
  const nodes = { ...got.nodes, welcome: { ...got.nodes.welcome, say: { en: 'Hello.' } } };
  const up = await ok(admin.patch(`/api/v1/flows/${f.id}`, { name: 'Renamed', nodes }), 200, 'update');
  assert.equal(up.name, 'Renamed');
  assert.deepEqual(up.nodes.welcome.say, { en: 'Hello.' });
  await ok(admin.del(`/api/v1/flows/${f.id}`), 204, 'delete');
  await ok(admin.get(`/api/v1/flows/${f.id}`), 404, 'gone');
});

// Each class of error: [what, nodes patch, English, French].
const BAD = [
  ['unknown type', { bye: { type: 'dance' } }, 'nodes.bye: type: unknown type "dance"', 'nodes.bye : type : type inconnu "dance"'],
  ['unknown field', { bye: { type: 'hangup', next: 'q' } }, 'nodes.bye: unknown field next', 'nodes.bye : champ inconnu next'],
  ['missing next', { welcome: { type: 'prompt', say: { en: 'Hi' } } }, 'nodes.welcome: next: required', 'nodes.welcome : next : obligatoire'],
  ['unknown option target', { menu: { type: 'menu', say: { fr: 'Menu' }, options: { 1: 'vip', 3: 'x' } } },
    'nodes.menu: options.3: no such node "x"', 'nodes.menu : options.3 : aucun nœud "x"'],
  ['unreachable node', { lost: { type: 'hangup' } }, 'nodes.lost: unreachable from start', 'nodes.lost : inaccessible depuis start'],
  ['loop without a menu', { vip: { type: 'set', next: 'again' }, again: { type: 'prompt', say: { en: 'Again' }, next: 'vip' } },
    'nodes.vip: a loop without a menu or a language choice on it', 'nodes.vip : une boucle sans menu ni choix de langue'],
  ['no end', { menu: { type: 'language', say: { fr: 'Langue' }, options: { 1: 'fr' }, next: 'loop' }, loop: { type: 'prompt', say: { fr: 'Encore' }, next: 'menu' }, vip: undefined, q: undefined },
    'nodes.menu: no path from it reaches an end', 'nodes.menu : aucun chemin ne mène de ce nœud à une fin'],
  ['bad id', { 'Bad Id': { type: 'hangup' } }, "nodes.Bad Id: an id is 1 to 32 of a-z, 0-9, '_' and '-'", 'nodes.Bad Id : un identifiant a 1 à 32 caractères'],
  ['text too long', { bye: { type: 'hangup', say: { fr: 'é'.repeat(501) } } }, 'nodes.bye: say.fr: a text of 1 to 500 characters', 'nodes.bye : say.fr : un texte de 1 à 500 caractères'],
  ['not a language', { bye: { type: 'hangup', say: { de: 'Tschüss' } } }, 'nodes.bye: say.de: not a language of relais', 'nodes.bye : say.de : pas une langue de relais'],
  ['bad priority', { vip: { type: 'set', priority: 500, next: 'q' } }, 'nodes.vip: priority: expected an integer from -100 to 100', 'nodes.vip : priority : il faut un entier de -100 à 100'],
  ['bad number', { bye: { type: 'transfer', number: '0123' } }, 'nodes.bye: number: an E.164 number', 'nodes.bye : number : un numéro E.164'],
  ['missing calendar', { hours: { type: 'calendar', calendar: 'no-such-cal', open: 'menu', closed: 'bye' } },
    'nodes.hours: calendar: no calendar no-such-cal', 'nodes.hours : calendar : aucun calendrier no-such-cal'],
  ['another tenant\'s queue', { q: { type: 'queue', queue: '@tpVoice' } }, 'nodes.q: queue: no voice queue', 'nodes.q : queue : aucune file vocale'],
  ['a queue of another channel', { q: { type: 'queue', queue: '@amChat' } }, 'nodes.q: queue: no voice queue', 'nodes.q : queue : aucune file vocale'],
];

function patched(body, patch) {
  const nodes = { ...body.nodes };
  for (const [k, v] of Object.entries(patch)) {
    if (v === undefined) delete nodes[k];
    else nodes[k] = JSON.parse(JSON.stringify(v).replace(/"@(\w+)"/g, (_, n) => JSON.stringify(S[n])));
  }
  return { ...body, nodes };
}

test('each class of validation error is refused naming the node, in English and French, and changes nothing', async () => {
  const good = flowBody(S.am, S.amVoice);
  const f = await ok(admin.post('/api/v1/flows', good), 201, 'create');
  const before = await ok(admin.get('/api/v1/flows?limit=500'), 200, 'list');
  for (const [what, patch, en, fr] of BAD) {
    const body = patched(good, patch);
    const r = await admin.post('/api/v1/flows', body);
    assert.equal(r.status, 400, `${what}: ${JSON.stringify(r.body)}`);
    assert.ok(r.body.error.message.includes(en), `${what}: "${r.body.error.message}" should say "${en}"`);
    const rf = await request(base, 'PATCH', `/api/v1/flows/${f.id}`, { token, body: { nodes: body.nodes }, headers: { 'accept-language': 'fr' } });
    assert.equal(rf.status, 400, `${what} (fr): ${JSON.stringify(rf.body)}`);
    assert.ok(rf.body.error.message.includes(fr), `${what}: "${rf.body.error.message}" should say "${fr}"`);
  }
  const r = await admin.post('/api/v1/flows', { ...good, start: 'nowhere' });
  assert.equal(r.status, 400);
  assert.match(r.body.error.message, /start: no such node "nowhere"/);
  const after = await ok(admin.get('/api/v1/flows?limit=500'), 200, 'list');
  assert.equal(after.total, before.total, 'no flow was created');
  assert.deepEqual((await ok(admin.get(`/api/v1/flows/${f.id}`), 200, 'get')).nodes, good.nodes, 'the flow is unchanged');
  await ok(admin.del(`/api/v1/flows/${f.id}`), 204, 'delete');
});

test('a supervisor sees the flows of its tenants only, and may not write them', async () => {
  const fa = await ok(admin.post('/api/v1/flows', flowBody(S.am, S.amVoice)), 201, 'AM flow');
  const ft = await ok(admin.post('/api/v1/flows', flowBody(S.tp, S.tpVoice, { name: 'TP line' })), 201, 'TP flow');
  const listTP = await ok(S['sup-tp'].get('/api/v1/flows'), 200, 'TP list');
  assert.ok(listTP.items.every((x) => x.tenant === S.tp), 'only Télécom Plus flows');
  assert.ok(listTP.items.some((x) => x.id === ft.id));
  await ok(S['sup-tp'].get(`/api/v1/flows/${fa.id}`), 404, 'AM flow hidden from TP');
  assert.equal((await prompt(fa.id, 'welcome', 'fr', S['sup-tp-token'])).status, 404, 'AM prompt hidden from TP');
  await ok(S['sup-am'].get(`/api/v1/flows/${fa.id}`), 200, 'AM flow seen by AM');
  await ok(S['sup-am'].post('/api/v1/flows', flowBody(S.am, S.amVoice)), 403, 'a supervisor does not write');
  await ok(S['sup-am'].patch(`/api/v1/flows/${fa.id}`, { name: 'x' }), 403, 'a supervisor does not write');
  await ok(S['sup-am'].del(`/api/v1/flows/${fa.id}`), 403, 'a supervisor does not delete');
  const r = await request(base, 'PUT', `/api/v1/flows/${fa.id}/prompts/welcome/fr`, { token: S['sup-am-token'], raw: wav(), headers: { 'content-type': 'audio/wav' } });
  assert.equal(r.status, 403, 'a supervisor does not upload');
  await ok(admin.del(`/api/v1/flows/${fa.id}`), 204, 'delete');
  await ok(admin.del(`/api/v1/flows/${ft.id}`), 204, 'delete');
});

test('a queue, a calendar or a flow still named cannot be deleted', async () => {
  const q = (await ok(admin.post('/api/v1/queues', { tenant: S.am, name: 'IVR voice', channel: 'voice' }), 201, 'queue')).id;
  const cal = (await ok(admin.post('/api/v1/calendars', { name: 'IVR cal 2', timezone: 'Europe/Paris' }), 201, 'calendar')).id;
  const body = flowBody(S.am, q);
  body.nodes.hours.calendar = cal;
  const f = await ok(admin.post('/api/v1/flows', body), 201, 'flow');
  let r = await admin.del(`/api/v1/queues/${q}`);
  assert.equal(r.status, 409);
  assert.match(r.body.error.message, /flows/);
  r = await admin.del(`/api/v1/calendars/${cal}`);
  assert.equal(r.status, 409);
  assert.match(r.body.error.message, /flows/);
  const n = await ok(admin.post('/api/v1/numbers', { tenant: S.am, number: '+33180000091', flow: f.id }), 201, 'a voice number');
  assert.equal(n.flow, f.id);
  r = await admin.del(`/api/v1/flows/${f.id}`);
  assert.equal(r.status, 409);
  assert.match(r.body.error.message, /numbers/);
  // nor moved to another tenant, away from its number
  r = await admin.patch(`/api/v1/flows/${f.id}`, { tenant: S.tp, nodes: flowBody(S.tp, S.tpVoice).nodes });
  assert.equal(r.status, 409, JSON.stringify(r.body));
  assert.match(r.body.error.message, /numbers of the flow's tenant name it/);
  assert.equal((await ok(admin.get(`/api/v1/flows/${f.id}`), 200, 'get')).tenant, S.am);
  await ok(admin.del(`/api/v1/numbers/${n.id}`), 204, 'number');
  await ok(admin.del(`/api/v1/flows/${f.id}`), 204, 'flow');
  await ok(admin.del(`/api/v1/queues/${q}`), 204, 'queue, free again');
  await ok(admin.del(`/api/v1/calendars/${cal}`), 204, 'calendar, free again');
});

test('numbers carry SMS, voice or both, of their own tenant', async () => {
  const f = await ok(admin.post('/api/v1/flows', flowBody(S.am, S.amVoice)), 201, 'flow');
  const gw = (await ok(admin.post('/api/v1/gateways', { name: 'IVR gw', sendsms_url: 'http://127.0.0.1:9/x', username: 'u', password: 'p', secret: 'ivr-secret-0123456789' }), 201, 'gateway')).id;
  const smsQ = (await ok(admin.post('/api/v1/queues', { tenant: S.am, name: 'IVR sms', channel: 'sms' }), 201, 'sms queue')).id;
  const refused = async (body, en, fr) => {
    const r = await admin.post('/api/v1/numbers', { tenant: S.am, number: '+33180000092', ...body });
    assert.equal(r.status, 400, JSON.stringify(r.body));
    assert.ok(r.body.error.message.includes(en), r.body.error.message);
    const rf = await request(base, 'POST', '/api/v1/numbers', { token, body: { tenant: S.am, number: '+33180000092', ...body }, headers: { 'accept-language': 'fr' } });
    assert.equal(rf.status, 400);
    assert.ok(rf.body.error.message.includes(fr), rf.body.error.message);
  };
  await refused({}, 'a number needs a gateway and a queue (SMS), a flow (voice), or both', 'un numéro a besoin');
  await refused({ gateway: gw }, 'a number for SMS needs both a gateway and a queue', 'a besoin des deux');
  const tpFlow = await ok(admin.post('/api/v1/flows', flowBody(S.tp, S.tpVoice)), 201, 'TP flow');
  await refused({ flow: tpFlow.id }, `flow: no flow ${tpFlow.id} of the tenant`, `flow : aucun parcours ${tpFlow.id}`);
  const both = await ok(admin.post('/api/v1/numbers', { tenant: S.am, number: '+33180000093', gateway: gw, queue: smsQ, flow: f.id }), 201, 'both');
  const sms = await ok(admin.post('/api/v1/numbers', { tenant: S.am, number: '+33180000094', gateway: gw, queue: smsQ }), 201, 'SMS only');
  // voice taken away from the SMS and voice number: SMS stays
  await ok(admin.patch(`/api/v1/numbers/${both.id}`, { flow: null }), 200, 'voice off');
  // SMS taken away from a number without a flow: refused, unchanged
  const r = await admin.patch(`/api/v1/numbers/${sms.id}`, { gateway: null, queue: null });
  assert.equal(r.status, 400);
  assert.equal((await ok(admin.get(`/api/v1/numbers/${sms.id}`), 200, 'get')).gateway, gw);
  // Kannel's SMS to a voice-only number: not one of the gateway's (404)
  const voiceOnly = await ok(admin.post('/api/v1/numbers', { tenant: S.am, number: '+33180000095', flow: f.id }), 201, 'voice only');
  const q = new URLSearchParams({ from: '+33611111111', to: '+33180000095', text: 'hello', charset: 'UTF-8', coding: '0', smsc: 'fake',
    ts: String(Math.floor(Date.now() / 1000)), id: 'ivr-1', secret: 'ivr-secret-0123456789' });
  const inbound = await request(base, 'GET', `/api/v1/sms/gateways/${gw}/inbound?${q}`);
  assert.equal(inbound.status, 404, JSON.stringify(inbound.body));
  for (const id of [both.id, sms.id, voiceOnly.id]) await ok(admin.del(`/api/v1/numbers/${id}`), 204, 'number');
  await ok(admin.del(`/api/v1/flows/${tpFlow.id}`), 204, 'flow');
  await ok(admin.del(`/api/v1/flows/${f.id}`), 204, 'flow');
});

test('prompts are rendered at save, an upload replaces a text until deleted, a bad upload is refused', async () => {
  const f = await ok(admin.post('/api/v1/flows', flowBody(S.am, S.amVoice)), 201, 'flow');
  // every text of the flow, named by the SHA-256 of language, voice and text
  const texts = [];
  for (const nd of Object.values(flowBody(S.am, S.amVoice).nodes)) {
    for (const [lang, text] of Object.entries(nd.say || {})) texts.push(`${lang}\n${lang}\n${text}`);
  }
  assert.equal(texts.length, 4, 'welcome fr and en, menu fr, bye fr');
  const files = texts.map((x) => join(srv.dataDir, 'prompts', `${createHash('sha256').update(x).digest('hex')}.wav`));
  await until(() => files.every((f) => existsSync(f)), 'the texts rendered at save', 20000);
  const rendered = await prompt(f.id, 'welcome', 'en');
  assert.equal(rendered.status, 200);
  assert.equal(rendered.type, 'audio/wav');
  const info = wavInfo(rendered.body);
  assert.equal(info.rate, 8000);
  assert.equal(info.channels, 1);
  assert.equal(info.bits, 16);
  assert.ok(info.frames > 4000, 'a second or so of speech');
  // a node without text in a language, an unknown node or language
  assert.equal((await prompt(f.id, 'welcome', 'de')).status, 404);
  assert.equal((await prompt(f.id, 'menu', 'en')).status, 404);
  assert.equal((await prompt(f.id, 'nope', 'fr')).status, 404);
  assert.equal((await prompt(f.id, 'q', 'fr')).status, 404, 'a queue node says nothing');

  // an upload: 0.5 s of 16 kHz stereo, heard as 0.5 s of 8 kHz mono
  const up = await put(f.id, 'welcome', 'en', wav({ seconds: 0.5 }));
  assert.equal(up.status, 200, JSON.stringify(up.body));
  const heard = wavInfo((await prompt(f.id, 'welcome', 'en')).body);
  assert.deepEqual([heard.rate, heard.channels, heard.frames], [8000, 1, 4000]);
  assert.deepEqual((await ok(admin.get(`/api/v1/flows/${f.id}`), 200, 'get')).recordings, { welcome: ['en'] });
  // audited as an update of the flow, by its admin, in its tenant
  const trail = (await ok(admin.get('/api/v1/audit?type=config&limit=500'), 200, 'audit')).events;
  const e = trail.find((x) => x.kind === 'flows' && x.id === f.id && x.action === 'update');
  assert.ok(e, JSON.stringify(trail.slice(0, 3)));
  assert.equal(e.username, 'admin');
  assert.equal(e.tenant, S.am);
  // an upload for a language the node has no text in
  await ok(put(f.id, 'menu', 'en', wav({ seconds: 0.25 })), 200, 'upload menu en');
  assert.equal(wavInfo((await prompt(f.id, 'menu', 'en')).body).frames, 2000);

  // bad uploads: not a WAV, empty, a node that says nothing; nothing changes
  let r = await put(f.id, 'welcome', 'en', Buffer.from('this is not a wav file at all'));
  assert.equal(r.status, 400);
  assert.match(r.body.error.message, /not a WAV file that sox can read/);
  r = await request(base, 'PUT', `/api/v1/flows/${f.id}/prompts/welcome/en`, { token, raw: Buffer.from('RIFF'), headers: { 'content-type': 'audio/wav', 'accept-language': 'fr' } });
  assert.equal(r.status, 400);
  assert.match(r.body.error.message, /sox/);
  assert.equal((await put(f.id, 'welcome', 'en', Buffer.alloc(0))).status, 400);
  assert.equal((await put(f.id, 'q', 'en', wav())).status, 404);
  assert.equal(wavInfo((await prompt(f.id, 'welcome', 'en')).body).frames, 4000, 'the upload stays');

  // an update of the flow keeps the upload
  await ok(admin.patch(`/api/v1/flows/${f.id}`, { name: 'Renamed' }), 200, 'update');
  assert.deepEqual((await ok(admin.get(`/api/v1/flows/${f.id}`), 200, 'get')).recordings, { welcome: ['en'], menu: ['en'] });

  // deleted: back to the text
  await ok(admin.del(`/api/v1/flows/${f.id}/prompts/welcome/en`), 204, 'delete the upload');
  assert.deepEqual(wavInfo((await prompt(f.id, 'welcome', 'en')).body), info);
  assert.equal((await admin.del(`/api/v1/flows/${f.id}/prompts/welcome/en`)).status, 404, 'no upload left');
  S.kept = f.id;
});

test('uploads and flows survive a restart', async () => {
  await srv.stop({ keep: true });
  const dataDir = srv.dataDir;
  S.dataDir = dataDir; // the second server's folder is ours to remove
  srv = await startServer({ fsync: false, dataDir });
  base = srv.url;
  token = (await login(base, 'admin')).token;
  admin = client(base, token);
  const f = await ok(admin.get(`/api/v1/flows/${S.kept}`), 200, 'the flow');
  assert.deepEqual(f.recordings, { menu: ['en'] });
  assert.equal(wavInfo((await prompt(S.kept, 'menu', 'en')).body).frames, 2000);
  assert.equal(wavInfo((await prompt(S.kept, 'welcome', 'fr')).body).rate, 8000);
});

test('without espeak-ng a flow is still saved; its prompts answer 500 and are not retried', async () => {
  const bare = await startServer({ fsync: false, env: { PATH: '/nonexistent' } });
  try {
    const tok = (await login(bare.url, 'admin')).token;
    const api = client(bare.url, tok);
    const ids = await demoIds(bare.url, tok);
    const am = ids.tenants.find((t) => t.name === 'AssurMax').id;
    const q = ids.queues.find((x) => x.tenant === am && x.channel === 'voice').id;
    const body = flowBody(am, q);
    delete body.nodes.hours;
    body.nodes.welcome.next = 'menu';
    delete body.nodes.bye;
    const failures = () => bare.logs().split('\n').filter((l) => l.includes('msg="cannot render"')).length;
    // the demo's four texts failed at start-up, once each
    await until(() => failures() === 4, 'the demo\'s four failures logged');
    const f = await ok(api.post('/api/v1/flows', body), 201, 'saved all the same');
    // then its three texts (welcome fr and en, menu fr)
    await until(() => failures() === 7, 'the flow\'s three failures logged');
    for (let i = 0; i < 2; i++) {
      const res = await fetch(`${bare.url}/api/v1/flows/${f.id}/prompts/welcome/fr`, { headers: { authorization: `Bearer ${tok}` } });
      assert.equal(res.status, 500);
      assert.match((await res.json()).error.message, /cannot be rendered/);
    }
    assert.equal(failures(), 7, 'not rendered again');
  } finally {
    await bare.stop();
  }
});
