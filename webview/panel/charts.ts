/**
 * Draws the Compare panel's charts: the step slider, the four line charts from the series
 * (series.ts), the seeds' caption, and the heatmap of the chosen run with its select.
 */
import type { PanelRun } from '../../src/protocol/panel';
import type { AccuracyScope } from '../../src/view/format';
import { h } from '../shared/dom';
import { heatmapGrid, recordedSteps } from './chartData';
import type { View } from './layout';
import { chartSeries } from './series';
import type { PanelState } from './state';

export interface ChartsDrawn {
  /** Points drawn over all charts (the heatmap's cells included). */
  points: number;
  /** Several seeds: x positions with a drawn interval band. */
  bandPoints: number;
}

export function renderCharts(view: View, runs: readonly PanelRun[], state: PanelState, colorOf: (runId: string) => string, muted: string, scope: AccuracyScope): ChartsDrawn {
  const steps = recordedSteps(runs);
  const max = Math.max(0, steps.length - 1);
  if (state.followLatest) state.stepIndex = max;
  state.stepIndex = Math.min(state.stepIndex, max);
  view.stepSlider.max = String(max);
  view.stepSlider.value = String(state.stepIndex);
  view.stepSlider.disabled = steps.length <= 1;
  const step = steps[state.stepIndex] ?? 0;
  view.stepLabel.value = steps.length === 0 ? 'no steps yet' : `step ${step}${state.stepIndex === 0 ? ' (initialization)' : ''}`;

  const series = chartSeries({ runs, step, measure: state.measure, colorOf, muted, scope });
  view.activation.options.yLabel = series.activationYLabel;
  view.activation.update(series.activation);
  view.grad.update(series.grad);
  view.loss.update(series.loss);
  view.accuracy.update(series.accuracy);
  view.seedNote.hidden = series.seeds < 2;
  view.seedNote.textContent = series.seedNote;

  // Heatmap: the chosen run (default: the first), with the select listing every run.
  const options = runs.map((r) => r.runId).join('|');
  if (view.runSelect.dataset.options !== options) {
    view.runSelect.dataset.options = options;
    view.runSelect.replaceChildren(...runs.map((r) => h('vscode-option', { value: r.runId, selected: r.runId === state.selectedRun }, runLabel(r, series.seeds))));
  }
  const selected = selectedRun(runs, state);
  view.heatmapTitle.textContent = 'Activation variance, layer × step';
  view.heatmap.update(selected ? heatmapGrid(selected) : undefined, `Activation variance, layer × step: ${selected ? runLabel(selected, series.seeds) : ''}`);

  return { points: series.points + view.heatmap.pointCount(), bandPoints: series.bandPoints };
}

/** The run the heatmap shows: the chosen one, else the first. */
export function selectedRun(runs: readonly PanelRun[], state: PanelState): PanelRun | undefined {
  return runs.find((r) => r.runId === state.selectedRun) ?? runs[0];
}

/** A run's name where runs, not initializers, are listed (the heatmap): with several seeds, which seed. */
function runLabel(run: PanelRun, seeds: number): string {
  return seeds > 1 && run.seed !== undefined ? `${run.initializer} · seed ${run.seed}` : run.initializer;
}
