/** The summary table: one row per run, the texts shared with the report (src/view/format.ts). */
import type { PanelRun } from '../../src/protocol/panel';
import type { AccuracyScope } from '../../src/view/format';
import { accuracyHeading, accuracyText, flagLabels, lossText, samplesPerSecondText, statusText } from '../../src/view/format';
import { custom, el } from './dom';


export function renderTable(host: HTMLElement, runs: readonly PanelRun[], colorOf: (runId: string) => string, scope?: AccuracyScope): void {
  const head = ['Initializer', 'Backend', 'Held-out accuracy', 'Loss', 'Samples/s', 'Flags', 'Status'];
  const rows = runs.map((run) => {
    const swatch = el('span', { className: 'run-swatch', attrs: { 'aria-hidden': 'true' } });
    swatch.style.backgroundColor = colorOf(run.runId);
    const canonical = run.spec && run.layers[0] && run.layers[0].initializer !== run.initializer ? run.layers[0].initializer : undefined;
    const labels = flagLabels(run);
    const flags =
      labels.length > 0
        ? el('span', { className: 'badges' }, labels.map((label) => custom('vscode-badge', { variant: 'default', class: `flag-kind kind-${label.split(' ')[0]}` }, label)))
        : el('span', { className: 'muted', text: run.status === 'finished' ? 'none' : '—' });
    const status = statusText(run);
    return el('tr', { attrs: { 'data-run': run.runId, 'data-status': run.status } }, [
      el('th', { attrs: { scope: 'row' } }, [swatch, el('span', { text: run.initializer }), ...(canonical ? [el('div', { className: 'muted small', text: canonical })] : [])]),
      el('td', { text: run.backend ?? '—' }),
      el('td', { className: 'num', text: accuracyText(run, scope) }),
      el('td', { className: 'num', text: lossText(run) }),
      el('td', { className: 'num', text: samplesPerSecondText(run) }),
      el('td', {}, [flags]),
      el('td', { className: `status status-${run.status}`, text: status, attrs: { title: status } }),
    ]);
  });
  const table = el('table', { className: 'summary' }, [
    el('thead', {}, [
      el(
        'tr',
        {},
        head.map((h, i) =>
          // Which held-out images the final accuracy is on, on a second line (the report says accuracyHeading).
          i === 2 && scope
            ? el('th', { attrs: { scope: 'col', 'aria-label': accuracyHeading(scope) } }, [h, el('div', { className: 'muted small', text: scope.all })])
            : el('th', { text: h, attrs: { scope: 'col' } }),
        ),
      ),
    ]),
    el('tbody', {}, rows),
  ]);
  host.replaceChildren(table);
}
