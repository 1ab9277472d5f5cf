// The wallboard's dialog for one agent: set its state (available, paused
// with one of its tenants' reasons, offline; the server audits it) and ask
// "why not" for a contact waiting in a queue; its calls, supervised
// from here (wall-call.js).
import { html, api, t, fmtTime } from './lib.js';
import { useState, useEffect, useRef } from '/vendor/hooks.mjs';
import { AgentCalls } from './wall-call.js';

// The server's default when a tenant names none (config_pause_reasons).
const DEFAULT_REASONS = ['break', 'lunch', 'training', 'coaching', 'meeting', 'technical', 'other'];

// A reason's words, or the tenant's own code when the catalogs lack it.
export function reasonLabel(r) {
  const id = `ui.reason.${r}`;
  const s = t(id);
  return s === id ? r : s;
}

function reasonsOf(agent, byTenant) {
  const set = new Set();
  for (const id of agent.tenants || []) for (const r of byTenant.get(id) || []) set.add(r);
  return set.size ? [...set] : DEFAULT_REASONS;
}

function StateForm({ agent, reasons, onSaid, onError }) {
  const [reason, setReason] = useState(reasons[0]);
  const [busy, setBusy] = useState(false);
  const put = async (state) => {
    setBusy(true);
    onError('');
    try {
      const r = await api('PUT', `/api/v1/agents/${agent.id}/state`,
        state === 'paused' ? { state, reason } : { state });
      onSaid(t('ui.wall.done', agent.name, t(`ui.state.${r.state}`)));
    } catch (e) {
      onError(e.message);
    } finally {
      setBusy(false);
    }
  };
  return html`
    <fieldset class="set-state">
      <legend>${t('ui.wall.set')}</legend>
      <p>${t('ui.field.state')}: <strong data-k="state">${t(`ui.state.${agent.state}`)}</strong>
        ${agent.reason ? ` · ${reasonLabel(agent.reason)}` : ''}</p>
      <button type="button" disabled=${busy} onClick=${() => put('available')}>${t('ui.wall.available')}</button>
      <span class="field">
        <label for="wall-reason">${t('ui.wall.reason')}</label>
        <select id="wall-reason" value=${reason} onChange=${(e) => setReason(e.target.value)}>
          ${reasons.map((r) => html`<option value=${r} selected=${r === reason}>${reasonLabel(r)}</option>`)}
        </select>
      </span>
      <button type="button" disabled=${busy} onClick=${() => put('paused')}>${t('ui.wall.pause')}</button>
      <button type="button" disabled=${busy} onClick=${() => put('offline')}>${t('ui.wall.offline')}</button>
    </fieldset>`;
}

// Pick a queue, then one of its waiting contacts; the server explains.
function WhyNot({ agent, queues, onError }) {
  const mine = queues.filter((q) => agent.tenants?.includes(q.tenant) && agent.channels?.includes(q.channel));
  const [queue, setQueue] = useState((mine[0] || queues[0])?.id || '');
  const [waiting, setWaiting] = useState(null);
  const [contact, setContact] = useState('');
  const [answer, setAnswer] = useState(null);

  useEffect(() => {
    setWaiting(null);
    setAnswer(null);
    if (!queue) return;
    api('GET', `/api/v1/contacts?state=queued&queue=${encodeURIComponent(queue)}&limit=50`)
      .then((r) => {
        // oldest first: the one that waits longest is the likely question
        const items = [...r.items].sort((a, b) => a.created_at.localeCompare(b.created_at));
        setWaiting(items);
        setContact(items[0]?.id || '');
      })
      .catch((e) => onError(e.message));
  }, [queue]);

  const ask = async (e) => {
    e.preventDefault();
    onError('');
    try {
      setAnswer(await api('GET', `/api/v1/agents/${agent.id}/why?contact=${encodeURIComponent(contact)}`));
    } catch (err) {
      onError(err.message);
    }
  };
  return html`
    <form class="why" onSubmit=${ask}>
      <fieldset>
        <legend>${t('ui.wall.why.h')}</legend>
        <span class="field">
          <label for="why-queue">${t('ui.field.queue')}</label>
          <select id="why-queue" value=${queue} onChange=${(e) => setQueue(e.target.value)}>
            ${queues.map((q) => html`<option value=${q.id} selected=${q.id === queue}>${q.name}</option>`)}
          </select>
        </span>
        ${waiting && waiting.length === 0 && html`<p>${t('ui.wall.why.none')}</p>`}
        ${waiting && waiting.length > 0 && html`
          <span class="field">
            <label for="why-contact">${t('ui.wall.why.contact')}</label>
            <select id="why-contact" value=${contact} onChange=${(e) => setContact(e.target.value)}>
              ${waiting.map((c) => html`<option value=${c.id} selected=${c.id === contact}>
                ${t('ui.wall.why.waited', c.id.slice(-8), fmtTime(c.created_at))}</option>`)}
            </select>
          </span>
          <button type="submit">${t('ui.wall.why.ask')}</button>`}
        <div class="answer" role="status">
          ${answer && html`<p data-why=${answer.why}><strong>${t(`ui.why.${answer.why}`)}</strong></p>
            <p lang="en" class="detail">${answer.text}</p>`}
        </div>
      </fieldset>
    </form>`;
}

export function AgentDialog({ agent, queues, reasons, onClose, onSaid }) {
  const box = useRef(null);
  const [error, setError] = useState('');
  // the native modal dialog: focus kept inside, Escape closes, focus returns
  useEffect(() => {
    const d = box.current;
    const before = document.activeElement;
    d.showModal();
    const closed = () => onClose();
    d.addEventListener('close', closed);
    return () => {
      d.removeEventListener('close', closed);
      if (d.open) d.close();
      before?.focus?.();
    };
  }, [agent.id]);
  return html`
    <dialog class="agent-dialog" ref=${box} aria-labelledby="agent-h">
      <h2 id="agent-h">${agent.name}</h2>
      ${error && html`<p class="error" role="alert">${error}</p>`}
      <${StateForm} agent=${agent} reasons=${reasonsOf(agent, reasons)} onSaid=${onSaid} onError=${setError} />
      <${AgentCalls} agent=${agent} queues=${queues} canSupervise=${true} onError=${setError} onSaid=${onSaid} />
      <${WhyNot} agent=${agent} queues=${queues} onError=${setError} />
      <button type="button" class="close" onClick=${() => box.current.close()}>${t('ui.wall.close')}</button>
    </dialog>`;
}
