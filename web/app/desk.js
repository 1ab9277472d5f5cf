// The agent desktop: its state (with its tenants' pause reasons), the
// offers it receives (with their countdown, a sound and a tab-title badge,
// each switchable), the contacts it holds as tabs with their timeline and
// the customer (search, notes), transfer to a queue or a free colleague,
// wrap-up with the queue's dispositions and the timed wrap-up's countdown.
// Everything that moves comes over the stream (topic agent:ID); actions go
// to the contact service through the API.
import { html, api, t, fmtTime, fmtDuration, fmtNumber, fmtPercent } from './lib.js';
import { useState, useEffect, useRef, useCallback } from '/vendor/hooks.mjs';
import { Stream } from './stream.js';
import { Customer, CustomerSearch } from './desk-customer.js';
import { Conversation } from './desk-conversation.js';
import { CallPanel } from './desk-call.js';

const HOLDING = new Set(['offered', 'active', 'wrapup']);

// Seconds left until an ISO time, ticking.
function useCountdown(iso) {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    if (!iso) return undefined;
    const id = setInterval(() => setNow(Date.now()), 250);
    return () => clearInterval(id);
  }, [iso]);
  return iso ? Math.max(0, Math.ceil((Date.parse(iso) - now) / 1000)) : null;
}

// A reason's words: the catalog's for the usual ones, else the tenant's own
// word as it was configured.
function reasonText(r) {
  const id = `ui.reason.${r}`;
  const text = t(id);
  return text === id ? r : text;
}

function StateBar({ state, reasons, onState, error }) {
  const [chosen, setReason] = useState('');
  const reason = reasons.includes(chosen) ? chosen : reasons[0] || '';
  return html`
    <section class="state" aria-labelledby="state-h">
      <h2 id="state-h">${t('ui.desk.state')}</h2>
      <p class="current" data-state=${state.state}>
        ${t(`ui.state.${state.state || 'offline'}`)}
        ${state.reason ? ` · ${reasonText(state.reason)}` : ''}
        <span class="since"> ${t('ui.desk.since', fmtDuration(state.state_s))}</span>
      </p>
      ${state.state === 'paused' && state.reason === 'missed' && html`
        <p class="notice" data-k="auto-paused">${t('ui.desk.auto.paused')}</p>`}
      <div class="row">
        <button type="button" onClick=${() => onState('available')} aria-keyshortcuts="Alt+S">
          ${t('ui.state.available')}
        </button>
        <label for="reason">${t('ui.desk.reason')}</label>
        <select id="reason" value=${reason} onChange=${(e) => setReason(e.target.value)}>
          ${reasons.map((r) => html`<option value=${r}>${reasonText(r)}</option>`)}
        </select>
        <button type="button" disabled=${!reason} onClick=${() => onState('paused', reason)} aria-keyshortcuts="Alt+P">
          ${t('ui.desk.pause')}
        </button>
        <button type="button" onClick=${() => onState('offline')}>${t('ui.state.offline')}</button>
      </div>
      ${error && html`<p class="error" role="alert">${error}</p>`}
    </section>`;
}

function Offer({ offer, queues, onAnswer }) {
  const left = useCountdown(offer.expires_at);
  const [who, setWho] = useState('');
  useEffect(() => {
    if (!offer.customer) return;
    api('GET', `/api/v1/customers/${offer.customer}`)
      .then((c) => setWho(c.name || [...(c.phones || []), ...(c.emails || [])][0] || ''))
      .catch(() => {});
  }, [offer.customer]);
  return html`
    <article class="offer" aria-labelledby=${`offer-${offer.contact}`}>
      <h3 id=${`offer-${offer.contact}`}>${t('ui.desk.offer')}</h3>
      <dl>
        <dt>${t('ui.field.queue')}</dt><dd>${queues[offer.queue]?.name || offer.queue}</dd>
        <dt>${t('ui.field.channel')}</dt><dd>${t(`ui.channel.${offer.channel}`)}</dd>
        <dt>${t('ui.desk.customer')}</dt><dd data-k="customer">${who || t('ui.desk.unknown')}</dd>
        <dt>${t('ui.field.waited')}</dt><dd>${fmtDuration((offer.total_wait_ms || 0) / 1000)}</dd>
        ${left !== null && html`<dt>${t('ui.desk.expires')}</dt><dd class="countdown">${left} s</dd>`}
      </dl>
      ${offer.channel === 'voice' && html`<p class="notice" data-k="phone">${t('ui.call.answer_phone')}</p>`}
      <button type="button" class="primary" onClick=${() => onAnswer(offer.contact, 'accept')}
        aria-keyshortcuts="Alt+A">${t('ui.desk.accept')}</button>
      <button type="button" onClick=${() => onAnswer(offer.contact, 'reject')}
        aria-keyshortcuts="Alt+R">${t('ui.desk.reject')}</button>
    </article>`;
}

function Timeline({ items }) {
  return html`
    <ol class="timeline">
      ${(items || []).map((e) => html`
        <li><time datetime=${e.time}>${fmtTime(e.time)}</time> ${t(`ui.event.${e.type}`)}
          ${e.disposition ? ` · ${e.disposition}` : ''}${e.type === 'contact.call' ? ` · ${t(`ui.call.action.${e.action}`)}` : ''}
          ${e.type === 'audit.supervision' ? ` · ${t(`ui.wall.sup.${e.mode}`)}` : ''}</li>`)}
    </ol>`;
}

function Wrapup({ contact, queue, onDone }) {
  const [disposition, setDisposition] = useState('');
  const [notes, setNotes] = useState('');
  const left = useCountdown(contact.wrapup_ends_at);
  const codes = queue?.dispositions || [];
  const required = Boolean(queue?.disposition_required) && codes.length > 0;
  const submit = (e) => {
    e.preventDefault();
    const body = { notes: notes || null };
    if (disposition) body.disposition = disposition;
    onDone(contact.id, body);
  };
  return html`
    <form class="wrapup" onSubmit=${submit}>
      <h4>${t('ui.desk.wrapup')}</h4>
      ${left !== null && html`<p class="countdown" data-k="wrapup-left">${t('ui.desk.wrapup.left', left)}</p>`}
      ${codes.length > 0 && html`
        <label for=${`disp-${contact.id}`}>${t('ui.field.disposition')}${required ? ` (${t('ui.desk.required')})` : ''}</label>
        <select id=${`disp-${contact.id}`} value=${disposition} required=${required}
          onChange=${(e) => setDisposition(e.target.value)}>
          <option value="">${required ? t('ui.desk.choose') : t('ui.desk.none')}</option>
          ${codes.map((c) => html`<option value=${c}>${c}</option>`)}
        </select>`}
      <label for=${`notes-${contact.id}`}>${t('ui.field.notes')}</label>
      <textarea id=${`notes-${contact.id}`} maxlength="4000" value=${notes}
        onInput=${(e) => setNotes(e.target.value)}></textarea>
      <button type="submit" class="primary" aria-keyshortcuts="Alt+W">${t('ui.desk.wrapup.done')}</button>
    </form>`;
}

// Transfer to another queue of the contact's tenant, or to a colleague
// who serves it on the contact's channel; the free ones first, said so.
function Transfer({ contact, onAction }) {
  const [targets, setTargets] = useState(null);
  const [to, setTo] = useState('');
  // read when the contact comes and again each time the list takes the
  // focus, so that who is free is current when the agent chooses
  const load = () => api('GET', `/api/v1/contacts/${contact.id}/transfer-targets`).then(setTargets).catch(() => {});
  useEffect(() => {
    load();
  }, [contact.id, contact.state]);
  if (!targets || (!targets.queues.length && !targets.agents.length)) return null;
  const agents = [...targets.agents].sort((a, b) => (b.free - a.free) || a.name.localeCompare(b.name));
  const [kind, id] = to.split(':');
  return html`
    <div class="row">
      <label for=${`to-${contact.id}`}>${t('ui.desk.transfer.to')}</label>
      <select id=${`to-${contact.id}`} value=${to} onFocus=${load} onChange=${(e) => setTo(e.target.value)}>
        <option value="">${t('ui.desk.none')}</option>
        ${targets.queues.length > 0 && html`<optgroup label=${t('ui.field.queue')}>
          ${targets.queues.map((x) => html`<option value=${`queue:${x.id}`}>${x.name}</option>`)}</optgroup>`}
        ${agents.length > 0 && html`<optgroup label=${t('ui.field.agent')}>
          ${agents.map((x) => html`<option value=${`agent:${x.id}`} data-free=${x.free ? 'yes' : 'no'}>
            ${x.name} · ${x.free ? t('ui.desk.free') : t(`ui.state.${x.state}`)}</option>`)}</optgroup>`}
      </select>
      <button type="button" disabled=${!to} onClick=${() => onAction(contact.id, 'transfer', { [kind]: id })}>
        ${t('ui.desk.transfer')}
      </button>
    </div>`;
}

// The conversation becomes a callback: a call to the same customer, queued
// in a voice queue of the tenant, and this contact ends (wrap-up follows).
function Callback({ contact, queues, onAction }) {
  const voice = Object.values(queues).filter((x) => x.tenant === contact.tenant && x.channel === 'voice');
  const [to, setTo] = useState('');
  if (!contact.customer || !voice.length) return null;
  const queue = voice.some((x) => x.id === to) ? to : voice[0].id;
  return html`
    <div class="row">
      <label for=${`cb-${contact.id}`}>${t('ui.desk.callback.in')}</label>
      <select id=${`cb-${contact.id}`} value=${queue} onChange=${(e) => setTo(e.target.value)}>
        ${voice.map((x) => html`<option value=${x.id}>${x.name}</option>`)}
      </select>
      <button type="button" onClick=${() => onAction(contact.id, 'callback-request', { queue })}>
        ${t('ui.desk.callback')}
      </button>
    </div>`;
}

function ContactPane({ contact, queues, onAction, tick, statuses, typing, callTick, me }) {
  const q = queues[contact.queue];
  return html`
    <section class="contact" aria-labelledby=${`c-${contact.id}`}>
      <h3 id=${`c-${contact.id}`}>${q?.name || contact.queue} · ${t(`ui.channel.${contact.channel}`)}</h3>
      <p>${t('ui.field.state')}: <strong data-state=${contact.state}>${t(`ui.cstate.${contact.state}`)}</strong></p>
      ${contact.channel === 'voice' && html`<${CallPanel} key=${contact.id} contact=${contact}
        tick=${`${callTick}-${contact.timeline?.length || 0}`} me=${me} />`}
      ${contact.state === 'active' && html`
        <div class="row">
          <button type="button" class="primary" onClick=${() => onAction(contact.id, 'complete', {})}
            aria-keyshortcuts="Alt+W">
            ${t('ui.desk.complete')}
          </button>
        </div>
        <${Transfer} contact=${contact} onAction=${onAction} />
        <${Callback} contact=${contact} queues=${queues} onAction=${onAction} />`}
      ${contact.state === 'wrapup' && html`<${Wrapup} contact=${contact} queue=${q}
        onDone=${(id, body) => onAction(id, 'wrapup', body)} />`}
      ${contact.channel !== 'voice' && html`<${Conversation} key=${contact.id} contact=${contact}
        tick=${tick} statuses=${statuses} typing=${typing} />`}
      <h4>${t('ui.desk.timeline')}</h4>
      <${Timeline} items=${contact.timeline} />
      <${Customer} id=${contact.customer} queues=${queues} />
    </section>`;
}

// The shortcuts, in a dialog opened with "?" (or its button) and closed
// with Escape; focus goes into it and back to where it was.
function Help({ onClose }) {
  const box = useRef(null);
  useEffect(() => {
    const before = document.activeElement;
    box.current?.querySelector('button')?.focus();
    const key = (e) => {
      if (e.key === 'Escape') {
        e.preventDefault();
        onClose();
      }
    };
    window.addEventListener('keydown', key);
    return () => {
      window.removeEventListener('keydown', key);
      before?.focus?.();
    };
  }, []);
  const rows = [['Alt+A', 'ui.desk.accept'], ['Alt+R', 'ui.desk.reject'], ['Alt+S', 'ui.state.available'],
    ['Alt+P', 'ui.desk.pause'], ['Alt+W', 'ui.desk.keys.wrapup'], ['?', 'ui.help.open'], ['Escape', 'ui.help.close']];
  return html`
    <div class="overlay">
      <div class="dialog" role="dialog" aria-modal="true" aria-labelledby="help-h" ref=${box}>
        <h2 id="help-h">${t('ui.help.title')}</h2>
        <table>
          <thead><tr><th scope="col">${t('ui.help.key')}</th><th scope="col">${t('ui.help.action')}</th></tr></thead>
          <tbody>${rows.map(([k, id]) => html`<tr><th scope="row"><kbd>${k}</kbd></th><td>${t(id)}</td></tr>`)}</tbody>
        </table>
        <button type="button" onClick=${onClose}>${t('ui.help.close')}</button>
      </div>
    </div>`;
}

// The alerts of a new offer, each switchable and remembered in this
// browser: a short two-tone sound (made here, no file) and the tab title's
// count.
const ALERTS_KEY = 'relais.alerts';

function loadAlerts() {
  try {
    return { sound: true, badge: true, ...JSON.parse(localStorage.getItem(ALERTS_KEY) || '{}') };
  } catch (e) {
    return { sound: true, badge: true };
  }
}

let audio = null;
function ring() {
  try {
    audio = audio || new AudioContext();
    const at = audio.currentTime;
    for (const [i, f] of [[0, 880], [1, 660]].entries()) {
      const o = audio.createOscillator();
      const g = audio.createGain();
      o.frequency.value = f[1];
      g.gain.setValueAtTime(0.15, at + i * 0.18);
      g.gain.exponentialRampToValueAtTime(0.001, at + i * 0.18 + 0.16);
      o.connect(g).connect(audio.destination);
      o.start(at + i * 0.18);
      o.stop(at + i * 0.18 + 0.17);
    }
  } catch (e) { /* no sound on this browser: the badge and the card remain */ }
}

function Alerts({ alerts, onChange }) {
  const flip = (k) => onChange({ ...alerts, [k]: !alerts[k] });
  return html`
    <fieldset class="alerts">
      <legend>${t('ui.desk.alerts')}</legend>
      <label><input type="checkbox" checked=${alerts.sound} onChange=${() => flip('sound')} /> ${t('ui.desk.alerts.sound')}</label>
      <label><input type="checkbox" checked=${alerts.badge} onChange=${() => flip('badge')} /> ${t('ui.desk.alerts.badge')}</label>
    </fieldset>`;
}

// The agent's own day: handled, AHT, occupancy, its queues' service level.
function Figures({ figures }) {
  if (!figures) return null;
  return html`
    <section class="figures" aria-labelledby="fig-h">
      <h2 id="fig-h">${t('ui.desk.figures')}</h2>
      <dl>
        <dt>${t('ui.wall.handled')}</dt><dd data-k="handled">${fmtNumber(figures.handled)}</dd>
        <dt>${t('ui.desk.aht')}</dt><dd>${fmtDuration(figures.aht_s)}</dd>
        <dt>${t('ui.desk.occupancy')}</dt><dd>${fmtPercent(figures.occupancy)}</dd>
        ${(figures.queues || []).map((q) => html`
          <dt>${q.name}</dt><dd>${fmtPercent(q.service_level)} / ${fmtPercent(q.sl_target / 100)}</dd>`)}
      </dl>
    </section>`;
}

export function Desk({ user }) {
  const agentId = user.agent;
  const [state, setState] = useState({ state: 'offline', state_s: 0 });
  const [offers, setOffers] = useState([]);
  const [contacts, setContacts] = useState({});
  const [tab, setTab] = useState(null);
  const [queues, setQueues] = useState({});
  const [live, setLive] = useState(false);
  const [error, setError] = useState('');
  const [said, setSaid] = useState('');
  const [figures, setFigures] = useState(null);
  const [help, setHelp] = useState(false);
  const [reasons, setReasons] = useState([]);
  const [missed, setMissed] = useState('');
  const [notice, setNotice] = useState('');
  // for the conversation panel: per contact, a count moved by each message
  // logged and by each typing signal of the customer; per message, the
  // last status the stream reported
  const [ticks, setTicks] = useState({});
  const [typings, setTypings] = useState({});
  const [statuses, setStatuses] = useState({});
  const [callTicks, setCallTicks] = useState({}); // per voice contact: its call moved
  const bump = (set, id) => set((o) => ({ ...o, [id]: (o[id] || 0) + 1 }));
  const [alerts, setAlerts] = useState(loadAlerts);
  const alertsRef = useRef(alerts);
  alertsRef.current = alerts;
  const queuesRef = useRef(queues);
  queuesRef.current = queues;
  const stream = useRef(null);
  const shownRef = useRef(null); // the contact shown, for the keys
  const loadFigures = useCallback(() => {
    api('GET', `/api/v1/agents/${agentId}/figures`).then(setFigures).catch(() => {});
  }, [agentId]);

  const drop = useCallback((id) => setContacts(({ [id]: old, ...rest }) => rest), []);

  const loadContact = useCallback(async (id) => {
    try {
      const c = await api('GET', `/api/v1/contacts/${id}`);
      // kept while this agent holds it, dropped once it is over or gone
      // to someone else (a transfer to a colleague)
      const mine = HOLDING.has(c.state) && c.agent === agentId;
      setContacts(({ [id]: old, ...rest }) => (mine ? { ...rest, [id]: c } : rest));
    } catch (e) {
      // no longer ours to see (transferred away): drop it
      if (e.status === 404) drop(id);
    }
  }, [agentId]);

  const refreshState = useCallback(async () => {
    const s = await api('GET', '/api/v1/stats/realtime').catch(() => null);
    const me = s?.agents?.find((a) => a.id === agentId);
    if (me) setState(me);
  }, [agentId]);

  useEffect(() => {
    api('GET', '/api/v1/queues?limit=500').then((r) => {
      const m = {};
      for (const q of r.items) m[q.id] = q;
      setQueues(m);
    }).catch(() => {});
    refreshState();
    loadFigures();
    api('GET', `/api/v1/agents/${agentId}/pause-reasons`).then((r) => setReasons(r.reasons)).catch(() => {});
    api('GET', '/api/v1/contacts?limit=100').then((r) => {
      for (const c of r.items) if (HOLDING.has(c.state)) loadContact(c.id);
    }).catch(() => {});
    stream.current = new Stream([`agent:${agentId}`], {
      status: setLive,
      signal: (m) => {
        if (m.event === 'contact.typing' && m.data?.author === 'customer') bump(setTypings, m.data.contact);
      },
      event: (m) => {
        const d = m.data || {};
        switch (m.event) {
        case 'contact.offered':
          setOffers((o) => [...o.filter((x) => x.contact !== d.contact), d]);
          setSaid(t('ui.desk.offer.said', d.channel ? t(`ui.channel.${d.channel}`) : ''));
          setMissed('');
          if (alertsRef.current.sound) ring();
          break;
        case 'offer.missed':
          setOffers((o) => o.filter((x) => x.contact !== d.contact));
          setMissed(t('ui.desk.missed', queuesRef.current[d.queue]?.name || d.queue || ''));
          break;
        case 'offer.withdrawn':
        case 'offer.rejected':
        case 'contact.accepted':
          setOffers((o) => o.filter((x) => x.contact !== d.contact));
          if (m.event === 'contact.accepted') {
            loadContact(d.contact);
            setTab(d.contact);
          }
          break;
        case 'agent.state':
          setState({ state: d.state, reason: d.reason, state_s: 0 });
          break;
        case 'contact.message':
          bump(setTicks, d.contact);
          break;
        case 'contact.message_status':
          setStatuses((o) => ({ ...o, [d.message]: { status: d.status, reason: d.reason ?? null } }));
          break;
        case 'contact.call':
          bump(setCallTicks, d.contact);
          loadContact(d.contact);
          break;
        case 'contact.transferred':
          // gone to another queue or agent: no longer this desk's
          drop(d.contact);
          break;
        case 'contact.completed':
          loadFigures();
          if (d.contact) loadContact(d.contact);
          break;
        default:
          if (d.contact) loadContact(d.contact);
        }
      },
    });
    const tick = setInterval(() => setState((s) => ({ ...s, state_s: (s.state_s || 0) + 1 })), 1000);
    const often = setInterval(loadFigures, 30000);
    return () => {
      clearInterval(tick);
      clearInterval(often);
      stream.current?.close();
    };
  }, [agentId]);

  const setAgentState = async (st, reason) => {
    setError('');
    try {
      const r = await api('PUT', `/api/v1/agents/${agentId}/state`, reason ? { state: st, reason } : { state: st });
      setState({ state: r.state, reason: r.reason, state_s: 0 });
    } catch (e) {
      setError(e.message);
    }
  };
  const answer = async (id, how) => {
    setError('');
    try {
      await api('POST', `/api/v1/contacts/${id}/${how}`, {});
      setOffers((o) => o.filter((x) => x.contact !== id));
      if (how === 'accept') {
        await loadContact(id);
        setTab(id);
      }
    } catch (e) {
      setError(e.message);
    }
  };
  const act = async (id, how, body) => {
    setError('');
    try {
      const r = await api('POST', `/api/v1/contacts/${id}/${how}`, body);
      setNotice(how === 'callback-request' ? t('ui.desk.callback.made', queues[r.queue]?.name || r.queue) : '');
      if (how === 'transfer') drop(id);
      else await loadContact(id);
    } catch (e) {
      setError(e.message);
    }
  };

  // Keyboard: Alt+A accept, Alt+R reject, Alt+S available, Alt+P pause,
  // ? the help (not while typing in a field).
  useEffect(() => {
    const key = (e) => {
      const typing = /^(INPUT|TEXTAREA|SELECT)$/.test(document.activeElement?.tagName || '');
      if (e.key === '?' && !e.altKey && !typing) {
        e.preventDefault();
        setHelp(true);
        return;
      }
      if (!e.altKey) return;
      const k = e.key.toLowerCase();
      if (k === 'a' && offers[0]) answer(offers[0].contact, 'accept');
      else if (k === 'r' && offers[0]) answer(offers[0].contact, 'reject');
      else if (k === 's') setAgentState('available');
      else if (k === 'p' && reasons[0]) setAgentState('paused', reasons[0]);
      else if (k === 'w' && shownRef.current?.state === 'active') act(shownRef.current.id, 'complete', {});
      // the form's own submit, so that its checks (a required disposition) hold
      else if (k === 'w' && shownRef.current?.state === 'wrapup') document.querySelector('form.wrapup')?.requestSubmit();
      else return;
      e.preventDefault();
    };
    window.addEventListener('keydown', key);
    return () => window.removeEventListener('keydown', key);
  }, [offers, reasons]);

  useEffect(() => {
    document.title = offers.length && alerts.badge ? `(${offers.length}) relais` : 'relais';
  }, [offers.length, alerts.badge]);
  const changeAlerts = (a) => {
    localStorage.setItem(ALERTS_KEY, JSON.stringify(a));
    setAlerts(a);
  };

  const list = Object.values(contacts);
  const shown = contacts[tab] || list[0];
  shownRef.current = shown;
  return html`
    <div class="desk">
      <p class="live" data-live=${live ? 'yes' : 'no'}>${live ? t('ui.live.on') : t('ui.live.off')}</p>
      <div class="sr-only" aria-live="assertive" role="status">${said}</div>
      <${StateBar} state=${state} reasons=${reasons} onState=${setAgentState} error=${error} />
      <section class="offers" aria-labelledby="offers-h">
        <h2 id="offers-h">${t('ui.desk.offers')}</h2>
        ${missed && html`<p class="notice" role="status" data-k="missed">${missed}</p>`}
        ${offers.length === 0 && html`<p class="empty">${t('ui.desk.no.offer')}</p>`}
        ${offers.map((o) => html`<${Offer} key=${o.contact} offer=${o} queues=${queues} onAnswer=${answer} />`)}
      </section>
      <section class="held" aria-labelledby="held-h">
        <h2 id="held-h">${t('ui.desk.contacts')}</h2>
        ${notice && html`<p class="notice" role="status" data-k="notice">${notice}</p>`}
        ${list.length === 0 && html`<p class="empty">${t('ui.desk.no.contact')}</p>`}
        <div role="tablist" aria-label=${t('ui.desk.contacts')}>
          ${list.map((c) => html`
            <button type="button" role="tab" id=${`tab-${c.id}`} aria-selected=${shown?.id === c.id ? 'true' : 'false'}
              onClick=${() => setTab(c.id)}>
              ${queues[c.queue]?.name || c.queue} · ${t(`ui.cstate.${c.state}`)}
            </button>`)}
        </div>
        ${shown && html`<div role="tabpanel" aria-labelledby=${`tab-${shown.id}`}>
          <${ContactPane} contact=${shown} queues=${queues} onAction=${act}
            tick=${ticks[shown.id] || 0} statuses=${statuses} typing=${typings[shown.id] || 0}
            callTick=${callTicks[shown.id] || 0} me=${agentId} /></div>`}
      </section>
      <${Figures} figures=${figures} />
      <${CustomerSearch} queues=${queues} />
      <${Alerts} alerts=${alerts} onChange=${changeAlerts} />
      <p class="keys">${t('ui.desk.keys')}
        ${' '}<button type="button" class="link" onClick=${() => setHelp(true)} aria-keyshortcuts="?">
          ${t('ui.help.open')}</button></p>
      ${help && html`<${Help} onClose=${() => setHelp(false)} />`}
    </div>`;
}
