// The reports page (being built in issue 11).
import { html, t } from './lib.js';

export function Reports() {
  return html`<h1>${t('ui.reports.title')}</h1>`;
}
