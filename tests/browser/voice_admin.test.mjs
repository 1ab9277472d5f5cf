// The voice channel's configuration on the administration page, against
// the demo centre with voice on: a queue's recording (as its tenant says,
// yes or no) and announcement period, a tenant's recording, a number's
// flow, the supervisor's phone (a user's). axe and screenshots. (The
// flows' own page is tests/browser/flows.test.mjs's.)
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startWebServer, launchBrowser, openPage, axe, login, client, demoIds, logIn, noSeriousViolations } from './lib.mjs';
import { until } from '../integration/lib.mjs';
import { freePort } from '../integration/voicelib.mjs';

let srv, browser, admin, ids;

before(async () => {
  srv = await startWebServer({ args: ['--sip', `127.0.0.1:${await freePort()}`] });
  browser = await launchBrowser();
  const token = (await login(srv.url, 'admin')).token;
  admin = client(srv.url, token);
  ids = await demoIds(srv.url, token);
});
after(async () => {
  await browser?.close();
  await srv?.stop();
});

// The admin page of kind, its object named `title` open.
async function openObject(page, kind, title) {
  await page.locator(`button.kind[data-kind=${kind}]`).click();
  await page.locator('table.objects button.open', { hasText: title }).click();
  const form = page.locator('form.object');
  await form.locator('h2', { hasText: title }).waitFor();
  return form;
}

test('admin: a queue\'s recording and announcements, a tenant\'s recording, a number\'s flow, a supervisor\'s phone', async (t) => {
  const pg = await openPage(t, browser, srv.url);
  const { page } = pg;
  await logIn(page, 'admin');
  await page.locator('[data-page=wall]').waitFor();
  await page.goto('/#/admin');
  const queue = ids.queues.find((q) => q.name === 'AssurMax voice');
  const getQueue = async () => (await admin.get(`/api/v1/queues/${queue.id}`)).body;

  let form = await openObject(page, 'queues', 'AssurMax voice');
  const rec = form.getByLabel('Record calls');
  assert.equal(await rec.inputValue(), '', 'as the tenant says');
  await rec.selectOption({ label: 'No' });
  await form.getByLabel('Announce the place every (s)').fill('30');
  await form.getByRole('button', { name: 'Save' }).click();
  await page.getByRole('status').filter({ hasText: 'AssurMax voice saved.' }).waitFor();
  let q = await getQueue();
  assert.equal(q.recording, false);
  assert.equal(q.announce_s, 30);
  noSeriousViolations(await axe(page), 'admin: a voice queue');
  await pg.screenshot('voice-admin-queue');
  // back to the tenant's choice: null (the page already says "saved":
  // the API is watched)
  form = page.locator('form.object');
  await form.getByLabel('Record calls').selectOption({ label: 'As the tenant says' });
  await form.getByRole('button', { name: 'Save' }).click();
  q = await until(async () => { const x = await getQueue(); return x.recording == null && x; }, 'recording back to null');
  assert.equal(q.announce_s, 30);

  // the tenant records (the demo's AssurMax): switched off, saved
  const am = ids.tenants.find((x) => x.name === 'AssurMax');
  form = await openObject(page, 'tenants', 'AssurMax');
  const box = form.getByLabel('Record calls');
  assert.equal(await box.isChecked(), true);
  await box.uncheck();
  await form.getByRole('button', { name: 'Save' }).click();
  await page.getByRole('status').filter({ hasText: 'AssurMax saved.' }).waitFor();
  assert.equal((await admin.get(`/api/v1/tenants/${am.id}`)).body.recording, false);

  // the number names its flow, by name in the list and the form
  const number = (await admin.get('/api/v1/numbers?limit=500')).body.items.find((n) => n.number === '+33180000001');
  const flow = (await admin.get(`/api/v1/flows/${number.flow}`)).body;
  await page.locator('button.kind[data-kind=numbers]').click();
  await page.locator('table.objects tr', { hasText: '+33180000001' }).locator('td', { hasText: flow.name }).last().waitFor();
  form = await openObject(page, 'numbers', '+33180000001');
  assert.equal(await form.getByLabel(/flow/i).inputValue(), flow.id);
  noSeriousViolations(await axe(page), 'admin: a voice number');
  await pg.screenshot('voice-admin-number');

  // the supervisor's phone is a user's, not an agent's
  const sup = ids.users.find((u) => u.username === 'supervisor');
  form = await openObject(page, 'phones', 'supervisor');
  assert.equal(await form.getByLabel('Agent').inputValue(), '');
  assert.equal(await form.getByLabel('Login').inputValue(), sup.id);
  noSeriousViolations(await axe(page), 'admin: a supervisor\'s phone');
  await pg.screenshot('voice-admin-phone');
});
