// relais in the browser: the session, the language, and the page of the
// user's role: the agent desktop, the supervisor's wallboard, the client's
// view of its own tenant.
import { html, render, api, setCsrf, loadWords, browserLang, t, onSessionEnd, currentLang } from './lib.js';
import { useState, useEffect } from '/vendor/hooks.mjs';
import { Login } from './login.js';
import { Desk } from './desk.js';
import { Wall } from './wall.js';

// The language last picked in this browser (a user's own `lang`, set on
// its account, comes first).
const LANG_KEY = 'relais.lang';
// Set while this browser holds a session: the cookie is HttpOnly, so the
// page asks the server only when there may be one (no 401 on a first visit).
const IN_KEY = 'relais.in';

function pageOf(user) {
  if (user.role === 'agent') return 'desk';
  return 'wall';
}

function Header({ user, onLogout, onLang }) {
  const other = currentLang() === 'fr' ? 'en' : 'fr';
  return html`
    <header class="top">
      <span class="brand">relais</span>
      <span class="who">${user.username} · ${t(`ui.role.${user.role}`)}</span>
      <button type="button" class="link" onClick=${() => onLang(other)} lang=${other}>
        ${t(`ui.lang.switch.${other}`)}
      </button>
      <button type="button" onClick=${onLogout}>${t('ui.logout')}</button>
    </header>`;
}

function App({ initial }) {
  const [session, setSession] = useState(initial.session);
  const [notice, setNotice] = useState(initial.notice);
  const [, redraw] = useState(0);

  useEffect(() => onSessionEnd(() => {
    localStorage.removeItem(IN_KEY);
    setSession(null);
    setNotice(t('ui.login.expired'));
  }), []);

  const changeLang = async (code) => {
    localStorage.setItem(LANG_KEY, code);
    await loadWords(code);
    redraw((n) => n + 1);
  };
  const logout = async () => {
    await api('DELETE', '/api/v1/session').catch(() => {});
    localStorage.removeItem(IN_KEY);
    setSession(null);
    setNotice(t('ui.login.bye'));
  };

  if (!session) {
    return html`<${Login} notice=${notice} onLang=${changeLang} onLogin=${(s) => {
      localStorage.setItem(IN_KEY, '1');
      setCsrf(s.csrf);
      setNotice('');
      setSession(s);
    }} />`;
  }
  const page = pageOf(session.user);
  return html`
    <${Header} user=${session.user} onLogout=${logout} onLang=${changeLang} />
    <main id="main" data-page=${page}>
      ${page === 'desk' ? html`<${Desk} user=${session.user} />` : html`<${Wall} user=${session.user} />`}
    </main>`;
}

async function start() {
  let session = null;
  let notice = '';
  if (localStorage.getItem(IN_KEY)) {
    try {
      session = await api('GET', '/api/v1/session');
      setCsrf(session.csrf);
    } catch (e) {
      localStorage.removeItem(IN_KEY);
      notice = 'ui.login.expired';
    }
  }
  const code = session?.user?.lang || localStorage.getItem(LANG_KEY) || browserLang();
  await loadWords(code);
  document.title = 'relais';
  render(html`<${App} initial=${{ session, notice: notice && t(notice) }} />`, document.getElementById('app'));
}

start();
