// The call of a voice contact on the agent desktop: who calls, the number
// called, what the caller did in the IVR (the contact's attributes), the
// call's state as the voice channel has it now (GET
// /api/v1/contacts/{id}/call: the caller on hold, the recording running or
// paused, each leg), and its controls: hold and resume, pause and resume
// the recording (while a card number is read), transfer to a number,
// consult a colleague or a number (attended transfer). The desk tells it when to
// read the call again (`tick`: a contact.call event or one of the
// contact's own). A contact with no live call (made through the API, or
// the call is over) says so. Recordings and voicemail of a contact play
// in an <audio> player (AudioFiles).
import { html, api, t } from './lib.js';
import { useState, useEffect, useRef } from '/vendor/hooks.mjs';

// Whether the contact may have a live call: offered or in progress, and
// made by a call (the voice channel sets its number called) or a callback
// (relais dials it). Others are not asked (the API would answer 409).
const mayCall = (c) => ['offered', 'active'].includes(c.state) && Boolean(c.attributes?.number || c.callback);

// The call of a contact, read again when tick or the contact's state
// moves; null until read, {none: true} when there is no live call.
function useCall(contact, tick) {
  const [call, setCall] = useState(null);
  const { id, state } = contact;
  const load = async () => {
    if (!mayCall(contact)) {
      setCall({ none: true });
      return;
    }
    try {
      setCall(await api('GET', `/api/v1/contacts/${id}/call`));
    } catch (e) {
      setCall(e.status === 409 || e.status === 404 ? { none: true } : { none: true, error: e.message });
    }
  };
  useEffect(() => {
    load();
  }, [id, tick, state]);
  return [call, setCall];
}

// What the voice channel sets on every call, shown elsewhere in the panel.
const SHOWN = ['ivr_path', 'caller', 'number'];

// The contact's other attributes (set by the IVR flow: a menu's choice, a
// language...), as name = value.
function Attributes({ attributes }) {
  const list = Object.entries(attributes || {}).filter(([k]) => !SHOWN.includes(k));
  if (!list.length) return null;
  return html`
    <dt>${t('ui.call.attributes')}</dt>
    <dd data-k="attributes">${list.map(([k, v]) => `${k} = ${typeof v === 'object' ? JSON.stringify(v) : v}`).join(' · ')}</dd>`;
}

// Who is on the call; the desk's own agent is "you", a colleague by name
// (agents: the transfer's targets).
function Legs({ legs, me, agents }) {
  const name = (id) => (id === me ? t('ui.call.you') : agents.find((a) => a.id === id)?.name || id);
  // a supervisor's id (a user's) tells the agent nothing: not shown
  const who = (l) => (!l.agent || l.role === 'supervisor' ? '' : ` (${name(l.agent)})`);
  return html`
    <ul class="legs" aria-label=${t('ui.call.legs')}>
      ${legs.map((l) => html`<li data-role=${l.role} data-state=${l.state}>
        ${t(`ui.call.role.${l.role}`)}${who(l)} · ${t(`ui.call.leg.${l.state}`)}
        ${l.in_house ? ` · ${t('ui.call.in_house')}` : ''}</li>`)}
    </ul>`;
}

// A POST to one of the call's routes (`what`): the answer, the call as it
// is now, goes to onCall, a refusal's message to onError; busy meanwhile.
function useCallPost(contact, onCall, onError) {
  const [busy, setBusy] = useState(false);
  const post = async (what, body = {}) => {
    setBusy(true);
    onError('');
    try {
      onCall(await api('POST', `/api/v1/contacts/${contact.id}/call/${what}`, body));
    } catch (e) {
      onError(e.message);
    } finally {
      setBusy(false);
    }
  };
  return [post, busy];
}

// The buttons of a live call.
function Controls({ contact, call, onCall, onError }) {
  const [post, busy] = useCallPost(contact, onCall, onError);
  const talking = call.state === 'talking' && contact.state === 'active';
  return html`
    <div class="row call-controls">
      ${talking && (call.held
    ? html`<button type="button" class="primary" data-k="resume" disabled=${busy} onClick=${() => post('resume')}>
          ${t('ui.call.resume')}</button>`
    : html`<button type="button" data-k="hold" disabled=${busy} onClick=${() => post('hold')}>
          ${t('ui.call.hold')}</button>`)}
      ${call.recording && (call.recording_paused
    ? html`<button type="button" data-k="rec-resume" disabled=${busy}
          onClick=${() => post('recording', { paused: false })}>${t('ui.call.rec.resume')}</button>`
    : html`<button type="button" data-k="rec-pause" disabled=${busy}
          onClick=${() => post('recording', { paused: true })}>${t('ui.call.rec.pause')}</button>`)}
    </div>`;
}

const attachmentsOf = (c) => (c.timeline || []).filter((e) => e.type === 'contact.attachment');
// A recording or voicemail: audio/wav. In a contact's timeline `type` is
// the event's (contact.attachment), so the voice channel's names tell.
const isAudio = (a) => Boolean(a.name) && (a.type === 'audio/wav' || /^(recording|voicemail)-[\w-]*\.wav$/.test(a.name));

// The contact's audio files. The recording is stored as the call ends,
// just after the contact's end (on which the desk reads the contact), and
// the stream tells the agent nothing of attachments: when the call was recorded and
// is over, the contact is read again until its recording is there (20
// times at most, every half second).
function useAudio(contact, over, recorded) {
  const [files, setFiles] = useState(attachmentsOf(contact));
  useEffect(() => {
    const have = attachmentsOf(contact);
    setFiles(have);
    if (!over || !recorded || have.some(isAudio)) return undefined;
    let n = 0;
    const timer = setInterval(async () => {
      const c = await api('GET', `/api/v1/contacts/${contact.id}`).catch(() => null);
      const got = c ? attachmentsOf(c) : [];
      if (got.some(isAudio) || ++n >= 20) {
        clearInterval(timer);
        setFiles(got);
      }
    }, 500);
    return () => clearInterval(timer);
  }, [contact.id, contact.timeline?.length, over, recorded]);
  return files;
}

// Transfers of the call itself: blind to a number (through the trunk: the
// contact ends), or a consultation (attended transfer) of a colleague's
// phone or a number while the caller hears the music, then completed
// (the caller goes to them) or cancelled (back to the caller). A transfer
// to a queue or an agent is the desktop's usual one.
function CallTransfer({ contact, call, agents, onCall, onError }) {
  const [number, setNumber] = useState('');
  const [who, setWho] = useState('');
  const [post, busy] = useCallPost(contact, onCall, onError);
  const id = contact.id;
  const consulting = (call.legs || []).some((l) => l.role === 'consult');
  if (consulting) {
    return html`
      <div class="row call-consult">
        <strong data-k="consulting">${t('ui.call.consulting')}</strong>
        <button type="button" class="primary" data-k="consult-complete" disabled=${busy}
          onClick=${() => post('consult/complete')}>${t('ui.call.consult.complete')}</button>
        <button type="button" data-k="consult-cancel" disabled=${busy}
          onClick=${() => post('consult/cancel')}>${t('ui.call.consult.cancel')}</button>
      </div>`;
  }
  const target = who ? { agent: who } : { number: number.trim() };
  return html`
    <div class="row call-transfer">
      <label for=${`tn-${id}`}>${t('ui.call.to_number')}</label>
      <input id=${`tn-${id}`} type="tel" maxlength="32" value=${number} onInput=${(e) => setNumber(e.target.value)} />
      <button type="button" data-k="transfer-number" disabled=${busy || !number.trim()}
        onClick=${() => post('transfer', { number: number.trim() })}>${t('ui.call.transfer_number')}</button>
      <label for=${`ca-${id}`}>${t('ui.call.consult.who')}</label>
      <select id=${`ca-${id}`} value=${who} onChange=${(e) => setWho(e.target.value)}>
        <option value="">${t('ui.call.consult.the_number')}</option>
        ${agents.map((a) => html`<option value=${a.id}>${a.name}</option>`)}
      </select>
      <button type="button" data-k="consult" disabled=${busy || (!who && !number.trim())}
        onClick=${() => post('consult', target)}>${t('ui.call.consult')}</button>
    </div>`;
}

export function CallPanel({ contact, tick, me }) {
  const [call, setCall] = useCall(contact, tick);
  const [error, setError] = useState('');
  const recorded = useRef(false); // the call was recorded while it lasted
  if (call?.recording) recorded.current = true;
  const files = useAudio(contact, Boolean(call?.none), recorded.current);
  const [agents, setAgents] = useState([]); // the colleagues, for their names and a consultation
  useEffect(() => {
    if (mayCall(contact)) {
      api('GET', `/api/v1/contacts/${contact.id}/transfer-targets`).then((r) => setAgents(r.agents)).catch(() => {});
    }
  }, [contact.id]);
  if (!call) return null;
  const id = contact.id;
  const path = contact.attributes?.ivr_path;
  return html`
    <section class="call" aria-labelledby=${`call-${id}`} data-call=${call.none ? 'none' : call.state}>
      <h4 id=${`call-${id}`}>${t('ui.call.title')}</h4>
      ${call.none && html`<p class="empty" data-k="no-call">${t('ui.call.none')}</p>`}
      ${!call.none && html`
        <dl>
          <dt>${t('ui.call.caller')}</dt><dd data-k="caller">${call.caller || t('ui.desk.unknown')}</dd>
          <dt>${t('ui.call.number')}</dt><dd data-k="number">${call.number}</dd>
          <dt>${t('ui.field.state')}</dt><dd data-k="call-state">${t(`ui.call.state.${call.state}`)}</dd>
          ${Array.isArray(path) && path.length > 0 && html`<dt>${t('ui.call.path')}</dt>
            <dd data-k="path">${path.join(' → ')}</dd>`}
          <${Attributes} attributes=${contact.attributes} />
        </dl>
        <p class="badges" role="status">
          ${call.held && html`<strong class="badge held" data-k="held">${t('ui.call.held')}</strong>`}
          ${call.recording && html` <span class="badge rec" data-k="rec"
            data-paused=${call.recording_paused ? 'yes' : 'no'}>${t(call.recording_paused
    ? 'ui.call.rec.paused' : 'ui.call.rec.on')}</span>`}
        </p>
        <${Legs} legs=${call.legs || []} me=${me} agents=${agents} />
        <${Controls} contact=${contact} call=${call} onCall=${setCall} onError=${setError} />
        ${call.state === 'talking' && contact.state === 'active' && html`<${CallTransfer} contact=${contact} call=${call}
          agents=${agents} onCall=${setCall} onError=${setError} />`}`}
      ${(error || call.error) && html`<p class="error" role="alert">${error || call.error}</p>`}
      <${AudioFiles} files=${files} />
    </section>`;
}

// The recordings and voicemail of a contact (its audio/wav attachments),
// each in a player. The file comes from GET /api/v1/attachments/{id} with
// the session's cookie (the API says who may read it); nothing is read
// before the person plays it.
export function AudioFiles({ files }) {
  const audio = (files || []).filter(isAudio);
  if (!audio.length) return null;
  return html`
    <ul class="recordings">
      ${audio.map((a) => html`<li data-attachment=${a.attachment || a.id}>
        <span id=${`au-${a.attachment || a.id}`}>${t(a.name.startsWith('voicemail-') ? 'ui.call.voicemail' : 'ui.call.recording')}
          ${' '}(${a.name})</span>
        <audio controls preload="none" src=${`/api/v1/attachments/${a.attachment || a.id}`}
          aria-labelledby=${`au-${a.attachment || a.id}`}></audio></li>`)}
    </ul>`;
}
