// The supervisor's wallboard (and the client's view of its own tenant):
// a tile per queue and, for staff, the agents' grid, from the stream's
// statistics pushed every second. The server scopes what each role gets.
import { html, api, t, fmtDuration, fmtNumber, fmtPercent } from './lib.js';
import { useState, useEffect } from '/vendor/hooks.mjs';
import { Stream } from './stream.js';

function Tile({ q }) {
  const target = q.sl_target != null ? q.sl_target / 100 : null;
  const under = q.service_level != null && target != null && q.service_level < target;
  return html`
    <article class=${`tile${under ? ' alert' : ''}`} aria-labelledby=${`q-${q.id}`}>
      <h3 id=${`q-${q.id}`}>${q.name} <small>${t(`ui.channel.${q.channel}`)}</small></h3>
      <dl>
        <dt>${t('ui.wall.waiting')}</dt><dd data-k="waiting">${fmtNumber(q.waiting)}</dd>
        <dt>${t('ui.wall.longest')}</dt><dd>${fmtDuration(q.longest_wait_s)}</dd>
        <dt>${t('ui.wall.ewt')}</dt><dd>${fmtDuration(q.ewt_s)}</dd>
        <dt>${t('ui.wall.sl')}</dt><dd>${fmtPercent(q.service_level)}${target != null ? ` / ${fmtPercent(target)}` : ''}</dd>
        <dt>${t('ui.wall.offered')}</dt><dd data-k="offered">${fmtNumber(q.offered)}</dd>
        <dt>${t('ui.wall.handled')}</dt><dd>${fmtNumber(q.handled)}</dd>
        <dt>${t('ui.wall.abandoned')}</dt><dd>${fmtNumber(q.abandoned)}</dd>
        ${q.agents && html`<dt>${t('ui.wall.agents')}</dt>
          <dd>${t('ui.wall.agents.line', q.agents.available, q.agents.busy, q.agents.wrapup, q.agents.paused)}</dd>`}
      </dl>
      ${under && html`<p class="alert-line" role="status">${t('ui.wall.under')}</p>`}
    </article>`;
}

function Agents({ agents, canAct, onOffline }) {
  return html`
    <table class="agents">
      <caption>${t('ui.wall.agents.h')}</caption>
      <thead><tr>
        <th scope="col">${t('ui.field.agent')}</th><th scope="col">${t('ui.field.state')}</th>
        <th scope="col">${t('ui.desk.reason')}</th><th scope="col">${t('ui.wall.time')}</th>
        <th scope="col">${t('ui.desk.contacts')}</th>${canAct && html`<th scope="col"><span class="sr-only">${t('ui.wall.actions')}</span></th>`}
      </tr></thead>
      <tbody>
        ${agents.map((a) => html`<tr data-agent=${a.id}>
          <th scope="row">${a.name}</th>
          <td data-state=${a.state}>${t(`ui.state.${a.state}`)}</td>
          <td>${a.reason ? t(`ui.reason.${a.reason}`) : ''}</td>
          <td>${fmtDuration(a.state_s)}</td>
          <td>${fmtNumber(a.contacts)}</td>
          ${canAct && html`<td>${a.state !== 'offline' && html`<button type="button"
            onClick=${() => onOffline(a.id)} aria-label=${t('ui.wall.force', a.name)}>${t('ui.wall.offline')}</button>`}</td>`}
        </tr>`)}
      </tbody>
    </table>`;
}

export function Wall({ user }) {
  const [stats, setStats] = useState(null);
  const [live, setLive] = useState(false);
  const [error, setError] = useState('');
  const staff = user.role !== 'client';

  useEffect(() => {
    api('GET', '/api/v1/stats/realtime').then(setStats).catch((e) => setError(e.message));
    const s = new Stream(['stats'], { stats: setStats, status: setLive });
    return () => s.close();
  }, []);

  const offline = async (id) => {
    setError('');
    try {
      await api('PUT', `/api/v1/agents/${id}/state`, { state: 'offline' });
    } catch (e) {
      setError(e.message);
    }
  };
  return html`
    <div class="wall">
      <h1>${staff ? t('ui.wall.title') : t('ui.client.title')}</h1>
      <p class="live" data-live=${live ? 'yes' : 'no'}>${live ? t('ui.live.on') : t('ui.live.off')}</p>
      ${error && html`<p class="error" role="alert">${error}</p>`}
      <section class="tiles" aria-label=${t('ui.wall.queues')}>
        ${(stats?.queues || []).map((q) => html`<${Tile} key=${q.id} q=${q} />`)}
      </section>
      ${staff && stats?.agents && html`<${Agents} agents=${stats.agents}
        canAct=${user.role === 'admin' || user.role === 'supervisor'} onOffline=${offline} />`}
    </div>`;
}
