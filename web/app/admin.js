// The administration page: every kind of configuration (admin-kinds.js) as
// a list, and a form per object to create, edit or delete it. Admins write;
// supervisors read (the API's write roles decide: the form is shown disabled
// and the buttons that would write are left out). A refusal of the API is
// shown next to the field it names.
import { html, t, api } from './lib.js';
import { useState, useEffect, useRef } from '/vendor/hooks.mjs';
import { KINDS, kindOf, draftOf, bodyOf, fieldOf, topOf, valueName } from './admin-kinds.js';
import { EDITORS } from './admin-edit.js';

const list = async (kind) => (await api('GET', `/api/v1/${kind}?limit=500`)).items;

// The kinds a user may read: users are the admin's alone.
const kindsFor = (user) => KINDS.filter((k) => !k.adminOnly || user.role === 'admin');

function KindList({ kinds, kind, pick }) {
  return html`
    <nav class="kinds" aria-label=${t('ui.admin.kinds')}>
      <ul>
        ${kinds.map((k) => html`<li><button type="button" class="kind" data-kind=${k.name}
          aria-current=${k.name === kind ? 'true' : undefined} onClick=${() => pick(k.name)}>
          ${t(`ui.admin.k.${k.name}`)}</button></li>`)}
      </ul>
    </nav>`;
}

// A cell of the list: a reference shows the name of what it names, a
// chosen value its name in the page's language.
function cell(kind, obj, col, refs) {
  const v = obj[col];
  const ref = { site: 'sites', tenant: 'tenants', queue: 'queues', agent: 'agents', flow: 'flows', user: 'users' }[col];
  if (ref && v) {
    const o = (refs[ref] || []).find((x) => x.id === v);
    return o ? o.name || o.username : v;
  }
  if (col === 'state' && v) return t(`ui.state.${v}`);
  if (Array.isArray(v)) return String(v.length); // a phone's registrations
  return valueName(kind.fields.find((f) => f.name === col), v, t) ?? '–';
}

function Table({ kind, items, refs, open, current }) {
  if (!items) return html`<p class="help" role="status">${t('ui.admin.loading')}</p>`;
  if (!items.length) return html`<p class="help">${t('ui.admin.empty')}</p>`;
  return html`
    <table class="objects">
      <caption>${t(`ui.admin.k.${kind.name}`)} (${items.length})</caption>
      <thead><tr>
        <th scope="col">${t(`ui.admin.f.${kind.title}`)}</th>
        ${kind.columns.map((c) => html`<th scope="col">${t(`ui.admin.f.${c}`)}</th>`)}
      </tr></thead>
      <tbody>
        ${items.map((o) => html`<tr aria-current=${o.id === current ? 'true' : undefined}>
          <th scope="row"><button type="button" class="link open" onClick=${() => open(o)}>${o[kind.title]}</button></th>
          ${kind.columns.map((c) => html`<td>${cell(kind, o, c, refs)}</td>`)}
        </tr>`)}
      </tbody>
    </table>`;
}

// The form of one object (obj null: a new one).
function ObjectForm({ kind, obj, refs, canWrite, onSaved, onDeleted, onClose }) {
  const [draft, setDraft] = useState(() => draftOf(kind, obj));
  const [errors, setErrors] = useState({}); // path -> message; '' for the form's
  const [at, setAt] = useState({}); // path -> the position the API named in it
  const [busy, setBusy] = useState(false);
  const heading = useRef(null);
  const isNew = !obj;
  const ro = !canWrite;
  const base = `adm-${kind.name}`;

  useEffect(() => heading.current?.focus(), []);

  // The message of a path, or of a path under a top field whose editor
  // shows no finer place for it.
  const errs = (path) => errors[path];
  const posOf = (path) => (path in errors ? at[path] : undefined);
  const errOf = (f) => {
    for (const [p, m] of Object.entries(errors)) {
      if (p === f.name) return m;
      if (topOf(p) === f.name && !['steps', 'strings'].includes(f.type)) return m;
      if (topOf(p) === f.name && f.type === 'steps' && !STEP_PATH.test(p)) return m;
      if (topOf(p) === f.name && f.type === 'strings' && !/^\w+\[\d+\]$/.test(p)) return m;
    }
    return undefined;
  };

  // An edit makes the API's message about that field stale.
  const change = (name, v) => {
    setDraft((d) => ({ ...d, [name]: v }));
    setErrors((e) => Object.fromEntries(Object.entries(e).filter(([p]) => topOf(p) !== name)));
  };
  const save = async (e) => {
    e.preventDefault();
    setBusy(true);
    try {
      const body = bodyOf(kind, draft, isNew);
      const saved = isNew ? await api('POST', `/api/v1/${kind.name}`, body)
        : await api('PATCH', `/api/v1/${kind.name}/${obj.id}`, body);
      setErrors({});
      onSaved(saved);
    } catch (err) {
      const path = fieldOf(err);
      const known = path && kind.fields.some((f) => f.name === topOf(path));
      setErrors(known ? { [path]: err.message } : { '': err.message });
      setAt(known && typeof err.position === 'number' ? { [path]: err.position } : {});
    } finally {
      setBusy(false);
    }
  };
  const remove = async () => {
    if (!confirm(t('ui.admin.confirm_delete', obj[kind.title]))) return;
    try {
      await api('DELETE', `/api/v1/${kind.name}/${obj.id}`);
      onDeleted(obj);
    } catch (err) {
      setErrors({ '': err.message });
    }
  };

  const title = isNew ? t('ui.admin.new', t(`ui.admin.one.${kind.name}`)) : obj[kind.title];
  return html`
    <form class="object" aria-labelledby=${`${base}-title`} onSubmit=${save} novalidate>
      <h2 id=${`${base}-title`} tabindex="-1" ref=${heading}>${title}</h2>
      ${ro ? html`<p class="help">${t('ui.admin.read_only')}</p>` : null}
      ${kind.fields.map((f) => {
        const Ed = EDITORS[f.type];
        if (ro && f.type === 'password') return null;
        return html`<div class="field" data-field=${f.name}>
          <${Ed} f=${f} id=${`${base}-${f.name}`} value=${draft[f.name]} ro=${ro} refs=${refs}
            err=${errOf(f)} errs=${errs} posOf=${posOf} set=${(v) => change(f.name, v)} />
        </div>`;
      })}
      <p class="error" role="alert">${errors[''] || ''}</p>
      <div class="actions">
        ${ro ? null : html`<button type="submit" class="primary" disabled=${busy}>${t(isNew ? 'ui.admin.create' : 'ui.admin.save')}</button>`}
        ${ro || isNew ? null : html`<button type="button" class="danger" onClick=${remove}>${t('ui.admin.delete')}</button>`}
        <button type="button" onClick=${onClose}>${t('ui.admin.close')}</button>
      </div>
    </form>`;
}

// The paths of a step's fields, each shown under its own control.
const STEP_PATH = /^steps\[\d+\]\.(filter|after_s|priority_delta|min_ewt_s|action|target)$/;

export function Admin({ user }) {
  const kinds = kindsFor(user);
  const canWrite = user.role === 'admin';
  const [name, setName] = useState(kinds[0].name);
  const [items, setItems] = useState(null);
  const [refs, setRefs] = useState({});
  const [open, setOpen] = useState(null); // null | {obj} (obj null: new)
  const [error, setError] = useState('');
  const [notice, setNotice] = useState('');
  const kind = kindOf(name);

  const load = async () => {
    setError('');
    try {
      // the kinds it names that the user may read (a supervisor: no gateways)
      const want = [name, ...(kind.refs || []).filter((r) => kinds.some((k) => k.name === r))];
      const lists = await Promise.all(want.map(list));
      setRefs(Object.fromEntries(want.map((k, i) => [k, lists[i]])));
      setItems(lists[0]);
    } catch (e) {
      setError(e.message);
    }
  };
  useEffect(() => {
    setItems(null);
    setOpen(null);
    setNotice('');
    load();
  }, [name]);

  const saved = (o) => {
    setNotice(t('ui.admin.saved', o[kind.title]));
    setOpen({ obj: o });
    load();
  };
  return html`
    <h1>${t('ui.admin.title')}</h1>
    <div class="admin">
      <${KindList} kinds=${kinds} kind=${name} pick=${setName} />
      <section class="kind-pane" aria-labelledby="adm-kind-title">
        <div class="pane-head">
          <h2 id="adm-kind-title">${t(`ui.admin.k.${name}`)}</h2>
          ${canWrite ? html`<button type="button" class="primary new" onClick=${() => setOpen({ obj: null })}>
            ${t('ui.admin.new', t(`ui.admin.one.${name}`))}</button>` : null}
        </div>
        ${error ? html`<p class="error" role="alert">${error}</p>` : null}
        <p class="field-ok" role="status">${notice}</p>
        <div class="split">
          <${Table} kind=${kind} items=${items} refs=${refs} current=${open?.obj?.id}
            open=${(o) => { setNotice(''); setOpen({ obj: o }); }} />
          ${open ? html`<${ObjectForm} key=${`${name}-${open.obj?.id || 'new'}`}
            kind=${kind} obj=${open.obj} refs=${refs} canWrite=${canWrite}
            onSaved=${saved} onDeleted=${(o) => { setNotice(t('ui.admin.deleted', o[kind.title])); setOpen(null); load(); }} onClose=${() => setOpen(null)} />` : null}
        </div>
      </section>
    </div>`;
}
