// CSAT in the pages: a contact rated 4/5 (by an outside survey, through
// the API) shows on the supervisor's wallboard tile of its queue, in the
// reports table's CSAT columns, and in the customer's history on the
// agent's desktop with the customer's comment. axe scans each view.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startWebServer, launchBrowser, openPage, axe, login, client, demoIds, logIn, noSeriousViolations, ok } from './lib.mjs';

let srv, browser, api, S = {};

before(async () => {
  srv = await startWebServer();
  browser = await launchBrowser();
  api = client(srv.url, (await login(srv.url, 'admin')).token);
  const ids = await demoIds(srv.url, (await login(srv.url, 'admin')).token);
  const am = ids.tenants.find((x) => x.name === 'AssurMax').id;
  const paris = ids.sites.find((x) => x.name === 'Paris').id;
  S.q = (await ok(api.post('/api/v1/queues', { tenant: am, name: 'CSAT AssurMax', channel: 'sms', wrapup: 'none' }), 201, 'queue')).id;
  const a = await ok(api.post('/api/v1/agents', { name: 'Camille Survey', site: paris, tenants: [am], capacity: { sms: 1 } }), 201, 'agent');
  await ok(api.post('/api/v1/users', { username: 'csat.agent', password: 'csat-agent-pw', role: 'agent', agent: a.id }), 201, 'user');
  const me = client(srv.url, (await login(srv.url, 'csat.agent', 'csat-agent-pw')).token);
  await ok(me.put(`/api/v1/agents/${a.id}/state`, { state: 'available' }), 200, 'available');
  const cu = await ok(api.post('/api/v1/customers', { tenant: am, name: 'Odile Sondage', phones: ['+33644445555'] }), 201, 'customer');
  const c = await ok(api.post('/api/v1/contacts', { tenant: am, queue: S.q, channel: 'sms', customer: { id: cu.id } }), 201, 'contact');
  for (let k = 0; (await ok(api.get(`/api/v1/contacts/${c.id}`), 200, 'contact')).state !== 'offered'; k++) {
    assert.ok(k < 250, 'offered');
    await new Promise((res) => setTimeout(res, 20));
  }
  await ok(me.post(`/api/v1/contacts/${c.id}/accept`), 200, 'accept');
  await ok(me.post(`/api/v1/contacts/${c.id}/complete`, {}), 200, 'complete');
  await ok(me.put(`/api/v1/agents/${a.id}/state`, { state: 'offline' }), 200, 'offline');
  await ok(api.post(`/api/v1/contacts/${c.id}/csat`, { score: 4, comment: 'Très aimable' }), 201, 'csat');
});
after(async () => {
  await browser?.close();
  await srv?.stop();
});

test('the wallboard tile and the reports table show the queue\'s CSAT', async (t) => {
  const pg = await openPage(t, browser, srv.url);
  const { page } = pg;
  await logIn(page, 'supervisor');
  const csat = page.locator(`.tile[data-queue="${S.q}"] [data-k=csat]`, { hasText: '4/5' });
  await csat.waitFor();
  assert.match(await csat.textContent(), /4\/5 · 100% satisfied/);
  noSeriousViolations(await axe(page), 'wallboard');
  await page.getByRole('link', { name: 'Reports' }).click();
  await page.getByRole('heading', { name: 'Reports' }).waitFor();
  const row = page.locator(`table.report tr[data-key="${S.q}"]`);
  await row.first().waitFor();
  assert.equal(await row.locator('td[data-col=csat_count]').textContent(), '1');
  assert.equal(await row.locator('td[data-col=csat_avg]').textContent(), '4');
  assert.equal(await row.locator('td[data-col=csat_satisfied_pct]').textContent(), '100');
  assert.ok((await page.locator('table.report thead').textContent()).includes('CSAT average'));
  noSeriousViolations(await axe(page), 'reports');
  await pg.screenshot('csat-reports');
});

test('the customer\'s history on the desktop shows the rating and its comment', async (t) => {
  const pg = await openPage(t, browser, srv.url);
  const { page } = pg;
  await logIn(page, 'csat.agent', 'csat-agent-pw');
  await page.getByLabel('Name, email or phone').fill('Odile');
  await page.getByRole('button', { name: 'Search', exact: true }).click();
  await page.getByRole('button', { name: 'Odile Sondage' }).click();
  const rated = page.locator('.search .customer .history .csat[data-score="4"]');
  await rated.waitFor();
  assert.equal(await rated.textContent(), 'rated 4/5');
  assert.ok((await page.locator('.search .customer .history li').first().textContent()).includes('Très aimable'));
  noSeriousViolations(await axe(page), 'desk history');
});
