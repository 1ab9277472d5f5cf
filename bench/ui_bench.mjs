#!/usr/bin/env node
// ui_bench — the supervisor's wallboard in headless Chromium under a big
// centre whose agents change state 200 times a second. First line:
//
//	ui wallboard agents=1000 queues=100 update_p95_ms=X update_p99_ms=Y js_kb_gz=Z
//
// then details. Method: `relais user add` makes an admin in a fresh
// temporary data folder; `relais serve --web web/` (fsync on, the default)
// starts on a free port; a generated centre is made through the API: 10
// tenants, 5 sites, 3 skills, 100 queues (10 per tenant, the four
// channels in turn), 1,000 agents (1 to 3 tenants, a site, every channel)
// and 2 waiting contacts per queue (every agent is offline or paused, so
// they wait and the tiles' longest waits move). The admin opens the
// wallboard (#/wall) in Debian's chromium (playwright-core of
// tests/browser) at 1920x1080. Then the driver sets agents' states RATE
// times a second (default 200; paused with a reason <-> offline, never
// available, so no offer makes a change refused) over POOL keep-alive
// connections, for SECONDS (default 60).
//
// Update = from a stats message's arrival on the page's WebSocket (the
// message event's timeStamp, hooked before the page's own listener by an
// init script that wraps WebSocket: nothing in the application measures)
// to the end of the next painted frame whose DOM shows that picture (the
// wall's data-time is that message's time or later; a requestAnimationFrame
// callback then a task posted from it, which runs once the frame is
// painted). The first WARM updates are left out. js_kb_gz: every script
// and style sheet response of the page's load, each gzipped (zlib, level
// 6), summed; main.js imports every page's module, so the agent desktop
// loads the same set.
//
//	node bench/ui_bench.mjs
//	UI_SECONDS=20 UI_RATE=100 node bench/ui_bench.mjs
//
// Exit status 1 when the server fails, a state change is refused, the page
// has an error, or no update was measured. A missed target is printed,
// not an error.
import http from 'node:http';
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { mkdtempSync, rmSync, existsSync } from 'node:fs';
import { tmpdir, loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { startRelais, jsonRequest } from './lib.mjs';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const BIN = process.env.RELAIS_BIN || join(ROOT, 'build/relais');
const CHROMIUM = process.env.RELAIS_CHROMIUM || '/usr/bin/chromium';
const env = (k, d) => (process.env[k] !== undefined ? Number(process.env[k]) : d);
const AGENTS = env('UI_AGENTS', 1000);
const QUEUES = env('UI_QUEUES', 100);
const TENANTS = 10;
const SITES = 5;
const RATE = env('UI_RATE', 200);
const SECONDS = env('UI_SECONDS', 60);
const POOL = env('UI_DRIVER_CONNS', 8);
const WARM = 3;
const CHANNELS = ['voice', 'chat', 'email', 'sms'];
const PASSWORD = 'ui-bench-admin-password';

const { chromium } = createRequire(join(ROOT, 'tests/browser/'))('playwright-core');

const pct = (xs, p) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)] : NaN;
};
const fmt = (x) => (Number.isFinite(x) ? x.toFixed(1) : 'nan');

// Runs fn over items, n at a time; resolves with the results in order.
async function pooled(items, n, fn) {
  const out = new Array(items.length);
  let next = 0;
  await Promise.all(Array.from({ length: n }, async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i], i);
    }
  }));
  return out;
}

// The centre, through the API; returns the agents' ids.
async function makeCentre(api) {
  const made = async (path, body) => {
    const r = await api('POST', path, body);
    if (r.status !== 201) throw new Error(`POST ${path}: ${r.status} ${JSON.stringify(r.body)}`);
    return r.body.id;
  };
  const tenants = [];
  for (let i = 0; i < TENANTS; i++) tenants.push(await made('/api/v1/tenants', { name: `Tenant ${i + 1}` }));
  const sites = [];
  for (let i = 0; i < SITES; i++) sites.push(await made('/api/v1/sites', { name: `Site ${i + 1}` }));
  for (const name of ['lang.fr', 'lang.en', 'billing']) await made('/api/v1/skills', { name });
  const queues = await pooled(Array.from({ length: QUEUES }, (_, i) => i), POOL, (i) =>
    made('/api/v1/queues', {
      tenant: tenants[i % TENANTS], name: `Queue ${String(i + 1).padStart(3, '0')}`,
      channel: CHANNELS[Math.floor(i / TENANTS) % CHANNELS.length], sl_threshold_s: 20, sl_target: 80,
    }));
  const agents = await pooled(Array.from({ length: AGENTS }, (_, i) => i), POOL, (i) => {
    const mine = [...new Set([tenants[i % TENANTS], tenants[(i * 7) % TENANTS], tenants[(i * 3 + 1) % TENANTS]])]
      .slice(0, 1 + (i % 3));
    return made('/api/v1/agents', {
      name: `Agent ${String(i + 1).padStart(4, '0')}`, site: sites[i % SITES], tenants: mine,
      skills: { 'lang.fr': 1 + (i % 10), 'lang.en': 1 + ((i * 3) % 10), billing: 1 + ((i * 7) % 10) },
      capacity: { voice: 1, chat: 2, email: 2, sms: 2 },
    });
  });
  await pooled(Array.from({ length: QUEUES * 2 }, (_, i) => i), POOL, async (i) => {
    const q = i % QUEUES;
    const r = await api('POST', '/api/v1/contacts', {
      tenant: tenants[q % TENANTS], queue: queues[q], channel: CHANNELS[Math.floor(q / TENANTS) % CHANNELS.length],
    });
    if (r.status !== 201) throw new Error(`POST /api/v1/contacts: ${r.status} ${JSON.stringify(r.body)}`);
  });
  return agents;
}

// The measuring hook, run in the page before its scripts.
function hook() {
  const Native = window.WebSocket;
  const ui = { samples: [], waits: [], frames: [], stats: 0, bytes: 0 };
  window.__ui = ui;
  window.WebSocket = class extends Native {
    constructor(...args) {
      super(...args);
      // added before the application sets onmessage: it runs first
      this.addEventListener('message', (e) => {
        const d = e.data;
        if (typeof d !== 'string' || !d.startsWith('{"type":"stats"')) return;
        const m = /"time":"([^"]+)"/.exec(d.slice(0, 120));
        if (!m) return;
        const t0 = e.timeStamp;
        const t1 = performance.now();
        ui.stats++;
        ui.bytes = d.length;
        const shown = () => (document.querySelector('.wall')?.dataset.time || '') >= m[1];
        const frame = () => {
          if (!shown()) return requestAnimationFrame(frame);
          const t2 = performance.now();
          // a task posted from the frame's callback runs once it is painted
          const ch = new MessageChannel();
          ch.port1.onmessage = () => {
            ui.samples.push(performance.now() - t0);
            ui.waits.push(t1 - t0); // arrival -> the page's listeners run
            ui.frames.push(t2 - t1); // -> the frame's callback (parse, render)
          };
          ch.port2.postMessage(0);
        };
        requestAnimationFrame(frame);
      });
    }
  };
}

async function main() {
  if (!existsSync(CHROMIUM)) throw new Error(`no chromium at ${CHROMIUM}`);
  if (!existsSync(join(ROOT, 'web/vendor/preact.mjs'))) throw new Error('web/vendor is missing: build first');
  const dir = mkdtempSync(join(tmpdir(), 'relais-ui-bench-'));
  let srv, browser, rc = 0;
  const cleanup = () => {
    srv?.proc.kill('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  };
  process.on('SIGINT', () => { cleanup(); process.exit(130); });
  try {
    const add = spawnSync(BIN, ['user', 'add', 'admin', '--role', 'admin', '--data', dir], { input: `${PASSWORD}\n` });
    if (add.status !== 0) throw new Error(`relais user add: ${add.stderr}`);
    srv = await startRelais(BIN, dir, ['--web', join(ROOT, 'web')]);
    const agent = new http.Agent({ keepAlive: true, maxSockets: POOL });
    const session = await jsonRequest(agent, srv.url, 'POST', '/api/v1/session', null, { username: 'admin', password: PASSWORD });
    if (session.status !== 201) throw new Error(`login: ${session.status}`);
    const api = (method, path, body) => jsonRequest(agent, srv.url, method, path, session.body.token, body);
    const t0 = performance.now();
    const agents = await makeCentre(api);
    const setupS = (performance.now() - t0) / 1000;

    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox'] });
    const context = await browser.newContext({ viewport: { width: 1920, height: 1080 }, locale: 'en-GB' });
    const page = await context.newPage();
    const errors = [];
    const assets = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    page.on('console', (m) => { if (m.type() === 'error' && !/favicon/.test(m.location().url || '')) errors.push(m.text()); });
    page.on('response', (r) => {
      const type = r.request().resourceType();
      if (type === 'script' || type === 'stylesheet') assets.push(r);
    });
    await page.addInitScript(hook);
    await page.goto(`${srv.url}/`);
    await page.getByLabel(/user name/i).fill('admin');
    await page.getByLabel(/password/i).fill(PASSWORD);
    await page.keyboard.press('Enter');
    await page.waitForFunction((n) => document.querySelectorAll('.tile').length === n, QUEUES, { timeout: 30000 });
    await page.locator('table.agents tbody tr').first().waitFor();
    let gz = 0, raw = 0;
    for (const r of assets) {
      const body = await r.body();
      raw += body.length;
      gz += gzipSync(body).length;
    }

    // The load: RATE state changes a second, spread over the second.
    let sent = 0, refused = 0, done = 0;
    const states = new Map();
    const tickMs = 50;
    const perTick = RATE * tickMs / 1000;
    const drive = [];
    const driveStart = performance.now();
    await new Promise((resolve) => {
      const timer = setInterval(() => {
        const due = Math.floor(((performance.now() - driveStart) / 1000) * RATE) - sent;
        for (let k = 0; k < Math.max(0, Math.min(due, perTick * 4)); k++) {
          const id = agents[(sent * 7919) % agents.length];
          const paused = !states.get(id);
          states.set(id, paused);
          sent++;
          drive.push(api('PUT', `/api/v1/agents/${id}/state`, paused ? { state: 'paused', reason: 'break' } : { state: 'offline' })
            .then((r) => { done++; if (r.status !== 200) refused++; }, () => { refused++; }));
        }
        if (performance.now() - driveStart >= SECONDS * 1000) {
          clearInterval(timer);
          resolve();
        }
      }, tickMs);
    });
    await Promise.all(drive);
    const driveS = (performance.now() - driveStart) / 1000;
    await page.waitForTimeout(1500); // the last picture's frame
    const ui = await page.evaluate(() => window.__ui);
    const samples = ui.samples.slice(WARM);
    const p95 = pct(samples, 95), p99 = pct(samples, 99);
    const kb = gz / 1024;
    console.log(`ui wallboard agents=${AGENTS} queues=${QUEUES} update_p95_ms=${fmt(p95)} update_p99_ms=${fmt(p99)} js_kb_gz=${fmt(kb)}`);
    console.log(`  updates: ${samples.length} measured (${ui.stats} stats messages, first ${WARM} left out), p50_ms=${fmt(pct(samples, 50))} max_ms=${fmt(Math.max(...samples))}; a stats message is ${(ui.bytes / 1024).toFixed(0)} KB`);
    console.log(`  split (p50/p95 ms): arrival to listeners ${fmt(pct(ui.waits.slice(WARM), 50))}/${fmt(pct(ui.waits.slice(WARM), 95))}, listeners to the frame ${fmt(pct(ui.frames.slice(WARM), 50))}/${fmt(pct(ui.frames.slice(WARM), 95))}, the rest is style, layout and paint`);
    console.log(`  load: ${sent} state changes in ${driveS.toFixed(1)} s (${(done / driveS).toFixed(0)}/s answered, ${refused} refused) over ${POOL} connections; setup ${setupS.toFixed(1)} s`);
    console.log(`  assets: ${assets.length} scripts and style sheets, ${(raw / 1024).toFixed(1)} KB raw, ${kb.toFixed(1)} KB gzipped`);
    console.log(`  target update_p95_ms <= 100: ${p95 <= 100 ? 'met' : 'NOT met'}; target js_kb_gz <= 100: ${kb <= 100 ? 'met' : 'NOT met'}`);
    console.log(`  load average: ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
    if (errors.length) { console.log(`  page errors: ${errors.join(' | ')}`); rc = 1; }
    if (refused) { console.log(`  ${refused} state changes refused`); rc = 1; }
    if (!samples.length) { console.log('  no update measured'); rc = 1; }
  } catch (e) {
    console.log(`ui wallboard FAILED: ${e.stack || e}`);
    if (srv) console.log(srv.logs().slice(-2000));
    rc = 1;
  } finally {
    await browser?.close();
    cleanup();
  }
  process.exit(rc);
}

main();
