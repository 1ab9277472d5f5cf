#!/usr/bin/env node
// email_ingest_bench — how fast mails become durable contacts. First line:
//
//	email ingest_per_s=X mails=N
//
// then details on standard error. Method: a Dovecot and an SMTP sink on
// loopback in a temporary folder (tests/integration/mailrig.mjs), its
// INBOX filled with N mails by IMAP APPEND (default 2,000: plain text,
// each from its own sender, so each makes a contact and a customer); a
// `relais serve --demo` (fsync on: durable is durable) whose admin then
// creates a mailbox on it (poll_s 1) feeding a queue no agent serves.
// X: N divided by the time from the mailbox's creation to the moment the
// API lists N contacts in that queue (the list reads the store: they are
// on disk). Also reported: the time until every mail carries
// $RelaisDone, and the acknowledgements the sink received meanwhile.
//
//	node bench/email_ingest_bench.mjs
//	EMAIL_BENCH_MAILS=500 node bench/email_ingest_bench.mjs
import http from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startRelais, jsonRequest } from './lib.mjs';
import { startMailRig, Imap } from '../tests/integration/mailrig.mjs';

const BIN = process.env.RELAIS_BIN || new URL('../build/relais', import.meta.url).pathname;
const N = Number(process.env.EMAIL_BENCH_MAILS || 2000);
const agent = new http.Agent({ keepAlive: true });

const rig = await startMailRig({ bench: 'bench-pw' });
const dir = mkdtempSync(join(tmpdir(), 'relais-email-bench-'));
let srv, status = 0;
try {
  const imap = await Imap.open(rig.imapPort, 'bench', 'bench-pw');
  const t0 = Date.now();
  for (let i = 0; i < N; i++) {
    await imap.append(`From: Client ${i} <client${i}@example.org>\nTo: support@bench.test\nSubject: Demande ${i}\n` +
      `Message-ID: <bench-${i}@example.org>\nMIME-Version: 1.0\nContent-Type: text/plain; charset=utf-8\n\n` +
      `Bonjour, ceci est la demande numéro ${i}.\nMerci.\n`);
  }
  process.stderr.write(`filled ${N} mails in ${((Date.now() - t0) / 1000).toFixed(1)} s\n`);

  srv = await startRelais(BIN, dir, ['--demo']);
  const call = (method, path, token, body) => jsonRequest(agent, srv.url, method, path, token, body);
  const token = (await call('POST', '/api/v1/session', null, { username: 'admin', password: 'admin-demo' })).body.token;
  const tenant = (await call('GET', '/api/v1/tenants', token)).body.items.find((t) => t.name === 'AssurMax').id;
  await call('POST', '/api/v1/skills', token, { name: 'bench.none' });
  const queue = (await call('POST', '/api/v1/queues', token, { tenant, name: 'Bench email', channel: 'email', steps: [{ after_s: 0, filter: 'bench.none >= 1' }] })).body.id;
  const start = Date.now();
  const mb = await call('POST', '/api/v1/mailboxes', token, {
    tenant, queue, address: 'support@bench.test', poll_s: 1,
    imap: { host: '127.0.0.1', port: rig.imapPort, user: 'bench', password: 'bench-pw' },
    smtp: { host: '127.0.0.1', port: rig.smtpPort },
  });
  if (mb.status !== 201) throw new Error(`mailbox: ${JSON.stringify(mb.body)}`);
  let durable = 0;
  for (;;) {
    const total = (await call('GET', `/api/v1/contacts?queue=${queue}&limit=1`, token)).body.total;
    if (total >= N) { durable = Date.now() - start; break; }
    if (Date.now() - start > 600000) throw new Error(`only ${total} contacts after 10 minutes`);
    await new Promise((r) => setTimeout(r, 20));
  }
  for (;;) {
    if ((await imap.search('UNKEYWORD $RelaisDone')).length === 0) break;
    if (Date.now() - start > 600000) throw new Error('mails not flagged after 10 minutes');
    await new Promise((r) => setTimeout(r, 50));
  }
  const flagged = Date.now() - start;
  imap.close();
  console.log(`email ingest_per_s=${Math.round(N / (durable / 1000))} mails=${N}`);
  process.stderr.write(`durable contacts: ${(durable / 1000).toFixed(2)} s; all flagged $RelaisDone: ` +
    `${(flagged / 1000).toFixed(2)} s; acknowledgements in the sink: ${rig.sunk().length}\n`);
} catch (e) {
  process.stderr.write(`${e.stack}\n${srv ? srv.logs().slice(-2000) : ''}\n${rig.logs()}\n`);
  status = 1;
} finally {
  if (srv) { srv.proc.kill('SIGTERM'); await srv.exited; }
  rmSync(dir, { recursive: true, force: true });
  await rig.stop();
  agent.destroy();
}
process.exit(status);
