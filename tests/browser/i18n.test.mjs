// Every page of every role against the demo centre, in French and in
// English, on a 1366×768 laptop and on a 1920×1080 wall screen: no catalog
// id shows (a key the catalogs lack), the French pages show none of the
// English words an untranslated string would betray, no page scrolls
// sideways, axe finds nothing serious, and each is photographed
// (i18n-<page>-<lang>-<width>.png). The administration page is walked kind
// by kind, with one object's form each. One browser, one server, one login
// per role and language.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startWebServer, launchBrowser, openPage, axe, login, client, logIn } from './lib.mjs';
import { KINDS } from '../../web/app/admin-kinds.js';

const SIZES = [{ width: 1366, height: 768 }, { width: 1920, height: 1080 }];
const LANGS = { en: 'en-GB', fr: 'fr-FR' };

// English words of the ui.* texts that no French text holds (checked
// against lang/fr.json): one of them on a French page is a string that
// missed its translation. Demo data (names, dispositions) uses none.
const ENGLISH = [
  'Waiting', 'Offered', 'Handled', 'Save', 'Search', 'Reports', 'Loading', 'Close', 'Delete', 'Create',
  'Longest', 'Average', 'Paused', 'Available', 'Offline', 'Queues', 'Tenants', 'Users', 'Skills',
  'Calendars', 'Wallboard', 'Filters', 'Strategy', 'Priority', 'Capacity', 'Language', 'Monday',
  'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday', 'Nothing', 'Abandoned', 'Today',
  'Download', 'Log out', 'Wrap-up', 'Service level', 'Name', 'State', 'Reason', 'Apply', 'Completed',
  'Transferred', 'Audit trail', 'Busy', 'Holidays', 'Opening', 'Previous', 'Next', 'From', 'Group by',
  'Tenant', 'waiting', 'available', 'handled',
  // values of the API shown as they are sent instead of by their names
  // ("onshore" is left out: the filter's help quotes it as an example)
  'longest-idle', 'offshore', 'manual',
];
const ENGLISH_RE = new RegExp(`\\b(${ENGLISH.map((w) => w.replace(/[-\s]/g, (c) => `\\${c}`)).join('|')})\\b`, 'g');

// The roles the demo has logins for, with their pages (main.js's PAGES).
const ROLES = {
  admin: ['wall', 'reports', 'admin', 'audit'],
  supervisor: ['wall', 'reports', 'admin', 'audit'],
  agent01: ['desk'],
  'client-assurmax': ['wall', 'reports'],
};

let srv, browser, lists;

before(async () => {
  // The demo as `make run` shows it: robots answer random contacts, so
  // that the pages draw figures, states and reasons, not only zeros.
  srv = await startWebServer({ args: ['--demo-traffic'] });
  browser = await launchBrowser();
  const admin = client(srv.url, (await login(srv.url, 'admin')).token);
  lists = {};
  for (const k of KINDS) lists[k.name] = (await admin.get(`/api/v1/${k.name}?limit=500`)).body.items;
});
after(async () => {
  await browser?.close();
  await srv?.stop();
});

// What the page shows a person or a screen reader, in the page's language:
// its text nodes (option texts and visually hidden ones too) and the
// title, aria-label, placeholder and alt attributes, with document.title.
// What is marked in another language (the switch to the other language)
// is left out.
function pageTexts() {
  const mine = document.documentElement.lang;
  const other = (el) => { const l = el?.closest('[lang]'); return l && l.lang !== mine; };
  const out = [document.title];
  const walk = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let n = walk.nextNode(); n; n = walk.nextNode()) {
    if (!other(n.parentElement) && n.nodeValue.trim()) out.push(n.nodeValue.trim());
  }
  for (const el of document.body.querySelectorAll('[title],[aria-label],[placeholder],[alt]')) {
    if (other(el)) continue;
    for (const a of ['title', 'aria-label', 'placeholder', 'alt']) {
      if (el.hasAttribute(a)) out.push(`${a}=${el.getAttribute(a)}`);
    }
  }
  return out;
}

// Checks the page as it is drawn now; returns the problems found, each
// prefixed with where.
async function inspect(page, lang, where) {
  const problems = [];
  assert.equal(await page.evaluate(() => document.documentElement.lang), lang, `${where}: the page's language`);
  const texts = await page.evaluate(pageTexts);
  for (const s of texts) {
    if (/\bui\.[a-z]/.test(s)) problems.push(`${where}: catalog id shown: ${JSON.stringify(s)}`);
    if (lang === 'fr') {
      const hits = s.match(ENGLISH_RE);
      if (hits) problems.push(`${where}: English in French (${[...new Set(hits)].join(', ')}): ${JSON.stringify(s.slice(0, 120))}`);
    }
  }
  const { sw, iw, wide } = await page.evaluate(() => {
    const iw = window.innerWidth;
    // what sticks out, to say where the overflow comes from
    const wide = [...document.querySelectorAll('body *')]
      .filter((el) => el.getBoundingClientRect().right > iw + 1 && el.getClientRects().length)
      .slice(0, 3).map((el) => `${el.tagName.toLowerCase()}.${el.className}`);
    return { sw: document.documentElement.scrollWidth, iw, wide };
  });
  if (sw > iw) problems.push(`${where}: scrolls sideways (${sw} > ${iw}): ${wide.join(' ')}`);
  for (const v of await axe(page)) problems.push(`${where}: axe ${v.impact} ${v.id}: ${v.help} (${v.targets.slice(0, 3).join(', ')})`);
  return problems;
}

async function enter(page, username) {
  await logIn(page, username);
  await page.locator('header.top').waitFor();
}

// Loads a page afresh (a change of hash alone would keep the state the
// last size left, such as an open form) and waits until it has drawn its
// data.
async function open(page, name) {
  await page.goto('about:blank');
  await page.goto(`/#/${name}`);
  const main = page.locator(`main[data-page=${name}]`);
  await main.waitFor();
  switch (name) {
  case 'desk':
    await page.locator('.live[data-live=yes]').waitFor();
    await page.locator('.figures [data-k=handled]').waitFor();
    break;
  case 'wall':
    await page.locator('.live[data-live=yes]').waitFor();
    await page.locator('.tile').first().waitFor();
    break;
  case 'reports':
    await page.locator('.reports .charts').waitFor();
    await page.waitForFunction(() => document.querySelector('.reports .status')?.textContent.trim() === '');
    break;
  case 'admin':
    await page.locator('table.objects tbody tr').first().waitFor();
    break;
  case 'audit':
    await page.locator('table.audit-trail tbody tr').first().waitFor();
    break;
  }
}

// Opens a kind's list on the administration page and waits until it shows
// that kind's objects (not the previous kind's, nor "loading").
async function openKind(page, kind) {
  await page.locator(`button.kind[data-kind=${kind.name}]`).click();
  const names = lists[kind.name].map((o) => o[kind.title]);
  await page.waitForFunction(([n, first]) => {
    const rows = document.querySelectorAll('table.objects tbody tr');
    return rows.length === n && first.includes(rows[0].querySelector('.open')?.textContent.trim());
  }, [names.length, names]);
}

async function shoot(pg, name) {
  await pg.screenshot(name);
}

for (const [user, pages] of Object.entries(ROLES)) {
  for (const lang of Object.keys(LANGS)) {
    test(`${user} in ${lang}: every page at 1366×768 and 1920×1080`, async (t) => {
      const pg = await openPage(t, browser, srv.url, { locale: LANGS[lang] });
      const { page } = pg;
      const problems = [];
      if (user === 'admin') {
        // the login page, before logging in
        for (const size of SIZES) {
          await page.setViewportSize(size);
          await page.goto('/');
          await page.locator('#username').waitFor();
          problems.push(...await inspect(page, lang, `login ${lang} ${size.width}`));
          await shoot(pg, `i18n-login-${lang}-${size.width}`);
        }
      }
      await enter(page, user);
      const who = user === 'client-assurmax' ? 'client-' : user === 'supervisor' ? 'supervisor-' : '';
      for (const name of pages) {
        for (const size of SIZES) {
          await page.setViewportSize(size);
          await open(page, name);
          const where = `${user} #/${name} ${lang} ${size.width}`;
          problems.push(...await inspect(page, lang, where));
          await shoot(pg, `i18n-${who}${name}-${lang}-${size.width}`);
          if (name === 'wall' && user !== 'client-assurmax' && size.width === 1920) {
            // the wall mode, made for the wall screen
            await page.locator('.wall-head button.controls').click();
            await page.locator('body.wall-mode').waitFor();
            problems.push(...await inspect(page, lang, `${where} wall mode`));
            await shoot(pg, `i18n-${who}wall-mode-${lang}-${size.width}`);
            await page.locator('.wall-head button.leave').click();
            await page.locator('body:not(.wall-mode)').waitFor();
          }
          if (name !== 'admin' || user !== 'admin' && user !== 'supervisor') continue;
          // each kind's list and its first object's form
          for (const kind of KINDS.filter((k) => !k.adminOnly || user === 'admin')) {
            if (!lists[kind.name].length) continue;
            await openKind(page, kind);
            await page.locator('table.objects tbody tr .open').first().click();
            await page.locator('form.object h2').filter({ hasText: lists[kind.name][0][kind.title] }).waitFor();
            problems.push(...await inspect(page, lang, `${where} ${kind.name}`));
            if (user === 'admin') await shoot(pg, `i18n-admin-${kind.name}-${lang}-${size.width}`);
          }
        }
      }
      assert.deepEqual(problems, [], problems.join('\n'));
    });
  }
}
