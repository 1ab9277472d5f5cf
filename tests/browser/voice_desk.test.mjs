// A real call on the desktop and the wallboard: relais with voice on
// (--sip on a free port), SIPp calls AssurMax's +33180000001 (a welcome,
// then its voice queue; its calls are recorded), agent01 (no phone
// registered: relais's in-house phone answers for it) accepts in the
// desktop; the call panel shows the call and its controls: hold and
// resume, pause and resume the recording, each seen by GET .../call too.
// Meanwhile a supervisor's wallboard lists the call in agent01's dialog
// and asks to listen: refused (said in the dialog) until the supervisor's
// phone (baresip) is registered, then it rings and listens; then leaves. The agent ends the contact: SIPp gets the
// BYE, the desk goes to wrap-up and the recording plays in an <audio>
// player, and again in the customer's history once the wrap-up is done;
// nobody outside AssurMax's staff (and the agent who took it) reads the
// file. axe and screenshots along the way.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { startWebServer, launchBrowser, openPage, axe, login, client, demoIds, noSeriousViolations, logIn,
  logInAvailable } from './lib.mjs';
import { until } from '../integration/lib.mjs';
import { freePort, startSipp, startBaresip, callerPcap, tempDir } from '../integration/voicelib.mjs';

const PHONE = '+33612345678'; // the caller: a customer of AssurMax, made by the call

test('a call on the desk: panel, hold, recording paused, supervision from the wall, end, the recording played', async (t) => {
  const sip = await freePort();
  const srv = await startWebServer({ args: ['--sip', `127.0.0.1:${sip}`] });
  const browser = await launchBrowser();
  const dir = tempDir('desk');
  let caller = null;
  t.after(async () => {
    await caller?.stop();
    await browser.close();
    await srv.stop();
    rmSync(dir, { recursive: true, force: true });
  });
  const token = (await login(srv.url, 'admin')).token;
  const admin = client(srv.url, token);
  const ids = await demoIds(srv.url, token);
  const agent01 = ids.agents.find((a) => a.id === ids.users.find((u) => u.username === 'agent01').agent);

  // the refusals of a transfer to a number (no trunk) and of a
  // consultation (agent01 has no phone of its own) answer 400 and 409
  const pg = await openPage(t, browser, srv.url, { allowConsole: [/status of 40[09]/] });
  const { page } = pg;
  await logInAvailable(page);

  // the caller: a tone, waiting for relais's BYE (the agent ends it)
  const media = callerPcap({ dir, toneHz: 1000, seconds: 60 });
  caller = await startSipp({ scenario: 'uac_call_wait_bye', target: `127.0.0.1:${sip}`, service: '+33180000001',
    vars: { media, wait_ms: 55000, from: PHONE }, dir, timeoutMs: 58000 });
  const offer = page.locator('.offer');
  await offer.waitFor({ timeout: 20000 });
  assert.match(await offer.textContent(), /Voice/);
  assert.match(await offer.locator('[data-k=phone]').textContent(), /Answer on your phone/);
  await offer.getByRole('button', { name: 'Accept' }).click();

  // bridged to the in-house phone: the panel shows the call
  const panel = page.locator('section.call');
  await panel.and(page.locator('[data-call=talking]')).waitFor({ timeout: 10000 });
  const id = await page.locator('section.contact').getAttribute('aria-labelledby').then((x) => x.slice(2));
  assert.equal(await panel.locator('[data-k=number]').textContent(), '+33180000001');
  assert.equal(await panel.locator('[data-k=caller]').textContent(), PHONE);
  assert.equal(await panel.locator('[data-k=path]').textContent(), 'welcome → q');
  assert.match(await panel.locator('[data-k=call-state]').textContent(), /Talking/);
  assert.equal(await panel.locator('[data-k=rec]').getAttribute('data-paused'), 'no');
  assert.match(await panel.locator('.legs li[data-role=agent]').textContent(), /you.*on the line.*relais's own phone/s);
  noSeriousViolations(await axe(page), 'desk with a call');
  await pg.screenshot('voice-desk-call');

  // hold: said on the panel, and the API says held
  await panel.locator('[data-k=hold]').click();
  await panel.locator('[data-k=held]').waitFor();
  assert.equal((await admin.get(`/api/v1/contacts/${id}/call`)).body.held, true);
  await pg.screenshot('voice-desk-held');
  await panel.locator('[data-k=resume]').click();
  await panel.locator('[data-k=held]').waitFor({ state: 'detached' });
  assert.equal((await admin.get(`/api/v1/contacts/${id}/call`)).body.held, false);

  // the recording paused (a card number), said, then resumed
  await panel.locator('[data-k=rec-pause]').click();
  await panel.locator('[data-k=rec][data-paused=yes]').waitFor();
  assert.equal((await admin.get(`/api/v1/contacts/${id}/call`)).body.recording_paused, true);
  await pg.screenshot('voice-desk-rec-paused');
  await panel.locator('[data-k=rec-resume]').click();
  await panel.locator('[data-k=rec][data-paused=no]').waitFor();
  assert.equal((await admin.get(`/api/v1/contacts/${id}/call`)).body.recording_paused, false);
  // each control is in the contact's timeline
  await page.locator('.timeline li', { hasText: 'recording resumed' }).waitFor();

  // transfers of the call: to a number, with no trunk here, and a
  // consultation, agent01 having no phone: each refusal is said, the
  // call goes on
  await panel.getByLabel('Number', { exact: true }).fill('+33123456789');
  await panel.locator('[data-k=transfer-number]').click();
  await panel.locator('.error[role=alert]', { hasText: /trunk/ }).waitFor();
  await panel.getByLabel('Consult', { exact: true }).selectOption({ index: 1 }); // a colleague
  await panel.locator('[data-k=consult]').click();
  await panel.locator('.error[role=alert]', { hasText: /no phone registered/ }).waitFor();
  assert.equal((await admin.get(`/api/v1/contacts/${id}/call`)).body.state, 'talking');
  await pg.screenshot('voice-desk-transfer-refused');

  // the supervisor's wallboard: agent01's dialog lists the call; Listen
  // while the supervisor's phone is not registered is refused, said in
  // the dialog; once it is (baresip as supervisor / supervisor-sip),
  // Listen rings it and the agent's panel shows the supervisor on the line
  const sup = await openPage(t, browser, srv.url, { allowConsole: [/status of 409/] });
  await logIn(sup.page, 'supervisor');
  await sup.page.locator('[data-page=wall] .tile').first().waitFor();
  await sup.page.locator(`tr[data-agent="${agent01.id}"] a`).click();
  const dialog = sup.page.getByRole('dialog', { name: agent01.name });
  const call = dialog.locator(`.calls li[data-contact="${id}"]`);
  await call.waitFor();
  const listen = async () => {
    const asked = sup.page.waitForResponse((r) => r.url().endsWith(`/api/v1/contacts/${id}/call/supervise`) &&
      r.request().method() === 'POST');
    await call.getByRole('button', { name: 'Listen' }).click();
    const answer = await asked;
    assert.deepEqual(answer.request().postDataJSON(), { mode: 'listen' });
    return answer;
  };
  const refused = await listen();
  assert.equal(refused.status(), 409);
  await dialog.locator('.error[role=alert]', { hasText: 'you have no phone registered' }).waitFor();
  const phone = await startBaresip({ user: 'supervisor', password: 'supervisor-sip', registrar: `127.0.0.1:${sip}`,
    dir: tempDir('sup') });
  t.after(() => phone.stop());
  await phone.waitEvent('REGISTER_OK');
  assert.equal((await listen()).status(), 200);
  await call.locator('[data-mode=listen][aria-pressed=true]').waitFor();
  await phone.waitEvent('CALL_ESTABLISHED');
  const supLeg = async () => (await admin.get(`/api/v1/contacts/${id}/call`)).body.legs.find((l) => l.role === 'supervisor');
  await until(async () => (await supLeg())?.state === 'talking', "the supervisor's leg on the call");
  noSeriousViolations(await axe(sup.page), 'wallboard dialog with a supervised call');
  await sup.screenshot('voice-wall-supervise');
  await pg.screenshot('voice-desk-supervised');
  await call.getByRole('button', { name: 'Leave the call' }).click();
  await call.locator('[data-mode=listen][aria-pressed=false]').waitFor();
  await phone.waitEvent('CALL_CLOSED');
  await until(async () => !(await supLeg()), "the supervisor's leg gone");

  // the agent ends it: the caller gets the BYE, the desk goes to wrap-up
  await page.getByRole('button', { name: 'End the contact' }).click();
  await page.locator('form.wrapup').waitFor();
  const r = await caller.done;
  assert.equal(r.code, 0, `SIPp: ${r.errors}`);
  caller = null;
  // the recording, kept with the contact, plays in the timeline's player
  const player = page.locator('.recordings audio');
  await player.waitFor({ timeout: 10000 });
  await player.evaluate((a) => { a.preload = 'auto'; a.load(); });
  const seconds = await until(() => player.evaluate((a) => (a.readyState >= 1 ? a.duration : 0)),
    'the recording loaded in the player', 10000);
  assert.ok(seconds > 1, `recording of ${seconds} s`);
  await page.locator('section.call [data-k=no-call]').waitFor();
  noSeriousViolations(await axe(page), 'desk in wrap-up with a recording');
  await pg.screenshot('voice-desk-wrapup');

  // only the tenant's staff who may see the contact read the file
  const file = new URL(await player.getAttribute('src'), srv.url).pathname;
  const as = async (user) => (await client(srv.url, (await login(srv.url, user)).token).get(file)).status;
  assert.equal(await as('supervisor'), 200);
  assert.equal(await as('agent02'), 404, 'another agent');
  assert.equal(await as('client-telecom'), 403, "the other client's login");
  const tp = ids.tenants.find((x) => x.name === 'Télécom Plus').id;
  await admin.post('/api/v1/users', { username: 'sup-telecom', role: 'supervisor', tenants: [tp], password: 'sup-telecom-pw' });
  assert.equal((await client(srv.url, (await login(srv.url, 'sup-telecom', 'sup-telecom-pw')).token).get(file)).status, 404,
    "the other tenant's supervisor");

  // the wrap-up done, the contact leaves the desk; the customer's
  // history plays its recording
  await page.locator('form.wrapup select').selectOption('resolved');
  await page.getByRole('button', { name: 'Finish wrap-up' }).click();
  await page.locator('section.contact').waitFor({ state: 'detached' });
  await page.getByLabel('Name, email or phone').fill(PHONE);
  await page.getByRole('button', { name: 'Search', exact: true }).click();
  await page.locator('.found button').first().click();
  const played = page.locator('.search .history .recordings audio');
  await played.waitFor();
  assert.equal(new URL(await played.getAttribute('src'), srv.url).pathname, file);
  noSeriousViolations(await axe(page), 'customer history with a recording');
  await pg.screenshot('voice-history');
});
