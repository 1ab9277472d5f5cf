// The desktop survives a server restart: its stream reconnects by itself,
// resumes after the last sequence it saw (no event twice), and the agent
// works on without a reload.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { startWebServer, launchBrowser, openPage, login, client, demoIds, logInAvailable } from './lib.mjs';

test('the desktop reconnects after a restart, with no event twice and the next offer shown', async (t) => {
  let srv = await startWebServer({ args: [] });
  const { port, dataDir } = srv;
  const browser = await launchBrowser();
  t.after(async () => {
    await browser.close();
    await srv.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });
  // while the server is down, the page's requests fail: expected
  const pg = await openPage(t, browser, srv.url, { allowConsole: [/ERR_CONNECTION_REFUSED|WebSocket connection/] });
  const { page } = pg;
  await logInAvailable(page);

  await srv.stop({ keep: true });
  await page.locator('.live[data-live=no]').waitFor();
  srv = await startWebServer({ dataDir, args: ['--http', `127.0.0.1:${port}`] });
  await page.locator('.live[data-live=yes]').waitFor({ timeout: 10000 });

  // the same session goes on: available again (a restart leaves agents
  // offline), then an offer
  await page.keyboard.press('Alt+s');
  await page.locator('.current[data-state=available]').waitFor();
  const admin = client(srv.url, (await login(srv.url, 'admin')).token);
  const ids = await demoIds(srv.url, (await login(srv.url, 'admin')).token);
  const q = ids.queues.find((x) => x.name === 'AssurMax chat');
  assert.equal((await admin.post('/api/v1/contacts', { tenant: q.tenant, queue: q.id, channel: 'chat' })).status, 201);
  await page.locator('.offer').waitFor();
  assert.equal(await page.locator('.offer').count(), 1);

  const seqs = pg.frames.map((f) => JSON.parse(f.payload)).filter((m) => m.type === 'event').map((m) => m.seq);
  assert.ok(seqs.length > 0);
  assert.equal(new Set(seqs).size, seqs.length, `an event came twice: ${seqs}`);
  assert.deepEqual([...seqs].sort((a, b) => a - b), seqs, 'events in order');
  await pg.screenshot('app-desk-after-restart');
});
