// A reader of the workbooks the reports route writes, with node's zlib
// only: the zip's central directory, its stored or deflated entries, and
// the cells of a sheet (shared strings resolved). Enough for tests; not a
// general XLSX reader.
import { inflateRawSync } from 'node:zlib';

// The entries of a zip: Map name -> Buffer.
export function unzip(buf) {
  let eocd = buf.length - 22;
  while (eocd >= 0 && buf.readUInt32LE(eocd) !== 0x06054b50) eocd--;
  if (eocd < 0) throw new Error('not a zip: no end of central directory');
  const count = buf.readUInt16LE(eocd + 10);
  let p = buf.readUInt32LE(eocd + 16);
  const files = new Map();
  for (let i = 0; i < count; i++) {
    if (buf.readUInt32LE(p) !== 0x02014b50) throw new Error('bad central directory entry');
    const method = buf.readUInt16LE(p + 10);
    const size = buf.readUInt32LE(p + 20);
    const nameLen = buf.readUInt16LE(p + 28), extraLen = buf.readUInt16LE(p + 30), commentLen = buf.readUInt16LE(p + 32);
    const local = buf.readUInt32LE(p + 42);
    const name = buf.toString('utf8', p + 46, p + 46 + nameLen);
    const start = local + 30 + buf.readUInt16LE(local + 26) + buf.readUInt16LE(local + 28);
    const data = buf.subarray(start, start + size);
    files.set(name, method === 8 ? inflateRawSync(data) : Buffer.from(data));
    p += 46 + nameLen + extraLen + commentLen;
  }
  return files;
}

const unxml = (s) => s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"')
  .replace(/&apos;/g, "'").replace(/&amp;/g, '&');

// The cells of the first sheet: an array of rows, each a Map column letter
// -> { type: 'number' | 'string', value, style }. Row r of the array is
// the sheet's row r + 1. Also the pane (frozen rows) and column widths.
export function readSheet(buf) {
  const files = unzip(buf);
  const shared = [];
  const sst = files.get('xl/sharedStrings.xml')?.toString('utf8') || '';
  for (const m of sst.matchAll(/<si>([\s\S]*?)<\/si>/g))
    shared.push(unxml([...m[1].matchAll(/<t[^>]*>([\s\S]*?)<\/t>/g)].map((x) => x[1]).join('')));
  const xml = files.get('xl/worksheets/sheet1.xml').toString('utf8');
  const rows = [];
  for (const rm of xml.matchAll(/<row r="(\d+)"[^>]*>([\s\S]*?)<\/row>/g)) {
    const cells = new Map();
    for (const cm of rm[2].matchAll(/<c r="([A-Z]+)\d+"([^>]*?)(?:\/>|>([\s\S]*?)<\/c>)/g)) {
      const attrs = cm[2], inner = cm[3] || '';
      const v = inner.match(/<v>([\s\S]*?)<\/v>/)?.[1];
      const type = /t="s"/.test(attrs) ? 'string' : /t="inlineStr"/.test(attrs) ? 'inline' : 'number';
      const style = Number(attrs.match(/s="(\d+)"/)?.[1] || 0);
      if (type === 'string') cells.set(cm[1], { type, value: shared[Number(v)], style });
      else if (type === 'inline') cells.set(cm[1], { type: 'string', value: unxml(inner.match(/<t[^>]*>([\s\S]*?)<\/t>/)?.[1] || ''), style });
      else if (v !== undefined) cells.set(cm[1], { type, value: Number(v), style });
    }
    rows[Number(rm[1]) - 1] = cells;
  }
  const frozen = /<pane [^>]*ySplit="1"[^>]*state="frozen"/.test(xml);
  const widths = [...xml.matchAll(/<col min="(\d+)"[^>]*width="([\d.]+)"/g)].map((m) => Number(m[2]));
  return { rows, frozen, widths, files };
}

// The column letter of a 0-based index (A..Z, AA...).
export function colName(i) {
  let s = '';
  for (i += 1; i > 0; i = Math.floor((i - 1) / 26)) s = String.fromCharCode(65 + ((i - 1) % 26)) + s;
  return s;
}
