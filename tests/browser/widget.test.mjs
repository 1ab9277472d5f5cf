// The web chat as a visitor meets it: a customer's site on another origin
// (a small HTTP server of this test, on 127.0.0.1 and a port of its own)
// carries the one <script> tag of the widget; the visitor chats in the
// frame with agent01 on the desktop (another browser context): messages,
// typing and files both ways (a refused type too), a lost network and a
// reload that show each message once, the end, the rating and the
// transcript in the log. Then two waiting visitors (the place in line
// moves live; neither reads the other's conversation), the closed queue's
// form, the frame in French, axe on the frame at 360 px, and a site that
// is not in allowed_origins, where the browser refuses the frame
// (frame-ancestors).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import { readFileSync } from 'node:fs';
import {
  startWebServer, launchBrowser, openPage, axe, login, client, demoIds, noSeriousViolations, request, ok, logInAvailable } from './lib.mjs';

let srv, browser, admin, ids, queue, night, agentId, agentName, allowed, refused, open, closed, line;

// The visitor's network: a TCP relay on 127.0.0.1 in front of relais, which
// the customer's site names in its script tag, so that the test can cut
// the visitor's connections (a lost network: every socket reset, new ones
// refused) and bring them back, while the agent's desktop goes on.
async function startLine(port) {
  const sockets = new Set();
  let down = false;
  const server = net.createServer((c) => {
    if (down) return c.destroy();
    const up = net.connect(port, '127.0.0.1');
    const bye = () => {
      c.destroy();
      up.destroy();
      sockets.delete(c);
    };
    sockets.add(c);
    c.on('error', bye).on('close', bye);
    up.on('error', bye).on('close', bye);
    c.pipe(up).pipe(c);
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    cut() {
      down = true;
      for (const c of sockets) c.destroy();
    },
    restore() {
      down = false;
    },
    close: () => new Promise((r) => { down = true; for (const c of sockets) c.destroy(); server.close(r); }),
  };
}

// A customer's site: GET /en and /fr are a page in that language with the
// widget's script tag for ?key=.
async function startHost() {
  const server = http.createServer((req, res) => {
    const u = new URL(req.url, 'http://host');
    const lang = u.pathname === '/fr' ? 'fr' : 'en';
    const key = u.searchParams.get('key') || '';
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(`<!doctype html><html lang="${lang}"><head><meta charset="utf-8"><title>Shop</title></head>
<body><main><h1>${lang === 'fr' ? 'Boutique' : 'Shop'}</h1><p>…</p></main>
<script src="${line.url}/widget.js?key=${encodeURIComponent(key)}"></script></body></html>`);
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { origin: `http://127.0.0.1:${server.address().port}`, close: () => new Promise((r) => server.close(r)) };
}

const WORDS = {
  consent_text: { en: 'I agree to AssurMax keeping this chat.', fr: 'J\'accepte qu\'AssurMax garde cette discussion.' },
  closed_message: { en: 'We are back on Monday at 9.', fr: 'Nous revenons lundi à 9 h.' },
};

before(async () => {
  srv = await startWebServer();
  browser = await launchBrowser();
  const token = (await login(srv.url, 'admin')).token;
  admin = client(srv.url, token);
  ids = await demoIds(srv.url, token);
  queue = ids.queues.find((x) => x.name === 'AssurMax chat');
  const user = ids.users.find((u) => u.username === 'agent01');
  agentId = user.agent;
  agentName = ids.agents.find((a) => a.id === agentId).name;
  line = await startLine(srv.port);
  allowed = await startHost();
  refused = await startHost();
  const widget = (q, name) => ok(admin.post('/api/v1/widgets', {
    tenant: q.tenant, queue: q.id, name, allowed_origins: [allowed.origin],
    pre_chat: { name: true, email: true }, ...WORDS,
  }), 201, `widget ${name}`);
  open = await widget(queue, 'AssurMax');
  // a queue whose calendar never opens: its widget is closed
  const cal = await ok(admin.post('/api/v1/calendars', { name: 'Never', timezone: 'UTC', weekly: [] }), 201, 'calendar');
  night = await ok(admin.post('/api/v1/queues', { tenant: queue.tenant, name: 'AssurMax chat (night)', channel: 'chat', calendar: cal.id }), 201, 'queue');
  closed = await widget(night, 'AssurMax night');
});
after(async () => {
  await browser?.close();
  await allowed?.close();
  await refused?.close();
  await line?.close();
  await srv?.stop();
});

// agent01 on the desktop, available.
async function agentReady(t) {
  const pg = await openPage(t, browser, srv.url);
  await logInAvailable(pg.page);
  return pg;
}

// A visitor on the customer's site, the chat opened: the frame's locator
// and its Frame (for evaluate and axe).
async function visit(t, origin, key, { lang = 'en', allowConsole } = {}) {
  const pg = await openPage(t, browser, origin, { viewport: { width: 360, height: 740 }, locale: lang === 'fr' ? 'fr-FR' : 'en-GB', allowConsole });
  await pg.page.goto(`/${lang}?key=${encodeURIComponent(key)}`);
  return pg;
}

async function openChat(page, label = 'Chat with us') {
  await page.getByRole('button', { name: label }).click();
  const frame = page.frameLocator('#relais-chat');
  return frame;
}

// The events of the log about one contact, every page read.
async function eventsOf(contact) {
  const out = [];
  for (let after = 0; ;) {
    const page = await ok(admin.get(`/api/v1/events?after=${after}&limit=1000`), 200, 'events');
    out.push(...page.events.filter((e) => e.data?.contact === contact));
    if (!page.events.length) return out;
    after = page.last;
  }
}

const frameOf = (page) => page.frames().find((f) => f.url().includes('/widget/frame'));
const stored = async (page, key) => frameOf(page).evaluate((k) => JSON.parse(sessionStorage.getItem(`relais.chat.${k}`)), key);

test('a visitor on another site chats with agent01: messages, typing and files both ways, a reload, the end, a rating and the transcript', async (t) => {
  const desk = await agentReady(t);
  const agent = desk.page;
  // while the line is cut, the frame's requests fail: expected
  const visitor = await visit(t, allowed.origin, open.key, { allowConsole: [/WebSocket connection|net::ERR_|status of 415/] });
  const page = visitor.page;
  // one global of ours on the customer's page (the __ one is the harness's)
  assert.deepEqual(await page.evaluate(() => Object.keys(window).filter((k) => /relais/i.test(k) && !k.startsWith('__'))), ['relaisWidget']);
  const chat = await openChat(page);
  assert.equal(await page.getByRole('button', { name: 'Close the chat' }).getAttribute('aria-expanded'), 'true');

  // the pre-chat form
  await chat.getByRole('heading', { name: 'AssurMax' }).waitFor();
  await chat.getByLabel('Your name').fill('Léa Web');
  await chat.getByLabel('Your email address').fill('lea.web@example.com');
  await chat.getByLabel('How can we help?').fill('Bonjour, ma box ne marche plus');
  await chat.getByLabel(WORDS.consent_text.en).check();
  await visitor.screenshot('widget-prechat');
  await chat.getByRole('button', { name: 'Start the chat' }).click();
  const mine = (text) => chat.locator('.msg.mine', { hasText: text });
  const theirs = (text) => chat.locator('.msg.theirs', { hasText: text });
  await mine('Bonjour, ma box ne marche plus').waitFor();
  // the form is gone: the focus is in the composer
  assert.equal(await frameOf(page).evaluate(() => document.activeElement.id), 'w-text');
  const conv = await stored(page, open.key);
  assert.ok(conv.contact && conv.token, JSON.stringify(conv));
  // the place in the queue or the agent: the frame says where it stands
  await chat.locator('.where').filter({ hasText: /You are number \d+ in the queue|Waiting for an agent|joined/ }).waitFor();

  // the agent takes it; the visitor sees who joined
  await agent.locator('.offer').waitFor();
  await agent.keyboard.press('Alt+a');
  const desktop = agent.locator('.conversation');
  await desktop.locator('.msg.in', { hasText: 'Bonjour, ma box ne marche plus' }).waitFor();
  await chat.getByText(`${agentName} joined the conversation.`).waitFor();

  // typing both ways
  await chat.getByLabel('Your message').pressSequentially('Je');
  await desktop.getByText('The customer is typing…').waitFor();
  await desktop.getByLabel('Your message').pressSequentially('Un');
  await chat.getByText(`${agentName} is typing…`).waitFor();

  // messages both ways, Enter sends
  await desktop.getByLabel('Your message').fill('Je regarde votre ligne.');
  await desktop.getByLabel('Your message').press('Enter');
  await theirs('Je regarde votre ligne.').waitFor();
  await chat.getByLabel('Your message').fill('Merci !');
  await chat.getByLabel('Your message').press('Enter');
  await desktop.locator('.msg.in', { hasText: 'Merci !' }).waitFor();
  assert.equal(await chat.getByLabel('Your message').inputValue(), '');
  // Shift+Enter is a new line, not a send
  await chat.getByLabel('Your message').press('Shift+Enter');
  assert.equal(await chat.getByLabel('Your message').inputValue(), '\n');
  await chat.getByLabel('Your message').fill('');

  // a file of a type the chat refuses: the server's reason, the text kept,
  // nothing sent
  await chat.getByLabel('Attach files').setInputFiles({ name: 'outil.exe', mimeType: 'application/x-msdownload', buffer: Buffer.from('MZ') });
  await chat.getByLabel('Your message').fill('Mon programme');
  await chat.getByRole('button', { name: 'Send', exact: true }).click();
  await chat.locator('.composer [role=alert]', { hasText: 'this type of file cannot be attached' }).waitFor();
  assert.equal(await chat.getByLabel('Your message').inputValue(), 'Mon programme');
  assert.equal(await chat.locator('.msg', { hasText: 'Mon programme' }).count(), 0);
  await chat.getByLabel('Attach files').setInputFiles([]);

  // a file from the visitor reaches the agent
  await chat.getByLabel('Attach files').setInputFiles({ name: 'facture.txt', mimeType: 'text/plain', buffer: Buffer.from('Facture 42\n') });
  await chat.getByLabel('Your message').fill('Ma facture');
  await chat.getByRole('button', { name: 'Send', exact: true }).click();
  await mine('Ma facture').locator('button', { hasText: 'facture.txt' }).waitFor();
  const link = desktop.locator('.msg.in a', { hasText: 'facture.txt' });
  await link.waitFor();
  const fileId = (await link.getAttribute('href')).split('/').pop();
  const got = await request(srv.url, 'GET', `/api/v1/attachments/${fileId}`, { token: (await login(srv.url, 'admin')).token });
  assert.equal(got.body, 'Facture 42\n');

  // a file from the agent reaches the visitor, through the visitor's token
  await desktop.getByLabel('Attach files').setInputFiles({ name: 'procédure.txt', mimeType: 'text/plain', buffer: Buffer.from('Redémarrez la box.\n') });
  await desktop.getByLabel('Your message').fill('Voici la procédure.');
  await desktop.getByRole('button', { name: 'Send' }).click();
  const file = theirs('Voici la procédure.').getByRole('button', { name: 'procédure.txt' });
  await file.waitFor();
  const [download] = await Promise.all([page.waitForEvent('download'), file.click()]);
  assert.equal(download.suggestedFilename(), 'procédure.txt');
  assert.equal(readFileSync(await download.path(), 'utf8'), 'Redémarrez la box.\n');

  // the visitor's token is good for the API of its conversation only
  assert.equal((await request(srv.url, 'GET', '/api/v1/queues', { token: conv.token })).status, 401);

  noSeriousViolations(await axe(frameOf(page)), 'the chat frame, in a conversation, 360 px');
  await visitor.screenshot('widget-conversation');
  await desk.screenshot('widget-agent');

  // the network goes away and comes back: what the agent wrote meanwhile
  // shows once, and the visitor's own message goes out after
  line.cut();
  await chat.locator('.chat[data-live=no]').waitFor();
  await desktop.getByLabel('Your message').fill('Vous m\'entendez ?');
  await desktop.getByLabel('Your message').press('Enter');
  await desktop.locator('.msg.out', { hasText: 'Vous m\'entendez ?' }).waitFor();
  line.restore();
  await chat.locator('.chat[data-live=yes]').waitFor({ timeout: 15000 });
  await theirs('Vous m\'entendez ?').waitFor();
  assert.equal(await chat.locator('.msg', { hasText: 'Vous m\'entendez ?' }).count(), 1);
  await chat.getByLabel('Your message').fill('Oui');
  await chat.getByLabel('Your message').press('Enter');
  await desktop.locator('.msg.in', { hasText: 'Oui' }).waitFor();

  // a reload in the same tab: the same conversation, each message once,
  // and what the agent wrote meanwhile
  await page.reload();
  await desktop.getByLabel('Your message').fill('Vous êtes toujours là ?');
  await desktop.getByLabel('Your message').press('Enter');
  const again = await openChat(page);
  await again.locator('.msg.theirs', { hasText: 'Vous êtes toujours là ?' }).waitFor();
  const texts = await again.locator('.msg .text').allTextContents();
  assert.deepEqual(texts, ['Bonjour, ma box ne marche plus', 'Je regarde votre ligne.', 'Merci !', 'Ma facture',
    'Voici la procédure.', 'Vous m\'entendez ?', 'Oui', 'Vous êtes toujours là ?']);
  assert.equal((await stored(page, open.key)).contact, conv.contact);
  // and the stream, resumed, still brings what comes next, once
  await desktop.getByLabel('Your message').fill('Parfait.');
  await desktop.getByLabel('Your message').press('Enter');
  await again.locator('.msg.theirs', { hasText: 'Parfait.' }).waitFor();
  assert.equal(await again.locator('.msg', { hasText: 'Parfait.' }).count(), 1);

  // the visitor ends the chat, rates it and asks for the transcript
  await again.getByRole('button', { name: 'End the chat' }).click();
  await again.getByText('The conversation has ended.').waitFor();
  assert.equal(await frameOf(page).evaluate(() => document.activeElement.id), 'w-star-1', 'the focus goes to the rating');
  await desktop.getByText('The chat has ended: the visitor can no longer write.').waitFor();
  assert.equal(await desktop.getByLabel('Your message').count(), 0, 'no composer for a chat that ended');
  // five radio buttons drawn as stars: a click on the fourth star takes it
  await again.locator('.stars label').nth(3).click();
  assert.equal(await again.getByRole('radio', { name: '4 stars: satisfied' }).isChecked(), true);
  assert.equal(await again.locator('.stars label').allTextContents().then((l) => l.map((x) => x[0]).join('')), '★★★★☆');
  await again.getByLabel('A comment (optional)').fill('Rapide et clair');
  await again.getByRole('button', { name: 'Send my rating' }).click();
  await again.getByText('Thank you for your rating.').waitFor();
  assert.equal(await again.getByLabel('Send me the transcript by email').inputValue(), 'lea.web@example.com');
  await again.getByRole('button', { name: 'Send the transcript' }).click();
  await again.getByText('The transcript will be sent to lea.web@example.com.').waitFor();
  await visitor.screenshot('widget-rated');

  // the log has the rating and the request
  const events = await eventsOf(conv.contact);
  const csat = events.find((e) => e.type === 'contact.csat');
  assert.ok(csat, JSON.stringify(events.map((e) => e.type)));
  assert.equal(csat.data.score, 4);
  assert.equal(csat.data.comment, 'Rapide et clair');
  assert.equal(csat.data.agent, agentId);
  const mail = events.find((e) => e.type === 'contact.transcript');
  assert.equal(mail?.data.email, 'lea.web@example.com');

  // the contact's timeline on the desktop names the new events
  const timeline = agent.locator('li', { hasText: 'Rated by the customer' });
  await timeline.first().waitFor();
  assert.equal(await agent.getByText(/ui\.event\./).count(), 0, 'every event of the timeline has its words');

  // the agent finishes the wrap-up
  await admin.post(`/api/v1/contacts/${conv.contact}/wrapup`, { disposition: 'resolved' });
  await agent.getByText('No contact in hand.').waitFor();
  await agent.getByRole('button', { name: 'Offline' }).click();
  await agent.locator('.current[data-state=offline]').waitFor();
});

test('a waiting visitor sees the place in line move, live', async (t) => {
  // agent01 logged in but paused: the queue is served, nobody is offered
  await ok(admin.put(`/api/v1/agents/${agentId}/state`, { state: 'paused', reason: 'break' }), 200, 'pause');
  t.after(() => admin.put(`/api/v1/agents/${agentId}/state`, { state: 'offline' }));
  const start = async (name) => {
    const v = await visit(t, allowed.origin, open.key);
    const chat = await openChat(v.page);
    await chat.getByLabel('Your name').fill(name);
    await chat.getByLabel('Your email address').fill(`${name.toLowerCase()}@example.com`);
    await chat.getByLabel('How can we help?').fill(`Bonjour, ici ${name}`);
    await chat.getByLabel(WORDS.consent_text.en).check();
    await chat.getByRole('button', { name: 'Start the chat' }).click();
    return { ...v, chat };
  };
  const first = await start('Ana');
  await first.chat.getByText('You are number 1 in the queue.').waitFor();
  const second = await start('Bob');
  await second.chat.getByText('You are number 2 in the queue.').waitFor();
  await second.screenshot('widget-waiting');
  // neither visitor can read or write the other's conversation
  const a = await stored(first.page, open.key), b = await stored(second.page, open.key);
  for (const [tok, other] of [[a.token, b.contact], [b.token, a.contact]]) {
    for (const path of [`/api/v1/widget/conversations/${other}`, `/api/v1/widget/conversations/${other}/messages?after=0`]) {
      assert.equal((await request(srv.url, 'GET', path, { token: tok })).status, 404, path);
    }
    assert.equal((await request(srv.url, 'POST', `/api/v1/widget/conversations/${other}/messages`, { token: tok, body: { text: 'intrus' } })).status, 404);
  }
  // the first leaves: the second moves up without a reload
  await first.chat.getByRole('button', { name: 'End the chat' }).click();
  await first.chat.getByText('The conversation has ended.').waitFor();
  await second.chat.getByText('You are number 1 in the queue.').waitFor();
  await second.chat.getByRole('button', { name: 'End the chat' }).click();
  await second.chat.getByText('The conversation has ended.').waitFor();
  assert.equal((await ok(admin.get(`/api/v1/contacts/${a.contact}`), 200, 'abandoned')).state, 'abandoned');
  assert.deepEqual((await ok(admin.get(`/api/v1/contacts/${b.contact}/messages`), 200, 'messages')).messages.map((m) => m.text), ['Bonjour, ici Bob']);
});

test('when the queue is closed the frame says so, and the message left becomes a contact queued for the opening', async (t) => {
  const visitor = await visit(t, allowed.origin, closed.key);
  const page = visitor.page;
  const chat = await openChat(page);
  await chat.getByText(WORDS.closed_message.en).waitFor();
  await chat.getByText('We are closed right now').waitFor();
  await chat.getByLabel('Your name').fill('Noé Nuit');
  await chat.getByLabel('Your email address').fill('noe@example.com');
  await chat.getByLabel('Your message').fill('Rappelez-moi demain');
  await chat.getByLabel(WORDS.consent_text.en).check();
  await chat.getByRole('button', { name: 'Send the message' }).click();
  await chat.getByText('Your message was received. We will answer as soon as we open.').waitFor();
  await chat.locator('.msg.mine', { hasText: 'Rappelez-moi demain' }).waitFor();
  noSeriousViolations(await axe(frameOf(page)), 'the closed queue\'s frame');
  await visitor.screenshot('widget-closed');
  const { contact } = await stored(page, closed.key);
  const c = await ok(admin.get(`/api/v1/contacts/${contact}`), 200, 'the contact left');
  assert.equal(c.state, 'queued');
  assert.equal(c.channel, 'chat');
  const msgs = await ok(admin.get(`/api/v1/contacts/${contact}/messages`), 200, 'its messages');
  assert.deepEqual(msgs.messages.map((m) => [m.direction, m.text]), [['in', 'Rappelez-moi demain']]);
});

test('a French page gets the launcher and the frame in French', async (t) => {
  const visitor = await visit(t, allowed.origin, closed.key, { lang: 'fr' });
  const page = visitor.page;
  const chat = await openChat(page, 'Discuter avec nous');
  await chat.getByText(WORDS.closed_message.fr).waitFor();
  await chat.getByText('Nous sommes fermés pour le moment').waitFor();
  await chat.getByLabel('Votre nom').waitFor();
  await chat.getByLabel('Votre adresse e-mail').waitFor();
  await chat.getByLabel(WORDS.consent_text.fr).waitFor();
  assert.equal(await frameOf(page).evaluate(() => document.documentElement.lang), 'fr');
  noSeriousViolations(await axe(frameOf(page)), 'the frame in French');
  await visitor.screenshot('widget-fr');
  // the frame's own close button gives the focus back to the launcher
  await chat.getByRole('button', { name: 'Fermer la fenêtre de discussion' }).click();
  await page.locator('#relais-chat').waitFor({ state: 'hidden' });
  assert.equal(await page.evaluate(() => document.activeElement.textContent), 'Discuter avec nous');
});

test('a site that is not in allowed_origins gets the frame refused', async (t) => {
  const frame = await request(line.url, 'GET', `/widget/frame?key=${open.key}`);
  assert.equal(frame.status, 200);
  assert.match(frame.headers.get('content-security-policy'), new RegExp(`frame-ancestors [^;]*${allowed.origin}(;|$| )`));
  assert.doesNotMatch(frame.headers.get('content-security-policy'), new RegExp(refused.origin));
  const visitor = await visit(t, refused.origin, open.key, { allowConsole: [/frame-ancestors/] });
  const page = visitor.page;
  const [refusal] = await Promise.all([
    page.waitForEvent('console', (m) => /frame-ancestors/.test(m.text())),
    page.getByRole('button', { name: 'Chat with us' }).click(),
  ]);
  assert.match(refusal.text(), /Refused to frame|has been blocked/);
  assert.match(refusal.text(), new RegExp(allowed.origin.replace(/[.:/]/g, '\\$&')));
  // an unknown key gets no loader
  assert.equal((await request(srv.url, 'GET', '/widget.js?key=nope')).status, 404);
});
