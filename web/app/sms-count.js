// How long a text is for the mobile network, as the composer shows it under
// an SMS: which encoding it needs, its characters, the SMS it takes and the
// room left in the last one. A port of src/core/sms_len.c (3GPP TS 23.038),
// checked against it by tests/integration/sms-count.test.mjs:
//
// GSM-7 first: one septet a character of the default alphabet, two for the
// extension table (€ [ ] { } \ ^ ~ | and form feed: an escape and the
// character). Any other character turns the whole text to UCS-2, one unit a
// UTF-16 code unit (an emoji: two). One SMS holds 160 septets or 70 units;
// a longer text goes in parts of 153 or 67 (the UDH takes the rest), an
// escape pair or a surrogate pair never split between two parts.

// The default alphabet beyond printable ASCII.
const BASIC = new Set([
  0x00a1, 0x00a3, 0x00a4, 0x00a5, 0x00a7, 0x00bf, 0x00c4, 0x00c5, 0x00c6, 0x00c7, 0x00c9,
  0x00d1, 0x00d6, 0x00d8, 0x00dc, 0x00df, 0x00e0, 0x00e4, 0x00e5, 0x00e6, 0x00e8, 0x00e9,
  0x00ec, 0x00f1, 0x00f2, 0x00f6, 0x00f8, 0x00f9, 0x00fc, 0x0393, 0x0394, 0x0398, 0x039b,
  0x039e, 0x03a0, 0x03a3, 0x03a6, 0x03a8, 0x03a9,
]);
const EXTENSION = new Set([...'\f^{}\\[~]|€'].map((c) => c.codePointAt(0)));

// Septets of code point cp in GSM-7: 1, 2 (extension table) or 0 (none).
export function gsm7Septets(cp) {
  if (cp === 0x0a || cp === 0x0d) return 1;
  if (EXTENSION.has(cp)) return 2;
  if (cp >= 0x20 && cp < 0x7f) return cp === 0x60 ? 0 : 1;
  return BASIC.has(cp) ? 1 : 0;
}

// {encoding: 'gsm7'|'ucs2', chars, units, segments, per_part, left}
export function smsCount(text) {
  const cps = [...text].map((c) => c.codePointAt(0));
  const gsm7 = cps.every((cp) => gsm7Septets(cp) > 0);
  const unitsOf = gsm7 ? gsm7Septets : (cp) => (cp > 0xffff ? 2 : 1);
  const units = cps.reduce((n, cp) => n + unitsOf(cp), 0);
  const single = gsm7 ? 160 : 70;
  const out = { encoding: gsm7 ? 'gsm7' : 'ucs2', chars: cps.length, units };
  if (units <= single) return { ...out, segments: units ? 1 : 0, per_part: single, left: single - units };
  const perPart = gsm7 ? 153 : 67;
  let segments = 1, used = 0;
  for (const cp of cps) {
    const u = unitsOf(cp);
    if (used + u > perPart) { segments++; used = 0; }
    used += u;
  }
  return { ...out, segments, per_part: perPart, left: perPart - used };
}
