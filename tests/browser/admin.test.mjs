// The administration page in a real browser against the demo centre: an
// admin creates a queue whose step filter is wrong (the error and its
// position show as it is typed), fixes it, meets a validation error next to
// its field, saves, and the queue works (a contact is offered to the agent
// with the skill). Every field of a queue has its editor: a step's action,
// target, priority change and minimum wait, and the last agent, are set
// through the page and saved; a queue is deleted after confirm(). A
// supervisor reads the same lists, read-only, in French.
// Keyboard reach, axe scans and screenshots of lists and forms.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startWebServer, launchBrowser, openPage, axe, login, client, demoIds, logIn, noSeriousViolations } from './lib.mjs';

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


// Presses Tab until the focus is on what matches, at most n times.
async function tabTo(page, test, n = 60) {
  for (let i = 0; i < n; i++) {
    await page.keyboard.press('Tab');
    if (await page.evaluate(test)) return;
  }
  throw new Error(`Tab never reached ${test}`);
}

// Polls the API until fn's answer passes ok (effects happen after the call).
async function until(fn, ok, what, ms = 15000) {
  const end = Date.now() + ms;
  let last;
  while (Date.now() < end) {
    last = await fn();
    if (ok(last)) return last;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${what}: ${JSON.stringify(last?.body ?? last)}`);
}

test('admin: a queue with a wrong filter, fixed as typed, saved; the queue works', async (t) => {
  // The 400s of the filter's check and of the refused save are expected.
  const pg = await openPage(t, browser, srv.url, { allowConsole: [/status of 400/] });
  const { page } = pg;
  const tenant = ids.tenants[0];
  // An agent who alone holds a new skill, on SMS.
  assert.equal((await admin.post('/api/v1/skills', { name: 'adm.routing' })).status, 201);
  const agent = await admin.post('/api/v1/agents', {
    name: 'Admin Test Agent', site: ids.sites[0].id, tenants: [tenant.id], skills: { 'adm.routing': 7 }, capacity: { sms: 1 },
  });
  assert.equal(agent.status, 201, JSON.stringify(agent.body));

  await logIn(pg.page, 'admin');
  await page.locator('[data-page=wall]').waitFor();
  await page.goto('/#/admin');
  await page.locator('[data-page=admin] table.objects').waitFor();

  // The kind list by keyboard: Tab reaches "Queues", Enter opens its list.
  await tabTo(page, () => document.activeElement?.dataset?.kind === 'queues');
  await page.keyboard.press('Enter');
  await page.locator('table.objects caption', { hasText: 'Queues' }).waitFor();
  // then "New queue", and its form takes the focus (its heading)
  await tabTo(page, () => document.activeElement?.classList.contains('new'));
  await page.keyboard.press('Enter');
  const form = page.locator('form.object');
  await form.getByRole('heading', { name: 'New queue' }).waitFor();
  await page.waitForFunction(() => document.activeElement?.tagName === 'H2');
  // the form's controls follow by Tab
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'adm-queues-name');
  await page.keyboard.type('Admin test SMS');
  await form.getByLabel('Tenant *').selectOption(tenant.id);
  await form.getByLabel('Channel *').selectOption('sms');

  // A wrong filter: the error and its position show while typing.
  const filter = form.getByLabel('Filter');
  await filter.fill('has(adm.routing');
  const err = form.locator('#adm-queues-steps-0-filter-err.field-error');
  await err.filter({ hasText: /at position \d+/ }).waitFor();
  const pos = Number((await err.textContent()).match(/at position (\d+)/)[1]);
  assert.equal(await form.locator('.caret mark').count(), 1);
  assert.equal(await form.locator('.caret pre').nth(1).textContent(), `${' '.repeat(pos - 1)}^`);
  assert.equal(await filter.getAttribute('aria-invalid'), 'true');
  assert.match(await filter.getAttribute('aria-describedby'), /adm-queues-steps-0-filter-err/);
  noSeriousViolations(await axe(page), 'admin: a queue form with a bad filter');
  await pg.screenshot('admin-queue-bad-filter');

  // Fixed: the check says so, the caret goes.
  await filter.fill('has(adm.routing)');
  await form.locator('#adm-queues-steps-0-filter-err.field-ok').waitFor();
  assert.equal(await form.locator('.caret').count(), 0);

  // A validation error of the API, next to its field.
  await form.getByLabel('Service level target (%)').fill('150');
  await form.getByRole('button', { name: 'Create' }).click();
  const slErr = form.locator('[data-field=sl_target] .field-error');
  await slErr.waitFor();
  assert.match(await slErr.textContent(), /sl_target/);
  assert.equal(await form.getByLabel('Service level target (%)').getAttribute('aria-invalid'), 'true');
  await pg.screenshot('admin-queue-field-error');
  assert.equal((await admin.get('/api/v1/queues?limit=500')).body.items.filter((q) => q.name === 'Admin test SMS').length, 0);

  await form.getByLabel('Service level target (%)').fill('80');
  await form.getByRole('button', { name: 'Create' }).click();
  await page.getByRole('status').filter({ hasText: 'Admin test SMS saved.' }).waitFor();
  await page.locator('table.objects button.open', { hasText: 'Admin test SMS' }).waitFor();
  const queue = (await admin.get('/api/v1/queues?limit=500')).body.items.find((q) => q.name === 'Admin test SMS');
  assert.equal(queue.tenant, tenant.id);
  assert.equal(queue.sl_target, 80);
  assert.deepEqual(queue.steps.map((s) => s.filter), ['has(adm.routing)']);
  noSeriousViolations(await axe(page), 'admin: the queue saved');
  await pg.screenshot('admin-queue-saved');

  // The queue works: a contact in it is offered to the agent with the skill.
  assert.equal((await admin.put(`/api/v1/agents/${agent.body.id}/state`, { state: 'available' })).status, 200);
  const c = await admin.post('/api/v1/contacts', {
    tenant: tenant.id, queue: queue.id, channel: 'sms', customer: { phone: '+33600000042', name: 'Admin Test' },
  });
  assert.equal(c.status, 201, JSON.stringify(c.body));
  await until(() => admin.get(`/api/v1/contacts/${c.body.id}`),
    (r) => r.body.state === 'offered' && r.body.agent === agent.body.id, 'the contact is offered to the agent');
});

test('admin: a step\'s action and the last agent set through the page are saved; a queue deleted after confirm()', async (t) => {
  const pg = await openPage(t, browser, srv.url);
  const { page } = pg;
  const tenant = ids.tenants[0];
  const mk = async (name) => {
    const r = await admin.post('/api/v1/queues', { tenant: tenant.id, name, channel: 'email' });
    assert.equal(r.status, 201, JSON.stringify(r.body));
    return r.body;
  };
  const target = await mk('Admin overflow');
  const queue = await mk('Admin every field');

  await logIn(pg.page, 'admin');
  await page.locator('[data-page=wall]').waitFor();
  await page.goto('/#/admin');
  await page.locator('button.kind[data-kind=queues]').click();
  await page.locator('table.objects button.open', { hasText: 'Admin every field' }).click();
  const form = page.locator('form.object');
  await form.getByRole('heading', { name: 'Admin every field' }).waitFor();

  await form.getByLabel('Last agent first', { exact: true }).check();
  await form.getByLabel('A disposition is required', { exact: true }).check();
  await form.getByLabel('Wait for the last agent (s)').fill('45');
  await form.getByLabel('Ring-all: agents offered at once').fill('5');
  await form.getByRole('button', { name: 'Add a step' }).click();
  await form.locator('#adm-queues-steps-1-after').fill('90');
  await form.locator('#adm-queues-steps-1-priority_delta').fill('10');
  await form.locator('#adm-queues-steps-1-min_ewt_s').fill('30');
  await form.locator('#adm-queues-steps-1-action').selectOption('transfer');
  await form.locator('#adm-queues-steps-1-target').selectOption(target.id);
  // each control of a step has its name and its help
  for (const [id, name] of [['action', 'Action'], ['target', 'Target queue'], ['priority_delta', 'Priority change']]) {
    const el = form.locator(`#adm-queues-steps-1-${id}`);
    assert.equal(await form.getByLabel(name, { exact: true }).nth(1).getAttribute('id'), `adm-queues-steps-1-${id}`);
    assert.match(await el.getAttribute('aria-describedby'), new RegExp(`adm-queues-steps-1-${id}-help`));
  }
  noSeriousViolations(await axe(page), 'admin: a queue\'s every field');
  await pg.screenshot('admin-queue-every-field');
  await form.getByRole('button', { name: 'Save' }).click();
  await page.getByRole('status').filter({ hasText: 'Admin every field saved.' }).waitFor();

  const saved = await until(() => admin.get(`/api/v1/queues/${queue.id}`), (r) => r.body.last_agent === true, 'the queue saved');
  assert.equal(saved.body.last_agent_wait_s, 45);
  assert.equal(saved.body.disposition_required, true);
  assert.equal(saved.body.ring_max, 5);
  assert.equal(saved.body.steps.length, 2);
  assert.deepEqual(saved.body.steps[1], { after_s: 90, filter: null, priority_delta: 10, min_ewt_s: 30, action: 'transfer', target: target.id });
  assert.equal(saved.body.steps[0].after_s, 0);

  // Deleting asks first: dismissed, nothing goes; accepted, the queue goes.
  const asked = [];
  page.once('dialog', (d) => { asked.push(d.message()); d.dismiss(); });
  await form.getByRole('button', { name: 'Delete' }).click();
  for (let i = 0; i < 200 && !asked.length; i++) await new Promise((r) => setTimeout(r, 25));
  assert.deepEqual(asked, ['Delete Admin every field?']);
  assert.equal((await admin.get(`/api/v1/queues/${queue.id}`)).status, 200, 'dismissed: still there');
  page.once('dialog', (d) => d.accept());
  await form.getByRole('button', { name: 'Delete' }).click();
  await page.getByRole('status').filter({ hasText: 'Admin every field deleted.' }).waitFor();
  await until(() => admin.get(`/api/v1/queues/${queue.id}`), (r) => r.status === 404, 'the queue deleted');
  // the list is read again after the deletion: wait for that, do not sample it
  await page.locator('table.objects button.open', { hasText: 'Admin every field' }).waitFor({ state: 'detached' });
  assert.equal((await admin.get(`/api/v1/queues/${target.id}`)).status, 200, 'only that queue');
});

test('admin: the lists of every kind and a calendar form pass axe', async (t) => {
  const pg = await openPage(t, browser, srv.url);
  const { page } = pg;
  await logIn(pg.page, 'admin');
  await page.locator('[data-page=wall]').waitFor();
  await page.goto('/#/admin');
  for (const kind of ['tenants', 'sites', 'skills', 'agents', 'queues', 'calendars', 'dispositions', 'users']) {
    await page.locator(`button.kind[data-kind=${kind}]`).click();
    await page.locator(`button.kind[data-kind=${kind}][aria-current=true]`).waitFor();
    await page.locator('table.objects, [data-page=admin] p.help').first().waitFor();
  }
  await page.locator('button.kind[data-kind=calendars]').click();
  await page.locator('table.objects button.open').first().click();
  await page.locator('form.object .week').waitFor();
  noSeriousViolations(await axe(page), 'admin: a calendar');
  await pg.screenshot('admin-calendar');
  await page.locator('button.kind[data-kind=tenants]').click();
  await page.locator('table.objects button.open').first().click();
  await page.locator('form.object [data-field=pause_reasons] li').first().waitFor();
  noSeriousViolations(await axe(page), 'admin: a tenant');
});

test('supervisor, in French: the lists read-only, no users, no writing', async (t) => {
  const pg = await openPage(t, browser, srv.url, { locale: 'fr-FR' });
  const { page } = pg;
  await logIn(pg.page, 'supervisor');
  await page.locator('[data-page=wall]').waitFor();
  await page.goto('/#/admin');
  await page.getByRole('heading', { name: 'Administration', level: 1 }).waitFor();
  assert.equal(await page.locator('button.kind[data-kind=users]').count(), 0);
  await page.locator('button.kind[data-kind=queues]').click();
  await page.locator('table.objects caption', { hasText: 'Files' }).waitFor();
  assert.equal(await page.locator('button.new').count(), 0);
  await page.locator('table.objects button.open').first().click();
  const form = page.locator('form.object');
  await form.getByText('Lecture seule').waitFor();
  assert.equal(await form.getByRole('button', { name: /Enregistrer|Supprimer/ }).count(), 0);
  assert.ok(await form.getByLabel('Nom *').isDisabled());
  assert.ok(await form.getByLabel('Filtre').first().isDisabled());
  noSeriousViolations(await axe(page), 'admin (supervisor, fr): a queue');
  await pg.screenshot('admin-supervisor-fr');
});
