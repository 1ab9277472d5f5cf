// docs/openapi.yaml describes exactly the routes the server has: the set of
// "METHOD /path" printed by `relais routes` equals the operations under
// `paths:` in the file, and every operation documents its 4xx answers with
// the Error schema.
//
// The YAML is read with a line scanner, no YAML library: under `paths:`, a
// line of exactly two spaces then "/...:" is a path, a line of exactly four
// spaces then "get:|post:|put:|patch:|delete:" is a method of that path.
//
// And a schema the pages read field by field (IntervalRow) lists exactly
// the fields of a real answer: none missing, none the server lacks.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BIN, startServer, login, client, demoIds } from './lib.mjs';

const SOURCE_DIR = process.env.RELAIS_SOURCE_DIR || fileURLToPath(new URL('../..', import.meta.url));
const YAML_PATH = join(SOURCE_DIR, 'docs', 'openapi.yaml');

// Operations of the file: [{ key: "METHOD /path", lines: [the operation's lines] }].
function operations(text) {
  const ops = [];
  let inPaths = false, path = null, op = null;
  for (const line of text.split('\n')) {
    if (/^\S/.test(line)) { // a top-level key ends `paths:`
      inPaths = line.startsWith('paths:');
      path = op = null;
      continue;
    }
    if (!inPaths) continue;
    let m;
    if ((m = line.match(/^ {2}(\/\S*):\s*$/))) {
      path = m[1];
      op = null;
    } else if ((m = line.match(/^ {4}(get|post|put|patch|delete):\s*$/)) && path) {
      op = { key: `${m[1].toUpperCase()} ${path}`, lines: [] };
      ops.push(op);
    } else if (/^ {4}\S/.test(line)) {
      op = null; // another key of the path (parameters, summary...)
    } else if (op) {
      op.lines.push(line);
    }
  }
  return ops;
}

// The named responses of components/responses that carry the Error schema.
function errorResponses(text) {
  const names = new Set();
  const m = text.match(/\n {2}responses:\n([\s\S]*?)(?=\n {2}\S|\n\S|$)/);
  if (!m) return names;
  let name = null;
  for (const line of m[1].split('\n')) {
    const n = line.match(/^ {4}([A-Za-z0-9_.-]+):\s*$/);
    if (n) name = n[1];
    else if (name && /#\/components\/schemas\/Error['"]?\s*$/.test(line)) names.add(name);
  }
  return names;
}

// The 4xx responses of an operation: { code: lines } from its `responses:` block.
function responses4xx(opLines) {
  const out = {};
  let inResp = false, code = null, indent = 0;
  for (const line of opLines) {
    const ind = line.match(/^ */)[0].length;
    if (/^\s+responses:\s*$/.test(line)) { inResp = true; indent = ind; continue; }
    if (!inResp) continue;
    if (line.trim() && ind <= indent) { inResp = false; continue; }
    const c = line.match(/^\s+'?(\d{3}|4XX)'?:\s*$/);
    if (c && ind === indent + 2) { code = c[1]; if (code.startsWith('4')) out[code] = []; else code = null; continue; }
    if (code && out[code]) out[code].push(line);
  }
  return out;
}

test('docs/openapi.yaml lists exactly the routes of `relais routes`', () => {
  const server = new Set(execFileSync(BIN, ['routes'], { encoding: 'utf8' })
    .split('\n').map((l) => l.trim()).filter(Boolean));
  const text = readFileSync(YAML_PATH, 'utf8');
  const ops = operations(text);
  const file = new Set(ops.map((o) => o.key));
  assert.ok(server.size > 0, '`relais routes` printed nothing');
  assert.ok(file.size > 0, `no operation found under paths: in ${YAML_PATH}`);
  const dup = ops.map((o) => o.key).filter((k, i, a) => a.indexOf(k) !== i);
  const onlyServer = [...server].filter((r) => !file.has(r)).sort();
  const onlyFile = [...file].filter((r) => !server.has(r)).sort();
  if (onlyServer.length || onlyFile.length || dup.length) {
    console.log(`routes of the server missing from ${YAML_PATH}:\n  ${onlyServer.join('\n  ') || '(none)'}`);
    console.log(`operations of ${YAML_PATH} the server does not have:\n  ${onlyFile.join('\n  ') || '(none)'}`);
    if (dup.length) console.log(`operations described twice:\n  ${dup.join('\n  ')}`);
  } else {
    console.log(`${server.size} routes, the same in the server and in docs/openapi.yaml`);
  }
  assert.deepEqual({ onlyServer, onlyFile, duplicates: dup }, { onlyServer: [], onlyFile: [], duplicates: [] });
});

// GET /healthz and GET /metrics need no authentication and take no input:
// they have no 4xx answer to document.
const NO_4XX = new Set(['GET /healthz', 'GET /metrics']);

test('every operation documents a 4xx answer with the Error schema', () => {
  const text = readFileSync(YAML_PATH, 'utf8');
  const named = errorResponses(text);
  assert.ok(named.size > 0, 'components/responses has no response with the Error schema');
  const missing = [];
  for (const op of operations(text)) {
    if (NO_4XX.has(op.key)) continue;
    const r4 = responses4xx(op.lines);
    const withError = Object.entries(r4).filter(([, lines]) => lines.some((l) =>
      /#\/components\/schemas\/Error['"]?\s*$/.test(l) ||
      [...named].some((n) => l.includes(`#/components/responses/${n}'`) || l.trim().endsWith(`#/components/responses/${n}`))));
    if (!withError.length) missing.push(`${op.key} (4xx: ${Object.keys(r4).join(', ') || 'none'})`);
  }
  if (missing.length) console.log(`operations without a 4xx answer using Error:\n  ${missing.join('\n  ')}`);
  assert.deepEqual(missing, []);
});

// components/schemas/<name>: its property names and its required list.
function schemaOf(text, name) {
  const m = text.match(new RegExp(`\\n {4}${name}:\\n([\\s\\S]*?)(?=\\n {4}\\S|\\n {0,2}\\S|$)`));
  assert.ok(m, `no schema ${name}`);
  const props = [], required = [];
  let part = null;
  for (const line of m[1].split('\n')) {
    if (/^ {6}\S/.test(line)) part = line.trim();
    else if (part === 'properties:' && /^ {8}[a-z_]+:\s*$/.test(line)) props.push(line.trim().slice(0, -1));
    else if (part === 'required:' && /^ {8}- /.test(line)) required.push(line.trim().slice(2));
  }
  return { props, required };
}

test('IntervalRow lists exactly the fields of a row of GET /api/v1/reports/intervals', async () => {
  const { props, required } = schemaOf(readFileSync(YAML_PATH, 'utf8'), 'IntervalRow');
  assert.deepEqual([...required].sort(), [...props].sort(), 'every field of a row is always there');
  const srv = await startServer({ fsync: false });
  try {
    const token = (await login(srv.url, 'admin')).token;
    const api = client(srv.url, token);
    const q = (await demoIds(srv.url, token)).queues[0];
    const from = new Date(Date.now() - 3600e3).toISOString();
    const c = await api.post('/api/v1/contacts', { tenant: q.tenant, queue: q.id, channel: q.channel });
    assert.equal(c.status, 201, JSON.stringify(c.body));
    assert.equal((await api.post(`/api/v1/contacts/${c.body.id}/abandon`, {})).status, 200);
    const to = new Date(Date.now() + 3600e3).toISOString();
    for (const group of ['queue', 'agent']) {
      const r = await api.get(`/api/v1/reports/intervals?from=${from}&to=${to}&interval=1h&group=${group}`);
      assert.equal(r.status, 200, JSON.stringify(r.body));
      if (group === 'queue') assert.ok(r.body.rows.length > 0, 'the abandoned contact makes a row');
      for (const row of r.body.rows) assert.deepEqual(Object.keys(row).sort(), [...props].sort(), `a ${group} row`);
    }
  } finally {
    assert.equal((await srv.stop()).code, 0, srv.logs());
  }
});
