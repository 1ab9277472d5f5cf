// The demo's way to the web chat: on a `relais serve --demo` server the
// login page links to the clients' websites (/demo/), in the page's
// language, and that page lists a website per client; a server without
// --demo shows no such link. No console error, no serious axe violation.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startWebServer, launchBrowser, openPage, axe, noSeriousViolations } from './lib.mjs';

let demo, plain, browser;

before(async () => {
  demo = await startWebServer();
  plain = await startWebServer({ demo: false });
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await demo?.stop();
  await plain?.stop();
});

test('the demo\'s login page links to the clients\' websites', async (t) => {
  for (const [locale, text] of [['en-GB', /websites with their web chat/], ['fr-FR', /sites des clients avec leur chat web/]]) {
    const pg = await openPage(t, browser, demo.url, { locale });
    await pg.page.goto('/');
    const link = pg.page.locator('a[href="/demo/"]');
    await link.waitFor();
    assert.match(await link.textContent(), text);
    noSeriousViolations(await axe(pg.page), `login ${locale}`);
    await link.click();
    await pg.page.waitForURL('**/demo/');
    const sites = pg.page.locator('main li a');
    await sites.first().waitFor();
    assert.equal(await sites.count(), 2);
    assert.deepEqual((await sites.allTextContents()).sort(), ['AssurMax', 'Télécom Plus']);
    noSeriousViolations(await axe(pg.page), `demo sites ${locale}`);
    pg.check();
  }
});

test('without --demo the login page has no such link', async (t) => {
  const pg = await openPage(t, browser, plain.url);
  const health = pg.page.waitForResponse((r) => new URL(r.url()).pathname === '/healthz');
  await pg.page.goto('/');
  assert.equal((await (await health).json()).demo, false);
  await pg.page.locator('#username').waitFor();
  // the answer is handled: two frames later the page has rendered it
  await pg.page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
  assert.equal(await pg.page.locator('a[href="/demo/"]').count(), 0);
  pg.check();
});
