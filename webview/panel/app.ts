/**
 * The Compare panel in the webview: says ready, applies the host's snapshot and deltas to its
 * model, and redraws at most once per animation frame: header, summary table, charts (uPlot and
 * a canvas heatmap) and flags with their notes. Every host message is validated first.
 */
import { parseHostMessage } from '../../src/protocol/panel';
import type { ChartImage, HostMessage, PanelAction, PanelRun } from '../../src/protocol/panel';
import { describeGraph, describeNetwork } from '../../src/view/network';
import { accuracyScope, seedBandCaption } from '../../src/view/format';
import { applyDelta, applySnapshot, emptyModel } from './model';
import type { PanelModel } from './model';
import { clampForLog, countPoints, heatmapGrid, layerCount, layerValues, logFloor, overSteps, recordedSteps, seriesSlots, theoryLine } from './chartData';
import { LineChart } from './lineChart';
import type { LineSpec } from './lineChart';
import { Heatmap } from './heatmap';
import { renderSeedTable, renderTable } from './table';
import { bandOf, bandPoints, seedGroups, seedsPerInitializer } from './seedBands';
import { hasSeveralSeeds } from '../../src/view/intervals';
import type { Band, SeedGroup } from './seedBands';
import { renderFlags } from './flags';
import { custom, el } from './dom';
import { onThemeChange, readTheme } from './theme';
import type { ThemeColors } from './theme';
import { loadState, log, saveState, send } from './vscodeApi';
import type { SavedState } from './vscodeApi';

type LayerMeasure = 'activationVariance' | 'activationSecondMoment';

interface View {
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

export class PanelApp {
  private model: PanelModel = emptyModel();
  private theme: ThemeColors = readTheme();
  private view: View | undefined;
  private frame = 0;
  private state: SavedState = loadState();
  private stepIndex = 0;
  private followLatest = false;
  private measure: LayerMeasure = 'activationVariance';
  private notesShown: string[] = [];
  private flagsKey = '';
  /** Several seeds: positions with a shaded band on the charts, and the summary rows as shown. */
  private bandPoints = 0;
  private seedRows: string[] = [];

  constructor(private readonly root: HTMLElement) {
    this.stepIndex = this.state.stepIndex ?? 0;
  }

  start(): void {
    window.addEventListener('message', (event: MessageEvent<unknown>) => this.receive(event.data));
    window.addEventListener('error', (event) => log('error', `${event.message} (${event.filename}:${event.lineno})`));
    onThemeChange(() => {
      this.theme = readTheme();
      if (!this.view) return;
      for (const chart of [this.view.activation, this.view.grad, this.view.loss, this.view.accuracy]) chart.setTheme(this.theme);
      this.view.heatmap.setTheme(this.theme);
      this.flagsKey = '';
      this.schedule();
    });
    send({ type: 'ready' });
  }

  private receive(raw: unknown): void {
    const parsed = parseHostMessage(raw);
    if (!parsed.ok) {
      log('warn', `dropped a malformed host message (${parsed.error})`);
      return;
    }
    this.handle(parsed.value);
  }

  private handle(message: HostMessage): void {
    switch (message.type) {
      case 'snapshot':
        this.model = applySnapshot(message);
        this.flagsKey = '';
        this.schedule();
        break;
      case 'delta': {
        const result = applyDelta(this.model, message);
        if (!result.ok) {
          // Out of step with the host: ask for a fresh snapshot rather than draw a wrong chart.
          log('warn', `resynchronising: ${result.reason}`);
          send({ type: 'ready' });
          return;
        }
        this.schedule();
        break;
      }
      case 'captureCharts':
        this.renderNow();
        send({ type: 'charts', requestId: message.requestId, images: this.images() });
        break;
    }
  }

  private schedule(): void {
    if (this.frame) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      this.renderNow();
    });
  }

  /** Each initializer's own colour (seriesSlots), the same whichever entry point started it. */
  private colorOf = (runId: string): string => {
    const runs = this.model.runs;
    const slots = seriesSlots(runs.map((r) => r.initializer), this.theme.series.length);
    const i = runs.findIndex((r) => r.runId === runId);
    return this.theme.series[slots[Math.max(0, i)] ?? 0];
  };

  private act(action: PanelAction): void {
    send({ type: 'action', action });
  }

  private button(label: string, icon: string, action: PanelAction, secondary = true): HTMLElement {
    const b = custom('vscode-button', { icon, ...(secondary ? { secondary: '' } : {}) }, label);
    b.addEventListener('click', () => this.act(action));
    return b;
  }

  private card(title: string, id: string, extra: HTMLElement[] = [], onSave?: () => void): { card: HTMLElement; body: HTMLElement; heading: HTMLElement } {
    const heading = el('h3', { text: title, attrs: { id: `${id}-title` } });
    const tools = el('div', { className: 'card-tools' }, extra);
    if (onSave) {
      const save = custom('vscode-button', { icon: 'desktop-download', secondary: '', title: `Save “${title}” as PNG`, 'aria-label': `Save ${title} as PNG` }, 'PNG');
      save.addEventListener('click', onSave);
      tools.append(save);
    }
    const body = el('div', { className: 'card-body' });
    const card = el('section', { className: 'card', attrs: { 'aria-labelledby': `${id}-title`, 'data-chart': id } }, [el('div', { className: 'card-head' }, [heading, tools]), body]);
    return { card, body, heading };
  }

  private savePng(id: ChartImage['id']): void {
    const image = this.images().find((i) => i.id === id);
    if (!image) {
      log('info', `no data to save for ${id}`);
      return;
    }
    send({ type: 'savePng', image });
  }

  private build(): View {
    const title = el('h1', { className: 'title' });
    const network = el('p', { className: 'network', attrs: { 'aria-label': 'Network as built' } });
    const subtitle = el('p', { className: 'subtitle muted' });
    const running = el('span', { className: 'running', attrs: { role: 'status' } }, [custom('vscode-progress-ring', { class: 'ring' }), el('span', { text: 'Running' })]);
    const stop = this.button('Stop', 'debug-stop', 'stop', false);
    const toolbar = el('div', { className: 'toolbar', attrs: { role: 'toolbar', 'aria-label': 'Comparison actions' } }, [
      stop,
      this.button('New comparison', 'add', 'compare'),
      this.button('Export JSON', 'json', 'exportJson'),
      this.button('Export CSV', 'table', 'exportCsv'),
      this.button('Chart PNGs', 'file-media', 'exportPng'),
      this.button('Save report', 'markdown', 'saveReport'),
    ]);
    const skipped = el('section', { className: 'skipped', attrs: { 'aria-label': 'Notes on this probe' } });
    const summary = el('div', { className: 'table-host' });
    const seedNote = el('p', { className: 'seed-note muted', attrs: { id: 'seed-note' } });
    seedNote.hidden = true;

    const stepSlider = el('input', { className: 'step-slider', attrs: { type: 'range', min: '0', max: '0', value: '0', id: 'step-slider', 'aria-label': 'Recorded step shown in the per-layer charts' } });
    const stepLabel = el('output', { className: 'step-label', attrs: { for: 'step-slider' } });
    stepSlider.addEventListener('input', () => {
      this.stepIndex = Number(stepSlider.value);
      this.followLatest = this.stepIndex === Number(stepSlider.max) && this.stepIndex > 0;
      this.persist();
      this.renderNow();
    });
    const measureSelect = custom('vscode-single-select', { 'aria-label': 'Measured quantity', class: 'measure-select' });
    measureSelect.append(custom('vscode-option', { value: 'activationVariance', selected: '' }, 'Var[a]'), custom('vscode-option', { value: 'activationSecondMoment' }, 'E[a²]'));
    measureSelect.addEventListener('change', () => {
      const value = (measureSelect as unknown as { value: string }).value;
      this.measure = value === 'activationSecondMoment' ? 'activationSecondMoment' : 'activationVariance';
      this.renderNow();
    });
    const runSelect = custom('vscode-single-select', { 'aria-label': 'Initializer shown in the heatmap', class: 'run-select' });
    runSelect.addEventListener('change', () => {
      this.state.selectedRun = (runSelect as unknown as { value: string }).value;
      this.persist();
      this.renderNow();
    });

    const act = this.card('Activations per layer', 'activationVariance', [measureSelect], () => this.savePng('activationVariance'));
    const grad = this.card('Gradient norm per layer', 'gradNorm', [], () => this.savePng('gradNorm'));
    const loss = this.card('Training loss', 'loss', [], () => this.savePng('loss'));
    const acc = this.card('Held-out accuracy', 'accuracy', [], () => this.savePng('accuracy'));
    const heat = this.card('Activation variance, layer × step', 'heatmap', [runSelect], () => this.savePng('heatmap'));

    const theme = this.theme;
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
      flags: el('div', { className: 'flags-host' }),
      activation: new LineChart({ id: 'activationVariance', title: 'Activation variance per layer', xLabel: 'layer', yLabel: 'variance (log)', log: true, points: true }, act.body, theme),
      grad: new LineChart({ id: 'gradNorm', title: 'Gradient norm per layer', xLabel: 'layer', yLabel: '‖∂L/∂W‖ (log)', log: true, points: true }, grad.body, theme),
      loss: new LineChart({ id: 'loss', title: 'Training loss', xLabel: 'step', yLabel: 'cross-entropy', log: false }, loss.body, theme),
      accuracy: new LineChart({ id: 'accuracy', title: 'Held-out accuracy', xLabel: 'step', yLabel: 'accuracy', log: false, percent: true }, acc.body, theme),
      heatmap: new Heatmap(heat.body, theme),
    };
    const stepRow = el('div', { className: 'step-row' }, [el('label', { text: 'Per-layer charts at', attrs: { for: 'step-slider' } }), stepSlider, stepLabel]);
    this.root.replaceChildren(
      el('header', { className: 'top' }, [el('div', { className: 'title-row' }, [title, running]), network, subtitle, toolbar]),
      skipped,
      el('section', { className: 'section', attrs: { 'aria-labelledby': 'summary-title' } }, [el('h2', { text: 'Summary', attrs: { id: 'summary-title' } }), summary]),
      el('section', { className: 'section', attrs: { 'aria-labelledby': 'charts-title' } }, [
        el('h2', { text: 'Charts', attrs: { id: 'charts-title' } }),
        seedNote,
        stepRow,
        el('div', { className: 'grid' }, [act.card, grad.card, loss.card, acc.card, heat.card]),
      ]),
      el('section', { className: 'section', attrs: { 'aria-labelledby': 'flags-title' } }, [el('h2', { text: 'Flags and notes', attrs: { id: 'flags-title' } }), view.flags]),
    );
    this.root.removeAttribute('aria-busy');
    return view;
  }

  private renderEmpty(): void {
    this.view?.activation.destroy();
    this.view?.grad.destroy();
    this.view?.loss.destroy();
    this.view?.accuracy.destroy();
    this.view?.heatmap.destroy();
    this.view = undefined;
    const start = custom('vscode-button', { icon: 'graph' }, 'Compare Initializers');
    start.addEventListener('click', () => this.act('compare'));
    this.root.replaceChildren(
      el('div', { className: 'empty' }, [
        el('h1', { className: 'title', text: 'No comparison yet' }),
        el('p', { className: 'muted', text: 'Train short probes of a network with several initializers and watch every layer: activation variance, gradient norms, dead and saturated units, with notes on what goes wrong.' }),
        start,
      ]),
    );
    this.root.removeAttribute('aria-busy');
    this.report(0);
  }

  private renderNow(): void {
    if (this.frame) {
      cancelAnimationFrame(this.frame);
      this.frame = 0;
    }
    const { meta, runs } = this.model;
    if (!meta) {
      this.renderEmpty();
      return;
    }
    const view = (this.view ??= this.build());
    this.state.title = meta.title;
    this.state.skipped = meta.skipped;
    this.persist();

    view.title.textContent = meta.title;
    const c = meta.config;
    // A PyTorch model is the user's own network: the settings' hidden layers do not describe it
    // (its layers are on the charts' axes); the schedule — optimizer, batch, steps — still applies.
    const ownModel = meta.backend === 'pytorch';
    const facts = [
      c ? `${c.optimizer} lr ${c.lr}, batch ${c.batch},${ownModel ? ` ${c.steps} steps,` : ''} statistics every ${c.every} steps, seed ${c.seed}` : '',
      meta.data ? (meta.data.description ?? meta.data.source) : c ? `data: ${c.data}` : '',
      meta.backend ? `backend ${meta.backend}` : '',
    ].filter((s) => s !== '');
    // A model as written says its own layers (from the engine's started event); the dense stack its widths.
    const graphRun = runs.find((r) => r.network && r.network.length > 0);
    view.network.hidden = !graphRun;
    view.network.textContent = graphRun?.network ? describeGraph({ network: graphRun.network, layers: graphRun.layers }) : '';
    if (graphRun && c) facts.unshift(`${c.steps} steps`);
    else if (c && !ownModel && !meta.title.includes(describeNetwork(c))) facts.unshift(describeNetwork(c));
    view.subtitle.textContent = facts.join(' · ');
    view.running.hidden = !meta.running;
    view.stop.hidden = !meta.running;

    if (meta.skipped.length > 0) {
      view.skipped.hidden = false;
      view.skipped.replaceChildren(
        el('strong', { text: 'Notes on this probe:' }),
        el('ul', {}, meta.skipped.map((s) => el('li', { text: s }))),
      );
    } else {
      view.skipped.hidden = true;
    }

    const scope = accuracyScope(meta.config, meta.data);
    view.accuracyTitle.textContent = `Held-out accuracy during training (${scope.subset})`;
    this.seedRows = meta.seeds ? renderSeedTable(view.summary, meta.seeds, runs, this.colorOf, scope) : (renderTable(view.summary, runs, this.colorOf, scope), []);
    const points = this.renderCharts(view, runs);
    const flagsKey = `${runs.map((r) => `${r.runId}:${r.flags.length}:${r.status}`).join('|')}|${this.model.notes.size}`;
    if (flagsKey !== this.flagsKey) {
      this.flagsKey = flagsKey;
      this.notesShown = renderFlags(view.flags, runs, this.model.notes, this.colorOf);
    }
    this.report(points);
  }

  private renderCharts(view: View, runs: PanelRun[]): number {
    const steps = recordedSteps(runs);
    const max = Math.max(0, steps.length - 1);
    if (this.followLatest) this.stepIndex = max;
    this.stepIndex = Math.min(this.stepIndex, max);
    view.stepSlider.max = String(max);
    view.stepSlider.value = String(this.stepIndex);
    view.stepSlider.disabled = steps.length <= 1;
    const step = steps[this.stepIndex] ?? 0;
    view.stepLabel.value = steps.length === 0 ? 'no steps yet' : `step ${step}${this.stepIndex === 0 ? ' (initialization)' : ''}`;

    const layers = layerCount(runs);
    const x = Array.from({ length: layers }, (_, i) => i + 1);
    const namesFrom = runs.find((r) => r.layers.length === layers) ?? runs[0];
    const xNames = x.map((i) => namesFrom?.layers[i - 1]?.name ?? `layer ${i}`);
    const withData = runs.filter((r) => r.steps.length > 0);
    // One line per initializer: with several seeds the mean over them with its 95% band, else the run itself.
    const groups = hasSeveralSeeds(withData) ? seedGroups(withData) : withData.map((r) => ({ initializer: r.initializer, runs: [r] }));
    const seeds = seedsPerInitializer(groups);
    const bands: Band[] = [];
    const lineOf = (group: SeedGroup, series: readonly (readonly (number | null)[])[], floor?: number): LineSpec => {
      const color = this.colorOf(group.runs[0].runId);
      const band = bandOf(series);
      const clamp = (values: (number | null)[]): (number | null)[] => (floor === undefined ? values : clampForLog(values, floor));
      if (group.runs.length < 2) return { label: group.initializer, color, values: clamp(band.mean), raw: band.mean };
      bands.push(band);
      return { label: group.initializer, color, values: clamp(band.mean), raw: band.mean, band: { low: clamp(band.low), high: clamp(band.high), rawLow: band.low, rawHigh: band.high } };
    };
    const seedLegend = seeds > 1 ? [{ label: `shaded: ${seedBandCaption(seeds)}`, color: this.theme.muted }] : [];
    // Log charts cannot draw a negative end: an interval reaching ≤ 0 (wide with few seeds) runs into the "= 0" band.
    const seedLegendLog = seeds > 1 ? [{ label: `shaded: ${seedBandCaption(seeds)}; an interval reaching ≤ 0 runs into “= 0”`, color: this.theme.muted }] : [];

    // Activations from the input on: measured (solid) and, per initializer, the predicted E[a²]
    // (dashed, same colour). Position 0 is the input; only E[x²] is known there.
    const actX = [0, ...x];
    const actNames = ['input', ...xNames];
    const measured = groups.map((g) => ({
      group: g,
      series: g.runs.map((r) => [this.measure === 'activationSecondMoment' ? (r.inputSecondMoment ?? null) : null, ...layerValues(r, step, this.measure, layers)]),
    }));
    const theory = groups.map((g) => theoryLine(g.runs[0], layers));
    const floorA = logFloor([...measured.flatMap((m) => m.series), ...theory]);
    const actLines: LineSpec[] = [];
    measured.forEach((m, k) => {
      const line = lineOf(m.group, m.series, floorA);
      actLines.push(line);
      if (theory[k].some((v) => v !== null)) actLines.push({ label: `${m.group.initializer} (predicted E[a²])`, color: line.color, values: clampForLog(theory[k], floorA), raw: theory[k], dashed: true, hideInLegend: true });
    });
    const measureName = this.measure === 'activationVariance' ? 'Var[a]' : 'E[a²]';
    view.activation.options.yLabel = `measured ${measureName} (log)`;
    view.activation.update({
      x: actX,
      xNames: actNames,
      lines: actLines,
      zeroAt: floorA,
      legendExtra: [...(theory.some((t) => t.some((v) => v !== null)) ? [{ label: 'predicted E[a²] = E[x²] × Π gain (theory)', color: this.theme.muted, dashed: true }] : []), ...seedLegendLog],
    });

    const grads = groups.map((g) => g.runs.map((r) => layerValues(r, step, 'gradNorm', layers)));
    const floorG = logFloor(grads.flat());
    view.grad.update({ x, xNames, zeroAt: floorG, lines: groups.map((g, k) => lineOf(g, grads[k], floorG)), legendExtra: seedLegendLog });

    // Over steps: every run on one x axis (the union of recorded steps), then grouped.
    const byGroup = (ys: (number | null)[][]): (number | null)[][][] => {
      let at = 0;
      return groups.map((g) => ys.slice(at, (at += g.runs.length)));
    };
    const ordered = groups.flatMap((g) => g.runs);
    const loss = overSteps(ordered, 'loss');
    const lossGroups = byGroup(loss.ys);
    view.loss.update({ x: loss.x, lines: groups.map((g, k) => lineOf(g, lossGroups[k])), legendExtra: seedLegend });
    const acc = overSteps(ordered, 'validationAccuracy');
    const accGroups = byGroup(acc.ys);
    const scope = accuracyScope(this.model.meta?.config, this.model.meta?.data);
    view.accuracy.update({ x: acc.x, valueNote: scope.subset, lines: groups.map((g, k) => lineOf(g, accGroups[k])), legendExtra: seedLegend });
    this.bandPoints = bandPoints(bands);
    view.seedNote.hidden = seeds < 2;
    view.seedNote.textContent = seeds > 1 ? `Each line is one initializer: the ${seedBandCaption(seeds)}; the shaded band is that interval (seeds ${seedRange(groups)}).` : '';

    // Heatmap: the chosen run (default: the first), with the select listing every run.
    const options = runs.map((r) => r.runId).join('|');
    if (view.runSelect.dataset.options !== options) {
      view.runSelect.dataset.options = options;
      view.runSelect.replaceChildren(...runs.map((r) => custom('vscode-option', { value: r.runId, ...(r.runId === this.state.selectedRun ? { selected: '' } : {}) }, runLabel(r, seeds))));
    }
    const selected = runs.find((r) => r.runId === this.state.selectedRun) ?? runs[0];
    const heatTitle = `Activation variance, layer × step: ${selected ? runLabel(selected, seeds) : ''}`;
    view.heatmapTitle.textContent = 'Activation variance, layer × step';
    view.heatmap.update(selected ? heatmapGrid(selected) : undefined, heatTitle);

    return countPoints([...measured.flatMap((m) => m.series), ...grads.flat(), ...loss.ys, ...acc.ys]) + view.heatmap.pointCount();
  }

  private images(): ChartImage[] {
    const view = this.view;
    if (!view) return [];
    const step = view.stepLabel.value;
    const out: ChartImage[] = [];
    const add = (id: ChartImage['id'], title: string, dataUrl: string | undefined): void => {
      if (dataUrl && /^data:image\/png;base64,/.test(dataUrl)) out.push({ id, title: title.slice(0, 200), dataUrl });
    };
    const measureName = this.measure === 'activationVariance' ? 'Activation variance' : 'Activation E[a²]';
    const actTitle = `${measureName} per layer at ${step}`;
    view.activation.options.title = actTitle;
    add('activationVariance', actTitle, view.activation.image());
    view.grad.options.title = `Gradient norm per layer at ${step}`;
    add('gradNorm', view.grad.options.title, view.grad.image());
    add('loss', 'Training loss', view.loss.image());
    add('accuracy', 'Held-out accuracy', view.accuracy.image());
    const selected = this.model.runs.find((r) => r.runId === this.state.selectedRun) ?? this.model.runs[0];
    add('heatmap', `Activation variance, layer × step: ${selected?.initializer ?? ''}`, view.heatmap.image());
    return out;
  }

  private persist(): void {
    this.state.stepIndex = this.stepIndex;
    saveState(this.state);
  }

  private report(points: number): void {
    send({
      type: 'rendered',
      state: {
        seq: this.model.seq,
        runs: this.model.runs.map((r) => ({ runId: r.runId, initializer: r.initializer, status: r.status, steps: r.steps.length, flags: r.flags.map((f) => f.kind) })),
        notesShown: this.view ? this.notesShown : [],
        points,
        theme: this.theme.kind,
        ...(this.view && this.model.meta?.seeds
          ? { seedCaption: this.view.seedNote.textContent ?? '', seedRows: this.seedRows, bandPoints: this.bandPoints }
          : {}),
      },
    });
  }
}

/** A run's name where runs, not initializers, are listed (the heatmap): with several seeds, which seed. */
function runLabel(run: PanelRun, seeds: number): string {
  return seeds > 1 && run.seed !== undefined ? `${run.initializer} · seed ${run.seed}` : run.initializer;
}

/** "42–44": the seeds the groups ran with. */
function seedRange(groups: readonly SeedGroup[]): string {
  const seeds = [...new Set(groups.flatMap((g) => g.runs.map((r) => r.seed)).filter((s): s is number => s !== undefined))].sort((a, b) => a - b);
  if (seeds.length === 0) return '?';
  return seeds.length === 1 ? String(seeds[0]) : `${seeds[0]}–${seeds[seeds.length - 1]}`;
}
