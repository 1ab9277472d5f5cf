// The conversation of a written contact (chat, email, SMS) on the agent
// desktop: its messages in order with their status, the customer typing,
// and a composer (text, for email a subject, cc and the customer's last
// mail quoted under the answer, a switch away; attachments). An email's
// HTML (sanitised by the server) shows in a sandboxed frame. The
// desk's stream tells it when a message was logged (`tick`: it reads what
// came after the last sequence it has, page by page, so nothing is shown
// twice), the statuses the stream reported since (`statuses`, by message
// id) and when the customer types. Typing "/" in the composer
// offers the tenant's canned responses (Enter takes the first).
import { html, api, t, fmtTime } from './lib.js';
import { smsCount } from './sms-count.js';
import { useTypingShown, useTypingSender } from './typing.js';
import { useState, useEffect, useRef } from '/vendor/hooks.mjs';


const PAGE = 100; // the most messages the API gives in one answer
// A chat in these states is over: the visitor left (or the agent ended it).
const ENDED = ['wrapup', 'completed', 'abandoned'];

const uploadFile = (contact, file) =>
  api('POST', `/api/v1/contacts/${contact}/attachments?name=${encodeURIComponent(file.name)}`, file);

// Under an SMS's composer: its characters, SMS and encoding, and the room
// left in the last SMS.
function SmsCounter({ id, text }) {
  const c = smsCount(text);
  return html`<p id=${id} class="help sms-count" aria-label=${t('ui.sms.counter')}>
    ${t('ui.sms.count', c.chars, c.segments, t(`ui.sms.enc.${c.encoding}`))}
    ${c.segments > 0 && html` · ${t('ui.sms.left', c.left)}`}</p>`;
}

function Message({ m, st }) {
  const mine = m.direction === 'out';
  const status = st?.status ?? m.status;
  const reason = st ? st.reason : m.reason;
  return html`
    <li class=${`msg ${mine ? 'out' : 'in'}`} data-status=${status}>
      <p class="meta">
        ${mine ? t('ui.conv.you') : t('ui.conv.customer')}
        ${' · '}<time datetime=${m.at}>${fmtTime(m.at)}</time>
        ${mine ? html` · <span class="status">${t(`ui.conv.status.${status}`)}</span>` : ''}
      </p>
      ${m.subject && html`<p class="subject">${m.subject}</p>`}
      ${m.html ? html`<iframe class="mail-html" sandbox="" srcdoc=${m.html} title=${t('ui.conv.html')}></iframe>`
    : m.text && html`<p class="text">${m.text}</p>`}
      ${m.attachments.length > 0 && html`<ul class="files">
        ${m.attachments.map((a) => html`<li><a href=${`/api/v1/attachments/${a.id}`} download=${a.name}>${a.name}</a></li>`)}
      </ul>`}
      ${status === 'failed' && reason && html`<p class="error">${reason}</p>`}
    </li>`;
}

// An email's answer quotes the customer's last message under it, each of
// its lines after "> " (what mail programs show as a quote).
const quoteOf = (m) => (m ? m.text.replace(/\s+$/, '').split('\n').map((l) => (l.startsWith('>') ? `>${l}` : `> ${l}`)).join('\n') : '');

// The tenant's canned responses that "/query" names: by shortcut first,
// then by title.
function suggestions(responses, tenant, text) {
  if (!text.startsWith('/') || /\s/.test(text)) return [];
  const q = text.slice(1).toLowerCase();
  const mine = responses.filter((r) => r.tenant === tenant);
  const by = (pred) => mine.filter(pred);
  const first = by((r) => r.shortcut.startsWith(q));
  const then = by((r) => !r.shortcut.startsWith(q) && r.title.toLowerCase().includes(q));
  return [...first, ...then].slice(0, 8);
}

export function Conversation({ contact, tick, statuses, typing }) {
  const [messages, setMessages] = useState([]);
  const [text, setText] = useState('');
  const [subject, setSubject] = useState('');
  const [cc, setCc] = useState('');
  const [quote, setQuote] = useState(true);
  const [files, setFiles] = useState([]);
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const [fileKey, setFileKey] = useState(0); // a new input clears the chosen files
  const [responses, setResponses] = useState([]);
  const shownTyping = useTypingShown(typing);
  const last = useRef(0);
  const email = contact.channel === 'email';
  const sms = contact.channel === 'sms';

  // What came after the last sequence read, page by page; a message the
  // page already holds (its own answer to a send) is kept once.
  const load = async () => {
    try {
      for (;;) {
        const got = (await api('GET', `/api/v1/contacts/${contact.id}/messages?after=${last.current}`)).messages;
        if (got.length) {
          last.current = Math.max(last.current, got[got.length - 1].seq);
          setMessages((old) => [...old.filter((m) => !got.some((g) => g.id === m.id)), ...got]
            .sort((a, b) => a.seq - b.seq));
        }
        if (got.length < PAGE) return;
      }
    } catch (e) {
      setError(e.message);
    }
  };
  useEffect(() => {
    load();
  }, [tick]);
  useEffect(() => {
    api('GET', '/api/v1/responses?limit=500').then((r) => setResponses(r.items)).catch(() => {});
  }, []);
  const offered = suggestions(responses, contact.tenant, text);
  const take = (r) => {
    setText(r.text);
    document.getElementById(`text-${contact.id}`)?.focus();
  };
  const sendTyping = useTypingSender(() => api('POST', `/api/v1/contacts/${contact.id}/typing`, {}));
  const typed = (v) => {
    setText(v);
    sendTyping(v);
  };
  const send = async (e) => {
    e?.preventDefault();
    if (busy || (!text.trim() && !files.length)) return;
    setBusy(true);
    setError('');
    try {
      const ids = [];
      for (const f of files) ids.push((await uploadFile(contact.id, f)).id);
      const lastIn = [...messages].reverse().find((m) => m.direction === 'in');
      const body = { text: email && quote && lastIn ? `${text}\n\n${quoteOf(lastIn)}` : text };
      if (ids.length) body.attachments = ids;
      if (email && subject) body.subject = subject;
      if (email && cc) body.cc = cc;
      const m = await api('POST', `/api/v1/contacts/${contact.id}/messages`, body);
      setMessages((old) => (old.some((x) => x.id === m.id) ? old : [...old, m]));
      setText('');
      setFiles([]);
      setFileKey((n) => n + 1);
    } catch (err) {
      setError(err.message);
    } finally {
      setBusy(false);
    }
  };
  // Enter sends, Shift+Enter is a new line (a chat's habit).
  const key = (e) => {
    if (e.key !== 'Enter' || e.shiftKey) return;
    if (offered.length) {
      e.preventDefault();
      take(offered[0]);
    } else if (!email) {
      send(e);
    }
  };
  const id = contact.id;
  return html`
    <section class="conversation" aria-labelledby=${`conv-${id}`}>
      <h4 id=${`conv-${id}`}>${t('ui.conv.title')}</h4>
      <ol class="messages" aria-live="polite" aria-relevant="additions">
        ${messages.map((m) => html`<${Message} key=${m.id} m=${m} st=${statuses[m.id]} />`)}
      </ol>
      ${messages.length === 0 && html`<p class="empty">${t('ui.conv.none')}</p>`}
      <p class="typing" role="status">${shownTyping ? t('ui.conv.typing') : ''}</p>
      ${contact.channel === 'chat' && ENDED.includes(contact.state) && html`
        <p class="ended" role="status">${t('ui.conv.chat_ended')}</p>`}
      ${contact.state === 'active' && html`
        <form class="composer" onSubmit=${send}>
          ${email && html`
            <label for=${`subj-${id}`}>${t('ui.conv.subject')}</label>
            <input id=${`subj-${id}`} value=${subject} maxlength="998" onInput=${(e) => setSubject(e.target.value)} />
            <label for=${`cc-${id}`}>${t('ui.conv.cc')}</label>
            <input id=${`cc-${id}`} value=${cc} maxlength="2000" onInput=${(e) => setCc(e.target.value)} />`}
          <label for=${`text-${id}`}>${t('ui.conv.message')}</label>
          <textarea id=${`text-${id}`} value=${text} maxlength="20000" onInput=${(e) => typed(e.target.value)}
            onKeyDown=${key} aria-describedby=${`hint-${id}${sms ? ` sms-${id}` : ''}`}></textarea>
          ${sms && html`<${SmsCounter} id=${`sms-${id}`} text=${text} />`}
          <p id=${`hint-${id}`} class="help">${t(email ? 'ui.conv.hint.email' : 'ui.conv.hint')}</p>
          ${email && messages.some((m) => m.direction === 'in') && html`
            <label class="check"><input type="checkbox" checked=${quote} onChange=${(e) => setQuote(e.target.checked)} />
              ${' '}${t('ui.conv.quote')}</label>
            ${quote && html`<pre class="quote">${quoteOf([...messages].reverse().find((m) => m.direction === 'in'))}</pre>`}`}
          ${offered.length > 0 && html`<ul class="suggest" aria-label=${t('ui.conv.responses')}>
            ${offered.map((r) => html`<li><button type="button" class="link" onClick=${() => take(r)}>
              /${r.shortcut} — ${r.title}</button></li>`)}
          </ul>`}
          <label for=${`file-${id}`}>${t('ui.conv.attach')}</label>
          <input key=${fileKey} id=${`file-${id}`} type="file" multiple onChange=${(e) => setFiles([...e.target.files])} />
          <button type="submit" class="primary" disabled=${busy}>${t('ui.conv.send')}</button>
          ${error && html`<p class="error" role="alert">${error}</p>`}
        </form>`}
    </section>`;
}
