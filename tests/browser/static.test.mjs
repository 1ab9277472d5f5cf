// The web folder in a real browser: GET / is web/index.html, under the
// server's Content-Security-Policy, with no console error; the vendored
// Preact, hooks and htm import from the page and render together (which
// proves that web-vendor.sh's rewrite of the hooks' import and the CSP
// agree); no serious or critical axe violation. And the harness itself
// sees a console error and a CSP violation, so that its silence means
// something.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startWebServer, launchBrowser, openPage, axe, WEB_DIR } from './lib.mjs';

let srv, browser;

before(async () => {
  srv = await startWebServer();
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await srv?.stop();
});

test('GET / is web/index.html under the CSP, with no error', async (t) => {
  const pg = await openPage(t, browser, srv.url);
  const res = await pg.page.goto('/', { waitUntil: 'load' });
  assert.equal(res.status(), 200);
  assert.equal(await res.text(), readFileSync(join(WEB_DIR, 'index.html'), 'utf8'));
  const policy = res.headers()['content-security-policy'];
  assert.match(policy, /script-src 'self'/);
  assert.doesNotMatch(policy, /unsafe-inline|unsafe-eval/);
  await pg.screenshot('static-index');
  pg.check();
  assert.deepEqual(pg.csp, []);
});

test('the vendored preact, hooks and htm import in the page and render', async (t) => {
  const pg = await openPage(t, browser, srv.url);
  await pg.page.goto('/');
  const got = await pg.page.evaluate(async () => {
    const preact = await import('/vendor/preact.mjs');
    const hooks = await import('/vendor/hooks.mjs');
    const htm = (await import('/vendor/htm.mjs')).default;
    const html = htm.bind(preact.h);
    // useState works only when the hooks share the page's one preact.
    const Counter = () => {
      const [n] = hooks.useState(41);
      return html`<output id="n">${n + 1}</output>`;
    };
    const root = document.createElement('div');
    preact.render(html`<${Counter} />`, root);
    return {
      h: typeof preact.h,
      render: typeof preact.render,
      useState: typeof hooks.useState,
      useEffect: typeof hooks.useEffect,
      htm: typeof htm,
      rendered: root.innerHTML,
    };
  });
  assert.deepEqual(got, {
    h: 'function', render: 'function', useState: 'function',
    useEffect: 'function', htm: 'function', rendered: '<output id="n">42</output>',
  });
  // Each module came from this server once, as JavaScript: preact.mjs
  // through the hooks' import as well, not from a second copy.
  for (const name of ['preact.mjs', 'hooks.mjs', 'htm.mjs']) {
    const hits = pg.responses.filter((r) => new URL(r.url).pathname === `/vendor/${name}`);
    assert.equal(hits.length, 1, `/vendor/${name} fetched ${hits.length} times`);
    assert.equal(hits[0].status, 200);
    assert.match(hits[0].response.headers()['content-type'], /^text\/javascript/);
  }
  pg.check();
});

test("npm's folder and the vendoring stamp are not served", async () => {
  for (const path of ['/.npm/package.json', '/.npm/node_modules/preact/package.json', '/vendor/.stamp']) {
    const r = await fetch(srv.url + path);
    assert.equal(r.status, 404, path);
  }
  assert.equal((await fetch(srv.url + '/vendor/preact.LICENSE')).status, 200);
});

test('the page has no serious or critical accessibility violation', async (t) => {
  const pg = await openPage(t, browser, srv.url);
  await pg.page.goto('/');
  assert.deepEqual(await axe(pg.page), []);
  pg.check();
});

test('the harness sees a console error, a page error and a CSP violation', async (t) => {
  const pg = await openPage(t, browser, srv.url);
  await pg.page.goto('/');
  await pg.page.evaluate(() => {
    console.error('a console error');
    setTimeout(() => { throw new Error('a page error'); });
    const s = document.createElement('script');
    s.textContent = 'window.inlineRan = true;';
    document.head.append(s);
  });
  // The violation is reported asynchronously: wait for it, not for a time.
  await waitUntil(() => pg.csp.length > 0 && pg.errors.some((e) => e.includes('a page error')));
  assert.equal(await pg.page.evaluate(() => window.inlineRan), undefined);
  assert.ok(pg.errors.some((e) => e.startsWith('console: a console error')), pg.errors.join('\n'));
  assert.equal(pg.csp[0].directive, 'script-src-elem');
  assert.throws(() => pg.check(), /the page had \d+ error/);
  // Expected here: the test would fail when the context closes otherwise.
  pg.errors.length = 0;
});

// Polls pred; gives up after 10 s (a bound on the wait, not a measure).
async function waitUntil(pred) {
  for (const end = Date.now() + 10000; !pred(); await new Promise((r) => setTimeout(r, 20)))
    if (Date.now() > end) throw new Error('waited 10 s in vain');
}
