// relais in the browser: the session, the language, and the pages of the
// user's role (the agent desktop; the supervisor's wallboard, administration,
// reports and audit trail; the client's view of its own tenant), one per
// location hash (#/wall, #/admin...) so that the back button and a bookmark
// work.
import { html, render, api, setCsrf, loadWords, browserLang, t, onSessionEnd, currentLang } from './lib.js';
import { useState, useEffect } from '/vendor/hooks.mjs';
import { Login } from './login.js';
import { Desk } from './desk.js';
import { Wall } from './wall.js';
import { Admin } from './admin.js';
import { Reports } from './reports.js';
import { Audit } from './audit.js';

// The language last picked in this browser (a user's own `lang`, set on
// its account, comes first).
const LANG_KEY = 'relais.lang';
// Set while this browser holds a session: the cookie is HttpOnly, so the
// page asks the server only when there may be one (no 401 on a first visit).
const IN_KEY = 'relais.in';

// The pages of each role, the first one its home.
const PAGES = {
  agent: ['desk'],
  supervisor: ['wall', 'reports', 'admin', 'audit'],
  admin: ['wall', 'reports', 'admin', 'audit'],
  client: ['wall', 'reports'],
};
const VIEWS = { desk: Desk, wall: Wall, admin: Admin, reports: Reports, audit: Audit };

function pagesOf(user) {
  return PAGES[user.role] || [];
}

// The page the location hash names when the user may see it, else its home.
function pageOf(user) {
  const want = location.hash.replace(/^#\/?/, '').split(/[/?]/)[0];
  const pages = pagesOf(user);
  return pages.includes(want) ? want : pages[0];
}

function Nav({ user, page }) {
  const pages = pagesOf(user);
  if (pages.length < 2) return null;
  return html`
    <nav aria-label=${t('ui.nav')}>
      <ul>
        ${pages.map((p) => html`<li><a href=${`#/${p}`} aria-current=${p === page ? 'page' : undefined}>
          ${t(user.role === 'client' && p === 'wall' ? 'ui.client.title' : `ui.nav.${p}`)}</a></li>`)}
      </ul>
    </nav>`;
}

function Header({ user, page, onLogout, onLang }) {
  const other = currentLang() === 'fr' ? 'en' : 'fr';
  return html`
    <header class="top">
      <span class="brand">relais</span>
      <${Nav} user=${user} page=${page} />
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

  useEffect(() => {
    const follow = () => redraw((n) => n + 1);
    addEventListener('hashchange', follow);
    return () => removeEventListener('hashchange', follow);
  }, []);
  useEffect(() => onSessionEnd(() => {
    localStorage.removeItem(IN_KEY);
    setSession(null);
    setNotice(t('ui.login.expired'));
  }), []);

  // The switch: kept in this browser, and on the account of a logged-in
  // user so that its other browsers speak it too.
  const changeLang = async (code) => {
    localStorage.setItem(LANG_KEY, code);
    if (session) {
      const user = await api('PUT', '/api/v1/session/lang', { lang: code }).catch(() => null);
      if (user) setSession((s) => ({ ...s, user: { ...s.user, lang: user.lang } }));
    }
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
    return html`<${Login} notice=${notice} onLang=${changeLang} onLogin=${async (s) => {
      localStorage.setItem(IN_KEY, '1');
      setCsrf(s.csrf);
      setNotice('');
      // the account's language, when it has one, wins over this browser's
      if (s.user?.lang && s.user.lang !== currentLang()) await loadWords(s.user.lang);
      setSession(s);
    }} />`;
  }
  const page = pageOf(session.user);
  if (!page) return html`<p class="error" role="alert">${t('ui.nav.none')}</p>`;
  const View = VIEWS[page];
  return html`
    <${Header} user=${session.user} page=${page} onLogout=${logout} onLang=${changeLang} />
    <main id="main" data-page=${page}>
      <${View} key=${page} user=${session.user} />
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
