// An attended transfer from the desktop's call panel, with real phones:
// agent01's and agent02's SIP logins registered by baresip (auto-answer),
// SIPp calls AssurMax; agent01's phone answers the offer, the desk shows
// the call; agent01 consults agent02 (its phone rings and answers): the
// panel says a consultation is under way with Complete and Back; Back
// returns to the caller, the consulted leg gone.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { startWebServer, launchBrowser, openPage, axe, login, client, demoIds, noSeriousViolations,
  logInAvailable } from './lib.mjs';
import { until } from '../integration/lib.mjs';
import { freePort, startSipp, startBaresip, callerPcap, tempDir } from '../integration/voicelib.mjs';

test('a consultation from the call panel: a colleague\'s phone answers, then back to the caller', async (t) => {
  const sip = await freePort();
  const srv = await startWebServer({ args: ['--sip', `127.0.0.1:${sip}`] });
  const browser = await launchBrowser();
  const dir = tempDir('consult');
  const stops = [];
  t.after(async () => {
    for (const s of stops.reverse()) await s();
    await browser.close();
    await srv.stop();
    rmSync(dir, { recursive: true, force: true });
  });
  const token = (await login(srv.url, 'admin')).token;
  const admin = client(srv.url, token);
  const ids = await demoIds(srv.url, token);
  const agent02 = ids.agents.find((a) => a.id === ids.users.find((u) => u.username === 'agent02').agent);

  const phones = {};
  for (const user of ['agent01', 'agent02']) {
    phones[user] = await startBaresip({ user, password: `${user}-sip`, registrar: `127.0.0.1:${sip}`, dir: tempDir(user) });
    stops.push(() => phones[user].stop());
    await phones[user].waitEvent('REGISTER_OK');
  }

  const pg = await openPage(t, browser, srv.url);
  const { page } = pg;
  await logInAvailable(page);

  const media = callerPcap({ dir, toneHz: 1000, seconds: 60 });
  const caller = await startSipp({ scenario: 'uac_call_wait_bye', target: `127.0.0.1:${sip}`, service: '+33180000001',
    vars: { media, wait_ms: 55000 }, dir, timeoutMs: 58000 });
  stops.push(() => caller.stop());

  // agent01's phone answers the offer: the desk shows the call
  await phones.agent01.waitEvent('CALL_ESTABLISHED', 20000);
  const panel = page.locator('section.call');
  await panel.and(page.locator('[data-call=talking]')).waitFor({ timeout: 10000 });
  const id = await page.locator('section.contact').getAttribute('aria-labelledby').then((x) => x.slice(2));
  assert.match(await panel.locator('.legs li[data-role=agent]').textContent(), /you/);

  // consult agent02: its phone answers; the panel says so
  await panel.getByLabel('Consult', { exact: true }).selectOption(agent02.id);
  await panel.locator('[data-k=consult]').click();
  await panel.locator('[data-k=consulting]').waitFor();
  await phones.agent02.waitEvent('CALL_ESTABLISHED');
  const legs = async () => (await admin.get(`/api/v1/contacts/${id}/call`)).body.legs;
  await until(async () => (await legs()).some((l) => l.role === 'consult' && l.state === 'talking'), 'the consulted leg talking');
  assert.match(await panel.locator('.legs li[data-role=consult]').textContent(), new RegExp(agent02.name));
  noSeriousViolations(await axe(page), 'desk during a consultation');
  await pg.screenshot('voice-desk-consult');

  // back to the caller: the consulted phone hangs up, the call goes on
  await panel.locator('[data-k=consult-cancel]').click();
  await panel.locator('[data-k=consult]').waitFor();
  await phones.agent02.waitEvent('CALL_CLOSED');
  await until(async () => !(await legs()).some((l) => l.role === 'consult'), 'the consulted leg gone');
  assert.equal((await admin.get(`/api/v1/contacts/${id}/call`)).body.state, 'talking');
  await page.locator('.timeline li', { hasText: 'consultation: back to the caller' }).waitFor();

  // the agent ends it: the caller gets the BYE
  await page.getByRole('button', { name: 'End the contact' }).click();
  await page.locator('form.wrapup').waitFor();
  const r = await caller.done;
  assert.equal(r.code, 0, `SIPp: ${r.errors}`);
});
