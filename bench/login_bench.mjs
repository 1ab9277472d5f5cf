#!/usr/bin/env node
// login_bench — logins under a flood of wrong passwords, and what a wrong
// password costs for a known and an unknown user name. First line:
//
//	login flood=1000 hashed=H refused=R flood_s=F other_user_ms=U other_addr_ms=A known_ms=K unknown_ms=N
//
// Method: a `relais serve --demo --no-fsync` on a free port; a user made
// through the API (a real Argon2id hash, unlike the demo's fast ones).
// FLOOD (default 1000) wrong logins for that user are sent at once from
// 127.0.2.1, one connection each; meanwhile a login of another user from
// the same address and a login of the same user from 127.0.2.2. hashed =
// answers 401 (checked), refused = 429/503; other_*_ms: the two real
// logins' times, from sending to the answer; flood_s: until the flood's
// last answer. Then the medians of 8 wrong logins of the known user and 8
// of an unknown name (each from its own address, under the limits).
//
//	node bench/login_bench.mjs
//	LOGIN_FLOOD=200 node bench/login_bench.mjs
//
// Exit status 1 when the server fails or a real login does not get 201.
import { startServer, login, client, requestFrom } from '../tests/integration/lib.mjs';

const FLOOD = Number(process.env.LOGIN_FLOOD || 1000);
const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return (s[(s.length - 1) >> 1] + s[s.length >> 1]) / 2; };
const timed = async (p) => { const t0 = performance.now(); const r = await p; return [r, performance.now() - t0]; };

const srv = await startServer({ fsync: false });
let rc = 0;
try {
  const admin = await login(srv.url, 'admin');
  const mk = await client(srv.url, admin.token).post('/api/v1/users', { username: 'bench.user', password: 'bench-user-password', role: 'client', tenants: [] });
  if (mk.status !== 201) throw new Error('cannot create the user: ' + JSON.stringify(mk.body));
  const t0 = performance.now();
  const flood = Array.from({ length: FLOOD }, () => requestFrom('127.0.2.1', srv.url, 'POST', '/api/v1/session',
    { body: { username: 'bench.user', password: 'wrong-password' } }).catch((e) => ({ status: 0, error: e })));
  const [[other, otherMs], [addr, addrMs]] = await Promise.all([
    timed(requestFrom('127.0.2.1', srv.url, 'POST', '/api/v1/session', { body: { username: 'admin', password: 'admin-demo' } })),
    timed(requestFrom('127.0.2.2', srv.url, 'POST', '/api/v1/session', { body: { username: 'bench.user', password: 'bench-user-password' } })),
  ]);
  const answers = await Promise.all(flood);
  const floodS = (performance.now() - t0) / 1000;
  const by = {};
  for (const a of answers) by[a.status] = (by[a.status] || 0) + 1;
  const known = [], unknown = [];
  for (let i = 0; i < 8; i++) {
    known.push((await timed(requestFrom(`127.0.3.${i + 1}`, srv.url, 'POST', '/api/v1/session', { body: { username: 'bench.user', password: 'wrong-password' } })))[1]);
    unknown.push((await timed(requestFrom(`127.0.3.${i + 1}`, srv.url, 'POST', '/api/v1/session', { body: { username: 'bench.nobody', password: 'wrong-password' } })))[1]);
  }
  console.log(`login flood=${FLOOD} hashed=${by[401] || 0} refused=${(by[429] || 0) + (by[503] || 0)} flood_s=${floodS.toFixed(2)} ` +
    `other_user_ms=${otherMs.toFixed(0)} other_addr_ms=${addrMs.toFixed(0)} known_ms=${median(known).toFixed(1)} unknown_ms=${median(unknown).toFixed(1)}`);
  console.log(`statuses ${JSON.stringify(by)}; real logins: other user ${other.status}, other address ${addr.status}`);
  if (other.status !== 201 || addr.status !== 201) rc = 1;
} catch (e) {
  console.error(e);
  rc = 1;
} finally {
  if ((await srv.stop()).code !== 0) rc = 1;
}
process.exit(rc);
