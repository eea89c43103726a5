/**
 * One uPlot line chart in a card: theme colours, log or linear y, a legend of our own (uPlot's
 * would list every theory line twice over) and a one-line readout of the values under the
 * cursor. Rebuilt when its series change or the theme does; otherwise only its data is set.
 */
import uPlot from 'uplot';
import type { ChartId } from '../../src/protocol/panel';
import { formatNumber } from '../../src/view/format';
import { composeImage } from './chartImage';
import { decadeSplits, formatDecade } from './chartData';
import type { LegendEntry } from './chartImage';
import { el } from './dom';
import type { ThemeColors } from './theme';

export interface LineSpec {
  label: string;
  color: string;
  /** What is drawn (log charts: clamped to the floor). */
  values: (number | null)[];
  /** What the readout says (the unclamped value). */
  raw?: (number | null)[];
  dashed?: boolean;
  /** Left out of the legend (the theory lines share one legend entry). */
  hideInLegend?: boolean;
}

export interface ChartSpec {
  x: number[];
  /** Names for x positions (layers), instead of numbers. */
  xNames?: string[];
  lines: LineSpec[];
  legendExtra?: LegendEntry[];
  /** Log charts: where values of 0 are drawn; the axis labels that height "0". */
  zeroAt?: number;
}

export interface ChartOptions {
  id: ChartId;
  title: string;
  xLabel: string;
  yLabel: string;
  log: boolean;
  percent?: boolean;
  points?: boolean;
  height?: number;
}

const fmtValue = (v: number | null | undefined, percent?: boolean): string =>
  v === null || v === undefined ? '—' : percent ? `${(100 * v).toFixed(1)}%` : formatNumber(v);

export class LineChart {
  private plot: uPlot | undefined;
  private key = '';
  private spec: ChartSpec = { x: [], lines: [] };
  private readonly legend: HTMLElement;
  private readonly readout: HTMLElement;
  private readonly body: HTMLElement;
  private readonly resize: ResizeObserver;

  constructor(
    readonly options: ChartOptions,
    host: HTMLElement,
    private theme: ThemeColors,
  ) {
    this.body = el('div', { className: 'chart-body', attrs: { role: 'img', 'aria-label': `${options.title}: no data yet` } });
    this.legend = el('div', { className: 'legend' });
    this.readout = el('div', { className: 'readout', text: ' ' });
    host.append(this.body, this.legend, this.readout);
    let lastWidth = 0;
    this.resize = new ResizeObserver(() => {
      const width = this.body.clientWidth;
      if (!this.plot || width === lastWidth || width === 0) return;
      lastWidth = width;
      this.plot.setSize({ width, height: this.height });
    });
    this.resize.observe(this.body);
  }

  private get height(): number {
    return this.options.height ?? 220;
  }

  setTheme(theme: ThemeColors): void {
    this.theme = theme;
    this.key = '';
    this.update(this.spec);
  }

  update(spec: ChartSpec): void {
    this.spec = spec;
    const key = JSON.stringify([spec.lines.map((l) => [l.label, l.color, l.dashed ?? false]), spec.xNames ?? null, this.theme.kind, this.theme.foreground, this.options.yLabel]);
    const data = [spec.x, ...spec.lines.map((l) => l.values)] as uPlot.AlignedData;
    if (!this.plot || key !== this.key) {
      this.plot?.destroy();
      this.plot = new uPlot(this.plotOptions(spec), data, this.body);
      this.key = key;
      this.renderLegend(spec);
    } else {
      this.plot.setData(data);
    }
    const points = spec.lines.reduce((n, l) => n + l.values.filter((v) => v !== null).length, 0);
    this.body.setAttribute('aria-label', `${this.options.title}: ${spec.lines.filter((l) => !l.dashed).length} series, ${points} points`);
  }

  private plotOptions(spec: ChartSpec): uPlot.Options {
    const t = this.theme;
    const axisFont = t.font.replace(/^\S+/, '11px');
    const axis = (label: string): uPlot.Axis => ({
      stroke: t.muted,
      label,
      labelFont: axisFont,
      font: axisFont,
      grid: { stroke: t.grid, width: 1 },
      ticks: { stroke: t.grid, width: 1 },
      border: { show: true, stroke: t.grid, width: 1 },
    });
    const xAxis: uPlot.Axis = { ...axis(this.options.xLabel) };
    if (spec.xNames) {
      const names = spec.xNames;
      xAxis.splits = () => spec.x;
      xAxis.values = (_u, splits) => splits.map((s) => names[spec.x.indexOf(s)] ?? '');
      xAxis.rotate = names.length > 8 ? -30 : 0;
      xAxis.size = names.length > 8 ? 56 : 40;
    }
    const yAxis: uPlot.Axis = {
      ...axis(this.options.yLabel),
      size: 56,
      values: (_u, splits) => splits.map((v) => (this.options.percent ? `${Math.round(100 * v)}%` : this.options.log ? formatDecade(v) : formatNumber(v))),
    };
    if (this.options.log) {
      // uPlot's log axis labels 2…9 × 10ⁿ too; over twelve decades that is a wall of text. The
      // labels come from our own splits: uPlot rounds tiny split values before formatting them.
      let decades: number[] = [];
      yAxis.splits = (u, _axis, min, max) => {
        const slots = Math.floor(u.bbox.height / (window.devicePixelRatio || 1) / 26);
        const zero = this.spec.zeroAt;
        // Zeros sit on a floor below every real value: label it "0" so they do not read as small numbers.
        const usesZero = zero !== undefined && this.spec.lines.some((l) => (l.raw ?? l.values).some((v) => v !== null && v <= 0));
        decades = decadeSplits(min, max, usesZero ? slots - 1 : slots).filter((d) => !usesZero || d > zero * 3);
        if (usesZero && zero >= min) decades.unshift(zero);
        return decades;
      };
      yAxis.values = (_u, splits) => splits.map((v, i) => (decades[i] === this.spec.zeroAt ? '0' : formatDecade(decades[i] ?? v)));
      yAxis.size = 64;
    }
    return {
      width: Math.max(200, this.body.clientWidth),
      height: this.height,
      legend: { show: false },
      cursor: { drag: { x: false, y: false }, points: { size: 7 } },
      scales: {
        x: { time: false, ...(spec.xNames && spec.x.length > 0 ? { range: [spec.x[0] - 0.5, spec.x[spec.x.length - 1] + 0.5] as uPlot.Range.MinMax } : {}) },
        y: this.options.log ? { distr: 3, log: 10 } : this.options.percent ? { range: [0, 1] as uPlot.Range.MinMax } : {},
      },
      axes: [xAxis, yAxis],
      series: [
        {},
        ...spec.lines.map((l) => ({
          label: l.label,
          stroke: l.color,
          width: l.dashed ? 1.25 : 2,
          dash: l.dashed ? [5, 4] : undefined,
          alpha: l.dashed ? 0.6 : 1,
          spanGaps: false,
          points: { show: this.options.points === true || spec.x.length === 1, size: l.dashed ? 4 : 5, fill: l.dashed ? this.theme.background : l.color },
        })),
      ],
      hooks: { setCursor: [(u: uPlot) => this.showReadout(u.cursor.idx)] },
    };
  }

  private showReadout(idx: number | null | undefined): void {
    const spec = this.spec;
    if (idx === null || idx === undefined || idx >= spec.x.length) {
      this.readout.textContent = ' ';
      return;
    }
    const where = spec.xNames ? spec.xNames[idx] : `step ${spec.x[idx]}`;
    const parts = spec.lines.map((l) => `${l.label} ${fmtValue((l.raw ?? l.values)[idx], this.options.percent)}`);
    this.readout.textContent = `${where}: ${parts.join(' · ')}`;
  }

  private legendEntries(spec: ChartSpec): LegendEntry[] {
    return [...spec.lines.filter((l) => !l.hideInLegend).map((l) => ({ label: l.label, color: l.color, dashed: l.dashed })), ...(spec.legendExtra ?? [])];
  }

  private renderLegend(spec: ChartSpec): void {
    this.legend.replaceChildren(
      ...this.legendEntries(spec).map((e) =>
        el('span', { className: 'legend-item' }, [el('span', { className: `swatch${e.dashed ? ' dashed' : ''}`, attrs: { 'data-color': e.color } }), e.label]),
      ),
    );
    // Colours go through CSSOM, not style attributes (the CSP forbids inline styles).
    for (const swatch of Array.from(this.legend.querySelectorAll<HTMLElement>('.swatch'))) swatch.style.borderColor = swatch.dataset.color ?? '';
  }

  pointCount(): number {
    return this.spec.lines.reduce((n, l) => n + (l.dashed ? 0 : l.values.filter((v) => v !== null).length), 0);
  }

  image(): string | undefined {
    if (!this.plot || this.spec.x.length === 0) return undefined;
    return composeImage(this.plot.ctx.canvas, this.options.title, this.legendEntries(this.spec), this.theme);
  }

  destroy(): void {
    this.resize.disconnect();
    this.plot?.destroy();
  }
}
