/**
 * The Compare panel's page: the elements it is built of (header, toolbar, summary, the chart
 * cards with their controls, flags), made once when the first comparison arrives, and the empty
 * page before any. What they show is filled in by header.ts, charts.ts, table.ts and flags.ts.
 */
import type { ChartId, PanelAction } from '../../src/protocol/panel';
import { h } from '../shared/dom';
import type { ThemeColors } from '../shared/theme';
import { Heatmap } from './heatmap';
import { LineChart } from './lineChart';
import type { LayerMeasure } from './state';

export interface View {
  title: HTMLElement;
  /** A model as written (layer graph runs): its layers and shapes as built. */
  network: HTMLElement;
  subtitle: HTMLElement;
  running: HTMLElement;
  stop: HTMLElement;
  skipped: HTMLElement;
  summary: HTMLElement;
  /** Several seeds: what each line and band is, above the charts. */
  seedNote: HTMLElement;
  stepSlider: HTMLInputElement;
  stepLabel: HTMLOutputElement;
  measureSelect: HTMLElement;
  runSelect: HTMLElement;
  heatmapTitle: HTMLElement;
  accuracyTitle: HTMLElement;
  flags: HTMLElement;
  activation: LineChart;
  grad: LineChart;
  loss: LineChart;
  accuracy: LineChart;
  heatmap: Heatmap;
}

/** What the page's controls do: each reaches the app, which owns the state. */
export interface ViewHandlers {
  act(action: PanelAction): void;
  savePng(id: ChartId): void;
  /** The step slider moved to `index` of `max`. */
  step(index: number, max: number): void;
  measure(measure: LayerMeasure): void;
  selectRun(runId: string): void;
}

function button(label: string, icon: string, onClick: () => void, secondary = true): HTMLElement {
  const b = h('vscode-button', { icon, secondary }, label);
  b.addEventListener('click', onClick);
  return b;
}

function card(title: string, id: ChartId, onSave: () => void, extra: HTMLElement[] = []): { card: HTMLElement; body: HTMLElement; heading: HTMLElement } {
  const heading = h('h3', { id: `${id}-title` }, title);
  const save = h('vscode-button', { icon: 'desktop-download', secondary: true, title: `Save “${title}” as PNG`, 'aria-label': `Save ${title} as PNG` }, 'PNG');
  save.addEventListener('click', onSave);
  const tools = h('div', { class: 'card-tools' }, ...extra, save);
  const body = h('div', { class: 'card-body' });
  return { card: h('section', { class: 'card', 'aria-labelledby': `${id}-title`, 'data-chart': id }, h('div', { class: 'card-head' }, heading, tools), body), body, heading };
}

/** Builds the page into `root` (replacing what was there). */
export function buildView(root: HTMLElement, theme: ThemeColors, on: ViewHandlers): View {
  const title = h('h1', { class: 'title' });
  const network = h('p', { class: 'network', 'aria-label': 'Network as built' });
  const subtitle = h('p', { class: 'subtitle muted' });
  const running = h('span', { class: 'running', role: 'status' }, h('vscode-progress-ring', { class: 'ring' }), h('span', {}, 'Running'));
  const stop = button('Stop', 'debug-stop', () => on.act('stop'), false);
  const toolbar = h(
    'div',
    { class: 'toolbar', role: 'toolbar', 'aria-label': 'Comparison actions' },
    stop,
    button('New comparison', 'add', () => on.act('compare')),
    button('Export JSON', 'json', () => on.act('exportJson')),
    button('Export CSV', 'table', () => on.act('exportCsv')),
    button('Chart PNGs', 'file-media', () => on.act('exportPng')),
    button('Save report', 'markdown', () => on.act('saveReport')),
  );
  const skipped = h('section', { class: 'skipped', 'aria-label': 'Notes on this probe' });
  const summary = h('div', { class: 'table-host' });
  const seedNote = h('p', { class: 'seed-note muted', id: 'seed-note' });
  seedNote.hidden = true;

  const stepSlider = h('input', { class: 'step-slider', type: 'range', min: '0', max: '0', value: '0', id: 'step-slider', 'aria-label': 'Recorded step shown in the per-layer charts' });
  const stepLabel = h('output', { class: 'step-label', for: 'step-slider' });
  stepSlider.addEventListener('input', () => on.step(Number(stepSlider.value), Number(stepSlider.max)));
  const measureSelect = h('vscode-single-select', { 'aria-label': 'Measured quantity', class: 'measure-select' });
  measureSelect.append(h('vscode-option', { value: 'activationVariance', selected: true }, 'Var[a]'), h('vscode-option', { value: 'activationSecondMoment' }, 'E[a²]'));
  measureSelect.addEventListener('change', () => {
    const value = (measureSelect as unknown as { value: string }).value;
    on.measure(value === 'activationSecondMoment' ? 'activationSecondMoment' : 'activationVariance');
  });
  const runSelect = h('vscode-single-select', { 'aria-label': 'Initializer shown in the heatmap', class: 'run-select' });
  runSelect.addEventListener('change', () => on.selectRun((runSelect as unknown as { value: string }).value));

  const act = card('Activations per layer', 'activationVariance', () => on.savePng('activationVariance'), [measureSelect]);
  const grad = card('Gradient norm per layer', 'gradNorm', () => on.savePng('gradNorm'));
  const loss = card('Training loss', 'loss', () => on.savePng('loss'));
  const acc = card('Held-out accuracy', 'accuracy', () => on.savePng('accuracy'));
  const heat = card('Activation variance, layer × step', 'heatmap', () => on.savePng('heatmap'), [runSelect]);

  const view: View = {
    title,
    network,
    subtitle,
    running,
    stop,
    skipped,
    summary,
    seedNote,
    stepSlider,
    stepLabel,
    measureSelect,
    runSelect,
    heatmapTitle: heat.heading,
    accuracyTitle: acc.heading,
    flags: h('div', { class: 'flags-host' }),
    activation: new LineChart({ id: 'activationVariance', title: 'Activation variance per layer', xLabel: 'layer', yLabel: 'variance (log)', log: true, points: true }, act.body, theme),
    grad: new LineChart({ id: 'gradNorm', title: 'Gradient norm per layer', xLabel: 'layer', yLabel: '‖∂L/∂W‖ (log)', log: true, points: true }, grad.body, theme),
    loss: new LineChart({ id: 'loss', title: 'Training loss', xLabel: 'step', yLabel: 'cross-entropy', log: false }, loss.body, theme),
    accuracy: new LineChart({ id: 'accuracy', title: 'Held-out accuracy', xLabel: 'step', yLabel: 'accuracy', log: false, percent: true }, acc.body, theme),
    heatmap: new Heatmap(heat.body, theme),
  };
  const stepRow = h('div', { class: 'step-row' }, h('label', { for: 'step-slider' }, 'Per-layer charts at'), stepSlider, stepLabel);
  root.replaceChildren(
    h('header', { class: 'top' }, h('div', { class: 'title-row' }, title, running), network, subtitle, toolbar),
    skipped,
    h('section', { class: 'section', 'aria-labelledby': 'summary-title' }, h('h2', { id: 'summary-title' }, 'Summary'), summary),
    h(
      'section',
      { class: 'section', 'aria-labelledby': 'charts-title' },
      h('h2', { id: 'charts-title' }, 'Charts'),
      seedNote,
      stepRow,
      h('div', { class: 'grid' }, act.card, grad.card, loss.card, acc.card, heat.card),
    ),
    h('section', { class: 'section', 'aria-labelledby': 'flags-title' }, h('h2', { id: 'flags-title' }, 'Flags and notes'), view.flags),
  );
  root.removeAttribute('aria-busy');
  return view;
}

/** Every chart of the page, for what is done to all of them (theme, teardown). */
export function chartsOf(view: View): (LineChart | Heatmap)[] {
  return [view.activation, view.grad, view.loss, view.accuracy, view.heatmap];
}

/** The page before any comparison: what the panel is for, and a button to start one. */
export function renderEmpty(root: HTMLElement, onCompare: () => void): void {
  const start = h('vscode-button', { icon: 'graph' }, 'Compare Initializers');
  start.addEventListener('click', onCompare);
  root.replaceChildren(
    h(
      'div',
      { class: 'empty' },
      h('h1', { class: 'title' }, 'No comparison yet'),
      h('p', { class: 'muted' }, 'Train short probes of a network with several initializers and watch every layer: activation variance, gradient norms, dead and saturated units, with notes on what goes wrong.'),
      start,
    ),
  );
  root.removeAttribute('aria-busy');
}
