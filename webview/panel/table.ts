/** The summary table: one row per run, the texts shared with the report (src/view/format.ts). */
import type { PanelMeta, PanelRun } from '../../src/protocol/panel';
import type { AccuracyScope } from '../../src/view/format';
import { accuracyHeading, accuracyText, flagLabels, formatNumber, formatPercent, intervalText, lossText, samplesPerSecondText, seedBandCaption, seedFlagsText, statusText } from '../../src/view/format';
import { h } from '../shared/dom';
import { hasSeveralSeeds } from '../../src/view/intervals';


export function renderTable(host: HTMLElement, runs: readonly PanelRun[], colorOf: (runId: string) => string, scope?: AccuracyScope): void {
  host.replaceChildren(runTable(runs, colorOf, scope));
}

function runTable(runs: readonly PanelRun[], colorOf: (runId: string) => string, scope?: AccuracyScope): HTMLElement {
  const head = ['Initializer', 'Backend', 'Held-out accuracy', 'Loss', 'Samples/s', 'Flags', 'Status'];
  const seeded = hasSeveralSeeds(runs);
  const rows = runs.map((run) => {
    const swatch = h('span', { class: 'run-swatch', 'aria-hidden': 'true' });
    swatch.style.backgroundColor = colorOf(run.runId);
    const canonical = run.spec && run.layers[0] && run.layers[0].initializer !== run.initializer ? run.layers[0].initializer : undefined;
    const labels = flagLabels(run);
    const flags =
      labels.length > 0
        ? h('span', { class: 'badges' }, ...labels.map((label) => h('vscode-badge', { variant: 'default', class: `flag-kind kind-${label.split(' ')[0]}` }, label)))
        : h('span', { class: 'muted' }, run.status === 'finished' ? 'none' : '—');
    const status = statusText(run);
    return h('tr', { 'data-run': run.runId, 'data-status': run.status },
      h('th', { scope: 'row' },
        swatch,
        h('span', {}, run.initializer),
        ...(canonical ? [h('div', { class: 'muted small' }, canonical)] : []),
        ...(seeded ? [h('div', { class: 'muted small' }, `seed ${run.seed}`)] : []),
      ),
      // The engine's one line (kernels, FMA, threads) on hover: the column itself stays short.
      h('td', run.backendReason ? { title: run.backendReason } : {}, run.backend ?? '—'),
      h('td', { class: 'num' }, accuracyText(run, scope)),
      h('td', { class: 'num' }, lossText(run)),
      h('td', { class: 'num' }, samplesPerSecondText(run)),
      h('td', {}, flags),
      h('td', { class: `status status-${run.status}`, title: status }, status),
    );
  });
  const table = h('table', { class: 'summary' },
    h('thead', {},
      h(
        'tr',
        {},
        ...head.map((name, i) =>
          // Which held-out images the final accuracy is on, on a second line (the report says accuracyHeading).
          i === 2 && scope
            ? h('th', { scope: 'col', 'aria-label': accuracyHeading(scope) }, name, h('div', { class: 'muted small' }, scope.all))
            : h('th', { scope: 'col' }, name),
        ),
      ),
    ),
    h('tbody', {}, ...rows),
  );
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
    const swatch = h('span', { class: 'run-swatch', 'aria-hidden': 'true' });
    if (first) swatch.style.backgroundColor = colorOf(first.runId);
    const cells = [`${s.finished} of ${s.seeds}`, intervalText(s.validationAccuracy, (x) => formatPercent(x)), intervalText(s.loss, (x) => formatNumber(x)), seedFlagsText(s)];
    texts.push([s.initializer, ...cells].join(' | '));
    return h('tr', { 'data-initializer': s.initializer },
      h('th', { scope: 'row' }, swatch, h('span', {}, s.initializer)),
      h('td', { class: 'num' }, cells[0]),
      h('td', { class: 'num interval' }, cells[1]),
      h('td', { class: 'num interval' }, cells[2]),
      h('td', {}, cells[3]),
    );
  });
  const caption = h('caption', { class: 'seed-caption' }, `Final held-out accuracy and loss: ${seedBandCaption(seeds)} (over the seeds that finished; a single finished seed shows its value alone).`);
  const table = h('table', { class: 'summary seeds' }, caption, h('thead', {}, h('tr', {}, ...head.map((name) => h('th', { scope: 'col' }, name)))), h('tbody', {}, ...rows));
  const each = h('details', { class: 'seed-runs' }, h('summary', {}, `Each seed's run (${runs.length})`), runTable(runs, colorOf, scope));
  host.replaceChildren(table, each);
  return texts;
}
