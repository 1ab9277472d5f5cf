// A real Kannel on 127.0.0.1 for the SMS tests and benchmark: bearerbox
// and smsbox with their own kannel.conf in a temporary folder, and
// fakesmsc as the carrier (phones send with fakesmsc, what relais sends
// reaches fakesmsc). Every process is stopped by its PID.
//
//   const k = await startKannel({ getUrl });  // Kannel's sms-service URL
//   k.sendsmsUrl, k.username, k.password      // what a gateway needs
//   await k.phone('+33612345678', '+33999000111', 'Bonjour 😀');
//   k.carried()                               // [{from,to,type,text}] received
//   await k.stop();
import { spawn } from 'node:child_process';
import net from 'node:net';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const BEARERBOX = '/usr/sbin/bearerbox';
export const SMSBOX = '/usr/sbin/smsbox';
// Debian ships fakesmsc in kannel-extras, with Kannel's other test tools.
export const FAKESMSC = '/usr/lib/kannel/test/fakesmsc';

export async function freePort() {
  const srv = net.createServer();
  await new Promise((r) => srv.listen(0, '127.0.0.1', r));
  const { port } = srv.address();
  await new Promise((r) => srv.close(r));
  return port;
}

function conf(dir, ports, getUrl, password) {
  return `group = core
admin-port = ${ports.admin}
admin-interface = 127.0.0.1
admin-password = adm
admin-allow-ip = 127.0.0.1
smsbox-port = ${ports.box}
smsbox-interface = 127.0.0.1
box-allow-ip = 127.0.0.1
dlr-storage = internal
log-file = "${dir}/bearerbox.log"
log-level = 0

group = smsc
smsc = fake
smsc-id = fake
port = ${ports.smsc}
our-host = 127.0.0.1
connect-allow-ip = 127.0.0.1

group = smsbox
bearerbox-host = 127.0.0.1
bearerbox-port = ${ports.box}
sendsms-port = ${ports.sendsms}
sendsms-interface = 127.0.0.1
mo-recode = true
log-file = "${dir}/smsbox.log"
log-level = 0

group = sms-service
keyword = default
catch-all = true
max-messages = 0
get-url = "${getUrl}"

group = sendsms-user
username = relais
password = ${password}
max-messages = 10
concatenation = true
`;
}

// fakesmsc's url-encoded bytes ('+' for a space, %XX, the rest as is).
export function urlBytes(s) {
  const out = [];
  for (let i = 0; i < s.length; i++) {
    if (s[i] === '+') out.push(0x20);
    else if (s[i] === '%') { out.push(parseInt(s.slice(i + 1, i + 3), 16)); i += 2; }
    else out.push(s.charCodeAt(i));
  }
  return Buffer.from(out);
}

// A text as fakesmsc's ucs2 message data (UTF-16BE, url-encoded).
export function ucs2(text) {
  return [...Buffer.from(text, 'utf16le').swap16()].map((c) => '%' + c.toString(16).padStart(2, '0')).join('');
}

// A long SMS's bytes: UCS-2 (UTF-16BE, fakesmsc does not say, but every
// character of our texts has a zero high byte or is an emoji's surrogate)
// or the gateway's 8-bit text as it carried it.
function decodeParts(b) {
  const even = b.length % 2 === 0 && b.filter((x, i) => i % 2 === 0 && x === 0).length * 4 >= b.length;
  return even ? Buffer.from(b).swap16().toString('utf16le') : b.toString('utf8');
}

async function answers(url) {
  try {
    const r = await fetch(url);
    await r.text();
    return true;
  } catch {
    return false;
  }
}

// getUrl: Kannel's get-url for every SMS (relais's inbound route).
export async function startKannel({ getUrl }) {
  for (const f of [BEARERBOX, SMSBOX, FAKESMSC])
    if (!existsSync(f)) throw new Error(`${f} is missing: run scripts/install-deps.sh (kannel, kannel-extras)`);
  const dir = mkdtempSync(join(tmpdir(), 'relais-kannel-'));
  const ports = { admin: await freePort(), box: await freePort(), smsc: await freePort(), sendsms: await freePort() };
  const password = 'pw-' + Math.random().toString(36).slice(2);
  const procs = [];
  let carrier = null;
  writeFileSync(join(dir, 'kannel.conf'), conf(dir, ports, getUrl, password));

  const start = (name, cmd, args) => {
    const proc = spawn(cmd, args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
    const p = { name, proc, out: '', exited: new Promise((r) => proc.on('exit', r)) };
    proc.stdout.on('data', (d) => { p.out += d; });
    proc.stderr.on('data', (d) => { p.out += d; });
    procs.push(p);
    return p;
  };
  // SIGTERM, then SIGKILL if it is still there after 20 s.
  const stopOne = async (p) => {
    if (p.proc.exitCode !== null || p.proc.signalCode !== null) return;
    p.proc.kill('SIGTERM');
    const t = setTimeout(() => p.proc.kill('SIGKILL'), 20000);
    await p.exited;
    clearTimeout(t);
  };
  const logs = () => procs.map((p) => `--- ${p.name} (exit ${p.proc.exitCode})\n${p.out.slice(-3000)}`).join('\n');
  // Polls a port until it answers HTTP (the boxes print nothing to wait on).
  const untilAnswers = async (what, url, p) => {
    for (;;) {
      if (p.proc.exitCode !== null) throw new Error(`${what} exited\n${logs()}`);
      if (await answers(url)) return;
      await new Promise((r) => setTimeout(r, 100));
    }
  };
  const bb = start('bearerbox', BEARERBOX, [join(dir, 'kannel.conf')]);
  await untilAnswers('bearerbox', `http://127.0.0.1:${ports.admin}/status?password=adm`, bb);
  const sb = start('smsbox', SMSBOX, [join(dir, 'kannel.conf')]);
  await untilAnswers('smsbox', `http://127.0.0.1:${ports.sendsms}/cgi-bin/sendsms`, sb);

  return {
    dir, ports, logs,
    sendsmsUrl: `http://127.0.0.1:${ports.sendsms}/cgi-bin/sendsms`,
    username: 'relais', password,
    // Phones send: one fakesmsc at a time is the carrier (the fake SMSC
    // takes one connection), so the previous one leaves first; the new
    // one stays connected and receives what relais sends.
    async phone(from, to, text, { count = 1, interval = 0, randomFrom = false } = {}) {
      if (carrier) await stopOne(carrier);
      const args = ['-H', '127.0.0.1', '-r', String(ports.smsc), '-m', String(count)];
      if (interval) args.push('-i', String(interval));
      if (randomFrom) args.push('-z', '1');
      carrier = start('fakesmsc', FAKESMSC, [...args, `${from} ${to} ucs2 ${ucs2(text)}`]);
      return carrier;
    },
    // What the carriers received: [{from, to, type, text}] (type as
    // fakesmsc says: text, data, ucs-2; udh for a long one), the parts of a
    // long SMS put together (fakesmsc prints each with its UDH).
    carried() {
      const out = [], parts = new Map();
      for (const p of procs.filter((x) => x.name === 'fakesmsc')) {
        for (const m of p.out.matchAll(/Got message \d+: <(\S+) (\S+) (\S+) ([^>]*)>/g)) {
          const [, from, to, type, data] = m;
          if (type === 'udh') {
            const [udh, , payload] = data.split(' ');
            const [, , , ref, total, seq] = urlBytes(udh);
            const key = `${from} ${to} ${ref}`;
            if (!parts.has(key)) parts.set(key, { from, to, total, got: [], at: out.length });
            const msg = parts.get(key);
            msg.got[seq - 1] = urlBytes(payload);
            if (msg.got.filter(Boolean).length === total) out.push({ from, to, type: 'udh', text: decodeParts(Buffer.concat(msg.got)) });
            continue;
          }
          const text = type === 'ucs-2' ? urlBytes(data).swap16().toString('utf16le')
            : type === 'data' ? urlBytes(data).toString('utf8') : data;
          out.push({ from, to, type, text });
        }
      }
      return out;
    },
    // What a box wrote in its log so far ('bearerbox', 'smsbox').
    log(name) {
      try { return readFileSync(join(dir, `${name}.log`), 'utf8'); } catch { return ''; }
    },
    async stop() {
      for (const p of [...procs].reverse()) await stopOne(p);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
