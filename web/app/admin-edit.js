// The editors of the administration forms, one per field type of
// admin-kinds.js. Each takes { f, id, value, set, ro, err, refs } and shows
// the API's message for its field under it, tied by aria-describedby so a
// screen reader reads it with the control.
import { html, t, api } from './lib.js';
import { useState, useEffect, useRef } from '/vendor/hooks.mjs';
import { CHANNELS, DAYS, ACTIONS, valueName } from './admin-kinds.js';

const label = (name) => t(`ui.admin.f.${name}`);

// The message for path among the form's errors ({path: message}).
export function Err({ id, msg }) {
  return msg ? html`<p class="field-error" id=${id}>${msg}</p>` : null;
}

// The props that tie a control to its message.
const described = (id, msg) => ({ 'aria-invalid': msg ? 'true' : undefined, 'aria-describedby': msg ? `${id}-err` : undefined });

function Help({ f, id }) {
  return f.help ? html`<p class="help" id=${`${id}-help`}>${t(`ui.admin.help.${f.name}`)}</p>` : null;
}

// The ids that describe a control: its help, then its error.
const describedBy = (f, id, err) => [f.help && `${id}-help`, err && `${id}-err`].filter(Boolean).join(' ') || undefined;

function Plain({ f, id, value, set, ro, err }) {
  const type = f.type === 'password' ? 'password' : f.type === 'number' ? 'number' : 'text';
  const desc = describedBy(f, id, err);
  return html`
    <label for=${id}>${label(f.name)}${f.required ? ' *' : ''}</label>
    <${Help} f=${f} id=${id} />
    <input id=${id} type=${type} value=${value} disabled=${ro} required=${f.required}
      step=${f.step} min=${f.min} max=${f.max} maxlength=${f.type === 'text' ? f.max : undefined}
      autocomplete=${f.type === 'password' ? 'new-password' : 'off'}
      aria-invalid=${err ? 'true' : undefined} aria-describedby=${desc}
      onInput=${(e) => set(e.currentTarget.value)} />
    ${f.type === 'password' ? html`<p class="help">${t(f.keep ? 'ui.admin.help.keep' : 'ui.admin.help.password')}</p>` : null}
    <${Err} id=${`${id}-err`} msg=${err} />`;
}

// A text of several lines (a canned response; JSON: an IVR flow's nodes).
function LongText({ f, id, value, set, ro, err }) {
  return html`
    <label for=${id}>${label(f.name)}${f.required ? ' *' : ''}</label>
    <${Help} f=${f} id=${id} />
    <textarea id=${id} value=${value} disabled=${ro} required=${f.required} maxlength=${f.max}
      class=${f.type === 'json' ? 'json' : undefined} rows=${f.type === 'json' ? 20 : undefined} spellcheck=${f.type !== 'json'}
      aria-invalid=${err ? 'true' : undefined} aria-describedby=${describedBy(f, id, err)}
      onInput=${(e) => set(e.currentTarget.value)}></textarea>
    <${Err} id=${`${id}-err`} msg=${err} />`;
}

function Select({ f, id, value, set, ro, err }) {
  return html`
    <label for=${id}>${label(f.name)}${f.required ? ' *' : ''}</label>
    <${Help} f=${f} id=${id} />
    <select id=${id} value=${value ?? ''} disabled=${ro}
      aria-invalid=${err ? 'true' : undefined} aria-describedby=${describedBy(f, id, err)}
      onChange=${(e) => set(e.currentTarget.value)}>
      <option value="">${t(f.required ? 'ui.admin.choose' : 'ui.admin.default')}</option>
      ${f.options.map((o) => html`<option value=${o}>${valueName(f, o, t)}</option>`)}
    </select>
    <${Err} id=${`${id}-err`} msg=${err} />`;
}

const nameOf = (o) => o.name || o.username || o.code || o.id;

function Ref({ f, id, value, set, ro, err, refs }) {
  const list = refs[f.kind] || [];
  return html`
    <label for=${id}>${label(f.name)}${f.required ? ' *' : ''}</label>
    <${Help} f=${f} id=${id} />
    <select id=${id} value=${value ?? ''} disabled=${ro}
      aria-invalid=${err ? 'true' : undefined} aria-describedby=${describedBy(f, id, err)}
      onChange=${(e) => set(e.currentTarget.value)}>
      <option value="">${t(f.required ? 'ui.admin.choose' : 'ui.admin.none')}</option>
      ${list.map((o) => html`<option value=${o.id}>${nameOf(o)}</option>`)}
    </select>
    <${Err} id=${`${id}-err`} msg=${err} />`;
}

// A yes/no field: a checkbox inside its label, so that the two stay on one
// line whatever the form's layout of labels.
function Bool({ f, id, value, set, ro, err }) {
  return html`
    <label for=${id}>
      <input id=${id} type="checkbox" checked=${Boolean(value)} disabled=${ro}
        aria-invalid=${err ? 'true' : undefined} aria-describedby=${describedBy(f, id, err)}
        onChange=${(e) => set(e.currentTarget.checked)} />
      ${' '}${label(f.name)}
    </label>
    <${Help} f=${f} id=${id} />
    <${Err} id=${`${id}-err`} msg=${err} />`;
}

// Yes/no choices kept in one object ({"name": true, "email": false}).
function Flags({ f, id, value, set, ro, err }) {
  return html`
    <fieldset class="grid4" ...${described(id, err)}>
      <legend>${label(f.name)}</legend>
      ${f.options.map((o) => html`<span>
        <label for=${`${id}-${o}`}>
          <input id=${`${id}-${o}`} type="checkbox" checked=${Boolean(value?.[o])} disabled=${ro}
            onChange=${(e) => set({ ...value, [o]: e.currentTarget.checked })} />
          ${' '}${valueName(f, o, t)}
        </label>
      </span>`)}
      <${Err} id=${`${id}-err`} msg=${err} />
    </fieldset>`;
}

function Refs({ f, id, value, set, ro, err, refs }) {
  const list = refs[f.kind] || [];
  const key = (o) => (f.by ? o[f.by] : o.id);
  const toggle = (k, on) => set(on ? [...value, k] : value.filter((x) => x !== k));
  return html`
    <fieldset class="checks" ...${described(id, err)}>
      <legend>${label(f.name)}</legend>
      ${list.length ? null : html`<p class="help">${t('ui.admin.empty')}</p>`}
      ${list.map((o, i) => html`
        <span class="check"><input type="checkbox" id=${`${id}-${i}`} checked=${value.includes(key(o))} disabled=${ro}
          onChange=${(e) => toggle(key(o), e.currentTarget.checked)} />
        <label for=${`${id}-${i}`}>${nameOf(o)}</label></span>`)}
      <${Err} id=${`${id}-err`} msg=${err} />
    </fieldset>`;
}

// A list of short strings (pause reasons, languages, tags, holidays): add,
// remove and, where the order matters, move up and down.
function Strings({ f, id, value, set, ro, err, errs }) {
  const [next, setNext] = useState('');
  const move = (i, d) => {
    const v = [...value];
    [v[i], v[i + d]] = [v[i + d], v[i]];
    set(v);
  };
  const add = () => {
    if (next.trim()) set([...value, next.trim()]);
    setNext('');
  };
  return html`
    <fieldset class="list" ...${described(id, err)}>
      <legend>${label(f.name)}</legend>
      <ol>
        ${value.map((v, i) => html`<li>
          <span class="item">${v}</span>
          ${ro ? null : html`
            ${f.order ? html`
              <button type="button" disabled=${i === 0} aria-label=${t('ui.admin.up', v)} onClick=${() => move(i, -1)}>↑</button>
              <button type="button" disabled=${i === value.length - 1} aria-label=${t('ui.admin.down', v)} onClick=${() => move(i, 1)}>↓</button>` : null}
            <button type="button" aria-label=${t('ui.admin.remove', v)} onClick=${() => set(value.filter((_, j) => j !== i))}>×</button>`}
          <${Err} id=${`${id}-${i}-err`} msg=${errs(`${f.name}[${i}]`)} />
        </li>`)}
      </ol>
      ${ro ? null : html`<div class="row">
        <label for=${`${id}-new`}>${t('ui.admin.new_item')}</label>
        <input id=${`${id}-new`} type=${f.date ? 'date' : 'text'} value=${next}
          onInput=${(e) => setNext(e.currentTarget.value)}
          onKeyDown=${(e) => { if (e.key === 'Enter') { e.preventDefault(); add(); } }} />
        <button type="button" onClick=${add}>${t('ui.admin.add')}</button>
      </div>`}
      <${Err} id=${`${id}-err`} msg=${err} />
    </fieldset>`;
}

// An agent's skills with their proficiency (1 to 10).
function Skills({ f, id, value, set, ro, err, refs }) {
  const names = (refs.skills || []).map((s) => s.name);
  const free = names.filter((n) => !(n in value));
  return html`
    <fieldset class="list" ...${described(id, err)}>
      <legend>${label(f.name)}</legend>
      ${Object.entries(value).map(([name, level], i) => html`<div class="row">
        <label for=${`${id}-${i}`}>${name}</label>
        <input id=${`${id}-${i}`} type="number" min="1" max="10" value=${level} disabled=${ro}
          onInput=${(e) => set({ ...value, [name]: Number(e.currentTarget.value) })} />
        ${ro ? null : html`<button type="button" aria-label=${t('ui.admin.remove', name)}
          onClick=${() => { const v = { ...value }; delete v[name]; set(v); }}>×</button>`}
      </div>`)}
      ${ro || !free.length ? null : html`<div class="row">
        <label for=${`${id}-add`}>${t('ui.admin.add_skill')}</label>
        <select id=${`${id}-add`} value="" onChange=${(e) => e.currentTarget.value && set({ ...value, [e.currentTarget.value]: 5 })}>
          <option value="">${t('ui.admin.choose')}</option>
          ${free.map((n) => html`<option value=${n}>${n}</option>`)}
        </select>
      </div>`}
      <${Err} id=${`${id}-err`} msg=${err} />
    </fieldset>`;
}

function Capacity({ f, id, value, set, ro, err }) {
  return html`
    <fieldset class="grid4" ...${described(id, err)}>
      <legend>${label(f.name)}</legend>
      ${CHANNELS.map((c) => html`<span>
        <label for=${`${id}-${c}`}>${c}</label>
        <input id=${`${id}-${c}`} type="number" min="0" max="20" value=${value[c] ?? 0} disabled=${ro}
          onInput=${(e) => set({ ...value, [c]: Number(e.currentTarget.value) })} />
      </span>`)}
      <${Err} id=${`${id}-err`} msg=${err} />
    </fieldset>`;
}

function Label({ f, id, value, set, ro, err }) {
  return html`
    <fieldset class="grid4" ...${described(id, err)}>
      <legend>${label(f.name)}</legend>
      ${['fr', 'en'].map((l) => html`<span>
        <label for=${`${id}-${l}`}>${t(`ui.lang.switch.${l}`)}</label>
        <input id=${`${id}-${l}`} lang=${l} value=${value[l] || ''} disabled=${ro}
          onInput=${(e) => set({ ...value, [l]: e.currentTarget.value })} />
      </span>`)}
      <${Err} id=${`${id}-err`} msg=${err} />
    </fieldset>`;
}

// ---- the filter of a step, checked as it is typed ------------------------

// The character index of a 1-based byte position in s (the API counts bytes).
function charIndex(s, pos) {
  const bytes = new TextEncoder().encode(s).slice(0, Math.max(0, pos - 1));
  return new TextDecoder().decode(bytes).length;
}

// The position an error names: error.position, else the message's.
export function positionOf(err) {
  if (typeof err.position === 'number') return err.position;
  const m = /(?:at position|à la position) (\d+)/.exec(err.message || '');
  return m ? Number(m[1]) : null;
}

const CHECK_DELAY_MS = 350; // after the last key: one request per pause

export function FilterInput({ id, value, set, ro, saved, savedAt }) {
  const [check, setCheck] = useState(null); // null | {ok} | {message, position}
  const seq = useRef(0);
  useEffect(() => {
    const n = ++seq.current;
    if (!value.trim()) {
      setCheck(null);
      return undefined;
    }
    const timer = setTimeout(async () => {
      try {
        await api('POST', '/api/v1/queues/check-filter', { filter: value });
        if (n === seq.current) setCheck({ ok: true });
      } catch (e) {
        if (n === seq.current) setCheck(e.status === 400 ? { message: e.message, position: positionOf(e) } : null);
      }
    }, CHECK_DELAY_MS);
    return () => clearTimeout(timer);
  }, [value]);
  // What the save answered for this step counts until the text changes.
  const shown = check?.message ? check : saved ? { message: saved, position: positionOf({ message: saved, position: savedAt }) } : check;
  const bad = Boolean(shown?.message);
  const at = bad && shown.position ? charIndex(value, shown.position) : -1;
  return html`
    <label for=${id}>${t('ui.admin.f.filter')}</label>
    <input id=${id} class="filter" value=${value} disabled=${ro} spellcheck="false" autocomplete="off"
      aria-invalid=${bad ? 'true' : undefined} aria-describedby=${`${id}-help ${id}-err`}
      onInput=${(e) => set(e.currentTarget.value)} />
    ${at >= 0 ? html`<div class="caret" aria-hidden="true">
      <pre>${value.slice(0, at)}<mark>${value.slice(at, at + 1) || ' '}</mark>${value.slice(at + 1)}</pre>
      <pre>${`${' '.repeat(at)}^`}</pre></div>` : null}
    <p id=${`${id}-err`} class=${bad ? 'field-error' : shown?.ok ? 'field-ok' : 'help'} aria-live="polite">
      ${bad ? shown.message : shown?.ok ? t('ui.admin.filter_ok') : ''}</p>
    <p class="help" id=${`${id}-help`}>${t('ui.admin.help.filter')}</p>`;
}

// A queue's steps: each its wait (after_s, the first 0) and filter; add,
// remove, reorder.
// What a step does besides its wait and filter (src/model/config.c,
// step_fields): the editors of the same field types as a form's.
const STEP_FIELDS = [
  { name: 'priority_delta', type: 'number', min: -1000, max: 1000, help: true },
  { name: 'min_ewt_s', type: 'number', min: 0, max: 86400, help: true },
  { name: 'action', type: 'select', options: ACTIONS, words: 'ui.admin.v.closed_action', help: true },
  { name: 'target', type: 'ref', kind: 'queues', help: true },
];

function Steps({ f, id, value, set, ro, err, errs, posOf, refs }) {
  const put = (i, s) => set(value.map((x, j) => (j === i ? s : x)));
  const move = (i, d) => {
    const v = [...value];
    [v[i], v[i + d]] = [v[i + d], v[i]];
    set(v);
  };
  return html`
    <fieldset class="steps" ...${described(id, err)}>
      <legend>${label(f.name)}</legend>
      <ol>
        ${value.map((s, i) => html`<li class="step">
          <h4>${t('ui.admin.step', i + 1)}</h4>
          <label for=${`${id}-${i}-after`}>${t('ui.admin.f.after_s')}</label>
          <input id=${`${id}-${i}-after`} type="number" min="0" value=${s.after_s} disabled=${ro}
            ...${described(`${id}-${i}-after`, errs(`steps[${i}].after_s`))}
            onInput=${(e) => put(i, { ...s, after_s: e.currentTarget.value })} />
          <${Err} id=${`${id}-${i}-after-err`} msg=${errs(`steps[${i}].after_s`)} />
          <${FilterInput} id=${`${id}-${i}-filter`} value=${s.filter || ''} ro=${ro}
            saved=${errs(`steps[${i}].filter`)} savedAt=${posOf(`steps[${i}].filter`)} set=${(v) => put(i, { ...s, filter: v })} />
          ${STEP_FIELDS.map((sf) => {
            const Ed = EDITORS[sf.type];
            return html`<div class="field" data-field=${sf.name}>
              <${Ed} f=${sf} id=${`${id}-${i}-${sf.name}`} value=${s[sf.name] ?? ''} ro=${ro} refs=${refs}
                err=${errs(`steps[${i}].${sf.name}`)} set=${(v) => put(i, { ...s, [sf.name]: v })} />
            </div>`;
          })}
          ${ro ? null : html`<div class="row">
            <button type="button" disabled=${i === 0} onClick=${() => move(i, -1)}>${t('ui.admin.step_up', i + 1)}</button>
            <button type="button" disabled=${i === value.length - 1} onClick=${() => move(i, 1)}>${t('ui.admin.step_down', i + 1)}</button>
            <button type="button" onClick=${() => set(value.filter((_, j) => j !== i))}>${t('ui.admin.step_remove', i + 1)}</button>
          </div>`}
        </li>`)}
      </ol>
      ${ro ? null : html`<button type="button" onClick=${() => set([...value, { after_s: value.length ? 30 : 0, filter: '' }])}>
        ${t('ui.admin.step_add')}</button>`}
      <${Err} id=${`${id}-err`} msg=${err} />
    </fieldset>`;
}

// ---- calendars -------------------------------------------------------------

function Span({ id, span, put, drop, ro, what }) {
  const night = span.from && span.to && span.to <= span.from;
  return html`<span class="span">
    <label for=${`${id}-from`} class="sr">${t('ui.admin.from', what)}</label>
    <input id=${`${id}-from`} type="time" value=${span.from} disabled=${ro} onInput=${(e) => put({ ...span, from: e.currentTarget.value })} />
    –
    <label for=${`${id}-to`} class="sr">${t('ui.admin.to', what)}</label>
    <input id=${`${id}-to`} type="time" value=${span.to} disabled=${ro} onInput=${(e) => put({ ...span, to: e.currentTarget.value })} />
    ${night ? html`<span class="night">${t('ui.admin.next_day')}</span>` : null}
    ${ro ? null : html`<button type="button" aria-label=${t('ui.admin.span_remove', what)} onClick=${drop}>×</button>`}
  </span>`;
}

// The week as a grid: a row per day with its spans, several a day (split
// shifts), a span whose end is not after its start running past midnight.
function Weekly({ f, id, value, set, ro, err }) {
  const put = (k, s) => set(value.map((x, j) => (j === k ? s : x)));
  return html`
    <fieldset class="week" ...${described(id, err)}>
      <legend>${label(f.name)}</legend>
      <table>
        <tbody>
          ${DAYS.map((d) => html`<tr>
            <th scope="row">${t(`ui.admin.day.${d}`)}</th>
            <td>
              ${value.map((s, k) => (s.day === d ? html`<${Span} id=${`${id}-${k}`} span=${s} ro=${ro}
                what=${t(`ui.admin.day.${d}`)} put=${(v) => put(k, v)} drop=${() => set(value.filter((_, j) => j !== k))} />` : null))}
              ${ro ? null : html`<button type="button" aria-label=${t('ui.admin.span_add', t(`ui.admin.day.${d}`))}
                onClick=${() => set([...value, { day: d, from: '09:00', to: '17:00' }])}>+</button>`}
            </td>
          </tr>`)}
        </tbody>
      </table>
      <${Err} id=${`${id}-err`} msg=${err} />
    </fieldset>`;
}

function Exceptions({ f, id, value, set, ro, err }) {
  const put = (k, s) => set(value.map((x, j) => (j === k ? s : x)));
  return html`
    <fieldset class="list" ...${described(id, err)}>
      <legend>${label(f.name)}</legend>
      <p class="help">${t('ui.admin.help.exceptions')}</p>
      ${value.map((s, k) => html`<div class="row">
        <label for=${`${id}-${k}-date`}>${t('ui.admin.f.date')}</label>
        <input id=${`${id}-${k}-date`} type="date" value=${s.date} disabled=${ro} onInput=${(e) => put(k, { ...s, date: e.currentTarget.value })} />
        <${Span} id=${`${id}-${k}`} span=${s} ro=${ro} what=${s.date} put=${(v) => put(k, v)} drop=${() => set(value.filter((_, j) => j !== k))} />
      </div>`)}
      ${ro ? null : html`<button type="button" onClick=${() => set([...value, { date: '', from: '09:00', to: '17:00' }])}>${t('ui.admin.exception_add')}</button>`}
      <${Err} id=${`${id}-err`} msg=${err} />
    </fieldset>`;
}

// A mail server of a mailbox (IMAP, SMTP): host, port, TLS, login. Its
// password is write-only: the field starts empty and says whether one is
// stored; left empty, the stored one is kept.
function Server({ f, id, value, set, ro, err, errs }) {
  const one = (name, type, extra = {}) => html`<span>
    <label for=${`${id}-${name}`}>${t(`ui.admin.f.${name}`)}</label>
    <input id=${`${id}-${name}`} type=${type} value=${value[name] ?? ''} disabled=${ro}
      autocomplete=${type === 'password' ? 'new-password' : 'off'} ...${extra}
      aria-invalid=${errs(`${f.name}.${name}`) ? 'true' : undefined}
      onInput=${(e) => set({ ...value, [name]: e.currentTarget.value })} />
    <${Err} id=${`${id}-${name}-err`} msg=${errs(`${f.name}.${name}`)} />
  </span>`;
  return html`
    <fieldset class="grid4" ...${described(id, err)}>
      <legend>${label(f.name)}</legend>
      ${one('host', 'text', { required: true })}
      ${one('port', 'number', { min: 1, max: 65535, required: true })}
      <span>
        <label for=${`${id}-tls`}>${t('ui.admin.f.tls')}</label>
        <select id=${`${id}-tls`} value=${value.tls || 'none'} disabled=${ro}
          onChange=${(e) => set({ ...value, tls: e.currentTarget.value })}>
          ${['none', 'starttls', 'implicit'].map((o) => html`<option value=${o}>${t(`ui.admin.v.tls.${o}`)}</option>`)}
        </select>
      </span>
      ${one('user', 'text')}
      ${one('password', 'password')}
      <p class="help">${t(value.password_set ? 'ui.admin.help.password_set' : 'ui.admin.help.password_none')}</p>
      <${Err} id=${`${id}-err`} msg=${err} />
    </fieldset>`;
}

// Yes, no, or empty (null: as the tenant says, for a queue's recording).
function Tribool({ f, id, value, set, ro, err }) {
  const v = value === true ? 'yes' : value === false ? 'no' : '';
  return html`
    <label for=${id}>${label(f.name)}</label>
    <${Help} f=${f} id=${id} />
    <select id=${id} value=${v} disabled=${ro}
      aria-invalid=${err ? 'true' : undefined} aria-describedby=${describedBy(f, id, err)}
      onChange=${(e) => set({ yes: true, no: false }[e.currentTarget.value] ?? '')}>
      ${['', 'yes', 'no'].map((o) => html`<option value=${o}>${t(`${f.words}.${o || 'inherit'}`)}</option>`)}
    </select>
    <${Err} id=${`${id}-err`} msg=${err} />`;
}

export const EDITORS = {
  text: Plain, longtext: LongText, number: Plain, password: Plain, select: Select, ref: Ref, refs: Refs, strings: Strings,
  skills: Skills, capacity: Capacity, label: Label, steps: Steps, weekly: Weekly, exceptions: Exceptions, bool: Bool,
  server: Server,
  flags: Flags,
  json: LongText, tribool: Tribool,
};
