// A mail rig for the email channel's tests and benchmark: Debian's
// Dovecot (IMAP) and an aiosmtpd sink (SMTP, Maildir), on free loopback
// ports in a temporary folder, stopped by PID; a small IMAP client that
// delivers by APPEND and reads flags; the sink's mails parsed enough to
// check their headers.
import { spawn } from 'node:child_process';
import net from 'node:net';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync, chownSync, chmodSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';

export async function freePort() {
  const srv = net.createServer();
  await new Promise((r) => srv.listen(0, '127.0.0.1', r));
  const { port } = srv.address();
  await new Promise((r) => srv.close(r));
  return port;
}

// Resolves once a server on port greets with prefix; fails if proc exits.
async function greets(port, prefix, proc, what) {
  const t0 = Date.now();
  while (Date.now() - t0 < 30000) {
    if (proc.exitCode !== null) throw new Error(`${what} exited`);
    const got = await new Promise((resolve) => {
      const s = net.connect(port, '127.0.0.1');
      s.once('data', (d) => { s.destroy(); resolve(String(d)); });
      s.once('error', () => resolve(null));
    });
    if (got && got.startsWith(prefix)) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`${what} did not greet`);
}

function spawnLogged(dir, name, cmd, args) {
  const proc = spawn(cmd, args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  proc.stdout.on('data', (d) => { out += d; });
  proc.stderr.on('data', (d) => { out += d; });
  const exited = new Promise((r) => proc.on('exit', r));
  return { name, proc, exited, out: () => out };
}

async function stopProc(p) {
  if (!p || p.proc.exitCode !== null || p.proc.signalCode !== null) return;
  p.proc.kill('SIGTERM');
  const t = setTimeout(() => p.proc.kill('SIGKILL'), 20000);
  await p.exited;
  clearTimeout(t);
}

// Starts Dovecot with users (name -> password) and the SMTP sink.
export async function startMailRig(users) {
  const dir = mkdtempSync(join(tmpdir(), 'relais-mailrig-'));
  chmodSync(dir, 0o755); // Dovecot's users read the passwd file
  const root = process.getuid() === 0;
  const uid = root ? 65534 : process.getuid();
  const gid = root ? 65534 : process.getgid();
  const login = root ? 'dovenull' : userInfo().username;
  const internal = root ? 'dovecot' : login;
  mkdirSync(join(dir, 'home'), { mode: 0o755 });
  if (root) chownSync(join(dir, 'home'), uid, gid);
  writeFileSync(join(dir, 'passwd'), Object.entries(users).map(([u, p]) => `${u}:{PLAIN}${p}::::::\n`).join(''));
  const imapPort = await freePort();
  writeFileSync(join(dir, 'dovecot.conf'), `base_dir = ${dir}/run
state_dir = ${dir}/state
log_path = ${dir}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
first_valid_uid = 1
default_login_user = ${login}
default_internal_user = ${internal}
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%u ${dir}/passwd
}
userdb {
  driver = static
  args = uid=${uid} gid=${gid} home=${dir}/home/%u
}
mail_location = maildir:~/Maildir
service imap-login {
  inet_listener imap {
    address = 127.0.0.1
    port = ${imapPort}
  }
  inet_listener imaps {
    port = 0
  }
  chroot =
}
service anvil {
  chroot =
}
`);
  const dovecot = spawnLogged(dir, 'dovecot', '/usr/sbin/dovecot', ['-F', '-c', join(dir, 'dovecot.conf')]);
  await greets(imapPort, '* OK', dovecot.proc, 'dovecot');
  const smtpPort = await freePort();
  const sinkDir = join(dir, 'sink');
  const sink = spawnLogged(dir, 'sink', '/usr/bin/python3', ['-m', 'aiosmtpd', '-n', '-l', `127.0.0.1:${smtpPort}`,
    '-c', 'aiosmtpd.handlers.Mailbox', sinkDir]);
  await greets(smtpPort, '220', sink.proc, 'aiosmtpd');
  return {
    dir, imapPort, smtpPort,
    logs: () => `--- dovecot\n${dovecot.out()}\n${existsSync(join(dir, 'dovecot.log')) ? readFileSync(join(dir, 'dovecot.log'), 'utf8').slice(-3000) : ''}\n--- sink\n${sink.out()}`,
    // The mails the sink received, oldest first: { raw, headers, body }.
    sunk() {
      const out = [];
      for (const sub of ['new', 'cur']) {
        const d = join(sinkDir, sub);
        if (!existsSync(d)) continue;
        for (const f of readdirSync(d).sort()) out.push(parseMail(readFileSync(join(d, f), 'utf8')));
      }
      return out.sort((a, b) => a.order - b.order);
    },
    async stop() {
      await stopProc(sink);
      await stopProc(dovecot);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

// Headers (unfolded, lower-case names; the last of a repeated one) and body.
export function parseMail(raw) {
  const text = raw.replace(/\r\n/g, '\n');
  const cut = text.indexOf('\n\n');
  const head = text.slice(0, cut).replace(/\n[ \t]+/g, ' ');
  const headers = {};
  for (const line of head.split('\n')) {
    const i = line.indexOf(':');
    if (i > 0) headers[line.slice(0, i).toLowerCase()] = line.slice(i + 1).trim();
  }
  const order = Date.parse(headers.date || '') || 0;
  return { raw: text, headers, body: text.slice(cut + 2), order };
}

// Quoted-printable text back to UTF-8 (the answers relais writes).
export function unQP(s) {
  const bytes = [];
  const t = s.replace(/=\n/g, '');
  for (let i = 0; i < t.length; i++) {
    if (t[i] === '=' && /^[0-9A-F]{2}$/i.test(t.slice(i + 1, i + 3))) {
      bytes.push(parseInt(t.slice(i + 1, i + 3), 16));
      i += 2;
    } else {
      bytes.push(...Buffer.from(t[i], 'utf8'));
    }
  }
  return Buffer.from(bytes).toString('utf8');
}

// A minimal IMAP client: one connection, one command at a time.
export class Imap {
  static async open(port, user, password) {
    const im = new Imap();
    im.sock = net.connect(port, '127.0.0.1');
    im.buf = '';
    im.waiter = null;
    im.n = 0;
    im.sock.on('data', (d) => { im.buf += d; im.check(); });
    await new Promise((resolve, reject) => { im.sock.once('connect', resolve); im.sock.once('error', reject); });
    await im.wait((b) => b.includes('\r\n'));
    im.buf = '';
    await im.cmd(`LOGIN ${user} ${password}`);
    await im.cmd('SELECT INBOX');
    return im;
  }

  check() {
    if (this.waiter && this.waiter.pred(this.buf)) {
      const w = this.waiter;
      this.waiter = null;
      w.resolve(this.buf);
    }
  }

  wait(pred) {
    return new Promise((resolve) => { this.waiter = { pred, resolve }; this.check(); });
  }

  async cmd(line, literal) {
    const tag = `A${++this.n}`;
    this.buf = '';
    if (literal !== undefined) {
      const bytes = Buffer.from(literal, 'utf8');
      this.sock.write(`${tag} ${line} {${bytes.length}}\r\n`);
      await this.wait((b) => b.startsWith('+'));
      this.buf = '';
      this.sock.write(Buffer.concat([bytes, Buffer.from('\r\n')]));
    } else {
      this.sock.write(`${tag} ${line}\r\n`);
    }
    const out = await this.wait((b) => new RegExp(`(^|\\r\\n)${tag} (OK|NO|BAD)`).test(b));
    if (!new RegExp(`(^|\\r\\n)${tag} OK`).test(out)) throw new Error(`IMAP ${line}: ${out}`);
    return out;
  }

  // Delivers a message (CRLF lines) into INBOX.
  append(raw) {
    return this.cmd('APPEND INBOX', raw.replace(/\r?\n/g, '\r\n'));
  }

  // The UIDs a search selects ("KEYWORD $RelaisDone", "ALL").
  async search(criteria) {
    await this.cmd('NOOP');
    const out = await this.cmd(`UID SEARCH ${criteria}`);
    const line = out.split('\r\n').find((l) => l.startsWith('* SEARCH')) || '* SEARCH';
    return line.slice(8).trim().split(/\s+/).filter(Boolean).map(Number);
  }

  close() {
    this.sock.destroy();
  }
}
