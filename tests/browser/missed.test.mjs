// Missed offers on the desktop, with a server whose offers time out after
// a second (--offer-timeout 1): each miss is explained, and after the
// third in a row the agent is paused by the system, which the desktop
// says as such.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startWebServer, launchBrowser, openPage, axe, login, client, demoIds, noSeriousViolations, logInAvailable } from './lib.mjs';

test('a missed offer is explained, and three in a row pause the agent with the reason said', async (t) => {
  const srv = await startWebServer({ args: ['--offer-timeout', '1'] });
  const browser = await launchBrowser();
  t.after(async () => {
    await browser.close();
    await srv.stop();
  });
  const pg = await openPage(t, browser, srv.url);
  const { page } = pg;
  await logInAvailable(page);

  const admin = client(srv.url, (await login(srv.url, 'admin')).token);
  const ids = await demoIds(srv.url, (await login(srv.url, 'admin')).token);
  const q = ids.queues.find((x) => x.name === 'AssurMax chat');
  const r = await admin.post('/api/v1/contacts', { tenant: q.tenant, queue: q.id, channel: 'chat' });
  assert.equal(r.status, 201);
  await page.locator('.offer').waitFor();
  // unanswered for a second: the card goes, and the desk says why
  const missed = page.locator('[data-k=missed]');
  await missed.waitFor({ timeout: 5000 });
  assert.match(await missed.textContent(), /AssurMax chat was not answered in time/);
  await page.locator('.offer').waitFor({ state: 'detached' });
  // the same contact comes back after the agent's rest (5 s), is missed
  // again, twice: the system pauses the agent and the desk says so
  await page.locator('[data-k=auto-paused]').waitFor({ timeout: 20000 });
  await page.locator('.current[data-state=paused]').waitFor();
  assert.match(await page.locator('.state').textContent(), /Missed offers/);
  const a = (await admin.get('/api/v1/stats/realtime')).body.agents.find((x) => x.name === ids.agents[0].name);
  assert.equal(a.state, 'paused');
  assert.equal(a.reason, 'missed');
  await pg.screenshot('desk-auto-paused');
  noSeriousViolations(await axe(page), 'auto-paused desk');
  // going available clears it
  await page.keyboard.press('Alt+s');
  await page.locator('.current[data-state=available]').waitFor();
  await page.locator('[data-k=auto-paused]').waitFor({ state: 'detached' });
  await admin.post(`/api/v1/contacts/${r.body.id}/abandon`, {});
});
