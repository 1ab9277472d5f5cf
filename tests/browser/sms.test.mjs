// An SMS conversation through a real Kannel on agent01's desktop: a phone
// writes (fakesmsc through bearerbox and smsbox to relais's get-url), the
// offer comes, agent01 takes it and sees the message; the composer counts
// characters, SMS and encoding as agent01 types; the answer reaches the
// phone and its delivery report shows it delivered; the customer panel
// shows the opt-out once the phone sends STOP.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startWebServer, launchBrowser, openPage, axe, login, client, demoIds, noSeriousViolations, ok, logInAvailable } from './lib.mjs';
import { startKannel } from '../integration/kannel-lib.mjs';

const SECRET = 'gw-' + Math.random().toString(36).slice(2) + '-browser';
const PHONE = '+33611223344';
const NUMBER = '+33700000201';

let srv, browser, admin, kannel, S = {};

before(async () => {
  srv = await startWebServer();
  browser = await launchBrowser();
  const token = (await login(srv.url, 'admin')).token;
  admin = client(srv.url, token);
  const ids = await demoIds(srv.url, token);
  const am = ids.tenants.find((x) => x.name === 'AssurMax').id;
  S.queue = (await ok(admin.post('/api/v1/queues', { tenant: am, name: 'AssurMax SMS', channel: 'sms', wrapup: 'manual' }), 201, 'queue')).id;
  const gw = await ok(admin.post('/api/v1/gateways', {
    name: 'Kannel', sendsms_url: 'http://127.0.0.1:9/cgi-bin/sendsms', username: 'relais', password: 'later', secret: SECRET, relais_url: srv.url,
  }), 201, 'gateway');
  await ok(admin.post('/api/v1/numbers', { tenant: am, queue: S.queue, number: NUMBER, gateway: gw.id }), 201, 'number');
  kannel = await startKannel({ getUrl: gw.get_url.replace('secret=SECRET', `secret=${SECRET}`) });
  await ok(admin.patch(`/api/v1/gateways/${gw.id}`, { sendsms_url: kannel.sendsmsUrl, password: kannel.password }), 200, 'gateway');
  const agent = ids.agents.find((a) => a.id === ids.users.find((u) => u.username === 'agent01').agent);
  await ok(admin.patch(`/api/v1/agents/${agent.id}`, { capacity: { ...agent.capacity, sms: 2 } }), 200, 'agent01 takes SMS');
});
after(async () => {
  await browser?.close();
  await kannel?.stop();
  await srv?.stop();
});

test('agent01 answers an SMS through Kannel, the counter under the composer', async (t) => {
  const pg = await openPage(t, browser, srv.url);
  const { page } = pg;
  await logInAvailable(page);

  await kannel.phone(PHONE, NUMBER, 'Bonjour, où en est ma commande ? 😀');
  await page.locator('.offer').waitFor({ timeout: 60000 });
  await page.keyboard.press('Alt+a');
  const conv = page.locator('.conversation');
  await conv.locator('.msg.in', { hasText: 'Bonjour, où en est ma commande ? 😀' }).waitFor();
  await page.getByText(PHONE).first().waitFor(); // the customer panel

  // the counter follows the text: GSM-7, then UCS-2 for a ç, then two SMS
  const box = conv.getByLabel('Your message');
  const counter = (text) => conv.locator('.sms-count', { hasText: text }).waitFor();
  await box.fill('Bonjour');
  await counter('7 characters · 1 SMS · GSM-7 · 153 left in this SMS');
  await box.fill('Bien reçu');
  await counter('9 characters · 1 SMS · UCS-2 (Unicode) · 61 left in this SMS');
  await box.fill('a'.repeat(161));
  await counter('161 characters · 2 SMS · GSM-7 · 145 left in this SMS');
  noSeriousViolations(await axe(page), 'desk with an SMS conversation');

  const answer = 'Votre commande part demain, à bientôt 😀';
  await box.fill(answer);
  await counter('39 characters · 1 SMS · UCS-2');
  await box.press('Enter');
  await conv.locator('.msg.out[data-status=delivered]', { hasText: answer }).waitFor({ timeout: 60000 });
  const got = kannel.carried().find((m) => m.to === PHONE && m.text === answer);
  assert.ok(got, JSON.stringify(kannel.carried()));
  assert.equal(got.from, NUMBER);
  await pg.screenshot('desk-sms');

  // STOP: the conversation shows it; the customer panel, read again, the opt-out
  await kannel.phone(PHONE, NUMBER, 'STOP');
  await conv.locator('.msg.in', { hasText: 'STOP' }).waitFor({ timeout: 60000 });
  await conv.locator('.msg.out', { hasText: 'Vous ne recevrez plus de SMS' }).waitFor();
  await page.reload();
  await page.locator('.customer .opted-out', { hasText: 'Opted out of SMS (STOP) since' }).waitFor();
});
