// Shared pieces of the Node benchmarks: a relais server started on a free
// port, a JSON request over a keep-alive agent, a process's memory.
import { spawn } from 'node:child_process';
import http from 'node:http';
import { readFileSync } from 'node:fs';

// Starts `relais serve --data DIR --http 127.0.0.1:0 ARGS...`; resolves
// with { url, proc, exited (a promise of the exit code), logs() }.
export function startRelais(bin, dir, args) {
  const proc = spawn(bin, ['serve', '--data', dir, '--http', '127.0.0.1:0', ...args],
    { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '', err = '';
  proc.stderr.on('data', (d) => { err += d; });
  const exited = new Promise((r) => proc.on('exit', (code) => r(code)));
  return new Promise((resolve, reject) => {
    proc.stdout.on('data', (d) => {
      out += d;
      const m = out.match(/listening on (http:\/\/127\.0\.0\.1:\d+)\//);
      if (m) resolve({ url: m[1], proc, exited, logs: () => err });
    });
    proc.on('exit', (code) => reject(new Error(`server exited ${code}: ${err}`)));
  });
}

// One JSON request; resolves with { status, body (parsed, or null) }.
export function jsonRequest(agent, url, method, path, token, body) {
  const headers = { 'content-type': 'application/json' };
  if (token) headers.authorization = `Bearer ${token}`;
  return new Promise((resolve, reject) => {
    const r = http.request(new URL(path, url), { method, agent, headers }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString();
        resolve({ status: res.statusCode, body: text ? JSON.parse(text) : null });
      });
    });
    r.on('error', reject);
    r.end(body === undefined ? undefined : JSON.stringify(body));
  });
}

// A line of /proc/PID/status in MB (VmRSS, VmHWM...), 0 when absent.
export function procMb(pid, key) {
  const m = readFileSync(`/proc/${pid}/status`, 'utf8').match(new RegExp(`${key}:\\s+(\\d+) kB`));
  return m ? Number(m[1]) / 1024 : 0;
}
