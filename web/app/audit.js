// The audit page (being built in issue 11).
import { html, t } from './lib.js';

export function Audit() {
  return html`<h1>${t('ui.audit.title')}</h1>`;
}
