// The supervisor's wallboard in a real browser against the demo centre:
// filters (tenant, site, queue) narrow the tiles and the grid and live in
// the hash; a supervisor pauses an agent with a reason from its dialog
// (audited by the server); "why not" explains a waiting contact that an
// agent may not take for lack of a skill; the wall mode, scanned by axe and
// photographed at 1366×768 and 1920×1080.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startWebServer, launchBrowser, openPage, axe, login, client, demoIds, logIn, noSeriousViolations } from './lib.mjs';

let srv, browser, admin, ids;

before(async () => {
  srv = await startWebServer();
  browser = await launchBrowser();
  const token = (await login(srv.url, 'admin')).token;
  admin = client(srv.url, token);
  ids = await demoIds(srv.url, token);
});
after(async () => {
  await browser?.close();
  await srv?.stop();
});

async function enter(pg, username, password) {
  await logIn(pg.page, username, password);
  await pg.page.locator('[data-page=wall] .tile').first().waitFor();
}


const tenant = (name) => ids.tenants.find((x) => x.name === name);
const agentNamed = (name) => ids.agents.find((a) => a.name === name);

// Waits until the page's tiles and rows are exactly these (the filters
// apply on the next render).
async function waitShown(page, tiles, rows) {
  await page.waitForFunction(([nt, nr]) =>
    document.querySelectorAll('.tile').length === nt &&
    document.querySelectorAll('table.agents tbody tr').length === nr, [tiles, rows]);
}

test('filters by tenant, site and queue narrow the tiles and the grid, and stay in the hash', async (t) => {
  const pg = await openPage(t, browser, srv.url);
  const { page } = pg;
  await enter(pg, 'admin');
  await waitShown(page, ids.queues.length, ids.agents.length);

  const am = tenant('AssurMax');
  await page.getByLabel('Tenant').selectOption(am.id);
  const amQueues = ids.queues.filter((q) => q.tenant === am.id);
  const amAgents = ids.agents.filter((a) => a.tenants.includes(am.id));
  assert.ok(amAgents.length < ids.agents.length);
  await waitShown(page, amQueues.length, amAgents.length);
  for (const name of await page.locator('.tile h3').allTextContents()) assert.match(name, /^AssurMax/);
  assert.match(await page.evaluate(() => location.hash), new RegExp(`tenant=${am.id}`));

  const paris = ids.sites.find((s) => s.name === 'Paris');
  await page.getByLabel('Site', { exact: true }).selectOption(paris.id);
  const amParis = amAgents.filter((a) => a.site === paris.id);
  await waitShown(page, amQueues.length, amParis.length);
  for (const row of await page.locator('table.agents tbody tr').all())
    assert.equal(await row.locator('td').nth(4).textContent(), 'Paris');

  // a queue: its tile, and the agents who count in it (its tenant, its channel)
  const email = amQueues.find((q) => q.channel === 'email');
  await page.getByLabel('Queue', { exact: true }).selectOption(email.id);
  const inEmail = amParis.filter((a) => (a.capacity?.email || 0) > 0);
  await waitShown(page, 1, inEmail.length);
  await page.locator(`.tile[data-queue="${email.id}"]`).waitFor();

  // a reload (or a bookmark) keeps them
  await page.reload();
  await waitShown(page, 1, inEmail.length);
  assert.equal(await page.getByLabel('Tenant').inputValue(), am.id);
  assert.equal(await page.getByLabel('Queue', { exact: true }).inputValue(), email.id);
  await pg.screenshot('wall-filtered');
});

test('a supervisor pauses an agent with a reason from its dialog; the grid shows it; the server audited it', async (t) => {
  const pg = await openPage(t, browser, srv.url);
  const { page } = pg;
  await enter(pg, 'supervisor');
  const lucas = agentNamed('Lucas Bernard');
  const row = page.locator(`tr[data-agent="${lucas.id}"]`);
  await row.getByRole('link', { name: 'Manage Lucas Bernard' }).click();
  const dialog = page.getByRole('dialog', { name: 'Lucas Bernard' });
  await dialog.waitFor();
  await dialog.getByLabel('Pause reason').selectOption('lunch');
  await dialog.getByRole('button', { name: 'Pause' }).click();
  await row.locator('td[data-state=paused]').waitFor();
  await row.getByText('Lunch').waitFor();
  await dialog.locator('[data-k=state]', { hasText: 'Paused' }).waitFor();
  await dialog.getByRole('button', { name: 'Close' }).click();
  await dialog.waitFor({ state: 'hidden' });

  const events = (await admin.get('/api/v1/events?limit=1000')).body.events;
  const audit = events.filter((e) => e.type === 'audit.agent_state' && e.data.id === lucas.id).at(-1);
  assert.ok(audit, 'an audit.agent_state event');
  assert.equal(audit.data.state, 'paused');
  assert.equal(audit.data.reason, 'lunch');
  assert.equal(audit.data.username, 'supervisor');
});

test('"why not": a waiting contact and an agent that lacks the skill its queue asks', async (t) => {
  const am = tenant('AssurMax');
  const q = await admin.post('/api/v1/queues', {
    tenant: am.id, name: 'AssurMax billing experts', channel: 'chat',
    steps: [{ after_s: 0, filter: 'billing >= 9' }],
  });
  assert.equal(q.status, 201);
  const lucas = agentNamed('Lucas Bernard'); // billing 3
  assert.equal((await admin.put(`/api/v1/agents/${lucas.id}/state`, { state: 'available' })).status, 200);
  const c = await admin.post('/api/v1/contacts', { tenant: am.id, queue: q.body.id, channel: 'chat' });
  assert.equal(c.status, 201);

  const pg = await openPage(t, browser, srv.url);
  const { page } = pg;
  await enter(pg, 'supervisor');
  await page.locator(`.tile[data-queue="${q.body.id}"] [data-k=waiting]`, { hasText: '1' }).waitFor();
  await page.locator(`tr[data-agent="${lucas.id}"]`).getByRole('link').click();
  const dialog = page.getByRole('dialog', { name: 'Lucas Bernard' });
  await dialog.getByLabel('Queue').selectOption(q.body.id);
  await dialog.getByLabel('Waiting contact').locator(`option[value="${c.body.id}"]`).waitFor({ state: 'attached' });
  await dialog.getByRole('button', { name: 'Explain' }).click();
  const answer = dialog.locator('[data-why=filter]');
  await answer.waitFor();
  assert.match(await answer.textContent(), /filter/i);
  assert.match(await dialog.locator('.detail').textContent(), /billing >= 9/);
  noSeriousViolations(await axe(page), 'why-not dialog');
  await pg.screenshot('wall-why-not');
  await page.keyboard.press('Escape');
  await dialog.waitFor({ state: 'hidden' });
});

test('wall mode: full screen (or the wall-mode class), no header nor controls, larger type; axe; 1366×768 and 1920×1080', async (t) => {
  const pg = await openPage(t, browser, srv.url, { viewport: { width: 1366, height: 768 } });
  const { page } = pg;
  await enter(pg, 'supervisor');
  await page.locator('.live[data-live=yes]').waitFor();
  noSeriousViolations(await axe(page), 'wallboard');
  await pg.screenshot('wall-1366x768');

  const size = () => page.evaluate(() => parseFloat(getComputedStyle(document.querySelector('.wall')).fontSize));
  const normal = await size();
  await page.getByRole('button', { name: 'Wall mode' }).click();
  // headless chromium may refuse the Fullscreen API; the wall mode stands
  await page.locator('body.wall-mode').waitFor();
  assert.equal(await page.locator('header.top').isVisible(), false, 'no header on the wall');
  assert.equal(await page.locator('form.filters').isVisible(), false, 'no filters on the wall');
  assert.ok((await size()) > normal, 'larger type on the wall');
  noSeriousViolations(await axe(page), 'wall mode');
  await page.setViewportSize({ width: 1920, height: 1080 });
  await pg.screenshot('wall-mode-1920x1080');

  await page.getByRole('button', { name: 'Leave wall mode' }).click();
  await page.locator('body:not(.wall-mode)').waitFor();
  assert.equal(await page.locator('header.top').isVisible(), true);
  await pg.screenshot('wall-1920x1080');
});

test('in French, the wallboard and its dialog speak French', async (t) => {
  const pg = await openPage(t, browser, srv.url, { locale: 'fr-FR' });
  const { page } = pg;
  await enter(pg, 'supervisor');
  await page.getByRole('heading', { name: 'Conseillers' }).waitFor();
  await page.getByRole('button', { name: 'Mode mur' }).waitFor();
  await page.locator('tr[data-agent] a').first().click();
  await page.getByRole('dialog').getByRole('button', { name: 'Mettre en pause' }).waitFor();
  await page.getByRole('dialog').getByRole('button', { name: 'Fermer' }).click();
});

test('today\'s charts follow the counts: a new contact shows in them without a reload', async (t) => {
  const pg = await openPage(t, browser, srv.url);
  const { page } = pg;
  await enter(pg, 'supervisor');
  const volume = page.locator('.day-charts svg[role=img]').first();
  await volume.waitFor();
  // "...: N offered and M handled in all."
  const offered = async () => Number((await volume.getAttribute('aria-label')).match(/(\d+) offered/)?.[1] ?? 0);
  const before = await offered();
  const q = ids.queues.find((x) => x.name === 'Télécom Plus email');
  const r = await admin.post('/api/v1/contacts', { tenant: q.tenant, queue: q.id, channel: 'email' });
  assert.equal(r.status, 201);
  // the stream's counts move, then the charts are read again (at most
  // every 10 s)
  await page.waitForFunction(([n]) => {
    const m = document.querySelector('.day-charts svg[role=img]')?.getAttribute('aria-label')?.match(/(\d+) offered/);
    return m && Number(m[1]) > n;
  }, [before], { timeout: 20000 });
  assert.equal(await offered(), before + 1);
  await admin.post(`/api/v1/contacts/${r.body.id}/abandon`, {});
});
