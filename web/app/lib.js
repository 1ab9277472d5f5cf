// The application's small toolbox: the html tag (htm over Preact), the API
// client (the session cookie plus the CSRF header on writes), the words of
// the catalogs (/lang/*.json, shared with the server and the command line)
// and the formats of dates, durations and numbers (Intl).
import { h, render } from '/vendor/preact.mjs';
import htm from '/vendor/htm.mjs';

export const html = htm.bind(h);
export { h, render };

// ---- words ----------------------------------------------------------------

let words = {};
let lang = 'en';

// The catalog of code ("en", "fr"); English fills what it lacks.
export async function loadWords(code) {
  const get = async (c) => {
    const r = await fetch(`/lang/${c}.json`);
    return r.ok ? r.json() : {};
  };
  const en = await get('en');
  words = code === 'en' ? en : { ...en, ...(await get(code)) };
  lang = code;
  document.documentElement.lang = code;
}

export function currentLang() {
  return lang;
}

// The language a browser prefers among ours: French when it comes first.
export function browserLang() {
  for (const l of navigator.languages || [navigator.language || 'en']) {
    const base = String(l).slice(0, 2).toLowerCase();
    if (base === 'fr' || base === 'en') return base;
  }
  return 'en';
}

// The text of id with its %s (and %d) filled in order, as the catalogs
// write them; the id itself when no catalog has it.
export function t(id, ...args) {
  let i = 0;
  return (words[id] ?? id).replace(/%[sd]/g, () => String(args[i++] ?? ''));
}

// ---- formats ----------------------------------------------------------------

// One Intl formatter per language and kind, made once: making one costs
// far more than formatting, and a wallboard formats hundreds of figures a
// second (bench/ui_bench: p95 of an update from ~190 to ~23 ms).
const formats = new Map();
function formatter(key, make) {
  const k = `${lang}|${key}`;
  let f = formats.get(k);
  if (!f) formats.set(k, (f = make(lang)));
  return f;
}

export function fmtTime(iso) {
  return iso ? formatter('time', (l) => new Intl.DateTimeFormat(l, { timeStyle: 'medium' })).format(new Date(iso)) : '';
}

// A date and a time, short: for what may be of another day (a history).
export function fmtDateTime(iso) {
  return iso ? formatter('datetime', (l) => new Intl.DateTimeFormat(l, { dateStyle: 'short', timeStyle: 'short' }))
    .format(new Date(iso)) : '';
}

export function fmtNumber(n, digits = 0) {
  return n == null ? '–'
    : formatter(`n${digits}`, (l) => new Intl.NumberFormat(l, { maximumFractionDigits: digits })).format(n);
}

export function fmtPercent(x) {
  return x == null ? '–'
    : formatter('pct', (l) => new Intl.NumberFormat(l, { style: 'percent', maximumFractionDigits: 0 })).format(x);
}

// Seconds as m:ss (or h:mm:ss).
export function fmtDuration(s) {
  if (s == null || s < 0) return '–';
  s = Math.floor(s);
  const hh = Math.floor(s / 3600), mm = Math.floor((s % 3600) / 60), ss = s % 60;
  const two = (n) => String(n).padStart(2, '0');
  return hh ? `${hh}:${two(mm)}:${two(ss)}` : `${mm}:${two(ss)}`;
}

// ---- the API ----------------------------------------------------------------

let csrf = '';

export function setCsrf(token) {
  csrf = token || '';
}

// An error of the API: its status, code and message (in the user's
// language), and when the API says them the field it is about (a JSON path)
// and the position in that field's text.
export class ApiError extends Error {
  constructor(status, body) {
    super(body?.error?.message || `HTTP ${status}`);
    this.status = status;
    this.code = body?.error?.code || 'http';
    this.field = body?.error?.field ?? null;
    this.position = body?.error?.position ?? null;
    this.retryAfter = 0;
  }
}

// Listeners told when the session ends (401 on any call).
const expiry = new Set();
export function onSessionEnd(fn) {
  expiry.add(fn);
  return () => expiry.delete(fn);
}

// body: JSON, or a file (a Blob) sent as it is with its type (the
// attachments route takes no JSON).
export async function api(method, path, body) {
  const file = body instanceof Blob;
  const headers = { Accept: 'application/json', 'Accept-Language': lang };
  if (body !== undefined) headers['Content-Type'] = file ? body.type || 'application/octet-stream' : 'application/json';
  if (method !== 'GET' && csrf) headers['X-CSRF-Token'] = csrf;
  const r = await fetch(path, {
    method,
    headers,
    credentials: 'same-origin',
    body: body === undefined || file ? body : JSON.stringify(body),
  });
  const data = r.status === 204 ? null : await r.json().catch(() => null);
  if (!r.ok) {
    const err = new ApiError(r.status, data);
    err.retryAfter = Number(r.headers.get('Retry-After') || 0);
    if (r.status === 401 && path !== '/api/v1/session') for (const fn of expiry) fn(err);
    throw err;
  }
  return data;
}

