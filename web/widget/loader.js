// The web chat's loader: the one script a customer's site adds,
//   <script src="https://relais.example/widget.js?key=K" defer></script>
// relais serves this file at /widget.js after checking the key. It reads
// its own src for relais's origin and the widget's key, adds a launcher
// button at the bottom right and, on the first click, the chat frame
// (/widget/frame?key=K&lang=L, served by relais with frame-ancestors set
// to the widget's allowed origins). The conversation runs in the frame, on
// relais's origin: the host page sees none of it. The only global is
// window.relaisWidget ({open, close, toggle}); nothing is loaded from any
// origin but relais's. The launcher's two words are written here, in the
// page's language (<html lang>), because the catalogs are on relais's
// origin and the page has not loaded them; the frame reads the catalogs.
(() => {
  const me = document.currentScript;
  if (!me || window.relaisWidget) return;
  const src = new URL(me.src);
  const key = src.searchParams.get('key');
  if (!key) return;
  const origin = src.origin;
  const lang = /^fr\b/i.test(document.documentElement.lang || '') ? 'fr' : 'en';
  const WORDS = {
    en: { open: 'Chat with us', close: 'Close the chat', frame: 'Chat' },
    fr: { open: 'Discuter avec nous', close: 'Fermer la discussion', frame: 'Discussion' },
  }[lang];

  let frame = null;
  let shown = false;
  const button = document.createElement('button');
  button.type = 'button';
  button.className = 'relais-launcher';
  button.setAttribute('aria-expanded', 'false');
  button.textContent = WORDS.open;
  Object.assign(button.style, {
    position: 'fixed', right: '16px', bottom: '16px', zIndex: '2147483646',
    padding: '12px 18px', border: '0', borderRadius: '24px', cursor: 'pointer',
    background: '#1d4ed8', color: '#fff', font: '600 16px/1.2 system-ui, sans-serif',
    boxShadow: '0 2px 8px rgba(0,0,0,.3)',
  });

  // The frame, made on the first opening (a page view that never opens
  // the chat loads nothing more).
  function makeFrame() {
    frame = document.createElement('iframe');
    frame.id = 'relais-chat';
    frame.title = WORDS.frame;
    frame.src = `${origin}/widget/frame?key=${encodeURIComponent(key)}&lang=${lang}`;
    Object.assign(frame.style, {
      position: 'fixed', right: '16px', bottom: '76px', zIndex: '2147483647',
      width: 'min(380px, calc(100vw - 16px))', height: 'min(600px, calc(100vh - 92px))',
      border: '1px solid #9ca3af', borderRadius: '12px', background: '#fff',
      boxShadow: '0 4px 16px rgba(0,0,0,.25)',
    });
    if (window.innerWidth < 420) Object.assign(frame.style, { right: '8px', width: 'calc(100vw - 16px)' });
    button.setAttribute('aria-controls', frame.id);
    document.body.appendChild(frame);
  }

  function show(on) {
    if (on && !frame) makeFrame();
    shown = on;
    if (frame) frame.style.display = on ? 'block' : 'none';
    button.setAttribute('aria-expanded', String(on));
    button.textContent = on ? WORDS.close : WORDS.open;
    if (on) frame.focus();
  }

  button.addEventListener('click', () => show(!shown));
  // The frame asks to be closed (its own close button, or Escape): only
  // relais's frame is heard, and the focus comes back to the launcher.
  window.addEventListener('message', (e) => {
    if (!frame || e.origin !== origin || e.source !== frame.contentWindow) return;
    if (e.data && e.data.relais === 'close') {
      show(false);
      button.focus();
    }
  });

  const place = () => document.body.appendChild(button);
  if (document.body) place();
  else document.addEventListener('DOMContentLoaded', place);
  window.relaisWidget = { open: () => show(true), close: () => show(false), toggle: () => show(!shown) };
})();
