// The admin page (being built in issue 11).
import { html, t } from './lib.js';

export function Admin() {
  return html`<h1>${t('ui.admin.title')}</h1>`;
}
