// IVR flows in the administration page: an admin writes a flow's nodes as
// JSON, meets the server's refusal naming the node next to the field, fixes
// it and saves; the flow is the one the API holds, its texts rendered. A
// number then takes that flow for voice, without SMS, and its list names it.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startWebServer, launchBrowser, openPage, axe, login, client, demoIds, logIn, noSeriousViolations } from './lib.mjs';

let srv, browser, admin, ids, token;

before(async () => {
  srv = await startWebServer();
  browser = await launchBrowser();
  token = (await login(srv.url, 'admin')).token;
  admin = client(srv.url, token);
  ids = await demoIds(srv.url, token);
});
after(async () => {
  await browser?.close();
  await srv?.stop();
});

test('admin: a flow written as JSON, refused naming its node, fixed and saved; a number takes it', async (t) => {
  const pg = await openPage(t, browser, srv.url, { allowConsole: [/status of 400/] });
  const { page } = pg;
  const tenant = ids.tenants.find((x) => x.name === 'AssurMax');
  const voice = ids.queues.find((q) => q.tenant === tenant.id && q.channel === 'voice');
  const nodes = (option) => JSON.stringify({
    welcome: { type: 'prompt', say: { fr: 'Bienvenue.', en: 'Welcome.' }, next: 'menu' },
    menu: { type: 'menu', say: { fr: 'Tapez 1.' }, options: { 1: option } },
    q: { type: 'queue', queue: voice.id },
  }, null, 2);

  await logIn(page, 'admin');
  await page.locator('[data-page=wall]').waitFor();
  await page.goto('/#/admin');
  await page.locator('button.kind[data-kind=flows]').click();
  await page.locator('table.objects caption', { hasText: 'IVR flows' }).waitFor();
  await page.getByRole('button', { name: 'New IVR flow' }).click();
  const form = page.locator('form.object');
  await form.getByRole('heading', { name: 'New IVR flow' }).waitFor();
  await form.getByLabel('Name *').fill('Browser line');
  await form.getByLabel('Tenant *').selectOption(tenant.id);
  await form.getByLabel('First node *').fill('welcome');
  await form.getByLabel('Nodes (JSON) *').fill(nodes('x'));
  await form.getByRole('button', { name: 'Create' }).click();
  const err = form.locator('[data-field=nodes] .field-error');
  await err.filter({ hasText: 'nodes.menu: options.1: no such node "x"' }).waitFor();
  assert.equal(await form.getByLabel('Nodes (JSON) *').getAttribute('aria-invalid'), 'true');
  noSeriousViolations(await axe(page), 'admin: a flow refused');
  await pg.screenshot('admin-flow-refused');
  assert.equal((await admin.get('/api/v1/flows')).body.items.filter((f) => f.name === 'Browser line').length, 0, 'nothing saved');

  await form.getByLabel('Nodes (JSON) *').fill(nodes('q'));
  await form.getByRole('button', { name: 'Create' }).click();
  await page.getByRole('status').filter({ hasText: 'Browser line saved.' }).waitFor();
  const flow = (await admin.get('/api/v1/flows')).body.items.find((f) => f.name === 'Browser line');
  assert.equal(flow.tenant, tenant.id);
  assert.deepEqual(flow.nodes, JSON.parse(nodes('q')));
  await pg.screenshot('admin-flow-saved');
  // what the caller hears at the menu, rendered
  const wav = await fetch(`${srv.url}/api/v1/flows/${flow.id}/prompts/menu/fr`, { headers: { authorization: `Bearer ${token}` } });
  assert.equal(wav.status, 200);
  assert.equal(wav.headers.get('content-type'), 'audio/wav');

  // A voice number: the flow, no gateway nor queue.
  await page.locator('button.kind[data-kind=numbers]').click();
  await page.getByRole('button', { name: 'New number' }).click();
  await form.getByLabel('Number (E.164) *').fill('+33180000099');
  await form.getByLabel('Tenant *').selectOption(tenant.id);
  await form.getByLabel('IVR flow (voice)').selectOption(flow.id);
  await form.getByRole('button', { name: 'Create' }).click();
  await page.getByRole('status').filter({ hasText: '+33180000099 saved.' }).waitFor();
  const number = (await admin.get('/api/v1/numbers')).body.items.find((n) => n.number === '+33180000099');
  assert.equal(number.flow, flow.id);
  assert.equal(number.gateway ?? null, null);
  // the list names the flow
  await page.locator('table.objects tr', { hasText: '+33180000099' }).filter({ hasText: 'Browser line' }).waitFor();
});
