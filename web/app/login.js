// The login page: a labelled form, the API's refusal shown as it says it,
// a 429 with its wait, a notice when the session expired.
import { html, api, t, currentLang } from './lib.js';
import { useState, useEffect } from '/vendor/hooks.mjs';

export function Login({ notice, onLogin, onLang }) {
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const [demo, setDemo] = useState(false);
  const other = currentLang() === 'fr' ? 'en' : 'fr';

  // The demo centre (relais serve --demo) links to its clients' websites
  // and their web chat.
  useEffect(() => {
    fetch('/healthz').then((r) => r.json()).then((h) => setDemo(Boolean(h.demo)), () => {});
  }, []);

  const submit = async (e) => {
    e.preventDefault();
    setBusy(true);
    setError('');
    try {
      const s = await api('POST', '/api/v1/session', { username, password });
      onLogin(s);
    } catch (err) {
      setError(err.status === 429 && err.retryAfter
        ? t('ui.login.wait', err.retryAfter) : err.message);
    } finally {
      setBusy(false);
    }
  };
  return html`
    <main id="main" class="login" data-page="login">
      <h1>relais</h1>
      <p class="lead">${t('ui.login.lead')}</p>
      ${notice && html`<p class="notice" role="status">${notice}</p>`}
      <form onSubmit=${submit} aria-describedby="login-error">
        <label for="username">${t('ui.login.username')}</label>
        <input id="username" name="username" autocomplete="username" required
          value=${username} onInput=${(e) => setUsername(e.target.value)} />
        <label for="password">${t('ui.login.password')}</label>
        <input id="password" name="password" type="password" autocomplete="current-password" required
          value=${password} onInput=${(e) => setPassword(e.target.value)} />
        <button type="submit" disabled=${busy}>${t('ui.login.submit')}</button>
        <p id="login-error" class="error" role="alert">${error}</p>
      </form>
      ${demo && html`<p class="demo-sites"><a href="/demo/">${t('ui.login.demo')}</a></p>`}
      <button type="button" class="link" onClick=${() => onLang(other)} lang=${other}>
        ${t(`ui.lang.switch.${other}`)}
      </button>
    </main>`;
}
