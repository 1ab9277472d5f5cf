// relais history: the event log of a running centre becomes the interval
// history `relais forecast --history` reads.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { BIN, startServer, login, client } from './lib.mjs';

test('the contacts a centre received come out per queue and interval, with their handle time', async () => {
  const srv = await startServer({ fsync: false });
  let out, outFr;
  try {
    const admin = await login(srv.url, 'admin');
    const api = client(srv.url, admin.token);
    const queues = (await api.get('/api/v1/queues')).body.items;
    const chat = queues.find((q) => q.name === 'AssurMax chat');
    const mail = queues.find((q) => q.name === 'AssurMax email');
    for (let i = 0; i < 5; i++) {
      assert.equal((await api.post('/api/v1/contacts', { tenant: chat.tenant, queue: chat.id, channel: 'chat' })).status, 201);
    }
    for (let i = 0; i < 3; i++) {
      assert.equal((await api.post('/api/v1/contacts', { tenant: mail.tenant, queue: mail.id, channel: 'email' })).status, 201);
    }
    // One chat handled from start to end by agent02.
    const agent = (await login(srv.url, 'agent02'));
    const a = client(srv.url, agent.token);
    assert.equal((await a.put(`/api/v1/agents/${agent.user.agent}/state`, { state: 'available' })).status, 200);
    const mine = (await a.get('/api/v1/contacts?state=offered')).body.items[0];
    assert.ok(mine, 'agent02 was offered a contact');
    assert.equal((await a.post(`/api/v1/contacts/${mine.id}/accept`, {})).status, 200);
    await new Promise((r) => setTimeout(r, 20));
    assert.equal((await a.post(`/api/v1/contacts/${mine.id}/complete`, {})).status, 200);
    assert.equal((await a.post(`/api/v1/contacts/${mine.id}/wrapup`, { disposition: 'resolved' })).status, 200);
    // Read while the server runs (WAL readers are allowed).
    out = execFileSync(BIN, ['history', '--data', srv.dataDir], { encoding: 'utf8' });
    outFr = execFileSync(BIN, ['history', '--data', srv.dataDir, '--lang', 'fr'], { encoding: 'utf8' });
  } finally {
    assert.equal((await srv.stop({ keep: true })).code, 0);
  }
  assert.equal(outFr, out, 'the CSV is the same in French: programs read it');
  const lines = out.trim().split('\n');
  assert.equal(lines[0], 'start,queue,offered,aht_s');
  const rows = lines.slice(1).map((l) => {
    const m = l.match(/^(\S+Z),"([^"]*)",(\d+),([\d.]*)$/);
    assert.ok(m, `a CSV row: ${l}`);
    return { start: m[1], queue: m[2], offered: Number(m[3]), aht: m[4] === '' ? null : Number(m[4]) };
  });
  const sum = (q) => rows.filter((r) => r.queue === q).reduce((s, r) => s + r.offered, 0);
  assert.equal(sum('AssurMax chat'), 5);
  assert.equal(sum('AssurMax email'), 3);
  for (const r of rows) assert.equal(new Date(r.start).getUTCMinutes() % 15, 0, 'quarter-hour starts');
  const handled = rows.filter((r) => r.aht !== null);
  assert.equal(handled.length, 1, 'one interval has a handled contact');
  assert.ok(handled[0].aht >= 0 && handled[0].aht < 60, `a short handle time: ${handled[0].aht}`);
  const bad = (() => { try { execFileSync(BIN, ['history', '--data', '/nonexistent-relais'], { stdio: 'pipe' }); return 0; } catch (e) { return e.status; } })();
  assert.equal(bad, 1, 'a folder without a store is refused');
});

test('relais history speaks French with --lang fr or a French environment, with the same exit codes', () => {
  const run = (args, env = {}) => spawnSync(BIN, ['history', ...args], {
    encoding: 'utf8',
    env: { ...process.env, RELAIS_LANG: '', LC_ALL: '', LC_MESSAGES: '', LANG: 'C', ...env },
  });
  const en = run(['--help']);
  assert.equal(en.status, 0);
  assert.match(en.stdout, /^usage: relais history \[--data DIR\]/);
  assert.match(en.stdout, /\n {2}--lang L +fr or en/, '--help lists --lang');
  const fr = run(['--help', '--lang', 'fr']);
  assert.equal(fr.status, 0);
  assert.match(fr.stdout, /^usage : relais history \[--data DOSSIER\] \[--from HEURE\]/);
  assert.match(fr.stdout, /Affiche l'historique par intervalle d'un dossier de données/);
  assert.match(fr.stdout, /\n {2}--lang L +fr ou en/);
  const bad = run(['--interval-min', '45', '--lang', 'fr']);
  assert.equal(bad.status, 2);
  assert.equal(bad.stdout, '');
  assert.equal(bad.stderr, "relais history: --interval-min 45 : il faut 15, 30 ou 60\n'relais history --help' donne les options.\n");
  const env = run(['--from', 'yesterday'], { LANG: 'fr_FR.UTF-8' });
  assert.equal(env.status, 2);
  assert.match(env.stderr, /^relais history: --from : il faut une heure UTC comme 2026-11-01T00:00:00Z\n/);
  const unknown = run(['--lang=fr', '--bogus']);
  assert.equal(unknown.status, 2);
  assert.match(unknown.stderr, /option inconnue « --bogus »/);
  const none = run(['--data', '/nonexistent-relais'], { RELAIS_LANG: 'fr' });
  assert.equal(none.status, 1);
  assert.equal(none.stderr, "relais history: /nonexistent-relais : ce n'est pas un dossier de données relais\n");
  const english = run(['--interval-min', '45']);
  assert.equal(english.status, 2);
  assert.match(english.stderr, /^relais history: --interval-min 45: expected 15, 30 or 60\n/);
});
