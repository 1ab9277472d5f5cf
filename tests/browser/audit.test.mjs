// The audit page (#/audit) against the demo centre: an administrator
// changes a queue through the API and finds the change at the top of the
// trail, filters by type, pages with "load more"; a supervisor of one
// tenant, in French, sees nothing of the other tenant on the page nor in
// any answer the page received. axe scans and screenshots of both.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startWebServer, launchBrowser, openPage, axe, login, client, demoIds, logIn, noSeriousViolations } from './lib.mjs';

let srv, browser, admin, ids, am, tp;

before(async () => {
  srv = await startWebServer();
  browser = await launchBrowser();
  const tok = (await login(srv.url, 'admin')).token;
  admin = client(srv.url, tok);
  ids = await demoIds(srv.url, tok);
  am = ids.tenants.find((x) => x.name === 'AssurMax');
  tp = ids.tenants.find((x) => x.name === 'Télécom Plus');
  const r = await admin.post('/api/v1/users', {
    username: 'audit-sup-am', password: 'audit-sup-am-password', role: 'supervisor', tenants: [am.id],
  });
  assert.equal(r.status, 201, JSON.stringify(r.body));
});
after(async () => {
  await browser?.close();
  await srv?.stop();
});

async function enter(pg, username, password) {
  await logIn(pg.page, username, password);
  await pg.page.locator('header.top').waitFor();
}


// The rows' sequences, top to bottom, once the page is not loading.
async function shownSeqs(page) {
  await page.locator('.audit .status').filter({ hasNotText: /Loading|Chargement/ }).waitFor();
  return (await page.locator('table.audit-trail tbody tr').evaluateAll((rows) => rows.map((r) => Number(r.dataset.seq))));
}

test('admin: a queue change is at the top of the trail; filters by type; loads more', async (t) => {
  const pg = await openPage(t, browser, srv.url);
  const { page } = pg;
  await enter(pg, 'admin');
  const q = ids.queues.find((x) => x.name === 'AssurMax voice');
  // changes enough for more than one page of 50 (the demo's seeding
  // alone makes fewer), the last one the test looks for
  for (let p = 1; p <= 10; p++) {
    const r = await admin.patch(`/api/v1/queues/${q.id}`, { priority: p });
    assert.equal(r.status, 200);
  }

  await page.goto('/#/audit');
  await page.getByRole('heading', { name: 'Audit trail' }).waitFor();
  const top = page.locator('table.audit-trail tbody tr').first();
  await top.waitFor();
  assert.equal(await top.getAttribute('data-type'), 'config');
  const text = await top.textContent();
  assert.match(text, /admin/);
  assert.match(text, /Configuration change/);
  assert.ok(text.includes(q.id), `the queue's id in ${text}`);
  assert.match(text, /Changed the queue “AssurMax voice”/);
  assert.match(text, /AssurMax/, 'the tenant by its name');
  const seqs = await shownSeqs(page);
  assert.deepEqual(seqs, [...seqs].sort((a, b) => b - a), 'newest first');
  noSeriousViolations(await axe(page), 'audit');
  await pg.screenshot('audit-admin');

  // only the logins: the admin's own, made by logIn above
  await page.getByLabel('Type').selectOption('login');
  await page.getByRole('button', { name: 'Apply' }).click();
  await page.waitForFunction(() => {
    const rows = [...document.querySelectorAll('table.audit-trail tbody tr')];
    return rows.length > 0 && rows.every((r) => r.dataset.type === 'login');
  });
  assert.match(await page.locator('table.audit-trail tbody tr').first().textContent(), /Logged in from/);

  // every type again: a first page of 50, then the next one below it
  await page.getByRole('button', { name: 'Clear the filters' }).click();
  await page.waitForFunction(() => [...document.querySelectorAll('table.audit-trail tbody tr')].some((r) => r.dataset.type !== 'login'));
  const first = await shownSeqs(page);
  assert.equal(first.length, 50, 'a full first page');
  await page.getByRole('button', { name: 'Load more' }).click();
  await page.waitForFunction(() => document.querySelectorAll('table.audit-trail tbody tr').length > 50);
  const more = await shownSeqs(page);
  assert.deepEqual(more.slice(0, 50), first, 'the first page stays');
  assert.ok(more.slice(50).every((s) => s < first.at(-1)), 'the next page is older');
  assert.equal(new Set(more).size, more.length, 'no row twice');
});

test('a supervisor of AssurMax, in French, sees nothing of Télécom Plus', async (t) => {
  const tq = ids.queues.find((x) => x.tenant === tp.id);
  assert.equal((await admin.patch(`/api/v1/queues/${tq.id}`, { priority: 8 })).status, 200);
  const aq = ids.queues.find((x) => x.tenant === am.id);
  assert.equal((await admin.patch(`/api/v1/queues/${aq.id}`, { priority: 8 })).status, 200);

  const pg = await openPage(t, browser, srv.url, { locale: 'fr-FR' });
  const { page } = pg;
  await enter(pg, 'audit-sup-am', 'audit-sup-am-password');
  await page.goto('/#/audit');
  await page.getByRole('heading', { name: 'Journal d’audit' }).waitFor();
  await page.locator(`table.audit-trail tbody tr:has-text("${aq.id}")`).first().waitFor();
  // every page the page can load
  for (let n = 0; n < 50 && await page.getByRole('button', { name: 'Afficher les suivants' }).count(); n++) {
    const before = await page.locator('table.audit-trail tbody tr').count();
    await page.getByRole('button', { name: 'Afficher les suivants' }).click();
    await page.waitForFunction((b) => document.querySelectorAll('table.audit-trail tbody tr').length > b, before);
  }
  const shown = await page.locator('main').textContent();
  assert.match(shown, /Modification : file/);
  assert.ok(!shown.includes('Télécom') && !shown.includes(tp.id) && !shown.includes(tq.id), 'nothing of Télécom Plus shown');
  const bodies = (await pg.bodies()).filter((b) => b.includes('"events"'));
  assert.ok(bodies.length > 0, 'the page read the trail');
  for (const b of bodies) assert.ok(!b.includes(tp.id) && !b.includes(tq.id), 'no Télécom Plus id in an answer');
  // its tenants are AssurMax alone: no choice of another
  const options = await page.getByLabel('Donneur d’ordre').locator('option').allTextContents();
  assert.deepEqual(options, ['Tous les donneurs d’ordre', 'AssurMax']);
  noSeriousViolations(await axe(page), 'audit in French');
  await pg.screenshot('audit-supervisor-fr');
});
