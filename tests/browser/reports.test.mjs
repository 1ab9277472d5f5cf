// The reports page against a real server: a supervisor runs the interval
// report over contacts made through the API (offered, accepted, completed,
// one abandoned), sees the table's rows and both charts, and downloads the
// CSV and the XLSX (their bytes checked against the table); a client of
// AssurMax in French sees its tenant only, in the page and in every answer
// the page received. axe scans each view; each is photographed.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { startWebServer, launchBrowser, openPage, axe, login, client, demoIds, logIn, noSeriousViolations, ok } from './lib.mjs';
import { readSheet } from '../integration/xlsx.mjs';

let srv, browser, api, ids, T1, T2;
const queues = {};

before(async () => {
  srv = await startWebServer();
  browser = await launchBrowser();
  const token = (await login(srv.url, 'admin')).token;
  api = client(srv.url, token);
  ids = await demoIds(srv.url, token);
  T1 = ids.tenants.find((x) => x.name === 'AssurMax').id;
  T2 = ids.tenants.find((x) => x.name === 'Télécom Plus').id;
  queues.am = await traffic(T1, 'Rapport AM', 3, 0);
  queues.tp = await traffic(T2, 'Rapport TP', 2, 1);
});
after(async () => {
  await browser?.close();
  await srv?.stop();
});

// A queue of its own and an agent that handles `handled` contacts; then
// `abandoned` contacts that leave while waiting.
async function traffic(tenant, name, handled, abandoned) {
  const q = await ok(api.post('/api/v1/queues', { tenant, name, channel: 'sms', wrapup: 'none' }), 201, 'queue');
  const a = await ok(api.post('/api/v1/agents', { name: `${name} agent`, site: ids.sites[0].id, tenants: [tenant], capacity: { sms: 1 } }), 201, 'agent');
  const uname = `${name.replace(/\W/g, '').toLowerCase()}.agent`;
  await ok(api.post('/api/v1/users', { username: uname, password: 'report-agent-pw', role: 'agent', tenants: [tenant], agent: a.id }), 201, 'user');
  const me = client(srv.url, (await login(srv.url, uname, 'report-agent-pw')).token);
  await ok(me.put(`/api/v1/agents/${a.id}/state`, { state: 'available' }), 200, 'available');
  for (let i = 0; i < handled; i++) {
    const c = await ok(api.post('/api/v1/contacts', { tenant, queue: q.id, channel: 'sms' }), 201, 'contact');
    for (let k = 0; (await ok(api.get(`/api/v1/contacts/${c.id}`), 200, 'contact')).state !== 'offered'; k++) {
      assert.ok(k < 250, 'offered');
      await new Promise((res) => setTimeout(res, 20));
    }
    await ok(me.post(`/api/v1/contacts/${c.id}/accept`), 200, 'accept');
    await new Promise((res) => setTimeout(res, 20)); // a talk of a few ms: handled
    await ok(me.post(`/api/v1/contacts/${c.id}/complete`, {}), 200, 'complete');
  }
  await ok(me.put(`/api/v1/agents/${a.id}/state`, { state: 'offline' }), 200, 'offline');
  for (let i = 0; i < abandoned; i++) {
    const c = await ok(api.post('/api/v1/contacts', { tenant, queue: q.id, channel: 'sms' }), 201, 'contact');
    await ok(api.post(`/api/v1/contacts/${c.id}/abandon`, {}), 200, 'abandon');
  }
  return q;
}


// The numbers of a queue's rows in the page's table, added up.
async function tableSum(page, queueId, col) {
  const cells = await page.locator(`table.report tr[data-key="${queueId}"] td[data-col=${col}]`).allTextContents();
  return cells.reduce((n, s) => n + Number(s.replace(/\D/g, '')), 0);
}

async function download(page, format) {
  const [dl] = await Promise.all([page.waitForEvent('download'), page.locator(`.downloads a[data-format=${format}]`).click()]);
  return { name: dl.suggestedFilename(), bytes: readFileSync(await dl.path()) };
}

test('a supervisor runs the report: table rows, both charts, CSV and XLSX downloads that hold the same numbers', async (t) => {
  const pg = await openPage(t, browser, srv.url);
  const { page } = pg;
  await logIn(page, 'supervisor');
  await page.getByRole('link', { name: 'Reports' }).click();
  await page.getByRole('heading', { name: 'Reports' }).waitFor();
  // today by hour, by queue: the rows of both tenants' new queues
  const am = page.locator(`table.report tr[data-key="${queues.am.id}"]`);
  await am.first().waitFor();
  assert.equal(await tableSum(page, queues.am.id, 'offered'), 3);
  assert.equal(await tableSum(page, queues.am.id, 'handled'), 3);
  assert.equal(await tableSum(page, queues.tp.id, 'abandoned'), 1);
  assert.match(await am.first().locator('th').textContent(), /Rapport AM/);

  // the charts: images with a label that sums them up, bars and a line
  const volume = page.getByRole('img', { name: /^Bar chart over 24 intervals/ });
  await volume.waitFor();
  assert.ok(await volume.locator('rect.bar-offered').count() >= 1);
  assert.ok(await volume.locator('rect.bar-handled').count() >= 1);
  const sl = page.getByRole('img', { name: /^Line chart over 24 intervals/ });
  assert.ok(await sl.locator('polyline.line-sl, circle.dot-sl').count() >= 1);
  assert.equal(await sl.locator('line.target').count(), 1);
  noSeriousViolations(await axe(page), 'reports');
  await pg.screenshot('reports-supervisor');

  // by tenant, 15 minutes, one tenant: the form's choices reach the table
  await page.getByLabel('Group by', { exact: true }).selectOption('tenant');
  await page.getByLabel('Interval', { exact: true }).selectOption('15m');
  await page.getByLabel('Tenant', { exact: true }).selectOption(T1);
  await page.getByRole('button', { name: 'Show the report' }).click();
  await page.getByRole('img', { name: /^Bar chart over 96 intervals/ }).waitFor();
  await page.locator(`table.report tr[data-key="${T1}"]`).first().waitFor();
  assert.equal(await page.locator(`table.report tr[data-key="${T2}"]`).count(), 0);

  // the files carry the same parameters
  const csv = await download(page, 'csv');
  assert.match(csv.name, /^relais-report-tenant-15m-\d{4}-\d\d-\d\d\.csv$/);
  assert.deepEqual([...csv.bytes.subarray(0, 3)], [0xef, 0xbb, 0xbf], 'a byte-order mark, for Excel');
  const lines = csv.bytes.subarray(3).toString('utf8').trimEnd().split('\r\n');
  assert.match(lines[0], /^start,key,name,offered,/);
  assert.ok(lines.length > 1 && lines.slice(1).every((l) => l.split(',')[1] === `"${T1}"`), lines.join('\n'));
  const xlsx = await download(page, 'xlsx');
  assert.match(xlsx.name, /^relais-report-tenant-15m-.*\.xlsx$/);
  const sheet = readSheet(xlsx.bytes);
  assert.equal(sheet.rows[0].get('A').value, 'Start (UTC)');
  const rows = sheet.rows.slice(1);
  assert.ok(rows.length > 0 && rows.every((r) => r.get('B').value === T1));
  // the sheet's offered add up to the table's
  const sheetOffered = rows.reduce((n, r) => n + (r.get('D')?.value || 0), 0);
  assert.equal(sheetOffered, await tableSum(page, T1, 'offered'));
  assert.ok(sheetOffered >= 3);
});

test('a client of AssurMax, in French, reports on its tenant only: nothing of Télécom Plus in the page or any answer', async (t) => {
  const pg = await openPage(t, browser, srv.url, { locale: 'fr-FR' });
  const { page } = pg;
  await logIn(page, 'client-assurmax');
  await page.getByRole('link', { name: 'Rapports' }).click();
  await page.getByRole('heading', { name: 'Rapports' }).waitFor();
  await page.locator(`table.report tr[data-key="${queues.am.id}"]`).first().waitFor();
  await page.getByRole('img', { name: /^Histogramme sur 24 intervalles/ }).waitFor();
  assert.equal(await page.locator('#r-tenant').count(), 0, 'no tenant to pick');
  const groups = await page.locator('#r-group option').evaluateAll((os) => os.map((o) => o.value));
  assert.deepEqual(groups, ['queue', 'tenant']);
  const text = await page.locator('main').textContent();
  assert.match(text, /Rapport AM/);
  assert.match(text, /Présentés/);
  assert.ok(!/Rapport TP|Télécom/.test(text), 'no Télécom Plus in the page');

  // the client's XLSX: French header, its queue, nothing else
  const sheet = readSheet((await download(page, 'xlsx')).bytes);
  assert.equal(sheet.rows[0].get('A').value, 'Début (UTC)');
  const names = sheet.rows.slice(1).map((r) => r.get('C')?.value);
  assert.ok(names.includes('Rapport AM') && names.every((n) => n.startsWith('AssurMax') || n === 'Rapport AM'), names.join(', '));

  // every answer of the API the page received
  const theirs = [T2, queues.tp.id, ...ids.queues.filter((q) => q.tenant === T2).map((q) => q.id)];
  const answers = [];
  for (const r of pg.responses.filter((x) => new URL(x.url).pathname.startsWith('/api/'))) {
    try { answers.push(await r.response.text()); } catch { /* no body */ }
  }
  const seen = answers.join('\n');
  assert.ok(seen.includes(queues.am.id));
  for (const id of theirs) assert.ok(!seen.includes(id), `the page received ${id} of Télécom Plus`);
  assert.ok(!/Télécom Plus|Rapport TP/.test(seen));
  noSeriousViolations(await axe(page), 'reports, client in French');
  await pg.screenshot('reports-client-fr');
});

test('DayCharts (for the wallboard): today per 15 minutes of one queue, with its target', async (t) => {
  const pg = await openPage(t, browser, srv.url);
  const { page } = pg;
  await logIn(page, 'supervisor');
  await page.locator('main[data-page=wall]').waitFor(); // logged in: its home
  // mounted by hand, as the wallboard will: the same modules the page
  // loaded, in a box of its own (outside what the application redraws)
  await page.evaluate(async ([tenant, queue]) => {
    const { html, render } = await import('/app/lib.js');
    const { DayCharts } = await import('/app/chart.js');
    const box = document.createElement('div');
    box.id = 'day-test';
    document.body.append(box);
    render(html`<${DayCharts} tenant=${tenant} queue=${queue} />`, box);
  }, [T1, queues.am.id]);
  const volume = page.locator('#day-test').getByRole('img', { name: /^Bar chart over 96 intervals/ });
  await volume.waitFor();
  assert.match(await volume.getAttribute('aria-label'), /: 3 offered and 3 handled in all/);
  const sl = page.locator('#day-test').getByRole('img', { name: /^Line chart over 96 intervals/ });
  assert.match(await sl.getAttribute('aria-label'), /service level 100% overall against a target of 80%/);
  noSeriousViolations(await axe(page), 'day charts');
});
