/**
 * The Signal Propagation view: the depth sweep (q_l and c_l), the phase diagram with the
 * trainability map, the Jacobian spectra and the per-layer histograms over training, each with
 * its note. State comes whole from the host; every message is validated first.
 */
import uPlot from 'uplot';
import { ACTIVATION_CHOICES, MAX_VIEW_INITIALIZERS } from '../../src/protocol/propagation';
import type { PropagationState } from '../../src/protocol/propagation';
import type { PropagationTestReport } from '../../src/protocol/testReports';
import { TestReporter } from '../shared/testReport';
import { listen, send } from './channel';
import { h } from '../shared/dom';
import { onThemeChange, readTheme } from '../shared/theme';
import type { ThemeColors } from '../shared/theme';
import { composeImage } from '../shared/chartImage';
import type { LegendEntry } from '../shared/chartImage';
import { drawHeat, drawPhase } from './canvas';
import { decadeSplits, formatDecade } from '../shared/decades';

type State = PropagationState;
const CHARTS = ['sweep', 'phase', 'jacobian', 'histograms'] as const;
type ChartName = (typeof CHARTS)[number];
const TITLES: Record<ChartName, string> = {
  sweep: 'Depth sweep at initialization: q_l and c_l',
  phase: 'Order-to-chaos phase diagram',
  jacobian: 'Jacobian spectrum at initialization',
  histograms: 'Activation histograms over training',
};

const ACTIVATION_LABELS: Partial<Record<(typeof ACTIVATION_CHOICES)[number], string>> = { relu: 'ReLU', selu: 'SELU', elu: 'ELU', gelu: 'GELU', leaky_relu: 'leaky ReLU' };

const fmt = (x: number | null | undefined): string => (x === null || x === undefined || !Number.isFinite(x) ? '—' : Math.abs(x) >= 1e4 || (x !== 0 && Math.abs(x) < 1e-2) ? x.toExponential(2) : x.toPrecision(3));

export class PropagationApp {
  private state: State | undefined;
  private theme: ThemeColors = readTheme();
  private readonly status = h('div', { class: 'status' });
  private readonly bodies = new Map<ChartName, HTMLElement>();
  private readonly notes = new Map<ChartName, HTMLElement>();
  private readonly pngSources = new Map<ChartName, () => string | undefined>();
  private plots: uPlot[] = [];
  /** What each chart drew last: data points (sweep, spectra), grid cells (phase, histograms); 0 = nothing. */
  private readonly points = new Map<ChartName, number>();
  private docKey = '';
  private readonly picker = h('div', { class: 'picker', role: 'group', 'aria-label': 'Initializers' });
  private readonly pickerHint = h('span', { class: 'picker-hint' });
  private pickerKey = '';
  private layer = 0;
  private readonly tests = new TestReporter<PropagationTestReport>((report) => send({ type: 'testReport', report }));

  constructor(private readonly root: HTMLElement) {}

  start(): void {
    this.root.removeAttribute('aria-busy');
    this.root.replaceChildren();
    // One click per activation (ReLU first, tanh second: the two the papers contrast).
    const activations = ACTIVATION_CHOICES.map((a) => {
      const b = h('vscode-button', { 'data-activation': a, secondary: true }, ACTIVATION_LABELS[a] ?? a);
      b.addEventListener('click', () => send({ type: 'activation', activation: a }));
      return b;
    });
    const map = h('vscode-button', { secondary: true, 'data-action': 'map' }, 'Run trainability map');
    map.addEventListener('click', () => send({ type: 'runMap' }));
    const cancel = h('vscode-button', { secondary: true, 'data-action': 'cancel' }, 'Cancel');
    cancel.addEventListener('click', () => send({ type: 'cancel' }));
    const csv = h('vscode-button', { secondary: true, 'data-action': 'csv' }, 'Export CSV');
    csv.addEventListener('click', () => send({ type: 'exportCsv' }));
    this.root.append(
      h('header', { class: 'bar' }, h('h1', {}, 'Signal Propagation'), map, cancel, csv),
      h('div', { class: 'picker', role: 'group', 'aria-label': 'Activation' }, h('span', { class: 'picker-label' }, 'Activation'), ...activations),
      this.picker,
      this.status,
    );
    const grid = h('div', { class: 'grid' });
    for (const chart of CHARTS) {
      const body = h('div', { class: 'plot' });
      const note = h('div', { class: 'note' });
      const png = h('vscode-button', { secondary: true, 'data-png': chart }, 'PNG');
      png.addEventListener('click', () => {
        const dataUrl = this.pngSources.get(chart)?.();
        if (dataUrl) send({ type: 'savePng', name: TITLES[chart], dataUrl });
      });
      grid.append(h('section', { class: 'card', 'data-chart': chart, 'data-ready': 'false' }, h('h2', {}, TITLES[chart], h('span', { class: 'spacer' }), png), body, note));
      this.bodies.set(chart, body);
      this.notes.set(chart, note);
    }
    this.root.append(grid);
    listen((message) => {
      if (message.type === 'reportForTests') {
        // Test mode: what each chart drew, after every render from now on (the state follows).
        this.tests.start();
        return;
      }
      this.state = message;
      this.render();
    });
    onThemeChange(() => {
      this.theme = readTheme();
      this.render();
    });
    let width = 0;
    new ResizeObserver(() => {
      if (Math.abs(this.root.clientWidth - width) > 20) {
        width = this.root.clientWidth;
        this.render();
      }
    }).observe(this.root);
    send({ type: 'ready' });
  }

  /** The initializer checkboxes, rebuilt only when the offered or chosen names change. */
  private paintPicker(s: State): void {
    const names = [...s.choices, ...s.initializers.filter((i) => !s.choices.includes(i))];
    const key = JSON.stringify([names, s.initializers]);
    if (key === this.pickerKey) return;
    this.pickerKey = key;
    const boxes = names.map((name) => {
      const box = h('vscode-checkbox', { label: name, 'data-initializer': name }) as HTMLElement & { checked: boolean };
      box.checked = s.initializers.includes(name);
      box.addEventListener('change', () => {
        const chosen = boxes.filter((b) => b.checked).map((b) => b.getAttribute('data-initializer')!);
        if (chosen.length === 0 || chosen.length > MAX_VIEW_INITIALIZERS) {
          // Nothing to draw, or more than the view draws legibly: undo the click and say why.
          box.checked = !box.checked;
          this.pickerHint.textContent = chosen.length === 0 ? 'Keep at least one initializer.' : `At most ${MAX_VIEW_INITIALIZERS} initializers at once.`;
          return;
        }
        this.pickerHint.textContent = '';
        send({ type: 'initializers', initializers: chosen });
      });
      return box;
    });
    this.picker.replaceChildren(h('span', { class: 'picker-label' }, 'Initializers'), ...boxes, this.pickerHint);
  }

  private render(): void {
    const s = this.state;
    if (!s) return;
    this.paintPicker(s);
    for (const b of Array.from(this.root.querySelectorAll('vscode-button[data-activation]'))) {
      if (b.getAttribute('data-activation') === s.activation) b.removeAttribute('secondary');
      else b.setAttribute('secondary', '');
    }
    this.status.className = s.error ? 'status error' : 'status';
    this.status.replaceChildren(...(s.busy ? [h('vscode-progress-ring'), s.busy] : []), s.error ? `Error: ${s.error}` : s.busy ? '' : `${s.activation}: ${s.initializers.join(', ')}`);
    for (const n of s.notes) this.notes.get(n.chart as ChartName)?.replaceChildren(n.text);
    // While probes train, the host sends state every quarter second with new histograms only:
    // the sweep, phase diagram and spectra are redrawn only when their data, the theme, the
    // width or the busy text they show changed.
    const key = JSON.stringify([s.doc, s.activation, s.busy, this.theme, this.root.clientWidth]);
    if (key !== this.docKey) {
      this.docKey = key;
      for (const p of this.plots) p.destroy();
      this.plots = [];
      this.points.set('sweep', this.drawSweep(s));
      this.points.set('phase', this.drawPhase(s));
      this.points.set('jacobian', this.drawJacobian(s));
    }
    this.points.set('histograms', this.drawHistograms(s));
    for (const { chart, points } of this.drawn()) {
      const section = this.root.querySelector(`section[data-chart="${chart}"]`);
      section?.setAttribute('data-ready', String(points > 0));
      section?.setAttribute('data-points', String(points));
    }
    this.reportCharts();
  }

  /** Data points (or grid cells) each chart drew last; 0 = nothing yet. */
  private drawn(): PropagationTestReport['charts'] {
    return CHARTS.map((chart) => ({ chart, points: this.points.get(chart) ?? 0 }));
  }

  private reportCharts(): void {
    this.tests.report(() => ({ charts: this.drawn() }));
  }

  private width(body: HTMLElement): number {
    return Math.max(320, Math.min(900, body.clientWidth || 520));
  }

  private legend(entries: LegendEntry[]): HTMLElement {
    return h('div', { class: 'legend' }, ...entries.map((e) => h('span', {}, h('span', { class: 'swatch' }), e.label)));
  }

  /** Legend swatches get their colour through the CSSOM (no inline style attribute: CSP). */
  private colourLegend(node: HTMLElement, entries: LegendEntry[]): HTMLElement {
    node.querySelectorAll<HTMLElement>('.swatch').forEach((sw, i) => {
      sw.style.background = entries[i].color;
    });
    return node;
  }

  private linePlot(body: HTMLElement, title: string, x: number[], series: { label: string; values: (number | null)[]; color: string; dashed?: boolean; points?: boolean }[], yLog: boolean, xLabel: string, yLabel: string, height = 200): uPlot {
    const t = this.theme;
    const axis = { stroke: t.muted, grid: { stroke: t.grid, width: 1 }, ticks: { stroke: t.grid, width: 1 }, font: t.font, labelFont: t.font };
    const yAxis: uPlot.Axis = { ...axis, label: yLabel, size: 60 };
    let yScale: uPlot.Scale = { auto: true };
    if (yLog) {
      // Our own decade gridlines, as the Compare panel's log charts have: uPlot's built-in log
      // splits step through its increment table, which stops at 1e-16, and on a q_l axis that
      // reaches 1e-45 (float32 underflow) or the recursion's 1e-80 they never terminate — the
      // loop fills an array until the renderer runs out of memory (uPlot issues #1098, #849).
      let decades: number[] = [];
      yScale = { distr: 3, log: 10, range: (_u, min, max) => (min > 0 && max >= min ? uPlot.rangeLog(min, max, 10, true) : [0.1, 10]) };
      yAxis.splits = (u, _axis, min, max) => {
        decades = decadeSplits(min, max, Math.max(2, Math.floor(u.bbox.height / (window.devicePixelRatio || 1) / 26)));
        return decades;
      };
      yAxis.values = (_u, splits) => splits.map((v, i) => formatDecade(decades[i] ?? v));
    }
    const plot = new uPlot(
      {
        width: this.width(body),
        height,
        legend: { show: false },
        cursor: { show: false },
        scales: { x: { time: false }, y: yScale },
        axes: [{ ...axis, label: xLabel }, yAxis],
        series: [
          {},
          ...series.map((sr) => ({
            label: sr.label,
            stroke: sr.color,
            width: sr.points ? 0 : 1.5,
            dash: sr.dashed ? [5, 4] : undefined,
            points: sr.points ? { show: true, size: 4, fill: sr.color, stroke: sr.color } : { show: false },
            spanGaps: false,
          })),
        ],
      },
      [x, ...series.map((sr) => sr.values)] as uPlot.AlignedData,
      body,
    );
    this.plots.push(plot);
    void title;
    return plot;
  }

  private drawSweep(s: State): number {
    const body = this.bodies.get('sweep')!;
    const sweep = s.doc?.sweep;
    if (!sweep) {
      body.replaceChildren(h('p', { class: 'empty' }, s.busy ? 'Measuring…' : 'No sweep yet.'));
      return 0;
    }
    body.replaceChildren();
    const x = sweep.runs[0]?.layers.map((l) => l.layer) ?? [];
    const colours = this.theme.series;
    const pos = (v: number | null): number | null => (v !== null && v > 0 ? v : null);
    const qSeries = sweep.runs.flatMap((r, i) => [
      { label: `${r.initializer} measured`, values: r.layers.map((l) => pos(l.q)), color: colours[i % colours.length], points: true },
      { label: `${r.initializer} theory`, values: r.layers.map((l) => pos(l.qTheory)), color: colours[i % colours.length], dashed: true },
    ]);
    const qBox = h('div');
    const cBox = h('div');
    body.append(qBox, cBox);
    const q = this.linePlot(qBox, 'q', x, qSeries, true, 'layer', 'q_l');
    const cSeries = sweep.runs.flatMap((r, i) => [
      { label: `${r.initializer} measured`, values: r.layers.map((l) => l.c), color: colours[i % colours.length], points: true },
      { label: `${r.initializer} theory`, values: r.layers.map((l) => l.cTheory), color: colours[i % colours.length], dashed: true },
    ]);
    this.linePlot(cBox, 'c', x, cSeries, false, 'layer', 'c_l', 150);
    const entries = sweep.runs.map((r, i) => ({ label: `${r.initializer} (σ_w² ${fmt(r.sigmaW2)})`, color: colours[i % colours.length] }));
    body.append(this.colourLegend(this.legend([...entries, { label: 'dots measured · dashes mean-field · no dot where every activation is 0', color: this.theme.muted }]), [...entries, { label: '', color: this.theme.muted }]));
    this.pngSources.set('sweep', () => composeImage(q.ctx.canvas, `${TITLES.sweep} (${s.activation}, ${sweep.depth}×${sweep.width})`, entries, this.theme));
    return [...qSeries, ...cSeries].reduce((n, sr) => n + sr.values.filter((v) => v !== null && Number.isFinite(v)).length, 0);
  }

  private drawPhase(s: State): number {
    const body = this.bodies.get('phase')!;
    const phase = s.doc?.phase;
    if (!phase) {
      body.replaceChildren(h('p', { class: 'empty' }, s.busy ? 'Computing…' : 'No phase diagram yet.'));
      return 0;
    }
    const canvas = h('canvas');
    const w = this.width(body);
    drawPhase(canvas, phase, w, 260, this.theme);
    const children: Node[] = [canvas];
    const table = h('table', { class: 'numbers' },
      h('tr', {}, ...['initializer', 'σ_w²', 'χ₁', 'phase', 'ξ'].map((name) => h('th', {}, name))),
      ...phase.initializers.map((i) => h('tr', {}, ...[i.initializer, fmt(i.sigmaW2), fmt(i.chi1), i.phase, i.depthScale === null ? '∞' : fmt(i.depthScale)].map((v) => h('td', {}, v)))),
    );
    children.push(table);
    const map = s.doc?.map;
    let mapCanvas: HTMLCanvasElement | undefined;
    if (map && map.activation === s.activation) {
      mapCanvas = h('canvas');
      drawHeat(
        mapCanvas,
        {
          title: `Held-out accuracy after ${map.steps} steps (width ${map.width}; ${fmt(map.seconds)} s${map.cancelled ? ', cancelled' : ''}); line: 6·ξ`,
          xLabels: map.sigmaW2.map(String),
          yLabels: map.depths.map(String),
          xTitle: 'σ_w²',
          yTitle: 'depth',
          value: (xi, yi) => map.cells.find((c) => c.sigmaW2 === map.sigmaW2[xi] && c.depth === map.depths[yi])?.accuracy ?? null,
          max: 1,
          overlay: map.depthScale.map((d) => (d === null ? null : 6 * d)),
          yValues: map.depths,
          text: (v) => `${Math.round(100 * v)}`,
        },
        w,
        220,
        this.theme,
      );
      children.push(mapCanvas);
    }
    body.replaceChildren(...children);
    this.pngSources.set('phase', () => (mapCanvas ?? canvas).toDataURL('image/png'));
    return phase.chi1.reduce((n, row) => n + row.length, 0);
  }

  private drawJacobian(s: State): number {
    const body = this.bodies.get('jacobian')!;
    const jac = s.doc?.jacobian;
    if (!jac) {
      body.replaceChildren(h('p', { class: 'empty' }, s.busy ? 'Computing…' : 'No spectra yet.'));
      return 0;
    }
    body.replaceChildren();
    const live = jac.spectra.filter((sp) => sp.max > 0);
    const lo = Math.min(...live.map((sp) => sp.logHistogram.lo), 0);
    const hi = Math.max(...live.map((sp) => sp.logHistogram.hi), 0.5);
    const bins = 60;
    const x = Array.from({ length: bins }, (_, k) => lo + ((k + 0.5) * (hi - lo)) / bins);
    const colours = this.theme.series;
    const step = (hi - lo) / bins;
    const series = live.map((sp) => {
      const h = sp.logHistogram;
      const width = (h.hi - h.lo) / h.counts.length;
      const total = h.counts.reduce((a, b) => a + b, 0);
      // Each spectrum's own bins moved into the chart's common bins by their centres, mass kept:
      // sampling at the common centres lost a spectrum narrower than one common bin (orthogonal
      // weights at tanh's critical point, all σ² within a few percent of 1).
      const mass = new Array<number>(bins).fill(0);
      h.counts.forEach((c, k) => {
        const at = Math.min(bins - 1, Math.max(0, Math.floor((h.lo + (k + 0.5) * width - lo) / step)));
        mass[at] += c;
      });
      return {
        label: sp.initializer,
        color: colours[jac.spectra.indexOf(sp) % colours.length],
        values: mass.map((m) => (total > 0 ? m / (total * step) : 0)),
      };
    });
    const box = h('div');
    body.append(box);
    const plot = this.linePlot(box, 'jacobian', x, series, false, 'log₁₀ σ² (squared singular value)', 'density', 200);
    const table = h('table', { class: 'numbers' },
      h('tr', {}, ...['initializer', 'max σ²', 'min σ²', 'mean σ²', 'var / mean²'].map((name) => h('th', {}, name))),
      ...jac.spectra.map((sp) => h('tr', {}, ...[sp.initializer, fmt(sp.max), fmt(sp.min), fmt(sp.mean), sp.mean > 0 ? fmt(sp.variance / sp.mean ** 2) : '—'].map((v) => h('td', {}, v)))),
    );
    const entries = series.map((sr) => ({ label: sr.label, color: sr.color }));
    body.append(this.colourLegend(this.legend(entries), entries), h('div', { class: 'note' }, `${jac.depth} layers of ${jac.width}, σ_b² ${jac.sigmaB2}; an initializer with J = 0 (all-zero weights) has no curve.`), table);
    this.pngSources.set('jacobian', () => composeImage(plot.ctx.canvas, `${TITLES.jacobian} (${s.activation}, ${jac.depth}×${jac.width})`, entries, this.theme));
    return series.reduce((n, sr) => n + sr.values.filter((v) => v > 0).length, 0);
  }

  private drawHistograms(s: State): number {
    const body = this.bodies.get('histograms')!;
    const runs = s.histograms;
    if (!runs.length || !runs.some((r) => r.layers.length && r.layers[0].steps.length > 1)) {
      body.replaceChildren(h('p', { class: 'empty' }, s.busy ? 'Waiting for measured steps…' : 'No histograms yet: run a comparison.'));
      return 0;
    }
    const layers = runs[0].layers.map((l) => l.name);
    this.layer = Math.min(this.layer, layers.length - 1);
    const picker = h('div', { class: 'legend' },
      'layer:',
      ...layers.map((name, i) => {
        const b = h('vscode-button', { secondary: i !== this.layer }, name);
        b.addEventListener('click', () => {
          this.layer = i;
          this.render();
        });
        return b;
      }),
    );
    const canvases: HTMLCanvasElement[] = [];
    let drawnCells = 0;
    // Two maps a row where they fit at 260 px or more, else one.
    const bodyWidth = body.clientWidth || 520;
    const mapWidth = bodyWidth >= 2 * 260 + 8 ? Math.floor((bodyWidth - 8) / 2) : Math.max(260, bodyWidth);
    const cells = runs.map((r) => {
      const layer = r.layers[this.layer];
      const canvas = h('canvas');
      canvases.push(canvas);
      if (layer) {
        drawnCells += layer.counts.reduce((n, bins) => n + bins.filter((c) => c > 0).length, 0);
        const max = Math.max(1, ...layer.counts.flat());
        drawHeat(
          canvas,
          {
            title: `${r.initializer}: ${fmt(100 * (layer.nearZero.at(-1) ?? 0))}% near 0 at step ${layer.steps.at(-1)}`,
            xLabels: layer.steps.map(String),
            yLabels: layer.counts[0].map((_, b) => fmt(layer.lo + ((b + 0.5) * (layer.hi - layer.lo)) / layer.counts[0].length)),
            xTitle: 'step',
            yTitle: 'activation',
            value: (xi, yi) => Math.log1p(layer.counts[xi][yi]) / Math.log1p(max),
            max: 1,
            line: layer.nearZero,
            blankAtZero: true,
          },
          mapWidth,
          170,
          this.theme,
        );
      }
      return canvas;
    });
    body.replaceChildren(picker, h('div', { class: 'note' }, `From ${s.histogramSource}. Brighter = more activations in the bin (log scale; empty bins blank). Line: share of activations near zero (0–100%).`), h('div', { class: 'maps' }, ...cells));
    this.pngSources.set('histograms', () => canvases[0]?.toDataURL('image/png'));
    return drawnCells;
  }
}
