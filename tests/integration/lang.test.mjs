// The language of the API's messages: an error keeps its code and its
// shape, and its message follows Accept-Language (French for fr, fr-CA;
// English without the header or for a language relais does not have).
// The catalogs are served to the browser from the web folder (/lang/).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { startServer, request, login, demoIds } from './lib.mjs';

let srv;
const WEB = join(process.env.RELAIS_SOURCE_DIR || new URL('../..', import.meta.url).pathname, 'web');

before(async () => {
  srv = await startServer({ fsync: false, demo: false, args: ['--web', WEB] });
});
after(async () => { await srv.stop(); });

const lang = (l) => (l ? { headers: { 'accept-language': l } } : {});

async function error(method, path, l, opts = {}) {
  const r = await request(srv.url, method, path, { ...lang(l), ...opts });
  assert.equal(typeof r.body, 'object', `${method} ${path}: a JSON error`);
  assert.deepEqual(Object.keys(r.body), ['error']);
  // A configuration write's refusal may also name its field.
  assert.deepEqual(Object.keys(r.body.error).filter((k) => k !== 'field').sort(), ['code', 'message']);
  return { status: r.status, ...r.body.error };
}

test('an unknown route: the same 404 and code, the message in French for fr', async () => {
  const en = await error('GET', '/api/v1/nothing');
  const fr = await error('GET', '/api/v1/nothing', 'fr');
  assert.deepEqual(en, { status: 404, code: 'not_found', message: 'no route /api/v1/nothing' });
  assert.deepEqual(fr, { status: 404, code: 'not_found', message: 'aucune route /api/v1/nothing' });
});

test('Accept-Language: regional tags, q-values, and English by default', async () => {
  const msg = async (l) => (await error('GET', '/api/v1/nothing', l)).message;
  assert.equal(await msg('fr-CA'), 'aucune route /api/v1/nothing');
  assert.equal(await msg('de-DE, fr;q=0.8, en;q=0.5'), 'aucune route /api/v1/nothing');
  assert.equal(await msg('en-GB, fr;q=0.9'), 'no route /api/v1/nothing');
  assert.equal(await msg('de'), 'no route /api/v1/nothing');
  assert.equal(await msg('fr;q=0'), 'no route /api/v1/nothing');
});

test('a message with numbers and a nested reason: invalid JSON', async () => {
  const opts = { raw: '{"username": ' };
  const en = await error('POST', '/api/v1/session', null, opts);
  const fr = await error('POST', '/api/v1/session', 'fr', opts);
  assert.equal(en.status, 400);
  assert.equal(fr.status, 400);
  assert.equal(fr.code, en.code);
  assert.equal(en.code, 'invalid_json');
  assert.match(en.message, /^invalid JSON at line 1 column \d+: /);
  assert.match(fr.message, /^JSON invalide ligne 1, colonne \d+ : /);
});

test('an authentication error: same 401 and code, French message', async () => {
  const en = await error('GET', '/api/v1/queues');
  const fr = await error('GET', '/api/v1/queues', 'fr-FR,fr;q=0.9');
  assert.equal(en.status, 401);
  assert.equal(fr.status, 401);
  assert.equal(fr.code, en.code);
  assert.equal(en.message, 'log in first (POST /api/v1/session), then send the token');
  assert.equal(fr.message, "connectez-vous d'abord (POST /api/v1/session), puis envoyez le jeton");
});

test('the catalogs are served for the browser', async () => {
  for (const [code, name] of [['en', 'English'], ['fr', 'Français']]) {
    const r = await request(srv.url, 'GET', `/lang/${code}.json`);
    assert.equal(r.status, 200);
    assert.match(r.headers.get('content-type'), /^application\/json/);
    assert.equal(r.body['lang.name'], name);
  }
  const fr = await request(srv.url, 'GET', '/lang/fr.json');
  assert.equal(fr.body['no route %s'], 'aucune route %s');
});

// The services' refusals (the contact service, the configuration's checks)
// are written in the caller's language too, not only the HTTP layer's.
test('the contact service and the configuration answer in the caller\'s language', async () => {
  const demo = await startServer({ fsync: false });
  try {
    const admin = await login(demo.url, 'admin');
    const ids = await demoIds(demo.url, admin.token);
    const assur = ids.tenants.find((t) => t.name === 'AssurMax').id;
    const telcoQueue = ids.queues.find((q) => q.tenant !== assur && q.channel === 'voice');
    const paris = ids.sites.find((s) => s.name === 'Paris').id;
    const say = async (l, method, path, body) => {
      const r = await request(demo.url, method, path, { token: admin.token, body, ...lang(l) });
      return { status: r.status, ...r.body.error };
    };
    const contact = { tenant: assur, queue: telcoQueue.id, channel: 'voice' };
    const en = await say(null, 'POST', '/api/v1/contacts', contact);
    const fr = await say('fr', 'POST', '/api/v1/contacts', contact);
    assert.deepEqual(en, { status: 400, code: 'invalid_field', message: `queue: no queue ${telcoQueue.id} in the tenant` });
    assert.deepEqual(fr, { status: 400, code: 'invalid_field', message: `queue : aucune file ${telcoQueue.id} chez ce donneur d'ordre` });
    const siteEn = await say(null, 'DELETE', `/api/v1/sites/${paris}`);
    const siteFr = await say('fr', 'DELETE', `/api/v1/sites/${paris}`);
    assert.deepEqual(siteEn, { status: 409, code: 'conflict', message: 'agents still work from this site' });
    assert.deepEqual(siteFr, { status: 409, code: 'conflict', message: 'des conseillers travaillent encore sur ce site' });
  } finally {
    await demo.stop();
  }
});

// A user's own language (users.lang) comes before the browser's.
test('a user with lang "fr" is answered in French whatever the browser asks', async () => {
  const demo = await startServer({ fsync: false });
  try {
    const admin = await login(demo.url, 'admin');
    const ids = await demoIds(demo.url, admin.token);
    const sup = ids.users.find((u) => u.username === 'supervisor');
    const patch = (body, l) => request(demo.url, 'PATCH', `/api/v1/users/${sup.id}`, { token: admin.token, body, ...lang(l) });
    let r = await patch({ lang: 'de' });
    assert.equal(r.status, 400);
    assert.equal(r.body.error.message, 'lang: no catalog for de');
    r = await patch({ lang: 'de' }, 'fr');
    assert.equal(r.body.error.message, 'lang : aucun catalogue pour de');
    r = await patch({ lang: 'fr' });
    assert.equal(r.status, 200);
    assert.equal(r.body.lang, 'fr');
    const me = await login(demo.url, 'supervisor');
    const ask = async (l) => (await request(demo.url, 'GET', '/api/v1/contacts/nope', { token: me.token, ...lang(l) })).body.error.message;
    assert.equal(await ask(null), 'contact nope introuvable');
    assert.equal(await ask('en'), 'contact nope introuvable');
    r = await patch({ lang: null });
    assert.equal(r.status, 200);
    assert.equal(await ask('en'), 'no contact nope');

    // A user sets its own language (the pages' switch), which every later
    // session keeps; a bad one is refused and changes nothing.
    const agent = await login(demo.url, 'agent01');
    const own = (body, l) => request(demo.url, 'PUT', '/api/v1/session/lang', { token: agent.token, body, ...lang(l) });
    r = await own({ lang: 'de' });
    assert.equal(r.status, 400);
    assert.equal(r.body.error.field, 'lang');
    r = await own({ language: 'fr' });
    assert.equal(r.status, 400);
    r = await own({});
    assert.equal(r.status, 400);
    assert.match(r.body.error.message, /lang: required/);
    assert.equal((await request(demo.url, 'GET', '/api/v1/session', { token: agent.token })).body.user.lang ?? null, null);
    r = await own({ lang: 'fr' });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.equal(r.body.lang, 'fr');
    assert.equal(r.body.username, 'agent01');
    assert.ok(!('password' in r.body) && !('password_hash' in r.body));
    const again = await login(demo.url, 'agent01');
    assert.equal(again.user.lang, 'fr');
    assert.equal((await request(demo.url, 'GET', '/api/v1/contacts/nope', { token: again.token, ...lang('en') })).body.error.message,
      'contact nope introuvable');
    // audited as a change of the user, by the user itself
    const trail = await request(demo.url, 'GET', '/api/v1/audit?type=config&limit=5', { token: admin.token });
    const e = trail.body.events.find((x) => x.kind === 'users' && x.id === agent.user.id);
    assert.ok(e, JSON.stringify(trail.body.events));
    assert.equal(e.username, 'agent01');
    r = await own({ lang: null });
    assert.equal(r.status, 200);
    assert.equal(r.body.lang, null);
  } finally {
    await demo.stop();
  }
});
