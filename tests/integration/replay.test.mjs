// relais sim replay: a day taken from the event log of a real server,
// played again under other staffing. Three voice contacts reach a centre
// where only agent02 works: two are answered, one gives up while the
// agent is busy. Replayed with the same single agent, the same customer
// gives up again; with three agents, nobody does.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BIN, startServer, login, client } from './lib.mjs';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function scenario(dir, agents) {
  const path = join(dir, `day-${agents}.json`);
  writeFileSync(path, JSON.stringify({
    name: `${agents} voice agent(s)`,
    start: '00:00',
    end: '00:00',
    interval_s: 3600,
    replications: 4,
    seed: 5,
    tenants: ['assurmax'],
    sites: [{ id: 'paris', kind: 'onshore', country: 'FR', cost_per_hour: 30 }],
    agents: [{ id: 'voice', site: 'paris', count: agents, skills: { 'lang.fr': 9 }, tenants: ['assurmax'], capacity: { voice: 1 } }],
    // matched to the server's queue by name
    queues: [{ id: 'AssurMax voice', tenant: 'assurmax', channel: 'voice', sl_threshold_s: 20, wrapup: 'none',
      arrivals: [0], handle_time: { dist: 'exponential', mean_s: 180 },
      patience: { dist: 'exponential', mean_s: 60 } }],
  }));
  return path;
}

function replay(args) {
  return spawnSync(BIN, ['sim', 'replay', ...args], { encoding: 'utf8' });
}

const row = (d, group, measure) => d.rows.find((r) => r.group === group && r.measure === measure);

test('a recorded day replays with its own customers, under the staffing of a scenario', async () => {
  const srv = await startServer({ fsync: false });
  const dir = mkdtempSync(join(tmpdir(), 'relais-replay-'));
  let day;
  try {
    const admin = await login(srv.url, 'admin');
    const api = client(srv.url, admin.token);
    const voice = (await api.get('/api/v1/queues')).body.items.find((q) => q.name === 'AssurMax voice');
    const agent = await login(srv.url, 'agent02');
    const a = client(srv.url, agent.token);
    assert.equal((await a.put(`/api/v1/agents/${agent.user.agent}/state`, { state: 'available' })).status, 200);
    const ids = [];
    for (let i = 0; i < 3; i++) {
      const r = await api.post('/api/v1/contacts', { tenant: voice.tenant, queue: voice.id, channel: 'voice' });
      assert.equal(r.status, 201);
      ids.push(r.body.id);
    }
    day = new Date().toISOString().slice(0, 10);
    const end = async (id) => {
      assert.equal((await a.post(`/api/v1/contacts/${id}/complete`, {})).status, 200);
      assert.equal((await a.post(`/api/v1/contacts/${id}/wrapup`, { disposition: 'resolved' })).status, 200);
    };
    // The third caller hangs up 100 ms into the first call, which lasts
    // a second. In a replay with one agent it gives up after the same
    // wait, long before the agent is free for it, however slow the
    // machine made the real accept and wrap-up.
    assert.equal((await a.post(`/api/v1/contacts/${ids[0]}/accept`, {})).status, 200);
    await sleep(100);
    assert.equal((await api.post(`/api/v1/contacts/${ids[2]}/abandon`, {})).status, 200);
    await sleep(900);
    await end(ids[0]);
    assert.equal((await a.post(`/api/v1/contacts/${ids[1]}/accept`, {})).status, 200);
    await sleep(1500);
    await end(ids[1]);

    // Read while the server runs.
    const one = replay([scenario(dir, 1), '--data', srv.dataDir, '--day', day, '--json']);
    assert.equal(one.status, 0, one.stderr);
    const d1 = JSON.parse(one.stdout);
    assert.equal(d1.contacts, 3);
    assert.equal(d1.skipped, 0);
    assert.equal(d1.reps, 4);
    assert.equal(d1.from, `${day}T00:00:00.000Z`);
    // the day as it was, from the log
    assert.equal(row(d1, 'centre', 'offered').actual, 3);
    assert.ok(Math.abs(row(d1, 'centre', 'abandon_rate').actual - 1 / 3) < 1e-9);
    assert.ok(row(d1, 'centre', 'aht_s').actual >= 1.25, 'talks of 1 s and 1.5 s');
    // replayed: the same three customers in every replication
    assert.equal(row(d1, 'queue', 'offered').replayed.mean, 3);
    assert.equal(row(d1, 'queue', 'offered').replayed.ci95, 0);
    // one agent, the same talk times: the same caller gives up again
    assert.ok(Math.abs(row(d1, 'queue', 'abandon_rate').replayed.mean - 1 / 3) < 1e-9,
      JSON.stringify(row(d1, 'queue', 'abandon_rate')));
    // the recorded talk times, without the real wrap-up (none here)
    const aht = row(d1, 'queue', 'aht_s');
    assert.ok(aht.replayed.mean >= 1.25 && aht.replayed.mean <= aht.actual, JSON.stringify(aht));
    assert.equal(aht.replayed.ci95, 0, 'the same talk times in every replication');

    const three = replay([scenario(dir, 3), '--data', srv.dataDir, '--day', day, '--json']);
    assert.equal(three.status, 0, three.stderr);
    const d3 = JSON.parse(three.stdout);
    assert.equal(row(d3, 'queue', 'abandon_rate').replayed.mean, 0, 'three agents: nobody waits');
    assert.equal(row(d3, 'queue', 'service_level').replayed.mean, 1);
    assert.ok(row(d3, 'centre', 'cost_per_contact').replayed.mean > row(d1, 'centre', 'cost_per_contact').replayed.mean);

    // the text table, in French
    const fr = replay([scenario(dir, 1), '--data', srv.dataDir, '--day', day, '--lang', 'fr']);
    assert.equal(fr.status, 0, fr.stderr);
    assert.match(fr.stdout, new RegExp(`journée du ${day} rejouée \\(UTC\\)`));
    assert.match(fr.stdout, /^centre +abandon_rate +0,3333 +0,3333 /m);
    const en = replay([scenario(dir, 1), '--data', srv.dataDir, '--day', day]);
    assert.match(en.stdout, /^centre +abandon_rate +0\.3333 +0\.3333 /m);

    // a day without contacts, and bad input
    const empty = replay([scenario(dir, 1), '--data', srv.dataDir, '--day', '2001-01-01']);
    assert.equal(empty.status, 1);
    assert.match(empty.stderr, /no contact of 2001-01-01/);
    assert.equal(replay([scenario(dir, 1), '--data', srv.dataDir, '--day', '2026-02-30']).status, 2);
    assert.equal(replay([scenario(dir, 1), '--data', srv.dataDir, '--day', day, '--tz', 'Mars/Olympus']).status, 2);
    const none = replay([scenario(dir, 1), '--data', join(dir, 'nowhere'), '--day', day]);
    assert.equal(none.status, 1);
    assert.match(none.stderr, /no relais data folder/);
    assert.equal(replay(['--day', day]).status, 2, 'no scenario');
  } finally {
    assert.equal((await srv.stop({ keep: true })).code, 0);
  }
  // The recorded day written as a scenario: the agent who worked (agent02
  // alone, from the minute it logged in), the queues with the day's
  // arrivals, talk times and patience. Replayed as it is, it plays the day
  // as it was staffed.
  const file = join(dir, 'recorded.json');
  const w = replay(['--data', srv.dataDir, '--day', day, '--write-scenario', file]);
  assert.equal(w.status, 0, w.stderr);
  assert.match(w.stdout, /the recorded day with 1 agents, 6 queues and 3 contacts/);
  const rec = JSON.parse(readFileSync(file, 'utf8'));
  assert.equal(rec.start, '00:00');
  assert.equal(rec.agents.length, 1);
  assert.equal(rec.agents[0].name, 'Lucas Bernard');
  assert.equal(rec.agents[0].shifts.length, 1);
  assert.equal(rec.sites.length, 2);
  const rq = rec.queues.find((q) => q.name === 'AssurMax voice');
  assert.equal(rq.arrivals.length, 96);
  assert.equal(rq.arrivals.reduce((x, y) => x + y, 0), 3);
  assert.equal(rq.handle_time.dist, 'empirical');
  assert.equal(rq.handle_time.values_s.length, 2);
  assert.ok(rq.handle_time.values_s.every((v) => v >= 1));
  assert.equal(rq.wrapup_time.dist, 'empirical', 'manual wrap-up times');
  assert.equal(rq.patience.dist, 'exponential');
  assert.equal(rq.calendar, undefined, 'AssurMax is always open');
  // Télécom Plus keeps its opening hours, on the day's date
  assert.equal(rec.date, day);
  assert.equal(rec.timezone, 'UTC');
  assert.equal(rec.calendars.length, 1);
  assert.equal(rec.calendars[0].timezone, 'Europe/Paris');
  const tq = rec.queues.find((q) => q.name === 'Télécom Plus voice');
  assert.equal(tq.calendar, rec.calendars[0].id);
  assert.equal(tq.closed_action, 'voicemail');
  const asWas = JSON.parse(execFileSync(BIN, ['sim', 'replay', file, '--data', srv.dataDir, '--day', day, '--json'],
    { encoding: 'utf8' }));
  assert.equal(asWas.contacts, 3);
  assert.equal(row(asWas, 'queue', 'offered').replayed.mean, 3);
  // The day as staffed: the same caller gives up in every replication.
  // (The second caller's patience beyond its real wait is drawn from the
  // day's estimate, about a second here, so it may give up too when the
  // drawn ring and wrap-up times make it wait longer than it did.)
  assert.ok(row(asWas, 'centre', 'abandon_rate').replayed.mean >= 1 / 3 - 1e-9,
    JSON.stringify(row(asWas, 'centre', 'abandon_rate')));
  // and as a plain scenario, its arrivals are the day's
  const plain = spawnSync(BIN, ['sim', file, '--json', '--quiet', '--reps', '2'], { encoding: 'utf8' });
  assert.equal(plain.status, 0, plain.stderr);
  const bad = replay(['--data', srv.dataDir, '--day', day, '--write-scenario', join(dir, 'no', 'such', 'x.json')]);
  assert.equal(bad.status, 1);
  assert.match(bad.stderr, /cannot write the scenario/);
  assert.equal(replay([scenario(dir, 1), '--data', srv.dataDir, '--day', day, '--write-scenario', file]).status, 2,
    'a scenario or --write-scenario, not both');

  // with the server stopped, the Paris day reads the same contacts
  const paris = JSON.parse(execFileSync(BIN, ['sim', 'replay', scenario(dir, 1), '--data', srv.dataDir,
    '--day', day, '--tz', 'Europe/Paris', '--json'], { encoding: 'utf8' }));
  assert.ok(paris.from.endsWith(":00:00.000Z") && paris.from !== `${day}T00:00:00.000Z`, paris.from);
});
