// The wallboard's calls of one agent (in its dialog): the voice contacts
// it handles now, and for supervisors and admins the supervision of each
// from their own phone: listen (neither party hears them), whisper (the
// agent hears them, the caller does not), barge in (both hear them) or
// leave (POST /api/v1/contacts/{id}/call/supervise {"mode"}; the server
// rings the supervisor's registered phone and audits it). A refusal (no
// phone registered, the call is over) is said in the dialog.
import { html, api, t, fmtTime } from './lib.js';
import { useState, useEffect } from '/vendor/hooks.mjs';

const MODES = ['listen', 'whisper', 'barge', 'end'];

// The agent's voice contacts in progress, read again when its count of
// contacts or its state moves.
function useCalls(agent, onError) {
  const [calls, setCalls] = useState(null);
  useEffect(() => {
    api('GET', `/api/v1/contacts?agent=${encodeURIComponent(agent.id)}&state=active&limit=50`)
      .then((r) => setCalls(r.items.filter((c) => c.channel === 'voice')))
      .catch((e) => onError(e.message));
  }, [agent.id, agent.contacts, agent.state]);
  return calls;
}

function Supervise({ contact, queue, onError, onSaid }) {
  const [mode, setMode] = useState('');
  const [busy, setBusy] = useState(false);
  const ask = async (m) => {
    setBusy(true);
    onError('');
    try {
      await api('POST', `/api/v1/contacts/${contact.id}/call/supervise`, { mode: m });
      setMode(m === 'end' ? '' : m);
      onSaid(t(`ui.wall.sup.said.${m}`, queue));
    } catch (e) {
      onError(e.message);
    } finally {
      setBusy(false);
    }
  };
  return html`
    <div class="row supervise" role="group" aria-label=${t('ui.wall.supervise', queue)}>
      ${MODES.map((m) => html`<button type="button" data-mode=${m} disabled=${busy || (m === 'end' && !mode)}
        aria-pressed=${m === 'end' ? undefined : String(mode === m)} onClick=${() => ask(m)}>
        ${t(`ui.wall.sup.${m}`)}</button>`)}
    </div>`;
}

export function AgentCalls({ agent, queues, canSupervise, onError, onSaid }) {
  const calls = useCalls(agent, onError);
  if (!calls) return null;
  const name = (id) => queues.find((q) => q.id === id)?.name || id;
  return html`
    <section class="calls" aria-labelledby="agent-calls-h">
      <h3 id="agent-calls-h">${t('ui.wall.calls.h')}</h3>
      ${calls.length === 0 && html`<p class="empty" data-k="no-calls">${t('ui.wall.calls.none')}</p>`}
      <ul>
        ${calls.map((c) => html`<li data-contact=${c.id}>
          <p>${t('ui.wall.calls.line', name(c.queue), fmtTime(c.created_at))}</p>
          ${canSupervise && html`<${Supervise} contact=${c} queue=${name(c.queue)} onError=${onError} onSaid=${onSaid} />`}
        </li>`)}
      </ul>
    </section>`;
}
