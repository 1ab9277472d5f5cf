// The chat frame's side of the public API: the visitor's calls (the
// widget's key before the conversation, the visitor token after), file
// uploads with their progress, downloads through the token, and the
// conversation kept in this tab's sessionStorage so that a reload resumes
// it. Nothing here touches the page.
import { ApiError } from '/app/lib.js';

let lang = 'en';
export function setVisitorLang(code) {
  lang = code;
}

const WIDGET = '/api/v1/widget';

// One call; the JSON answer (null for a 204) or an ApiError in the
// visitor's language.
async function call(method, path, { token, body } = {}) {
  const headers = { Accept: 'application/json', 'Accept-Language': lang };
  if (token) headers.Authorization = `Bearer ${token}`;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const r = await fetch(path, {
    method,
    headers,
    credentials: 'omit',
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const data = r.status === 204 ? null : await r.json().catch(() => null);
  if (!r.ok) throw new ApiError(r.status, data);
  return data;
}

export const widgetInfo = (key) => call('GET', `${WIDGET}/${encodeURIComponent(key)}?lang=${lang}`);

export const startConversation = (key, body) =>
  call('POST', `${WIDGET}/${encodeURIComponent(key)}/conversations?lang=${lang}`, { body });

// The calls of one conversation, with its token.
export function conversationApi(contact, token) {
  const base = `${WIDGET}/conversations/${encodeURIComponent(contact)}`;
  const on = (method, tail, body) => call(method, `${base}${tail}`, { token, body });
  return {
    state: () => on('GET', ''),
    messages: (after) => on('GET', `/messages?after=${after}`),
    send: (text, attachments) => on('POST', '/messages', attachments.length ? { text, attachments } : { text }),
    typing: () => on('POST', '/typing'),
    end: () => on('POST', '/end', {}),
    csat: (score, comment) => on('POST', '/csat', comment ? { score, comment } : { score }),
    transcript: (email) => on('POST', '/transcript', { email }),
    upload: (file, progress) => upload(`${base}/attachments?name=${encodeURIComponent(file.name)}`, token, file, progress),
    download: (a) => download(a, token),
  };
}

// A file sent as the raw body; progress(fraction) as it goes (fetch
// cannot tell an upload's progress, XMLHttpRequest can).
function upload(url, token, file, progress) {
  return new Promise((resolve, reject) => {
    const x = new XMLHttpRequest();
    x.open('POST', url);
    x.setRequestHeader('Authorization', `Bearer ${token}`);
    x.setRequestHeader('Accept-Language', lang);
    x.setRequestHeader('Content-Type', file.type || 'application/octet-stream');
    x.upload.onprogress = (e) => e.lengthComputable && progress(e.loaded / e.total);
    x.onload = () => {
      let data = null;
      try { data = JSON.parse(x.responseText); } catch { /* not JSON */ }
      if (x.status === 201) resolve(data);
      else reject(new ApiError(x.status, data));
    };
    x.onerror = () => reject(new ApiError(0, null));
    x.send(file);
  });
}

// An attachment needs the token, which a link cannot carry: fetch it and
// hand the browser a blob URL to save.
async function download(a, token) {
  const r = await fetch(`/api/v1/attachments/${encodeURIComponent(a.id)}`, {
    headers: { Authorization: `Bearer ${token}`, 'Accept-Language': lang },
    credentials: 'omit',
  });
  if (!r.ok) throw new ApiError(r.status, await r.json().catch(() => null));
  const url = URL.createObjectURL(await r.blob());
  const link = document.createElement('a');
  link.href = url;
  link.download = a.name;
  document.body.appendChild(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60000);
}

// ---- this tab's conversation ---------------------------------------------

// { contact, token, seq (the stream's last sequence) } per widget key, in
// sessionStorage: a reload in this tab resumes, another tab starts anew.
const slot = (key) => `relais.chat.${key}`;

export function savedConversation(key) {
  try {
    return JSON.parse(sessionStorage.getItem(slot(key)) || 'null');
  } catch {
    return null;
  }
}

export function saveConversation(key, value) {
  try {
    if (value) sessionStorage.setItem(slot(key), JSON.stringify(value));
    else sessionStorage.removeItem(slot(key));
  } catch {
    /* storage refused (private mode): the chat works, a reload forgets it */
  }
}
