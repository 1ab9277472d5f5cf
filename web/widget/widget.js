// The web chat's frame (/widget/frame?key=K&lang=L, in the customer's
// site through web/widget/loader.js): the pre-chat form (or, when the
// queue is closed, the message left for the next opening), then the
// conversation — the place in the queue and the wait, live; the agent
// joining; the messages both ways with their times and statuses; typing
// both ways; files both ways — then the end, the rating and the
// transcript. The conversation lives in this tab's sessionStorage (token
// and the stream's last sequence): a reload or a lost network resumes it,
// each message shown once. Words come from the shared catalogs (t()).
import { html, render, t, loadWords, browserLang, fmtTime } from '/app/lib.js';
import { useState, useEffect, useRef } from '/vendor/hooks.mjs';
import { Stream } from '/app/stream.js';
import { useTypingShown, useTypingSender } from '/app/typing.js';
import {
  setVisitorLang, widgetInfo, startConversation, conversationApi, savedConversation, saveConversation,
} from './visitor.js';

const PAGE = 100; // the most messages the API gives in one answer
// The contact's states where the conversation is over ("ended": the
// visitor left, as this frame says).
const ENDED = ['ended', 'wrapup', 'completed', 'abandoned', 'closed'];
// What the visitor stream's events of the contact's life mean here.
const STATE_OF = {
  'contact.accepted': 'active',
  'contact.queued': 'queued',
  'contact.ended': 'ended',
  'contact.completed': 'completed',
  'contact.abandoned': 'abandoned',
  'contact.closed': 'closed',
};

const params = new URLSearchParams(location.search);
const KEY = params.get('key') || '';

// Asks the host page's loader to close the frame (its button, Escape).
const closeFrame = () => window.parent !== window && window.parent.postMessage({ relais: 'close' }, '*');

// The estimated wait in words: under a minute, or about N minutes.
function waitWords(s) {
  if (s == null) return '';
  return s < 60 ? t('ui.widget.wait.soon') : t('ui.widget.wait.min', Math.round(s / 60));
}

// ---- the pre-chat form (and the closed queue's) -----------------------------

function PreChat({ info, onStarted }) {
  const [name, setName] = useState('');
  const [email, setEmail] = useState('');
  const [text, setText] = useState('');
  const [consent, setConsent] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');
  const pre = info.pre_chat || {};

  const submit = async (e) => {
    e.preventDefault();
    if (busy) return;
    setBusy(true);
    setError('');
    try {
      const body = { text, consent };
      if (pre.name) body.name = name;
      if (pre.email) body.email = email;
      const r = await startConversation(KEY, body);
      onStarted({ contact: r.contact, token: r.visitor_token, seq: null, email, received: r.open === false },
        { state: 'queued', position: r.position, ewt_s: r.ewt_s });
    } catch (err) {
      setError(err.message);
      setBusy(false);
    }
  };
  return html`
    <form class="prechat" onSubmit=${submit}>
      ${!info.open && html`
        <div class="closed" role="note">
          <h2>${t('ui.widget.closed.title')}</h2>
          ${info.closed_message && html`<p>${info.closed_message}</p>`}
        </div>`}
      ${pre.name && html`
        <label for="w-name">${t('ui.widget.name')}</label>
        <input id="w-name" autocomplete="name" required maxlength="200" value=${name}
          onInput=${(e) => setName(e.target.value)} />`}
      ${pre.email && html`
        <label for="w-email">${t('ui.widget.email')}</label>
        <input id="w-email" type="email" autocomplete="email" required maxlength="320" value=${email}
          onInput=${(e) => setEmail(e.target.value)} />`}
      <label for="w-first">${t(info.open ? 'ui.widget.first' : 'ui.widget.leave')}</label>
      <textarea id="w-first" required maxlength="20000" rows="4" value=${text}
        onInput=${(e) => setText(e.target.value)}></textarea>
      <div class="consent">
        <input id="w-consent" type="checkbox" required checked=${consent}
          onChange=${(e) => setConsent(e.target.checked)} />
        <label for="w-consent">${info.consent_text || t('ui.widget.consent')}</label>
      </div>
      <button type="submit" class="primary" disabled=${busy}>
        ${t(info.open ? 'ui.widget.start' : 'ui.widget.leave.send')}</button>
      ${error && html`<p class="error" role="alert">${error}</p>`}
    </form>`;
}

// ---- the conversation -----------------------------------------------------

function Message({ m, agentName, onFile }) {
  const mine = m.direction === 'in';
  const who = mine ? t('ui.widget.you')
    : m.author === 'system' ? t('ui.widget.system') : agentName || t('ui.widget.agent');
  return html`
    <li class=${`msg ${mine ? 'mine' : 'theirs'} ${m.author || ''}`} data-status=${m.status}>
      <p class="meta">
        <span class="who">${who}</span>${' · '}<time datetime=${m.at}>${fmtTime(m.at)}</time>
        ${mine && m.status ? html` · <span class="status">${t(`ui.conv.status.${m.status}`)}</span>` : ''}
      </p>
      ${m.text && html`<p class="text">${m.text}</p>`}
      ${m.attachments?.length > 0 && html`<ul class="files">
        ${m.attachments.map((a) => html`<li><button type="button" class="link" onClick=${() => onFile(a)}>
          ${a.name}</button></li>`)}
      </ul>`}
    </li>`;
}

// Where the conversation is: waiting (place and wait), with an agent, or
// ended. A status region, so that a screen reader hears the changes.
function Where({ st, received }) {
  let text;
  if (ENDED.includes(st.state)) text = t('ui.widget.ended');
  else if (st.agent_name) text = t('ui.widget.joined', st.agent_name);
  else if (st.position != null) {
    text = t('ui.widget.position', st.position);
    if (st.ewt_s != null) text += ` ${t('ui.widget.wait', waitWords(st.ewt_s))}`;
  } else text = t('ui.widget.waiting');
  return html`
    ${received && html`<p class="received" role="note">${t('ui.widget.received')}</p>`}
    <p class="where" role="status">${text}</p>`;
}

// The composer: Enter sends, Shift+Enter is a new line; files go first,
// each with its progress, then the message naming them.
function Composer({ api, onSent }) {
  const [text, setText] = useState('');
  const [files, setFiles] = useState([]);
  const [fileKey, setFileKey] = useState(0);
  const [progress, setProgress] = useState(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');
  const box = useRef(null);
  // The form that came before it is gone: the focus comes here, not to
  // the page's top.
  useEffect(() => {
    if (!document.activeElement || document.activeElement === document.body) box.current?.focus();
  }, []);

  const sendTyping = useTypingSender(() => api.typing());
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
      for (const f of files) {
        setProgress({ name: f.name, value: 0 });
        ids.push((await api.upload(f, (v) => setProgress({ name: f.name, value: v }))).id);
      }
      setProgress(null);
      onSent(await api.send(text, ids));
      setText('');
      setFiles([]);
      setFileKey((n) => n + 1);
    } catch (err) {
      // the text and the files stay: nothing is lost, the visitor sends again
      setProgress(null);
      setError(err.status ? err.message : t('ui.widget.offline'));
    } finally {
      setBusy(false);
    }
  };
  const key = (e) => {
    if (e.key === 'Enter' && !e.shiftKey) send(e);
  };
  return html`
    <form class="composer" onSubmit=${send}>
      <label for="w-text">${t('ui.widget.message')}</label>
      <textarea id="w-text" ref=${box} rows="2" maxlength="20000" value=${text}
        onInput=${(e) => typed(e.target.value)} onKeyDown=${key} aria-describedby="w-hint"></textarea>
      <p id="w-hint" class="help">${t('ui.widget.hint')}</p>
      <label for="w-file" class="file">${t('ui.widget.attach')}</label>
      <div class="row">
        <input key=${fileKey} id="w-file" type="file" multiple
          onChange=${(e) => setFiles([...e.target.files])} />
        <button type="submit" class="primary" disabled=${busy}>${t('ui.widget.send')}</button>
      </div>
      ${progress && html`<p class="progress"><label for="w-progress">${t('ui.widget.uploading', progress.name)}</label>
        <progress id="w-progress" max="1" value=${progress.value}></progress></p>`}
      ${error && html`<p class="error" role="alert">${error}</p>`}
    </form>`;
}

function Chat({ conv, first, onUpdate, onNew }) {
  const api = useRef(conversationApi(conv.contact, conv.token)).current;
  const [messages, setMessages] = useState([]);
  const [st, setSt] = useState(first || { state: 'queued' });
  const [theyType, setTheyType] = useState(0);
  const shownTyping = useTypingShown(theyType);
  const [live, setLive] = useState(false);
  const [error, setError] = useState('');
  const last = useRef(0); // the last message's sequence we hold
  const ended = ENDED.includes(st.state) || conv.left;

  // Keep what came after the last message we hold, page by page; a message
  // already held (our own answer to a send) is kept once.
  const merge = (got) => setMessages((old) => [...old.filter((m) => !got.some((g) => g.id === m.id)), ...got]
    .sort((a, b) => a.seq - b.seq));
  const load = async () => {
    try {
      for (;;) {
        const got = (await api.messages(last.current)).messages;
        if (got.length) {
          last.current = Math.max(last.current, got[got.length - 1].seq);
          merge(got);
        }
        if (got.length < PAGE) break;
      }
      setError('');
    } catch (e) {
      if (e.status) setError(e.message);
    }
  };
  // The conversation's state; a token the server no longer knows (its
  // conversation was erased or expired) is forgotten: the form comes back.
  const refresh = () => api.state().then((s) => setSt((o) => ({ ...o, ...s }))).catch((e) => {
    if (e.status === 401 || e.status === 404) onNew();
  });

  useEffect(() => {
    load();
    refresh();
    const stream = new Stream([`contact:${conv.contact}`], {
      status: (on) => {
        setLive(on);
        // lost: a token that no longer works (the conversation expired)
        // is forgotten rather than retried for ever
        if (!on) return void refresh();
        onUpdate((c) => c && { ...c, seq: stream.last });
        // (re)subscribed: read the list and the state again, so that
        // nothing committed between the last read and the subscription
        // is missed (the stream sends what comes after it, and no signal
        // of the past)
        load();
        refresh();
      },
      event: (m) => {
        onUpdate((c) => c && { ...c, seq: m.seq });
        const d = m.data || {};
        if (m.event === 'contact.message') {
          // the event carries the message as the list shows it
          if (d.id && d.seq != null) {
            last.current = Math.max(last.current, d.seq);
            merge([d]);
          } else load();
        } else if (m.event === 'contact.message_status') {
          setMessages((old) => old.map((x) => (x.id === d.message ? { ...x, status: d.status } : x)));
        } else if (STATE_OF[m.event]) {
          // the agent joining (its name), the end
          setSt((o) => ({ ...o, state: STATE_OF[m.event], ...(d.agent_name ? { agent_name: d.agent_name } : {}) }));
        }
      },
      signal: (m) => {
        const d = m.data || {};
        if (m.event === 'contact.typing' && d.author !== 'customer') setTheyType((n) => n + 1);
        else if (m.event === 'contact.position') setSt((o) => ({ ...o, position: d.position, ewt_s: d.ewt_s }));
      },
    }, { query: `visitor=${encodeURIComponent(conv.token)}`, after: conv.seq ?? null });
    return () => stream.close();
  }, [conv.contact]);

  // The newest message in view.
  const list = useRef(null);
  useEffect(() => {
    list.current?.lastElementChild?.scrollIntoView?.({ block: 'end' });
  }, [messages.length]);

  const file = (a) => api.download(a).catch((e) => setError(e.message || t('ui.widget.offline')));
  const end = async () => {
    try {
      await api.end();
      onUpdate((c) => c && { ...c, left: true });
      setSt((o) => ({ ...o, state: 'ended' }));
    } catch (e) {
      setError(e.status ? e.message : t('ui.widget.offline'));
    }
  };
  return html`
    <section class="chat" aria-label=${t('ui.widget.conversation')} data-live=${live ? 'yes' : 'no'}>
      <${Where} st=${ended ? { ...st, state: 'ended' } : st} received=${conv.received} />
      ${!live && html`<p class="offline">${t('ui.widget.reconnecting')}</p>`}
      <ol class="messages" ref=${list} tabindex="0" aria-live="polite" aria-relevant="additions" aria-label=${t('ui.widget.messages')}>
        ${messages.map((m) => html`<${Message} key=${m.id} m=${m} agentName=${st.agent_name} onFile=${file} />`)}
      </ol>
      <p class="typing" role="status">${shownTyping && !ended ? t('ui.widget.typing', st.agent_name || t('ui.widget.agent')) : ''}</p>
      ${error && html`<p class="error" role="alert">${error}</p>`}
      ${ended
        ? html`<${Feedback} api=${api} conv=${conv} onUpdate=${onUpdate} onNew=${onNew} />`
        : html`
          <${Composer} api=${api} onSent=${(m) => merge([m])} />
          <button type="button" class="end" onClick=${end}>${t('ui.widget.end')}</button>`}
    </section>`;
}

// ---- after the end: the rating and the transcript -----------------------------

function Feedback({ api, conv, onUpdate, onNew }) {
  const [score, setScore] = useState(0);
  const [comment, setComment] = useState('');
  const [email, setEmail] = useState(conv.email || '');
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  // The end button is gone: the focus comes to the rating.
  useEffect(() => {
    if (!document.activeElement || document.activeElement === document.body) document.getElementById('w-star-1')?.focus();
  }, []);

  const run = async (e, what, done) => {
    e.preventDefault();
    if (busy) return;
    setBusy(true);
    setError('');
    try {
      await what();
      onUpdate((c) => c && { ...c, ...done });
    } catch (err) {
      setError(err.status ? err.message : t('ui.widget.offline'));
    } finally {
      setBusy(false);
    }
  };
  const rate = (e) => run(e, () => api.csat(score, comment.trim()), { rated: true });
  const mail = (e) => run(e, () => api.transcript(email), { mailed: email });
  return html`
    <div class="feedback">
      ${conv.rated ? html`<p class="thanks" role="status">${t('ui.widget.csat.thanks')}</p>` : html`
        <form class="csat" onSubmit=${rate}>
          <fieldset>
            <legend>${t('ui.widget.csat')}</legend>
            <div class="stars">
              ${[1, 2, 3, 4, 5].map((n) => html`
                <input type="radio" name="score" id=${`w-star-${n}`} value=${n} checked=${score === n} required
                  onChange=${() => setScore(n)} />
                <label for=${`w-star-${n}`} title=${t(`ui.widget.csat.${n}`)}>
                  <span aria-hidden="true">${n <= score ? '★' : '☆'}</span>
                  <span class="sr">${t(`ui.widget.csat.${n}`)}</span></label>`)}
            </div>
          </fieldset>
          <label for="w-comment">${t('ui.widget.csat.comment')}</label>
          <textarea id="w-comment" rows="2" maxlength="2000" value=${comment}
            onInput=${(e) => setComment(e.target.value)}></textarea>
          <button type="submit" class="primary" disabled=${busy}>${t('ui.widget.csat.send')}</button>
        </form>`}
      ${conv.mailed ? html`<p class="thanks" role="status">${t('ui.widget.transcript.sent', conv.mailed)}</p>` : html`
        <form class="transcript" onSubmit=${mail}>
          <label for="w-mail">${t('ui.widget.transcript')}</label>
          <div class="row">
            <input id="w-mail" type="email" autocomplete="email" required maxlength="320" value=${email}
              onInput=${(e) => setEmail(e.target.value)} />
            <button type="submit" disabled=${busy}>${t('ui.widget.transcript.send')}</button>
          </div>
        </form>`}
      ${error && html`<p class="error" role="alert">${error}</p>`}
      <button type="button" class="link" onClick=${onNew}>${t('ui.widget.new')}</button>
    </div>`;
}

// ---- the frame ------------------------------------------------------------------

function Frame() {
  const [info, setInfo] = useState(null);
  const [error, setError] = useState('');
  const [conv, setConv] = useState(() => savedConversation(KEY));
  const [first, setFirst] = useState(null);

  useEffect(() => {
    widgetInfo(KEY).then((w) => {
      setInfo(w);
    }).catch((e) => setError(e.status ? e.message : t('ui.widget.offline')));
  }, []);
  // c: the conversation, or a function of the current one (the stream's
  // callbacks outlive a render); kept in sessionStorage as it changes.
  const update = (c) => setConv((old) => {
    const next = typeof c === 'function' ? c(old) : c;
    saveConversation(KEY, next);
    return next;
  });
  const started = (c, st) => {
    setFirst(st);
    update(c);
  };
  const again = () => {
    update(null);
    setFirst(null);
  };
  useEffect(() => {
    const esc = (e) => e.key === 'Escape' && closeFrame();
    document.addEventListener('keydown', esc);
    return () => document.removeEventListener('keydown', esc);
  }, []);

  return html`
    <div class="frame">
      <header>
        <h1>${info?.name || t('ui.widget.title')}</h1>
        <button type="button" class="close" onClick=${closeFrame} aria-label=${t('ui.widget.minimise')}>
          <span aria-hidden="true">×</span></button>
      </header>
      <main>
        ${error && html`<p class="error" role="alert">${error}</p>`}
        ${!error && !info && !conv && html`<p class="loading">${t('ui.widget.loading')}</p>`}
        ${conv ? html`<${Chat} key=${conv.contact} conv=${conv} first=${first} onUpdate=${update} onNew=${again} />`
          : info && html`<${PreChat} info=${info} onStarted=${started} />`}
      </main>
    </div>`;
}

async function main() {
  const want = params.get('lang');
  const code = want === 'fr' || want === 'en' ? want : browserLang();
  await loadWords(code);
  setVisitorLang(code);
  document.title = t('ui.widget.title');
  render(html`<${Frame} />`, document.getElementById('chat'));
}

main();
