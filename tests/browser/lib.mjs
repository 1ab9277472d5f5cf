// Shared harness of the browser suites: a real `relais serve` that serves
// web/, Debian's chromium driven by playwright-core, pages that record
// every response and stream message they receive and fail their test on a
// console error, a page error or a Content-Security-Policy violation,
// screenshots under the build folder, and an axe-core scan. CTest runs
// each suite as
//   node --test tests/browser/NAME.test.mjs
// with RELAIS_BIN (the relais binary), RELAIS_SOURCE_DIR (the checkout
// whose web/ is served) and RELAIS_SCREENSHOTS (<build>/screenshots) set.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { startServer } from '../integration/lib.mjs';

// The API helpers of the integration suites, for what a test sets up
// through the API (log in, create a contact) before it looks at a page.
export { request, login, client, openStream, demoIds, ok } from '../integration/lib.mjs';

export const SOURCE_DIR = process.env.RELAIS_SOURCE_DIR ||
  fileURLToPath(new URL('../..', import.meta.url));
export const WEB_DIR = join(SOURCE_DIR, 'web');
export const CHROMIUM = process.env.RELAIS_CHROMIUM || '/usr/bin/chromium';
// CTest runs a test in the build folder: <build>/screenshots by default.
export const SCREENSHOTS = process.env.RELAIS_SCREENSHOTS || join(process.cwd(), 'screenshots');

const VENDOR = ['preact.mjs', 'hooks.mjs', 'htm.mjs'];

// Starts `relais serve --demo --no-fsync --web <checkout>/web` on a free
// port. opts as startServer's (tests/integration/lib.mjs); opts.args come
// after --web. Fails when web/vendor/ was not made: the build makes it.
export async function startWebServer(opts = {}) {
  for (const f of VENDOR) {
    if (!existsSync(join(WEB_DIR, 'vendor', f)))
      throw new Error(`${WEB_DIR}/vendor/${f} is missing: build first ` +
        '(cmake --build, or bash scripts/web-vendor.sh)');
  }
  return startServer({ fsync: false, ...opts, args: ['--web', WEB_DIR, ...(opts.args || [])] });
}

// Launches headless chromium. A missing chromium fails the suite (CI
// installs it): a browser test that skips would pass without testing.
export async function launchBrowser() {
  if (!existsSync(CHROMIUM))
    throw new Error(`no chromium at ${CHROMIUM}: the browser tests need ` +
      "Debian's chromium package (make deps, or bash scripts/install-deps.sh)");
  // --no-sandbox: CI and containers run as root, where the sandbox cannot start.
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox'] });
}

// Opens a page in a context of its own (its own cookies) on the server at
// base. t: the node:test context; when the test ends the context closes
// and the test fails if the page had an error the test did not expect.
// opts: { locale ('en-GB'), viewport ({1366x768}), allowConsole: [RegExp]
// (console errors a test expects, e.g. /status of 401/ for a request that
// is meant to be refused) }.
// Returns { page, context, responses, frames, errors, csp, screenshot(name),
// bodies(), check() }:
//   responses  every HTTP response: { url, status, method, type, response }
//   frames     every WebSocket message received: { url, payload }
//   errors     console errors, page errors and CSP violations, as text
//   csp        the CSP violations: { directive, blocked, source }
//   bodies()   the texts of every response and frame, to search them all
//   check()    throws when errors is not empty
export async function openPage(t, browser, base, opts = {}) {
  const context = await browser.newContext({
    baseURL: base,
    locale: opts.locale || 'en-GB',
    viewport: opts.viewport || { width: 1366, height: 768 },
  });
  const page = await context.newPage();
  const responses = [], frames = [], errors = [], csp = [];
  const allowed = (text) => (opts.allowConsole || []).some((re) => re.test(text));

  page.on('response', (response) => {
    const req = response.request();
    responses.push({ url: response.url(), status: response.status(), method: req.method(), type: req.resourceType(), response });
  });
  page.on('websocket', (ws) => {
    ws.on('framereceived', (f) => frames.push({ url: ws.url(), payload: String(f.payload) }));
  });
  // The one error that is the browser's, not the page's: a 404 for the
  // /favicon.ico it asks for when the page names no icon.
  const favicon = (msg) => new URL(msg.location().url || base).pathname === '/favicon.ico';
  page.on('console', (msg) => {
    if (msg.type() === 'error' && !allowed(msg.text()) && !favicon(msg))
      errors.push(`console: ${msg.text()} (${msg.location().url || 'no url'})`);
  });
  page.on('pageerror', (err) => errors.push(`page error: ${err.stack || err}`));
  // Chromium also prints a violation on the console; the event says which
  // directive, and is seen even where a page silences its console.
  await page.exposeFunction('__relaisCspViolation', (v) => {
    csp.push(v);
    errors.push(`CSP violation: ${v.directive} blocked ${v.blocked} (${v.source})`);
  });
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) => {
      window.__relaisCspViolation({ directive: e.violatedDirective, blocked: e.blockedURI, source: `${e.sourceFile}:${e.lineNumber}` });
    });
  });

  const check = () => {
    if (errors.length)
      throw new Error(`the page had ${errors.length} error(s):\n  ` + errors.join('\n  '));
  };
  t.after(async () => {
    await context.close();
    check();
  });

  return {
    page, context, responses, frames, errors, csp, check,
    screenshot: (name) => screenshot(page, name),
    async bodies() {
      const texts = [];
      for (const r of responses) {
        // A redirect or a 204/304 has no body to read.
        try { texts.push(await r.response.text()); } catch { /* no body */ }
      }
      return texts.concat(frames.map((f) => f.payload));
    },
  };
}

// Saves a full-page PNG as <screenshots>/<name>.png; returns its path.
export async function screenshot(page, name) {
  mkdirSync(SCREENSHOTS, { recursive: true });
  const path = join(SCREENSHOTS, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}

// Runs axe-core on the page; returns its serious and critical violations
// as { id, impact, help, targets }. The script is evaluated through the
// debugging protocol, which the page's CSP does not govern (a <script>
// tag with the source inline would be refused, as it should).
const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

export async function axe(page) {
  if (!(await page.evaluate(() => typeof window.axe === 'object')))
    await page.evaluate(AXE_SOURCE);
  const violations = await page.evaluate(async () => {
    const r = await window.axe.run(document, { resultTypes: ['violations'] });
    return r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, targets: v.nodes.map((n) => n.target.join(' ')) }));
  });
  return violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
}

// Logs in through the login page (the demo's password unless told), in
// either language.
export async function logIn(page, username, password = `${username}-demo`) {
  await page.goto('/');
  await page.getByLabel(/user name|nom d'utilisateur/i).fill(username);
  await page.getByLabel(/password|mot de passe/i).fill(password);
  await page.keyboard.press('Enter');
}

// An agent logged in on the desk, its stream live, made available (Alt+S).
export async function logInAvailable(page, username = 'agent01') {
  await logIn(page, username);
  await page.locator('.live[data-live=yes]').waitFor();
  await page.keyboard.press('Alt+s');
  await page.locator('.current[data-state=available]').waitFor();
}

// Fails with the list of axe's serious and critical violations, if any.
export function noSeriousViolations(list, where) {
  assert.deepEqual(list, [], `${where}: ${JSON.stringify(list, null, 1)}`);
}
