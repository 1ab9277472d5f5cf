// The conversation of a written contact on the agent desktop: the
// customer's messages (brought by an integration, the api channel) and its
// typing appear live; the agent answers with Enter, then with a file; both
// are logged, and the file comes back through the API.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startWebServer, launchBrowser, openPage, axe, login, client, demoIds, noSeriousViolations, logInAvailable } from './lib.mjs';

let srv, browser, admin, integ, ids;

before(async () => {
  srv = await startWebServer();
  browser = await launchBrowser();
  const token = (await login(srv.url, 'admin')).token;
  admin = client(srv.url, token);
  integ = client(srv.url, (await login(srv.url, 'integration')).token);
  ids = await demoIds(srv.url, token);
});
after(async () => {
  await browser?.close();
  await srv?.stop();
});

test('agent01 chats with a customer: messages and typing live, an answer with Enter, a file', async (t) => {
  const pg = await openPage(t, browser, srv.url);
  const { page } = pg;
  await logInAvailable(page);

  const q = ids.queues.find((x) => x.name === 'AssurMax chat');
  const c = await integ.post('/api/v1/contacts', { tenant: q.tenant, queue: q.id, channel: 'chat', customer: { email: 'lea@example.com', name: 'Léa Chat' } });
  assert.equal(c.status, 201, JSON.stringify(c.body));
  const id = c.body.id;
  await page.locator('.offer').waitFor();
  await page.keyboard.press('Alt+a');
  const conv = page.locator('.conversation');
  await conv.waitFor();
  await conv.getByText('No message yet.').waitFor();

  // the customer writes, then types: both show without a reload
  assert.equal((await integ.post(`/api/v1/contacts/${id}/messages`, { text: 'Bonjour, ma box ne marche plus', direction: 'in' })).status, 201);
  await conv.locator('.msg.in', { hasText: 'Bonjour, ma box ne marche plus' }).waitFor();
  assert.equal((await integ.post(`/api/v1/contacts/${id}/typing`, {})).status, 204);
  await conv.getByText('The customer is typing…').waitFor();

  // "/" offers the tenant's canned responses (the demo's), Enter takes one
  await conv.getByLabel('Your message').fill('/bon');
  await conv.getByRole('button', { name: '/bonjour — Accueil' }).waitFor();
  assert.equal(await conv.locator('.suggest li').count(), 1, 'AssurMax\'s only, not Télécom Plus\'s');
  await conv.getByLabel('Your message').press('Enter');
  assert.match(await conv.getByLabel('Your message').inputValue(), /^Bonjour, je suis votre conseiller AssurMax/);
  assert.equal(await conv.locator('.msg.out').count(), 0, 'taking a response sends nothing');

  // the agent answers with Enter
  await conv.getByLabel('Your message').fill('Je regarde votre ligne.');
  await conv.getByLabel('Your message').press('Enter');
  const out = conv.locator('.msg.out', { hasText: 'Je regarde votre ligne.' });
  await out.waitFor();
  // the api channel has no medium: the message becomes sent (a status event)
  await conv.locator('.msg.out[data-status=sent]', { hasText: 'Je regarde votre ligne.' }).waitFor();
  assert.equal(await conv.getByLabel('Your message').inputValue(), '');

  // then with a file
  await conv.getByLabel('Attach files').setInputFiles({ name: 'procédure.txt', mimeType: 'text/plain', buffer: Buffer.from('Redémarrez la box.\n') });
  await conv.getByLabel('Your message').fill('Voici la procédure.');
  await conv.getByRole('button', { name: 'Send' }).click();
  const link = conv.locator('.msg.out a', { hasText: 'procédure.txt' });
  await link.waitFor();
  // the composer is empty again, files included
  assert.equal(await conv.getByLabel('Attach files').evaluate((el) => el.files.length), 0);
  const msgs = (await admin.get(`/api/v1/contacts/${id}/messages`)).body.messages;
  assert.deepEqual(msgs.map((m) => [m.direction, m.text]),
    [['in', 'Bonjour, ma box ne marche plus'], ['out', 'Je regarde votre ligne.'], ['out', 'Voici la procédure.']]);
  const file = msgs[2].attachments[0];
  assert.equal(file.name, 'procédure.txt');
  const got = await fetch(`${srv.url}/api/v1/attachments/${file.id}`, { headers: { authorization: `Bearer ${(await login(srv.url, 'admin')).token}` } });
  assert.equal(await got.text(), 'Redémarrez la box.\n');

  noSeriousViolations(await axe(page), 'desk with a conversation');
  await pg.screenshot('desk-conversation');

  await integ.post(`/api/v1/contacts/${id}/complete`, {});
  await integ.post(`/api/v1/contacts/${id}/wrapup`, { disposition: 'resolved' });
  await page.getByText('No contact in hand.').waitFor();
  await page.getByRole('button', { name: 'Offline' }).click();
  await page.locator('.current[data-state=offline]').waitFor();
});

test('a conversation longer than a page of the API is shown whole when the agent opens it', async (t) => {
  const pg = await openPage(t, browser, srv.url);
  const { page } = pg;
  await logInAvailable(page);
  const q = ids.queues.find((x) => x.name === 'AssurMax chat');
  const c = await integ.post('/api/v1/contacts', { tenant: q.tenant, queue: q.id, channel: 'chat', customer: { email: 'long@example.com' } });
  assert.equal(c.status, 201);
  await page.locator('.offer').waitFor();
  // 130 messages while it is offered: more than the API's page of 100
  for (let i = 1; i <= 130; i++) {
    assert.equal((await integ.post(`/api/v1/contacts/${c.body.id}/messages`, { text: `ligne ${i}`, direction: 'in' })).status, 201);
  }
  await page.keyboard.press('Alt+a');
  const conv = page.locator('.conversation');
  await conv.locator('.msg.in', { hasText: 'ligne 130' }).waitFor();
  assert.equal(await conv.locator('.msg.in').count(), 130);
  assert.equal(await conv.locator('.msg.in .text').first().textContent(), 'ligne 1');
  await integ.post(`/api/v1/contacts/${c.body.id}/complete`, {});
  await integ.post(`/api/v1/contacts/${c.body.id}/wrapup`, { disposition: 'resolved' });
  await page.getByText('No contact in hand.').waitFor();
  await page.getByRole('button', { name: 'Offline' }).click();
  await page.locator('.current[data-state=offline]').waitFor();
});
