// The email channel end to end: a real Dovecot (mail delivered by IMAP
// APPEND) and a real SMTP sink (aiosmtpd), relais serving two mailboxes
// that poll them every second. Plain, HTML, multipart with a file,
// ISO-8859-1 and UTF-8 subjects become contacts of the mailbox's queue
// with their customer and messages; the acknowledgement and the
// out-of-hours reply reach the sink, an automatic mail gets none; an
// agent's answer leaves with its threading headers and the customer's
// reply to it comes back into the same contact; a mail is flagged done
// only once durable, and a kill -9 never makes a second contact. The
// passwords of a mailbox never leave the server; another tenant's staff
// does not see it. A chat visitor's transcript leaves through the
// tenant's mailbox.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, login, client, demoIds, ok, request, until as untilIn } from './lib.mjs';
import { startMailRig, Imap, unQP } from './mailrig.mjs';

const PW = { support: 'pw-support-1', closed: 'pw-closed-1', crash: 'pw-crash-1' };
let rig, srv, admin, S = {};

const until = (fn, what, ms = 30000) => untilIn(fn, what, ms, () => `${srv?.logs().slice(-3000)}\n${rig?.logs()}`);

function server(port, user) {
  return user ? { host: '127.0.0.1', port, tls: 'none', user, password: PW[user] } : { host: '127.0.0.1', port, tls: 'none' };
}

async function contactsOf(queue) {
  return (await ok(admin.get(`/api/v1/contacts?queue=${queue}&limit=500`), 200, 'contacts')).items;
}

// The contact of queue whose first mail had this subject (waits for it).
function contactBySubject(queue, subject) {
  return until(async () => (await contactsOf(queue)).find((c) => c.attributes?.subject === subject), `contact "${subject}"`);
}

async function messagesOf(c) {
  return (await ok(admin.get(`/api/v1/contacts/${c}/messages`), 200, 'messages')).messages;
}

// The sink's mails to address (waits for n of them).
function sunkTo(address, n = 1) {
  return until(() => {
    const m = rig.sunk().filter((x) => (x.headers.to || '').includes(address));
    return m.length >= n ? m : null;
  }, `${n} mail(s) to ${address}`);
}

// The test's agent takes contact id (transferred to it, accepted).
async function hold(id) {
  await ok(admin.post(`/api/v1/contacts/${id}/transfer`, { agent: S.agent }), 200, 'transfer');
  await until(async () => (await admin.get(`/api/v1/contacts/${id}`)).body.state === 'offered', 'offered');
  await ok(S.agentApi.post(`/api/v1/contacts/${id}/accept`, {}), 200, 'accept');
}

function mail({ from, subject, body, headers = '', id }) {
  return `From: ${from}\nTo: support@assurmax.test\nSubject: ${subject}\nDate: Mon, 30 Nov 2026 09:00:00 +0100\nMessage-ID: <${id}>\n${headers}MIME-Version: 1.0\nContent-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: 8bit\n\n${body}\n`;
}

before(async () => {
  rig = await startMailRig(PW);
  srv = await startServer();
  const tok = (await login(srv.url, 'admin')).token;
  admin = client(srv.url, tok);
  const ids = await demoIds(srv.url, tok);
  S.am = ids.tenants.find((t) => t.name === 'AssurMax').id;
  S.tp = ids.tenants.find((t) => t.name === 'Télécom Plus').id;
  const paris = ids.sites.find((s) => s.name === 'Paris').id;
  await ok(admin.post('/api/v1/skills', { name: 'mail.none' }), 201, 'skill');
  S.queue = (await ok(admin.post('/api/v1/queues', {
    tenant: S.am, name: 'MAIL support', channel: 'email', wrapup: 'manual',
    steps: [{ after_s: 0, filter: 'mail.none >= 1' }],
  }), 201, 'queue')).id;
  const never = (await ok(admin.post('/api/v1/calendars', { name: 'MAIL never open', timezone: 'UTC', weekly: [] }), 201, 'calendar')).id;
  S.closedQueue = (await ok(admin.post('/api/v1/queues', {
    tenant: S.am, name: 'MAIL closed', channel: 'email', calendar: never, closed_action: 'none',
    steps: [{ after_s: 0, filter: 'mail.none >= 1' }],
  }), 201, 'closed queue')).id;
  S.mailbox = await ok(admin.post('/api/v1/mailboxes', {
    tenant: S.am, queue: S.queue, address: 'support@assurmax.test', name: 'AssurMax',
    imap: server(rig.imapPort, 'support'), smtp: server(rig.smtpPort), poll_s: 1,
  }), 201, 'mailbox');
  S.closedBox = await ok(admin.post('/api/v1/mailboxes', {
    tenant: S.am, queue: S.closedQueue, address: 'closed@assurmax.test',
    imap: server(rig.imapPort, 'closed'), smtp: server(rig.smtpPort), poll_s: 1,
  }), 201, 'closed mailbox');
  S.agent = (await ok(admin.post('/api/v1/agents', {
    name: 'MAIL agent', site: paris, tenants: [S.am], capacity: { email: 4 },
  }), 201, 'agent')).id;
  await ok(admin.post('/api/v1/users', { username: 'mail-agent', password: 'mail-agent-pw-1', role: 'agent', agent: S.agent }), 201, 'user');
  S.agentToken = (await login(srv.url, 'mail-agent', 'mail-agent-pw-1')).token;
  S.agentApi = client(srv.url, S.agentToken);
  await ok(admin.put(`/api/v1/agents/${S.agent}/state`, { state: 'available' }), 200, 'available');
  for (const [u, t] of [['mail-sup-tp', S.tp], ['mail-sup-am', S.am]]) {
    await ok(admin.post('/api/v1/users', { username: u, password: `${u}-pw-1`, role: 'supervisor', tenants: [t] }), 201, 'supervisor');
  }
  S.supTP = client(srv.url, (await login(srv.url, 'mail-sup-tp', 'mail-sup-tp-pw-1')).token);
  S.supAM = client(srv.url, (await login(srv.url, 'mail-sup-am', 'mail-sup-am-pw-1')).token);
  S.imap = await Imap.open(rig.imapPort, 'support', PW.support);
});

after(async () => {
  S.imap?.close();
  if (srv && srv.proc.exitCode === null && srv.proc.signalCode === null) await srv.stop();
  if (rig) await rig.stop();
});

test('a mailbox\'s passwords never leave the server, an update keeps them, another tenant does not see it', async () => {
  const check = (body) => {
    const text = JSON.stringify(body);
    for (const pw of Object.values(PW)) assert.ok(!text.includes(pw), `a password in ${text}`);
  };
  check(S.mailbox);
  assert.equal(S.mailbox.imap.password_set, true);
  assert.equal(S.mailbox.smtp.password_set, false);
  check(await ok(admin.get('/api/v1/mailboxes'), 200, 'list'));
  check(await ok(admin.get(`/api/v1/mailboxes/${S.mailbox.id}`), 200, 'get'));
  check(await ok(S.supAM.get(`/api/v1/mailboxes/${S.mailbox.id}`), 200, 'own supervisor'));
  // an update of the IMAP block without its password keeps it
  const patched = await ok(admin.patch(`/api/v1/mailboxes/${S.mailbox.id}`, {
    imap: { host: '127.0.0.1', port: rig.imapPort, tls: 'none', user: 'support' },
  }), 200, 'patch');
  check(patched);
  assert.equal(patched.imap.password_set, true);
  // another tenant's supervisor: not found, not listed; writes refused
  await ok(S.supTP.get(`/api/v1/mailboxes/${S.mailbox.id}`), 404, 'other tenant');
  const list = await ok(S.supTP.get('/api/v1/mailboxes'), 200, 'other list');
  assert.equal(list.items.filter((m) => m.tenant === S.am).length, 0);
  await ok(S.supAM.patch(`/api/v1/mailboxes/${S.mailbox.id}`, { poll_s: 2 }), 403, 'supervisor write');
  // bad references: 400 naming the field, nothing created
  const before = (await ok(admin.get('/api/v1/mailboxes'), 200, 'list')).items.length;
  const bad = await ok(admin.post('/api/v1/mailboxes', {
    tenant: S.tp, queue: S.queue, address: 'x@tp.test',
    imap: server(rig.imapPort, 'support'), smtp: server(rig.smtpPort),
  }), 400, 'queue of another tenant');
  assert.equal(bad.error.field, 'queue');
  const voice = (await ok(admin.get(`/api/v1/queues?limit=500`), 200, 'queues')).items.find((q) => q.tenant === S.am && q.channel === 'voice');
  await ok(admin.post('/api/v1/mailboxes', {
    tenant: S.am, queue: voice.id, address: 'y@am.test', imap: server(1, 'support'), smtp: server(1),
  }), 400, 'not an email queue');
  await ok(admin.post('/api/v1/mailboxes', {
    tenant: S.am, queue: S.queue, address: 'not an address', imap: server(1, 'support'), smtp: server(1),
  }), 400, 'bad address');
  assert.equal((await ok(admin.get('/api/v1/mailboxes'), 200, 'list')).items.length, before);
});

test('plain, HTML, multipart, ISO-8859-1 and UTF-8 subjects become contacts with their customer, and each gets its acknowledgement', async () => {
  await S.imap.append(mail({ from: 'Alice Martin <alice@example.org>', subject: '=?UTF-8?B?' + Buffer.from('Réclamation été ☀').toString('base64') + '?=', body: 'Bonjour, mon contrat été.', id: 'plain-1@example.org' }));
  await S.imap.append(`From: Bob <bob@example.org>\nTo: support@assurmax.test\nSubject: =?ISO-8859-1?Q?Probl=E8me_de_facture?=\nMessage-ID: <latin-1@example.org>\nMIME-Version: 1.0\nContent-Type: text/plain; charset=iso-8859-1\nContent-Transfer-Encoding: quoted-printable\n\nLa facture est fausse, d=E9sol=E9.\n`);
  await S.imap.append(`From: Carol <carol@example.org>\nTo: support@assurmax.test\nSubject: HTML\nMessage-ID: <html-1@example.org>\nMIME-Version: 1.0\nContent-Type: text/html; charset=utf-8\n\n<p>Hello <b>there</b></p><script>alert(1)</script><img src="http://evil.test/x.png"><form action="http://evil.test"><input></form>\n`);
  const pdf = Buffer.from('%PDF-1.4 relais test file\n').toString('base64');
  await S.imap.append(`From: Dan <dan@example.org>\nTo: support@assurmax.test\nSubject: With a file\nMessage-ID: <multi-1@example.org>\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary="XX"\n\n--XX\nContent-Type: text/plain; charset=utf-8\n\nSee the file.\n--XX\nContent-Type: application/pdf; name="contrat.pdf"\nContent-Disposition: attachment; filename="contrat.pdf"\nContent-Transfer-Encoding: base64\n\n${pdf}\n--XX--\n`);

  const alice = await contactBySubject(S.queue, 'Réclamation été ☀');
  assert.equal(alice.channel, 'email');
  assert.equal(alice.attributes.email, 'alice@example.org');
  assert.equal(alice.attributes.mailbox, S.mailbox.id);
  const customer = await ok(admin.get(`/api/v1/customers/${alice.customer}`), 200, 'customer');
  assert.deepEqual(customer.emails, ['alice@example.org']);
  assert.equal(customer.name, 'Alice Martin');
  const [am] = await messagesOf(alice.id);
  assert.equal(am.direction, 'in');
  assert.equal(am.author, 'customer');
  assert.equal(am.text.trim(), 'Bonjour, mon contrat été.');
  assert.equal(am.subject, 'Réclamation été ☀');

  const bob = await contactBySubject(S.queue, 'Problème de facture');
  assert.equal((await messagesOf(bob.id))[0].text.trim(), 'La facture est fausse, désolé.');

  const carol = await contactBySubject(S.queue, 'HTML');
  const [cm] = await messagesOf(carol.id);
  assert.match(cm.html, /<b>there<\/b>/);
  assert.doesNotMatch(cm.html, /script|evil\.test|<form|<input/i);
  assert.match(cm.text, /Hello there/);

  const dan = await contactBySubject(S.queue, 'With a file');
  const [dm] = await messagesOf(dan.id);
  assert.equal(dm.attachments.length, 1);
  assert.equal(dm.attachments[0].name, 'contrat.pdf');
  assert.equal(dm.attachments[0].type, 'application/pdf');
  const file = await admin.get(`/api/v1/attachments/${dm.attachments[0].id}`);
  assert.equal(file.status, 200);
  assert.equal(String(file.body), '%PDF-1.4 relais test file\n');

  // the acknowledgement: threaded, automatic, with the contact's reference
  const [ack] = await sunkTo('alice@example.org');
  const ref = alice.id.replace(/-/g, '').slice(0, 8).toUpperCase();
  assert.equal(ack.headers['auto-submitted'], 'auto-replied');
  assert.equal(ack.headers['in-reply-to'], '<plain-1@example.org>');
  assert.match(ack.headers['reply-to'], /support@assurmax\.test/);
  assert.match(ack.headers['message-id'], new RegExp(`^<relais\\.${alice.id}\\.`));
  assert.match(unQP(ack.body), new RegExp(`(reference is|référence est) ${ref}`));
  // every mail is flagged done, once durable
  await until(async () => (await S.imap.search('UNKEYWORD $RelaisDone')).length === 0, 'all flagged');
});

test('an automatic mail gets no automatic answer, and a sender gets one at most every few minutes', async () => {
  await S.imap.append(mail({ from: 'robot@example.org', subject: 'Out of office', body: 'I am away.', id: 'auto-1@example.org', headers: 'Auto-Submitted: auto-replied\n' }));
  await S.imap.append(mail({ from: 'list@example.org', subject: 'Newsletter', body: 'News.', id: 'list-1@example.org', headers: 'Precedence: bulk\nList-Id: <news.example.org>\n' }));
  await S.imap.append(mail({ from: 'Support <support@assurmax.test>', subject: 'Ourselves', body: 'Loop?', id: 'self-1@example.org' }));
  await S.imap.append(mail({ from: 'erin@example.org', subject: 'First', body: 'One.', id: 'erin-1@example.org' }));
  await S.imap.append(mail({ from: 'erin@example.org', subject: 'Second, new subject', body: 'Two.', id: 'erin-2@example.org' }));
  await S.imap.append(mail({ from: 'frank@example.org', subject: 'After them', body: 'Last.', id: 'frank-1@example.org' }));
  // the mailbox answers in order on one thread: once frank has his,
  // every earlier answer would have been sent
  await sunkTo('frank@example.org');
  await contactBySubject(S.queue, 'Out of office');
  await contactBySubject(S.queue, 'Second, new subject');
  const sunk = rig.sunk();
  for (const who of ['robot@', 'list@', 'support@assurmax.test>']) {
    assert.equal(sunk.filter((m) => (m.headers.to || '').includes(who)).length, 0, `an answer to ${who}`);
  }
  assert.equal(sunk.filter((m) => (m.headers.to || '').includes('erin@')).length, 1, 'erin: one answer');
});

test('a mail to a closed queue gets the out-of-hours reply in the tenant\'s language', async () => {
  const im = await Imap.open(rig.imapPort, 'closed', PW.closed);
  await im.append(mail({ from: 'gina@example.org', subject: 'Tard le soir', body: 'Bonsoir.', id: 'closed-1@example.org' }));
  im.close();
  const c = await contactBySubject(S.closedQueue, 'Tard le soir');
  const [reply] = await sunkTo('gina@example.org');
  const tenant = await ok(admin.get(`/api/v1/tenants/${S.am}`), 200, 'tenant');
  const french = (tenant.languages || [])[0] === 'fr';
  assert.match(unQP(reply.body), french ? /fermeture/ : /while we are closed/);
  assert.match(reply.headers.subject, new RegExp(`\\[#${c.id.replace(/-/g, '').slice(0, 8).toUpperCase()}\\]`));
});

test('an agent\'s answer leaves with its threading headers, and the reply to it comes back into the same contact', async () => {
  await S.imap.append(mail({ from: 'Hugo <hugo@example.org>', subject: 'Question', body: 'Quand ?', id: 'hugo-1@example.org' }));
  const c = await contactBySubject(S.queue, 'Question');
  await hold(c.id);
  const file = await ok(request(srv.url, 'POST', `/api/v1/contacts/${c.id}/attachments?name=${encodeURIComponent('devis été.pdf')}`, {
    token: S.agentToken, raw: '%PDF-1.4 devis\n', headers: { 'content-type': 'application/pdf' },
  }), 201, 'attachment');
  const sent = await ok(S.agentApi.post(`/api/v1/contacts/${c.id}/messages`, {
    text: 'Demain matin.\n\n> Quand ?', cc: 'boss@example.org', attachments: [file.id],
  }), 201, 'answer');
  const st = await until(async () => (await messagesOf(c.id)).find((m) => m.id === sent.id && m.status !== 'queued'), 'sent');
  assert.equal(st.status, 'sent');
  const answers = await sunkTo('hugo@example.org', 2); // the ack, then the answer
  const answer = answers.find((m) => !m.headers['auto-submitted']);
  const ref = c.id.replace(/-/g, '').slice(0, 8).toUpperCase();
  assert.equal(answer.headers.subject, `Re: Question [#${ref}]`);
  assert.equal(answer.headers['in-reply-to'], '<hugo-1@example.org>');
  assert.match(answer.headers.references, /<hugo-1@example\.org>/);
  assert.match(answer.headers['reply-to'], /support@assurmax\.test/);
  assert.match(answer.headers.cc, /boss@example\.org/);
  assert.equal(answer.headers['message-id'], `<relais.${c.id}.${sent.id}@assurmax.test>`);
  assert.match(unQP(answer.body), /Demain matin\.\n\n> Quand \?/);
  // the file rides along: multipart/mixed, its name, its bytes in base64
  assert.match(answer.headers['content-type'], /^multipart\/mixed/);
  assert.match(answer.raw, /Content-Type: application\/pdf/);
  assert.match(answer.raw, /filename\*?=.*devis/);
  assert.ok(answer.raw.includes(Buffer.from('%PDF-1.4 devis\n').toString('base64')), 'the file in base64');

  // the customer replies to the answer, with a new subject: same contact
  await S.imap.append(mail({ from: 'hugo@example.org', subject: 'Merci', body: 'Parfait.', id: 'hugo-2@example.org',
    headers: `In-Reply-To: ${answer.headers['message-id']}\nReferences: <hugo-1@example.org> ${answer.headers['message-id']}\n` }));
  const msgs = await until(async () => { const m = await messagesOf(c.id); return m.length === 3 ? m : null; }, 'the reply threaded');
  assert.equal(msgs[2].text.trim(), 'Parfait.');
  assert.equal((await contactsOf(S.queue)).filter((x) => x.attributes?.subject === 'Merci').length, 0);
  // only the subject's reference, from the same customer: same contact too
  await S.imap.append(mail({ from: 'hugo@example.org', subject: `Encore [#${ref}]`, body: 'Et aussi.', id: 'hugo-3@example.org' }));
  await until(async () => (await messagesOf(c.id)).length === 4, 'threaded by the subject');
  // the same reference from someone else opens a new contact
  await S.imap.append(mail({ from: 'ivan@example.org', subject: `Pirate [#${ref}]`, body: 'Hi.', id: 'ivan-1@example.org' }));
  await contactBySubject(S.queue, `Pirate [#${ref}]`);
  assert.equal((await messagesOf(c.id)).length, 4);
  // once the contact is over, a reply opens a new contact linked to it
  await ok(S.agentApi.post(`/api/v1/contacts/${c.id}/complete`, {}), 200, 'complete');
  await ok(S.agentApi.post(`/api/v1/contacts/${c.id}/wrapup`, { disposition: null }), 200, 'wrapup');
  await until(async () => (await admin.get(`/api/v1/contacts/${c.id}`)).body.state === 'completed', 'completed');
  await S.imap.append(mail({ from: 'hugo@example.org', subject: 'Re: Question', body: 'Encore moi.', id: 'hugo-4@example.org',
    headers: `In-Reply-To: ${answer.headers['message-id']}\n` }));
  const again = await contactBySubject(S.queue, 'Re: Question');
  assert.notEqual(again.id, c.id);
  assert.equal(again.attributes.linked, c.id);
  assert.equal(again.customer, c.customer);
  assert.equal((await messagesOf(c.id)).length, 4);
});

test('an answer the SMTP server cannot take is marked failed with the reason', async () => {
  const { freePort } = await import('./mailrig.mjs');
  const dead = await freePort(); // nothing listens there
  await ok(admin.post('/api/v1/mailboxes', {
    tenant: S.am, queue: S.queue, address: 'broken@assurmax.test',
    imap: server(rig.imapPort, 'crash'), smtp: server(dead), poll_s: 1,
  }), 201, 'mailbox with a dead SMTP server');
  const im = await Imap.open(rig.imapPort, 'crash', PW.crash);
  await im.append(mail({ from: 'lola@example.org', subject: 'Nobody sends', body: 'Allô ?', id: 'dead-1@example.org' }));
  im.close();
  const c = await contactBySubject(S.queue, 'Nobody sends');
  await hold(c.id);
  const sent = await ok(S.agentApi.post(`/api/v1/contacts/${c.id}/messages`, { text: 'Oui ?' }), 201, 'answer');
  const st = await until(async () => (await messagesOf(c.id)).find((m) => m.id === sent.id && m.status !== 'queued'), 'a status');
  assert.equal(st.status, 'failed');
  assert.match(st.reason, /refused/i);
});

test('an email contact created through the API (no mailbox) keeps the api channel\'s way: its answers are sent', async () => {
  const integ = client(srv.url, (await login(srv.url, 'integration')).token);
  const c = await ok(integ.post('/api/v1/contacts', { tenant: S.am, queue: S.queue, channel: 'email', customer: { email: 'api@example.org' } }), 201, 'contact');
  await hold(c.id);
  const before = rig.sunk().length;
  const m = await ok(S.agentApi.post(`/api/v1/contacts/${c.id}/messages`, { text: 'Par l\'API', subject: 'Sujet' }), 201, 'answer');
  const st = await until(async () => (await messagesOf(c.id)).find((x) => x.id === m.id && x.status !== 'queued'), 'a status');
  assert.equal(st.status, 'sent');
  assert.equal(rig.sunk().length, before, 'nothing went out by SMTP');
});

test('a queue a mailbox feeds cannot be deleted (409), and nothing changes', async () => {
  const r = await ok(admin.del(`/api/v1/queues/${S.closedQueue}`), 409, 'delete');
  assert.match(r.error.message, /mailboxes/);
  await ok(admin.get(`/api/v1/queues/${S.closedQueue}`), 200, 'still there');
});

test('a chat visitor who asks for the transcript gets it by mail from the tenant\'s mailbox, in French', async () => {
  // AssurMax's demo widget, its mailbox the one above: the transcript of a
  // chat (contact.transcript, logged by the visitor's route) leaves
  // through the email channel once durable.
  const widget = (await ok(admin.get('/api/v1/widgets?limit=500'), 200, 'widgets')).items.find((w) => w.tenant === S.am);
  assert.ok(widget, 'the demo has a widget for AssurMax');
  const made = await ok(request(srv.url, 'POST', `/api/v1/widget/${widget.key}/conversations`, {
    body: { name: 'Chloé Visiteuse', email: 'chloe@visitor.test', text: 'Bonjour, ma question de transcription', consent: true },
  }), 201, 'conversation');
  const conv = `/api/v1/widget/conversations/${made.contact}`;
  const v = (method, path, body) => request(srv.url, method, conv + path, { token: made.visitor_token, body });
  await ok(v('POST', '/messages', { text: 'Une deuxième ligne, avec un accent : é' }), 201, 'second message');
  await ok(v('POST', '/end', {}), 204, 'end');
  const asked = await v('POST', '/transcript?lang=fr', { email: 'chloe@visitor.test' });
  assert.equal(asked.status, 202, JSON.stringify(asked.body));
  const [m] = await sunkTo('chloe@visitor.test');
  assert.match(m.headers.from, /support@assurmax\.test/);
  const ref = made.contact.replace(/-/g, '').slice(0, 8).toUpperCase();
  assert.match(m.headers.subject, new RegExp(`\\[#${ref}\\]`, 'i'));
  const body = unQP(m.body);
  assert.match(body, /Bonjour, ma question de transcription/);
  assert.match(body, /Une deuxième ligne, avec un accent : é/);
  assert.ok(body.indexOf('Bonjour, ma question') < body.indexOf('Une deuxième ligne'), 'in the order written');
  assert.match(body, /^Voici la transcription de votre conversation/m, 'in the language asked');
  assert.match(m.headers.subject, /^Votre conversation/);
  assert.match(body, /Vous:/);
});

test('after kill -9 once the contact is visible, a restart makes no second contact and the mail is flagged', async () => {
  await S.imap.append(mail({ from: 'judy@example.org', subject: 'Crash test', body: 'Boom.', id: 'crash-1@example.org' }));
  const c = await contactBySubject(S.queue, 'Crash test');
  await srv.kill9();
  srv = await startServer({ dataDir: srv.dataDir });
  admin = client(srv.url, (await login(srv.url, 'admin')).token);
  await until(async () => (await S.imap.search('UNKEYWORD $RelaisDone')).length === 0, 'flagged after the restart');
  // one more mail: once it is in, the restarted poller has passed judy's
  await S.imap.append(mail({ from: 'kim@example.org', subject: 'After the crash', body: 'Hi.', id: 'crash-2@example.org' }));
  await contactBySubject(S.queue, 'After the crash');
  const judy = (await contactsOf(S.queue)).filter((x) => x.attributes?.subject === 'Crash test');
  assert.equal(judy.length, 1);
  assert.equal(judy[0].id, c.id);
  assert.equal((await messagesOf(c.id)).length, 1);
});
