// The composer's SMS counter (web/app/sms-count.js) against its C original
// (src/core/sms_len.c, through build/kannel_tool len): the vectors of
// tests/test_sms_len.c, every boundary around 70, 160 and the parts, and
// seeded random texts mixing ASCII, the GSM-7 accents, the extension
// table, the accents GSM-7 lacks and emoji. Both must agree on every field.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { BIN } from './lib.mjs';
import { smsCount } from '../../web/app/sms-count.js';

const TOOL = join(dirname(BIN), 'kannel_tool');

// The C measures of texts, in one run of the tool.
function measured(texts) {
  const out = execFileSync(TOOL, ['len'], { input: texts.map((t) => JSON.stringify(t)).join('\n') + '\n', encoding: 'utf8' });
  return out.trim().split('\n').map((l) => JSON.parse(l));
}

const rep = (s, n, tail = '') => s.repeat(n) + tail;
const VECTORS = [
  '', 'Bonjour', "Votre colis est arrivé à l'agence. Merci !", 'Ça marche, à demain', 'Reçu, merci',
  'Coût : 5 €', 'Prix : 5 €', '[x] {y} ~', 'a`b', 'Merci 😀', '😀', rep('😀', 35), rep('😀', 36),
  rep('a', 160), rep('a', 161), rep('a', 306), rep('a', 307), rep('a', 459), rep('€', 80), rep('€', 81),
  rep('a', 152, '€bbbbbbb'), rep('a', 151, '€bbbbbbbb'), rep('ç', 70), rep('ç', 71), rep('ç', 134),
  rep('ç', 135), rep('a', 65, 'ç😀aaa'), rep('a', 100, 'ç'), 'Ligne 1\nLigne 2\r\n', 'ΩΔΘ ω',
];

// A small seeded generator (mulberry32): the same texts at every run.
function rng(seed) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const PIECES = ['a', 'Z', ' ', '.', 'é', 'è', 'à', 'Ç', '€', '[', '|', '\n', 'ç', 'ê', 'ô', '😀', '🇫🇷', 'Ω', 'ω', '`'];

function randomTexts(n) {
  const r = rng(12);
  const out = [];
  for (let i = 0; i < n; i++) {
    const len = Math.floor(r() * 400);
    // mostly GSM-7 texts, some with one character that is not
    const pool = r() < 0.5 ? PIECES.slice(0, 12) : PIECES;
    let s = '';
    for (let j = 0; j < len; j++) s += pool[Math.floor(r() * pool.length)];
    out.push(s);
  }
  return out;
}

test('the counter agrees with sms_len on the C tests\' vectors', () => {
  const c = measured(VECTORS);
  VECTORS.forEach((t, i) => assert.deepEqual(smsCount(t), c[i], JSON.stringify(t)));
});

test('the counter agrees with sms_len at every length from 0 to 480, in both encodings', () => {
  const texts = [];
  for (let n = 0; n <= 480; n++) texts.push(rep('a', n), rep('é', n), rep('ç', n), rep('€', n >> 1, 'x'.repeat(n & 1)), rep('😀', n >> 1));
  const c = measured(texts);
  texts.forEach((t, i) => assert.deepEqual(smsCount(t), c[i], `${JSON.stringify(t.slice(0, 3))} x ${t.length}`));
});

test('the counter agrees with sms_len on 2,000 seeded random texts', () => {
  const texts = randomTexts(2000);
  const c = measured(texts);
  texts.forEach((t, i) => assert.deepEqual(smsCount(t), c[i], JSON.stringify(t)));
});
