// The interval report's files: format=xlsx gives a real workbook whose
// cells equal the JSON report's numbers, with a header in the caller's
// language; format=csv the same rows as CSV; both as attachments. The
// files are scoped as the JSON is: a client gets its tenant only, and
// another tenant is a 404 whatever the format. Bad input is a 400.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, login, client, demoIds, ok } from './lib.mjs';
import { readSheet, colName } from './xlsx.mjs';

const COLS = ['start', 'key', 'name', 'offered', 'answered', 'handled', 'abandoned', 'short_abandoned',
  'answered_in_threshold', 'abandoned_after_threshold', 'service_level', 'asa_s', 'avg_wait_s', 'max_wait_s', 'aht_s', 'avg_abandon_s',
  'transfers', 'occupancy', 'utilisation', 'csat_count', 'csat_avg', 'csat_satisfied_pct'];
const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

let srv, api, ids, T1, T2, from, to;

before(async () => {
  srv = await startServer({ fsync: false });
  api = client(srv.url, (await login(srv.url, 'admin')).token);
  ids = await demoIds(srv.url, (await login(srv.url, 'admin')).token);
  T1 = ids.tenants.find((t) => t.name === 'AssurMax').id;
  T2 = ids.tenants.find((t) => t.name === 'Télécom Plus').id;
  from = new Date(Date.now() - 3600e3).toISOString();
  // Traffic of both tenants: each a queue of its own and an agent that
  // handles two contacts; a third contact of T2 abandons.
  for (const [tenant, name] of [[T1, 'Rapport AM'], [T2, 'Rapport TP']]) await traffic(tenant, name);
  to = new Date(Date.now() + 3600e3).toISOString();
});

after(async () => {
  if (srv) {
    const st = await srv.stop();
    assert.equal(st.code, 0, srv.logs());
  }
});

async function offered(id) {
  for (let i = 0; i < 250; i++) {
    const v = await ok(api.get(`/api/v1/contacts/${id}`), 200, 'contact');
    if (v.state === 'offered') return;
    await new Promise((res) => setTimeout(res, 20));
  }
  assert.fail(`contact ${id} never offered`);
}

async function traffic(tenant, name) {
  const q = await ok(api.post('/api/v1/queues', { tenant, name, channel: 'sms', wrapup: 'none' }), 201, 'queue');
  const site = ids.sites[0];
  const a = await ok(api.post('/api/v1/agents', { name: `${name} agent`, site: site.id, tenants: [tenant], capacity: { sms: 1 } }), 201, 'agent');
  const uname = `${name.replace(/\W/g, '').toLowerCase()}.agent`;
  await ok(api.post('/api/v1/users', { username: uname, password: 'report-agent-pw', role: 'agent', tenants: [tenant], agent: a.id }), 201, 'user');
  const me = client(srv.url, (await login(srv.url, uname, 'report-agent-pw')).token);
  await ok(me.put(`/api/v1/agents/${a.id}/state`, { state: 'available' }), 200, 'available');
  for (let i = 0; i < 2; i++) {
    const c = await ok(api.post('/api/v1/contacts', { tenant, queue: q.id, channel: 'sms' }), 201, 'contact');
    await offered(c.id);
    await ok(me.post(`/api/v1/contacts/${c.id}/accept`), 200, 'accept');
    await new Promise((res) => setTimeout(res, 20)); // a talk of a few ms: handled
    await ok(me.post(`/api/v1/contacts/${c.id}/complete`, {}), 200, 'complete');
  }
  await ok(me.put(`/api/v1/agents/${a.id}/state`, { state: 'offline' }), 200, 'offline');
  if (tenant === T2) {
    const c = await ok(api.post('/api/v1/contacts', { tenant, queue: q.id, channel: 'sms' }), 201, 'contact');
    await ok(api.post(`/api/v1/contacts/${c.id}/abandon`, {}), 200, 'abandon');
  }
  return q;
}

function query(extra = '') {
  return `/api/v1/reports/intervals?from=${from}&to=${to}&interval=15m&group=queue${extra}`;
}

// GET path as bytes: { status, headers, buf }.
async function raw(token, path, headers = {}) {
  const r = await fetch(srv.url + path, { headers: { authorization: `Bearer ${token}`, ...headers } });
  return { status: r.status, headers: r.headers, buf: Buffer.from(await r.arrayBuffer()) };
}

// Each JSON row equals the sheet's row below the header, cell by cell.
function assertSameRows(sheet, rows) {
  assert.equal(sheet.rows.length, rows.length + 1, 'a header and one row per JSON row');
  rows.forEach((row, i) => {
    const cells = sheet.rows[i + 1];
    COLS.forEach((col, c) => {
      const cell = cells.get(colName(c)), v = row[col];
      const where = `row ${i + 2} ${col}`;
      if (v === null || v === undefined) assert.equal(cell, undefined, `${where}: null is an empty cell`);
      else if (col === 'start') {
        // an Excel date: days since 1899-12-30, UTC
        assert.equal(cell.type, 'number', where);
        assert.ok(Math.abs((cell.value - 25569) * 86400e3 - Date.parse(v)) < 1, `${where}: ${cell.value} for ${v}`);
      } else if (typeof v === 'number') assert.deepEqual({ type: cell.type, value: cell.value }, { type: 'number', value: v }, where);
      else assert.deepEqual({ type: cell.type, value: cell.value }, { type: 'string', value: v }, where);
    });
  });
}

test('format=xlsx: a workbook whose cells equal the JSON report, a frozen header in the caller\'s language, widths, an attachment', async () => {
  const token = (await login(srv.url, 'admin')).token;
  const json = await ok(api.get(query()), 200, 'json');
  const mine = json.rows.filter((r) => /^Rapport/.test(r.name));
  assert.equal(mine.reduce((n, r) => n + r.offered, 0), 5, JSON.stringify(mine));
  assert.equal(mine.reduce((n, r) => n + r.handled, 0), 4, JSON.stringify(mine));
  assert.equal(mine.reduce((n, r) => n + r.abandoned, 0), 1, JSON.stringify(mine));

  const r = await raw(token, query('&format=xlsx'), { 'accept-language': 'fr' });
  assert.equal(r.status, 200);
  assert.equal(r.headers.get('content-type'), XLSX);
  assert.match(r.headers.get('content-disposition'), /^attachment; filename="relais-report-queue-15m-\d{4}-\d\d-\d\d\.xlsx"$/);
  assert.equal(r.buf.subarray(0, 2).toString(), 'PK', 'a zip');
  const sheet = readSheet(r.buf);
  assert.ok(sheet.files.has('xl/workbook.xml'));
  assert.equal(sheet.rows[0].get('A').value, 'Début (UTC)');
  assert.equal(sheet.rows[0].get('D').value, 'Présentés');
  assert.equal(sheet.rows[0].get('F').value, 'Traités');
  assert.ok(sheet.frozen, 'the header row is frozen');
  assert.equal(sheet.widths.length, COLS.length);
  assert.ok(sheet.widths[2] > sheet.widths[3], 'the name column is wider than a count');
  // the data did not change between the two reads: the same rows
  const again = await ok(api.get(query()), 200, 'json');
  assert.deepEqual(again.rows, json.rows);
  assertSameRows(sheet, json.rows);

  // English by default
  const en = readSheet((await raw(token, query('&format=xlsx'))).buf);
  assert.equal(en.rows[0].get('A').value, 'Start (UTC)');
  assert.equal(en.rows[0].get('K').value, 'Service level');
});

test('format=csv: the same rows, as an attachment; Accept: text/csv still works', async () => {
  const token = (await login(srv.url, 'admin')).token;
  const json = await ok(api.get(query()), 200, 'json');
  const r = await raw(token, query('&format=csv'));
  assert.equal(r.status, 200);
  assert.match(r.headers.get('content-type'), /^text\/csv/);
  assert.match(r.headers.get('content-disposition'), /^attachment; filename="relais-report-queue-15m-.*\.csv"$/);
  assert.deepEqual([...r.buf.subarray(0, 3)], [0xef, 0xbb, 0xbf], 'a byte-order mark, for Excel');
  const lines = r.buf.subarray(3).toString('utf8').trimEnd().split('\r\n');
  assert.equal(lines[0], COLS.join(','));
  assert.equal(lines.length, json.rows.length + 1);
  const offered = lines.slice(1).map((l) => Number(l.split(',')[3]));
  assert.deepEqual(offered, json.rows.map((x) => x.offered));
  const acc = await raw(token, query(), { accept: 'text/csv' });
  assert.equal(acc.buf.toString('utf8'), r.buf.toString('utf8'));
});

test('a client\'s workbook holds its tenant only; another tenant is a 404 in every format', async () => {
  const cl = await login(srv.url, 'client-assurmax');
  const c = client(srv.url, cl.token);
  const json = await ok(c.get(query()), 200, 'client json');
  const t1Queues = new Set(ids.queues.filter((q) => q.tenant === T1).map((q) => q.id));
  const all = await ok(api.get('/api/v1/queues?limit=500'), 200, 'queues');
  const t2 = all.items.filter((q) => q.tenant === T2);
  for (const q of all.items.filter((x) => x.tenant === T1)) t1Queues.add(q.id);
  assert.ok(json.rows.length > 0);
  for (const row of json.rows) assert.ok(t1Queues.has(row.key), `${row.name} is not AssurMax's`);

  const r = await raw(cl.token, query('&format=xlsx'));
  assert.equal(r.status, 200);
  const sheet = readSheet(r.buf);
  assertSameRows(sheet, json.rows);
  const text = [...sheet.files.values()].map((b) => b.toString('utf8')).join('\n');
  assert.ok(text.includes('Rapport AM'));
  assert.ok(!text.includes('Rapport TP') && !text.includes('Télécom'), 'nothing of Télécom Plus');
  for (const q of t2) assert.ok(!text.includes(q.id), `queue ${q.name} of Télécom Plus`);

  for (const f of ['json', 'csv', 'xlsx']) {
    const other = await raw(cl.token, query(`&tenant=${T2}&format=${f}`));
    assert.equal(other.status, 404, f);
    assert.equal(JSON.parse(other.buf.toString()).error.code, 'not_found');
  }
  // group agent stays forbidden to a client, in a file too
  assert.equal((await raw(cl.token, query('&format=xlsx').replace('group=queue', 'group=agent'))).status, 403);
});

test('bad input: an unknown format, a bad range or a parameter too long is a 400 JSON error', async () => {
  const token = (await login(srv.url, 'admin')).token;
  for (const path of [query('&format=pdf'), query('&format=XLSX'), query('&format=xlsx').replace(`to=${to}`, `to=${from}`),
    query(`&format=xlsx&tenant=${'x'.repeat(200)}`)]) {
    const r = await raw(token, path);
    assert.equal(r.status, 400, path);
    assert.match(r.headers.get('content-type'), /application\/json/);
    assert.equal(JSON.parse(r.buf.toString()).error.code.length > 0, true);
  }
  const fr = await raw(token, query('&format=pdf'), { 'accept-language': 'fr' });
  assert.match(JSON.parse(fr.buf.toString()).error.message, /format : il faut json, csv ou xlsx/);
});
