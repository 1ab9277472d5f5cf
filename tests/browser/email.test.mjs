// The email channel on the agent desktop: a customer's mail (delivered by
// IMAP APPEND into a real Dovecot) becomes a contact of the demo's
// AssurMax email queue; agent01 takes it, sees the sanitised HTML in a
// sandboxed frame, answers with the customer's mail quoted, and the answer
// reaches the real SMTP sink (aiosmtpd) with its threading headers.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startWebServer, launchBrowser, openPage, axe, login, client, demoIds, logIn, noSeriousViolations, ok, logInAvailable } from './lib.mjs';
import { startMailRig, Imap, unQP } from '../integration/mailrig.mjs';

let rig, srv, browser, admin, ids, imap;

async function until(fn, what, ms = 30000) {
  const t0 = Date.now();
  while (Date.now() - t0 < ms) {
    const v = await fn();
    if (v) return v;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`${what}: not reached in ${ms} ms\n${rig.logs()}`);
}

before(async () => {
  rig = await startMailRig({ support: 'pw-support-b' });
  srv = await startWebServer();
  browser = await launchBrowser();
  const token = (await login(srv.url, 'admin')).token;
  admin = client(srv.url, token);
  ids = await demoIds(srv.url, token);
  const q = ids.queues.find((x) => x.name === 'AssurMax email');
  await ok(admin.post('/api/v1/mailboxes', {
    tenant: q.tenant, queue: q.id, address: 'support@assurmax.test', name: 'AssurMax', poll_s: 1,
    imap: { host: '127.0.0.1', port: rig.imapPort, tls: 'none', user: 'support', password: 'pw-support-b' },
    smtp: { host: '127.0.0.1', port: rig.smtpPort, tls: 'none' },
  }), 201, 'mailbox');
  imap = await Imap.open(rig.imapPort, 'support', 'pw-support-b');
});
after(async () => {
  imap?.close();
  await browser?.close();
  await srv?.stop();
  await rig?.stop();
});

test('agent01 answers an email with the customer\'s mail quoted, and the answer reaches the SMTP server', async (t) => {
  const pg = await openPage(t, browser, srv.url);
  const { page } = pg;
  await logInAvailable(page);

  await imap.append(`From: Nina Roux <nina@example.org>
To: support@assurmax.test
Subject: Mon sinistre
Message-ID: <nina-1@example.org>
MIME-Version: 1.0
Content-Type: multipart/alternative; boundary="B"

--B
Content-Type: text/plain; charset=utf-8

Bonjour,
où en est mon dossier ?
--B
Content-Type: text/html; charset=utf-8

<p>Bonjour,<br>où en est <b>mon dossier</b> ?</p><script>parent.document.title='pwned'</script><img src="http://tracker.test/p.gif">
--B--
`);
  await page.locator('.offer').waitFor({ timeout: 30000 });
  await page.keyboard.press('Alt+a');
  const conv = page.locator('.conversation');
  await conv.waitFor();

  // the HTML, sanitised, in a frame that may run nothing
  const frame = conv.locator('.msg.in iframe.mail-html');
  await frame.waitFor();
  assert.equal(await frame.getAttribute('sandbox'), '');
  const doc = await frame.getAttribute('srcdoc');
  assert.match(doc, /<b>mon dossier<\/b>/);
  assert.doesNotMatch(doc, /script|tracker\.test/);
  await page.frameLocator('.msg.in iframe.mail-html').getByText('mon dossier').waitFor();

  // the answer, with the quote shown and kept (the switch is on)
  const quote = conv.getByLabel('Quote the customer\'s last message');
  assert.equal(await quote.isChecked(), true);
  await conv.locator('pre.quote', { hasText: '> où en est mon dossier ?' }).waitFor();
  await conv.getByLabel('Your message').fill('Votre dossier est en cours.');
  noSeriousViolations(await axe(page), 'desk with an email');
  await pg.screenshot('desk-email');
  await conv.getByRole('button', { name: 'Send' }).click();
  await conv.locator('.msg.out[data-status=sent]', { hasText: 'Votre dossier est en cours.' }).waitFor({ timeout: 30000 });

  const answer = await until(() => rig.sunk().find((m) => (m.headers.to || '').includes('nina@') && !m.headers['auto-submitted']), 'the answer in the sink');
  assert.match(answer.headers.subject, /^Re: Mon sinistre \[#[0-9A-F]{8}\]$/);
  assert.equal(answer.headers['in-reply-to'], '<nina-1@example.org>');
  assert.match(answer.headers['reply-to'], /support@assurmax\.test/);
  const body = unQP(answer.body);
  assert.match(body, /Votre dossier est en cours\.\n\n> Bonjour,\n> où en est mon dossier \?/);
  assert.notEqual(await page.title(), 'pwned');
});

test('admin: a mailbox made with the form keeps its password out of the page', async (t) => {
  const pg = await openPage(t, browser, srv.url);
  const { page } = pg;
  await logIn(page, 'admin');
  await page.locator('[data-page=wall]').waitFor();
  await page.goto('/#/admin');
  await page.locator('[data-page=admin] table.objects').waitFor();
  await page.locator('[data-kind=mailboxes]').click();
  await page.locator('table.objects caption', { hasText: 'Mailboxes' }).waitFor();
  await page.locator('button.new').click();
  const form = page.locator('form.object');
  await form.getByRole('heading', { name: 'New mailbox' }).waitFor();
  const q = ids.queues.find((x) => x.name === 'Télécom Plus email');
  await form.getByLabel('Tenant *').selectOption(q.tenant);
  await form.getByLabel('Queue *').selectOption(q.id);
  await form.getByLabel('Address *').fill('contact@telecom.test');
  await page.locator('#adm-mailboxes-imap-host').fill('127.0.0.1');
  await page.locator('#adm-mailboxes-imap-port').fill(String(rig.imapPort));
  await page.locator('#adm-mailboxes-imap-user').fill('support');
  await page.locator('#adm-mailboxes-imap-password').fill('form-secret-1');
  await page.locator('#adm-mailboxes-smtp-host').fill('127.0.0.1');
  await page.locator('#adm-mailboxes-smtp-port').fill(String(rig.smtpPort));
  await page.locator('#adm-mailboxes-poll_s').fill('3600');
  noSeriousViolations(await axe(page), 'a new mailbox');
  await pg.screenshot('admin-mailbox');
  await form.getByRole('button', { name: 'Create' }).click();
  await page.locator('table.objects button.open', { hasText: 'contact@telecom.test' }).waitFor();

  const made = (await admin.get('/api/v1/mailboxes')).body.items.find((m) => m.address === 'contact@telecom.test');
  assert.equal(made.imap.password_set, true);
  assert.equal(made.imap.port, rig.imapPort);
  assert.equal(made.smtp.user, null);
  assert.ok(!JSON.stringify(made).includes('form-secret-1'));
  // the form again: the password field is empty and says one is stored
  await page.locator('table.objects button.open', { hasText: 'contact@telecom.test' }).click();
  await page.locator('#adm-mailboxes-imap-password').waitFor();
  assert.equal(await page.locator('#adm-mailboxes-imap-password').inputValue(), '');
  await form.getByText('A password is stored; leave empty to keep it.').waitFor();
  assert.ok(!(await page.content()).includes('form-secret-1'));
});
