/** The summary table: one row per run, the texts shared with the report (src/view/format.ts). */
import type { PanelMeta, PanelRun } from '../../src/protocol/panel';
import type { AccuracyScope } from '../../src/view/format';
import { accuracyHeading, accuracyText, flagLabels, formatNumber, formatPercent, intervalText, lossText, samplesPerSecondText, seedBandCaption, seedFlagsText, statusText } from '../../src/view/format';
import { custom, el } from './dom';
import { hasSeveralSeeds } from '../../src/view/intervals';


export function renderTable(host: HTMLElement, runs: readonly PanelRun[], colorOf: (runId: string) => string, scope?: AccuracyScope): void {
  host.replaceChildren(runTable(runs, colorOf, scope));
}

function runTable(runs: readonly PanelRun[], colorOf: (runId: string) => string, scope?: AccuracyScope): HTMLElement {
  const head = ['Initializer', 'Backend', 'Held-out accuracy', 'Loss', 'Samples/s', 'Flags', 'Status'];
  const seeded = hasSeveralSeeds(runs);
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
      el('th', { attrs: { scope: 'row' } }, [
        swatch,
        el('span', { text: run.initializer }),
        ...(canonical ? [el('div', { className: 'muted small', text: canonical })] : []),
        ...(seeded ? [el('div', { className: 'muted small', text: `seed ${run.seed}` })] : []),
      ]),
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
  return table;
}

type SeedSummary = NonNullable<PanelMeta['seeds']>[number];

/**
 * Several seeds per initializer: one row per initializer with the engine's summary (mean and 95%
 * Student-t interval of the final held-out accuracy and loss over the finished seeds, and in how
 * many seeds each flag fired), the caption saying so, and every seed's run in a fold below.
 * Returns each row's text as shown (the rendered-state report).
 */
export function renderSeedTable(host: HTMLElement, summary: readonly SeedSummary[], runs: readonly PanelRun[], colorOf: (runId: string) => string, scope?: AccuracyScope): string[] {
  const seeds = Math.max(1, ...summary.map((s) => s.seeds));
  const head = ['Initializer', 'Seeds finished', `${accuracyHeading(scope)}, mean [95% CI]`, 'Loss, mean [95% CI]', 'Flags (seeds fired)'];
  const texts: string[] = [];
  const rows = summary.map((s) => {
    const first = runs.find((r) => r.initializer === s.initializer);
    const swatch = el('span', { className: 'run-swatch', attrs: { 'aria-hidden': 'true' } });
    if (first) swatch.style.backgroundColor = colorOf(first.runId);
    const cells = [`${s.finished} of ${s.seeds}`, intervalText(s.validationAccuracy, (x) => formatPercent(x)), intervalText(s.loss, (x) => formatNumber(x)), seedFlagsText(s)];
    texts.push([s.initializer, ...cells].join(' | '));
    return el('tr', { attrs: { 'data-initializer': s.initializer } }, [
      el('th', { attrs: { scope: 'row' } }, [swatch, el('span', { text: s.initializer })]),
      el('td', { className: 'num', text: cells[0] }),
      el('td', { className: 'num interval', text: cells[1] }),
      el('td', { className: 'num interval', text: cells[2] }),
      el('td', { text: cells[3] }),
    ]);
  });
  const caption = el('caption', { className: 'seed-caption', text: `Final held-out accuracy and loss: ${seedBandCaption(seeds)} (over the seeds that finished; a single finished seed shows its value alone).` });
  const table = el('table', { className: 'summary seeds' }, [caption, el('thead', {}, [el('tr', {}, head.map((h) => el('th', { text: h, attrs: { scope: 'col' } })))]), el('tbody', {}, rows)]);
  const each = el('details', { className: 'seed-runs' }, [el('summary', { text: `Each seed's run (${runs.length})` }), runTable(runs, colorOf, scope)]);
  host.replaceChildren(table, each);
  return texts;
}
