// The agent desktop's customer panel: a customer's identities, editable
// notes and contacts on every channel, and the free-text search. Reading a
// customer and changing its notes are audited on the server.
import { html, api, t, fmtDateTime } from './lib.js';
import { useState, useEffect } from '/vendor/hooks.mjs';
import { AudioFiles } from './desk-call.js';

// The customer's notes, editable (the change is audited on the server).
function Notes({ customer, onSaved }) {
  const [text, setText] = useState(customer.notes || '');
  const [said, setSaid] = useState('');
  const [error, setError] = useState('');
  const save = async (e) => {
    e.preventDefault();
    setSaid('');
    setError('');
    try {
      onSaved(await api('PATCH', `/api/v1/customers/${customer.id}`, { notes: text || null }));
      setSaid(t('ui.desk.notes.saved'));
    } catch (err) {
      setError(err.message);
    }
  };
  const fid = `cnotes-${customer.id}`;
  return html`
    <form class="notes" onSubmit=${save}>
      <label for=${fid}>${t('ui.desk.customer.notes')}</label>
      <textarea id=${fid} maxlength="4000" value=${text} onInput=${(e) => setText(e.target.value)}
        aria-describedby=${`${fid}-said`}></textarea>
      <button type="submit">${t('ui.desk.notes.save')}</button>
      <span id=${`${fid}-said`} role="status">${said}</span>
      ${error && html`<p class="error" role="alert">${error}</p>`}
    </form>`;
}

// The customer of a contact: identities, notes, and its contacts on every
// channel (reading a customer is audited on the server).
export function Customer({ id, queues }) {
  const [c, setC] = useState(null);
  const [history, setHistory] = useState([]);
  useEffect(() => {
    if (!id) return;
    api('GET', `/api/v1/customers/${id}`).then(setC).catch(() => setC(null));
    api('GET', `/api/v1/customers/${id}/contacts?limit=20`).then((r) => setHistory(r.items)).catch(() => {});
  }, [id]);
  if (!id) return html`<p class="empty">${t('ui.desk.no.customer')}</p>`;
  if (!c) return null;
  return html`
    <section class="customer" aria-labelledby=${`cu-${id}`}>
      <h4 id=${`cu-${id}`}>${c.name || t('ui.desk.customer')}</h4>
      <p>${[...(c.phones || []), ...(c.emails || [])].join(' · ')}</p>
      ${c.sms_opt_out && html`<p class="badge opted-out">${t('ui.sms.opted_out', fmtDateTime(c.sms_opt_out))}</p>`}
      <${Notes} key=${c.id} customer=${c} onSaved=${setC} />
      <h5>${t('ui.desk.history')}</h5>
      <ul class="history">
        ${history.map((h) => html`<li>
          <time datetime=${h.created_at}>${fmtDateTime(h.created_at)}</time>
          ${' '}${queues[h.queue]?.name || h.queue} · ${t(`ui.channel.${h.channel}`)} · ${t(`ui.cstate.${h.state}`)}
          ${h.disposition ? ` · ${h.disposition}` : ''}${h.notes ? ` — ${h.notes}` : ''}
          ${h.csat && html` · <span class="csat" data-score=${h.csat.score}>${t('ui.desk.csat', h.csat.score)}</span>${
            h.csat.comment ? html` <q>${h.csat.comment}</q>` : ''}`}
          ${h.transcript && html` · <span class="transcript">${t('ui.desk.transcript', h.transcript.email)}</span>`}
          <${AudioFiles} files=${h.recordings} /></li>`)}
      </ul>
    </section>`;
}

// Free-text search of customers (name, email, phone), one opened below.
export function CustomerSearch({ queues }) {
  const [q, setQ] = useState('');
  const [found, setFound] = useState(null);
  const [open, setOpen] = useState(null);
  const [error, setError] = useState('');
  const search = async (e) => {
    e.preventDefault();
    setError('');
    setOpen(null);
    try {
      setFound((await api('GET', `/api/v1/customers?limit=20&q=${encodeURIComponent(q.trim())}`)).items);
    } catch (err) {
      setError(err.message);
    }
  };
  return html`
    <section class="search" aria-labelledby="search-h">
      <h2 id="search-h">${t('ui.desk.search')}</h2>
      <form role="search" onSubmit=${search}>
        <label for="search-q">${t('ui.desk.search.label')}</label>
        <input id="search-q" type="search" maxlength="100" value=${q} onInput=${(e) => setQ(e.target.value)} />
        <button type="submit" disabled=${!q.trim()}>${t('ui.desk.search.go')}</button>
      </form>
      ${error && html`<p class="error" role="alert">${error}</p>`}
      ${found && html`<p role="status">${t('ui.desk.search.count', found.length)}</p>`}
      ${found && found.length > 0 && html`<ul class="found">
        ${found.map((c) => html`<li><button type="button" class="link" aria-pressed=${open === c.id ? 'true' : 'false'}
          onClick=${() => setOpen(c.id)}>${c.name || c.id}</button>
          ${' '}${[...(c.phones || []), ...(c.emails || [])].join(' · ')}</li>`)}
      </ul>`}
      ${open && html`<${Customer} key=${open} id=${open} queues=${queues} />`}
    </section>`;
}
