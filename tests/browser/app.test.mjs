// The application against the demo centre, in a real browser: login, the
// agent desktop's whole path for a contact (keyboard first), the
// supervisor's wallboard moving with the centre, and the client's view in
// French that shows nothing of the other tenant. Every page is scanned by
// axe and photographed.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startWebServer, launchBrowser, openPage, axe, request, login, client, demoIds, logIn, noSeriousViolations, logInAvailable } from './lib.mjs';

let srv, browser, admin, ids;

before(async () => {
  srv = await startWebServer();
  browser = await launchBrowser();
  admin = client(srv.url, (await login(srv.url, 'admin')).token);
  ids = await demoIds(srv.url, (await login(srv.url, 'admin')).token);
});
after(async () => {
  await browser?.close();
  await srv?.stop();
});


// agent01's desktop, live and available (Alt+S) / back offline, so that
// it takes no other test's contact.
async function availableDesk(pg) {
  await logInAvailable(pg.page);
}

async function offlineDesk(pg) {
  await pg.page.getByRole('button', { name: 'Offline' }).click();
  await pg.page.locator('.current[data-state=offline]').waitFor();
}

test('login: a wrong password is refused on the page; the page passes axe', async (t) => {
  const pg = await openPage(t, browser, srv.url, { allowConsole: [/status of 401/] });
  await logIn(pg.page, 'agent01', 'not-the-password');
  await pg.page.getByRole('alert').filter({ hasText: /password|credentials|mot de passe|identifiants/i }).waitFor();
  noSeriousViolations(await axe(pg.page), 'login');
  await pg.screenshot('app-login');
});

test('agent01, keyboard first: available, offered a contact, accepts, ends, wraps up', async (t) => {
  const pg = await openPage(t, browser, srv.url);
  const { page } = pg;
  await logIn(pg.page, 'agent01');
  await page.locator('[data-page=desk]').waitFor();
  await page.locator('.live[data-live=yes]').waitFor();
  // the shortcuts' help: "?" opens it with the focus inside, Escape closes it
  await page.keyboard.press('?');
  const help = page.getByRole('dialog', { name: 'Keyboard shortcuts' });
  await help.waitFor();
  assert.match(await help.textContent(), /Alt\+A.*Accept/);
  // the focus moves into it once it is drawn (an effect after the paint)
  await page.waitForFunction(() => document.activeElement?.closest('[role=dialog]') !== null);
  noSeriousViolations(await axe(page), 'desk with its help');
  await page.keyboard.press('Escape');
  await help.waitFor({ state: 'detached' });
  await page.keyboard.press('Alt+s');
  await page.locator('.current[data-state=available]').waitFor();

  const q = ids.queues.find((x) => x.name === 'AssurMax voice');
  const created = await admin.post('/api/v1/contacts', { tenant: q.tenant, queue: q.id, channel: 'voice', customer: { phone: '+33611223344', name: 'Zoé Martin' } });
  assert.equal(created.status, 201);
  const offer = page.locator('.offer');
  await offer.waitFor();
  assert.match(await offer.textContent(), /AssurMax voice/);
  // the card names the customer
  await offer.locator('[data-k=customer]', { hasText: 'Zoé Martin' }).waitFor();
  // the countdown to the offer's expiry (expires_at) ticks down
  const left = Number((await offer.locator('.countdown').textContent()).replace(/\D/g, ''));
  assert.ok(left > 0, `countdown ${left}`);
  assert.match(await page.locator('[aria-live]').textContent(), /New contact offered/);
  // the tab title counts the offer (set by an effect after the paint)
  await page.waitForFunction(() => /^\(1\)/.test(document.title));
  noSeriousViolations(await axe(page), 'desk with an offer');
  await pg.screenshot('app-desk-offer');

  await page.keyboard.press('Alt+a');
  await page.locator('.contact [data-state=active]').waitFor();
  // the customer panel: its name, its phone, its contacts (this one)
  const customer = page.locator('.customer');
  await customer.getByRole('heading', { name: 'Zoé Martin' }).waitFor();
  assert.match(await customer.textContent(), /\+33611223344/);
  await customer.locator('.history li').first().waitFor();
  // notes on the customer, kept by the server (audited there)
  await customer.getByLabel('Notes on the customer').fill('Préfère être rappelée le matin');
  await customer.getByRole('button', { name: 'Save the notes' }).click();
  await customer.getByRole('status').filter({ hasText: 'Notes saved.' }).waitFor();
  const cid = (await admin.get(`/api/v1/contacts/${created.body.id}`)).body.customer;
  assert.equal((await admin.get(`/api/v1/customers/${cid}`)).body.notes, 'Préfère être rappelée le matin');
  // keyboard: Alt+W ends the contact; the queue requires a disposition, so
  // Alt+W in the wrap-up is refused by the form until one is chosen (with
  // the arrow keys); the notes typed; Alt+W again finishes
  await page.keyboard.press('Alt+w');
  await page.locator('.wrapup').waitFor();
  const disposition = page.getByLabel('Disposition (required)');
  await page.keyboard.press('Alt+w');
  await page.waitForFunction(() => document.activeElement?.matches('form.wrapup select'));
  assert.equal((await admin.get(`/api/v1/contacts/${created.body.id}`)).body.state, 'wrapup');
  await page.keyboard.press('ArrowDown');
  assert.equal(await disposition.inputValue(), 'resolved');
  await page.keyboard.press('Tab');
  await page.keyboard.type('Déclaration enregistrée');
  assert.equal(await page.getByLabel('Notes', { exact: true }).inputValue(), 'Déclaration enregistrée');
  await pg.screenshot('app-desk-wrapup');
  await page.keyboard.press('Alt+w');
  await page.getByText('No contact in hand.').waitFor();
  // its day counts the contact it just handled
  await page.locator('.figures [data-k=handled]', { hasText: '1' }).waitFor();
  // the customer found again by free text, with the notes
  await page.getByLabel('Name, email or phone').fill('zoé');
  await page.getByRole('button', { name: 'Search', exact: true }).click();
  await page.getByRole('button', { name: 'Zoé Martin' }).click();
  const found = page.locator('.search .customer textarea');
  await found.waitFor();
  assert.equal(await found.inputValue(), 'Préfère être rappelée le matin');
  // the tenant's pause reasons in the state control
  assert.ok((await page.getByLabel('Reason').locator('option').allTextContents()).includes('Lunch'));

  const done = await admin.get(`/api/v1/contacts/${created.body.id}`);
  assert.equal(done.body.state, 'completed');
  assert.equal(done.body.notes, 'Déclaration enregistrée');
  assert.equal(done.body.disposition, 'resolved');
  assert.deepEqual(done.body.timeline.map((e) => e.type).slice(-4),
    ['contact.accepted', 'contact.ended', 'contact.disposition', 'contact.completed']);
});

test('agent01 transfers a contact it holds to another queue of the tenant', async (t) => {
  const pg = await openPage(t, browser, srv.url);
  const { page } = pg;
  await availableDesk(pg);
  const q = ids.queues.find((x) => x.name === 'AssurMax voice');
  const to = ids.queues.find((x) => x.name === 'AssurMax email');
  const created = await admin.post('/api/v1/contacts', { tenant: q.tenant, queue: q.id, channel: 'voice' });
  await page.locator('.offer').waitFor();
  await page.getByRole('button', { name: 'Accept' }).click();
  await page.locator('.contact [data-state=active]').waitFor();
  await page.getByLabel('Transfer to').selectOption({ label: 'AssurMax email' });
  await page.getByRole('button', { name: 'Transfer', exact: true }).click();
  // in the email queue now, where agent01 (available, on email too) is
  // offered it again: the desk shows the new offer
  await page.locator('.offer', { hasText: 'AssurMax email' }).waitFor();
  const moved = await admin.get(`/api/v1/contacts/${created.body.id}`);
  assert.equal(moved.body.queue, to.id);
  assert.ok(moved.body.timeline.some((e) => e.type === 'contact.transferred'));
  // back offline (the offer is withdrawn), so that it takes no other test's contact
  await offlineDesk(pg);
  // and the contact leaves, so that no other agent is offered it later
  assert.equal((await admin.post(`/api/v1/contacts/${created.body.id}/abandon`, {})).status, 200);
});

test('agent01 transfers a contact to a colleague the desktop shows as free', async (t) => {
  const pg = await openPage(t, browser, srv.url);
  const { page } = pg;
  await availableDesk(pg);
  const q = ids.queues.find((x) => x.name === 'AssurMax voice');
  const created = await admin.post('/api/v1/contacts', { tenant: q.tenant, queue: q.id, channel: 'voice' });
  await page.locator('.offer').waitFor();
  await page.getByRole('button', { name: 'Accept' }).click();
  await page.locator('.contact [data-state=active]').waitFor();
  // agent02 (AssurMax, voice) goes available: the list says it is free
  const a2 = await login(srv.url, 'agent02');
  const api2 = client(srv.url, a2.token);
  assert.equal((await api2.put(`/api/v1/agents/${a2.user.agent}/state`, { state: 'available' })).status, 200);
  const name = ids.agents.find((x) => x.id === a2.user.agent).name;
  const select = page.getByLabel('Transfer to');
  // the list is read again when it takes the focus
  await select.focus();
  await page.waitForFunction((n) => [...document.querySelectorAll('option[data-free=yes]')].some((o) => o.textContent.includes(n)), name);
  await select.selectOption({ label: `${name} · free` });
  await page.getByRole('button', { name: 'Transfer', exact: true }).click();
  await page.getByText('No contact in hand.').waitFor();
  // the contact goes to agent02 alone
  for (let i = 0; i < 100; i++) {
    const c = (await admin.get(`/api/v1/contacts/${created.body.id}`)).body;
    if (c.agent === a2.user.agent && c.state === 'offered') break;
    assert.ok(i < 99, `not offered to agent02: ${JSON.stringify(c)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  await admin.post(`/api/v1/contacts/${created.body.id}/abandon`, {});
  await api2.put(`/api/v1/agents/${a2.user.agent}/state`, { state: 'offline' });
  await offlineDesk(pg);
});

test('agent01 converts a chat into a callback: a call to the customer is queued, the chat goes to wrap-up', async (t) => {
  const pg = await openPage(t, browser, srv.url);
  const { page } = pg;
  await availableDesk(pg);
  const q = ids.queues.find((x) => x.name === 'AssurMax chat');
  const voice = ids.queues.find((x) => x.name === 'AssurMax voice');
  const created = await admin.post('/api/v1/contacts', { tenant: q.tenant, queue: q.id, channel: 'chat', customer: { email: 'rappel@example.com', name: 'Yves Rappel' } });
  assert.equal(created.status, 201);
  await page.locator('.offer').waitFor();
  await page.getByRole('button', { name: 'Accept' }).click();
  await page.locator('.contact [data-state=active]').waitFor();
  await page.getByLabel('Call back from').selectOption({ label: 'AssurMax voice' });
  await page.getByRole('button', { name: 'Convert to a callback' }).click();
  await page.locator('[data-k=notice]', { hasText: 'A callback to the customer is queued in AssurMax voice.' }).waitFor();
  await page.locator('.wrapup').waitFor();
  const list = await admin.get(`/api/v1/contacts?queue=${voice.id}&limit=100`);
  const cb = list.body.items.find((x) => x.attributes?.callback_for === created.body.id);
  assert.ok(cb, 'the callback contact exists');
  assert.equal(cb.channel, 'voice');
  await admin.post(`/api/v1/contacts/${cb.id}/abandon`, {});
  const disposition = page.getByLabel('Disposition');
  if (await disposition.count()) await disposition.selectOption({ index: 1 });
  await page.getByRole('button', { name: 'Finish wrap-up' }).click();
  await page.getByText('No contact in hand.').waitFor();
  await offlineDesk(pg);
});

test('the supervisor\'s wallboard moves with the centre and sets an agent offline', async (t) => {
  const pg = await openPage(t, browser, srv.url);
  const { page } = pg;
  await logIn(pg.page, 'supervisor');
  await page.locator('[data-page=wall]').waitFor();
  const q = ids.queues.find((x) => x.name === 'Télécom Plus email');
  const tile = page.locator('.tile', { hasText: 'Télécom Plus email' });
  // offered: every arrival of today counts, whether an agent takes it or not
  const offered = tile.locator('[data-k=offered]');
  await tile.waitFor();
  const before = Number(await offered.textContent());
  const r = await admin.post('/api/v1/contacts', { tenant: q.tenant, queue: q.id, channel: 'email' });
  assert.equal(r.status, 201);
  await page.waitForFunction(([sel, n]) => Number(document.querySelector(sel)?.textContent) > n,
    [`.tile:has(h3#q-${q.id}) [data-k=offered]`, before], { timeout: 3000 });

  // an agent nobody else works with here (agent01 holds the email offer)
  const taken = ids.users.find((u) => u.username === 'agent01').agent;
  const paris = ids.sites.find((s) => s.name === 'Paris').id;
  const agent = ids.agents.find((a) => a.id !== taken && a.site === paris);
  assert.equal((await admin.put(`/api/v1/agents/${agent.id}/state`, { state: 'available' })).status, 200);
  const row = page.locator(`tr[data-agent="${agent.id}"]`);
  // available, or already offered a waiting contact (busy): no longer offline
  await row.locator('td[data-state]:not([data-state=offline])').waitFor({ timeout: 3000 });
  noSeriousViolations(await axe(page), 'wallboard');
  await pg.screenshot('app-wall');
  await row.getByRole('button').click();
  await row.locator('[data-state=offline]').waitFor({ timeout: 3000 });
});

test('a client of AssurMax, in French, sees its queues and nothing of Télécom Plus', async (t) => {
  const pg = await openPage(t, browser, srv.url, { locale: 'fr-FR' });
  const { page } = pg;
  await logIn(pg.page, 'client-assurmax');
  await page.getByRole('heading', { name: "Votre service aujourd'hui" }).waitFor();
  await page.locator('.tile').first().waitFor();
  await page.locator('.live[data-live=yes]').waitFor();
  await page.waitForTimeout(1500); // a stats push or two over the stream
  const names = await page.locator('.tile h3').allTextContents();
  assert.ok(names.length > 0 && names.every((n) => n.startsWith('AssurMax')), names.join(', '));
  assert.equal(await page.locator('table.agents').count(), 0, 'no agent grid for a client');
  const telecom = ids.tenants.find((x) => x.name !== 'AssurMax');
  const theirs = [telecom.id, ...ids.queues.filter((q) => q.tenant === telecom.id).map((q) => q.id)];
  const seen = (await pg.bodies()).join('\n');
  for (const id of theirs) assert.ok(!seen.includes(id), `the page received ${id} of Télécom Plus`);
  // the catalogs (/lang/) name the demo's clients in the CLI's texts; the
  // API's answers and the stream must not
  const api = [];
  for (const r of pg.responses.filter((x) => new URL(x.url).pathname.startsWith('/api/'))) {
    try { api.push(await r.response.text()); } catch { /* no body */ }
  }
  const data = api.concat(pg.frames.map((f) => f.payload)).join('\n');
  assert.ok(data.length > 0);
  assert.ok(!/Télécom Plus/.test(data), 'no Télécom Plus name in any API answer or stream message');
  noSeriousViolations(await axe(page), 'client view');
  await pg.screenshot('app-client-fr');
});

test('the language switch is kept on the account: another browser logs in to French', async (t) => {
  const pg = await openPage(t, browser, srv.url);
  await logIn(pg.page, 'supervisor');
  await pg.page.locator('[data-page=wall]').waitFor();
  await pg.page.getByRole('button', { name: 'Français' }).click();
  await pg.page.waitForFunction(() => document.documentElement.lang === 'fr');
  const sup = ids.users.find((u) => u.username === 'supervisor');
  for (let i = 0; (await admin.get(`/api/v1/users/${sup.id}`)).body.lang !== 'fr'; i++) {
    assert.ok(i < 100, 'the account keeps fr');
    await new Promise((r) => setTimeout(r, 50));
  }
  // a browser that prefers English: the account's French wins once logged in
  const other = await openPage(t, browser, srv.url, { locale: 'en-GB' });
  await logIn(other.page, 'supervisor');
  await other.page.locator('[data-page=wall]').waitFor();
  await other.page.waitForFunction(() => document.documentElement.lang === 'fr');
  assert.ok(await other.page.getByRole('button', { name: 'English' }).isVisible());
  // back to English for the tests that follow
  await other.page.getByRole('button', { name: 'English' }).click();
  await other.page.waitForFunction(() => document.documentElement.lang === 'en');
  assert.equal((await admin.get(`/api/v1/users/${sup.id}`)).body.lang, 'en');
});
