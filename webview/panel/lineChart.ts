/**
 * One uPlot line chart in a card: theme colours, log or linear y, a legend of our own (uPlot's
 * would list every theory line twice over) and a one-line readout of the values under the
 * cursor. Rebuilt when its series change or the theme does; otherwise only its data is set.
 */
import uPlot from 'uplot';
import type { ChartId } from '../../src/protocol/panel';
import { formatNumber, formatPercent } from '../../src/view/number';
import { composeImage } from '../shared/chartImage';
import { logAxisSplits, xAxisLayout, zeroBandBottom, zeroBandTop } from './chartData';
import { formatDecade } from '../shared/decades';
import type { LegendEntry } from '../shared/chartImage';
import { h } from '../shared/dom';
import { parseColor } from '../shared/theme';
import { bandRuns } from './seedBands';
import type { ThemeColors } from '../shared/theme';

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
  /**
   * A shaded interval around the line (several seeds: the 95% CI of the mean). `low`/`high` as
   * drawn (log charts: clamped), `rawLow`/`rawHigh` what the readout and table say.
   */
  band?: { low: (number | null)[]; high: (number | null)[]; rawLow?: (number | null)[]; rawHigh?: (number | null)[] };
}

/**
 * uPlot series per line: the line, then for a band its two ends as invisible series (so the y
 * range takes them in); the band itself is drawn in the draw hook.
 */
function seriesData(lines: readonly LineSpec[]): (number | null)[][] {
  return lines.flatMap((l) => (l.band ? [l.values, l.band.low, l.band.high] : [l.values]));
}

export interface ChartSpec {
  x: number[];
  /** Names for x positions (layers), instead of numbers. */
  xNames?: string[];
  lines: LineSpec[];
  legendExtra?: LegendEntry[];
  /** Log charts: where values of 0 are drawn, inside a marked band below the lowest gridline. */
  zeroAt?: number;
  /** Readout and table: what the values are, e.g. "first 500 of 2,000 held-out digits". */
  valueNote?: string;
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

const fmtValue = (v: number | null | undefined, percent?: boolean): string => (percent ? formatPercent(v) : formatNumber(v));

/** A line's value at i, with its band as "mean [low, high]" when it has one there. */
function valueAt(l: LineSpec, i: number, percent?: boolean): string {
  const v = fmtValue((l.raw ?? l.values)[i], percent);
  const low = (l.band?.rawLow ?? l.band?.low)?.[i];
  const high = (l.band?.rawHigh ?? l.band?.high)?.[i];
  return low === null || low === undefined || high === null || high === undefined ? v : `${v} [${fmtValue(low, percent)}, ${fmtValue(high, percent)}]`;
}

/** A colour at some opacity, for fills (theme colours come as hex, rgb or rgba). */
function translucent(color: string, alpha: number): string {
  const [r, g, b] = parseColor(color);
  return `rgba(${r}, ${g}, ${b}, ${alpha})`;
}

export class LineChart {
  private plot: uPlot | undefined;
  private key = '';
  private spec: ChartSpec = { x: [], lines: [] };
  private readonly legend: HTMLElement;
  private readonly readout: HTMLElement;
  private readonly body: HTMLElement;
  private readonly resize: ResizeObserver;
  private readonly tableHost: HTMLElement;
  private readonly tableView: HTMLDetailsElement;
  /** The x index the keyboard put the cursor on, if it did. */
  private keyIndex: number | undefined;

  constructor(
    readonly options: ChartOptions,
    host: HTMLElement,
    private theme: ThemeColors,
  ) {
    // The chart takes the keyboard: ←/→ (Home/End) step through its x positions and the
    // readout below says every series' value there; the table view has them all at once.
    this.body = h('div', { class: 'chart-body', role: 'img', tabindex: '0', 'aria-label': `${options.title}: no data yet` });
    this.body.addEventListener('keydown', (e) => this.onKey(e));
    this.body.addEventListener('blur', () => {
      if (this.keyIndex !== undefined) this.plot?.setCursor({ left: -10, top: -10 });
    });
    this.legend = h('div', { class: 'legend' });
    this.readout = h('div', { class: 'readout', 'aria-live': 'polite', role: 'status' }, ' ');
    this.tableHost = h('div', { class: 'chart-table-host' });
    this.tableView = h('details', { class: 'chart-table' }, h('summary', {}, 'Values as a table'), this.tableHost);
    this.tableView.addEventListener('toggle', () => this.renderTable());
    host.append(this.body, this.legend, this.readout, this.tableView);
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
    const key = JSON.stringify([spec.lines.map((l) => [l.label, l.color, l.dashed ?? false, l.band !== undefined]), spec.xNames ?? null, this.theme.kind, this.theme.foreground, this.options.yLabel]);
    const data = [spec.x, ...seriesData(spec.lines)] as uPlot.AlignedData;
    if (!this.plot || key !== this.key) {
      this.plot?.destroy();
      this.plot = new uPlot(this.plotOptions(spec), data, this.body);
      this.key = key;
      this.renderLegend(spec);
    } else {
      this.plot.setData(data);
    }
    const points = spec.lines.reduce((n, l) => n + l.values.filter((v) => v !== null).length, 0);
    this.body.setAttribute(
      'aria-label',
      `${this.options.title}: ${spec.lines.filter((l) => !l.dashed).length} series, ${points} points. Left and right arrows read the values; “Values as a table” below lists them all.`,
    );
    if (this.keyIndex !== undefined) this.showReadout(Math.min(this.keyIndex, spec.x.length - 1));
    this.renderTable();
  }

  private onKey(e: KeyboardEvent): void {
    const n = this.spec.x.length;
    if (n === 0) return;
    const at = this.keyIndex ?? -1;
    const next = e.key === 'ArrowRight' ? Math.min(n - 1, at + 1) : e.key === 'ArrowLeft' ? Math.max(0, at < 0 ? n - 1 : at - 1) : e.key === 'Home' ? 0 : e.key === 'End' ? n - 1 : undefined;
    if (next === undefined) return;
    e.preventDefault();
    this.keyIndex = next;
    const plot = this.plot;
    if (plot) {
      // Show the cursor where the keyboard is (the setCursor hook then fills the readout).
      const line = this.spec.lines.find((l) => l.values[next] !== null);
      const y = line ? plot.valToPos(line.values[next] as number, 'y') : plot.bbox.height / 2 / (window.devicePixelRatio || 1);
      plot.setCursor({ left: plot.valToPos(this.spec.x[next], 'x'), top: y });
    }
    this.showReadout(next);
  }

  /** The chart's values as a table, built only while the table view is open. */
  private renderTable(): void {
    if (!this.tableView.open) return;
    const spec = this.spec;
    const lines = spec.lines;
    const head = h('tr', {}, h('th', { scope: 'col' }, spec.xNames ? this.options.xLabel : 'step'), ...lines.map((l) => h('th', { scope: 'col' }, l.label)));
    const rows = spec.x.map((x, i) =>
      h('tr', {},
        h('th', { scope: 'row' }, spec.xNames ? spec.xNames[i] : String(x)),
        ...lines.map((l) => h('td', { class: 'num' }, valueAt(l, i, this.options.percent))),
      ),
    );
    const caption = h('caption', {}, `${this.options.title}${spec.valueNote ? ` (${spec.valueNote})` : ''}`);
    this.tableHost.replaceChildren(h('table', { class: 'values' }, caption, h('thead', {}, head), h('tbody', {}, ...rows)));
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
    let padRight: number | null = null;
    if (spec.xNames) {
      const names = spec.xNames;
      // The plot area is the body's width less the y axis (about 60 px).
      const layout = xAxisLayout(names, undefined, this.body.clientWidth > 0 ? this.body.clientWidth - 60 : undefined);
      xAxis.splits = () => spec.x;
      xAxis.values = (_u, splits) => splits.map((s) => names[spec.x.indexOf(s)] ?? '');
      xAxis.rotate = layout.rotate;
      xAxis.size = layout.size;
      padRight = layout.padRight;
    }
    const yAxis: uPlot.Axis = {
      ...axis(this.options.yLabel),
      size: 56,
      values: (_u, splits) => splits.map((v) => (this.options.percent ? `${Math.round(100 * v)}%` : this.options.log ? formatDecade(v) : formatNumber(v))),
    };
    if (this.options.log) {
      // uPlot's log axis labels 2…9 × 10ⁿ too; over twelve decades that is a wall of text. The
      // labels come from our own splits: uPlot rounds tiny split values before formatting them.
      // Zeros are not a decade: they sit in a marked band below the lowest gridline (drawn in
      // the draw hook), and no gridline is labelled "0".
      let decades: number[] = [];
      yAxis.splits = (u, _axis, min, max) => {
        const slots = Math.floor(u.bbox.height / (window.devicePixelRatio || 1) / 26);
        decades = logAxisSplits(min, max, slots, this.zeroShown());
        return decades;
      };
      yAxis.values = (_u, splits) => splits.map((v, i) => formatDecade(decades[i] ?? v));
      yAxis.size = 64;
    }
    return {
      width: Math.max(200, this.body.clientWidth),
      height: this.height,
      legend: { show: false },
      cursor: { drag: { x: false, y: false }, points: { size: 7 } },
      scales: {
        x: { time: false, ...(spec.xNames && spec.x.length > 0 ? { range: [spec.x[0] - 0.5, spec.x[spec.x.length - 1] + 0.5] as uPlot.Range.MinMax } : {}) },
        y: this.options.log
          ? {
              distr: 3,
              log: 10,
              range: (_u: uPlot, min: number, max: number): uPlot.Range.MinMax => {
                const [lo, hi] = uPlot.rangeLog(min, max, 10, true);
                const zero = this.zeroShown();
                return zero === undefined ? [lo, hi] : [zeroBandBottom(zero), Math.max(hi ?? max, zeroBandTop(zero) * 10)];
              },
            }
          : this.options.percent
            ? { range: [0, 1] as uPlot.Range.MinMax }
            : {},
      },
      axes: [xAxis, yAxis],
      series: [
        {},
        ...spec.lines.flatMap((l): uPlot.Series[] => {
          const line: uPlot.Series = {
            label: l.label,
            stroke: l.color,
            width: l.dashed ? 1.25 : 2,
            dash: l.dashed ? [5, 4] : undefined,
            alpha: l.dashed ? 0.6 : 1,
            spanGaps: false,
            points: { show: this.options.points === true || spec.x.length === 1, size: l.dashed ? 4 : 5, fill: l.dashed ? this.theme.background : l.color },
          };
          if (!l.band) return [line];
          const edge = (label: string): uPlot.Series => ({ label, stroke: 'transparent', width: 0, spanGaps: false, points: { show: false } });
          return [line, edge(`${l.label} low`), edge(`${l.label} high`)];
        }),
      ],
      padding: [null, padRight, null, null],
      hooks: {
        setCursor: [(u: uPlot) => this.showReadout(u.cursor.idx)],
        draw: [(u: uPlot) => this.drawZeroBand(u), (u: uPlot) => this.drawBands(u)],
      },
    };
  }

  /** The floor zeros are drawn at, when some series has a zero on this chart. */
  private zeroShown(): number | undefined {
    const zero = this.spec.zeroAt;
    if (zero === undefined) return undefined;
    return this.spec.lines.some((l) => (l.raw ?? l.values).some((v) => v !== null && v <= 0)) ? zero : undefined;
  }

  /**
   * Each line's interval band (several seeds): the area between its high and low ends, in the
   * line's colour, over the positions where both are known (a lone position is a short bar).
   */
  private drawBands(u: uPlot): void {
    const ctx = u.ctx;
    const ratio = window.devicePixelRatio || 1;
    ctx.save();
    ctx.beginPath();
    ctx.rect(u.bbox.left, u.bbox.top, u.bbox.width, u.bbox.height);
    ctx.clip();
    for (const line of this.spec.lines) {
      if (!line.band) continue;
      const { low, high } = line.band;
      const x = (i: number): number => u.valToPos(this.spec.x[i], 'x', true);
      const y = (v: number): number => u.valToPos(v, 'y', true);
      for (const run of bandRuns(low, high)) {
        ctx.beginPath();
        if (run.length === 1) {
          const i = run[0];
          ctx.rect(x(i) - 4 * ratio, y(high[i] as number), 8 * ratio, y(low[i] as number) - y(high[i] as number));
        } else {
          run.forEach((i, k) => (k === 0 ? ctx.moveTo(x(i), y(high[i] as number)) : ctx.lineTo(x(i), y(high[i] as number))));
          for (let k = run.length - 1; k >= 0; k--) ctx.lineTo(x(run[k]), y(low[run[k]] as number));
          ctx.closePath();
        }
        ctx.fillStyle = translucent(line.color, 0.22);
        ctx.fill();
        ctx.strokeStyle = translucent(line.color, 0.5);
        ctx.lineWidth = 0.75 * ratio;
        ctx.stroke();
      }
    }
    ctx.restore();
  }

  /** A hatched band under the lowest gridline, labelled "= 0": where values of 0 are drawn. */
  private drawZeroBand(u: uPlot): void {
    const zero = this.zeroShown();
    if (zero === undefined) return;
    const ctx = u.ctx;
    const ratio = window.devicePixelRatio || 1;
    const top = Math.round(u.valToPos(zeroBandTop(zero), 'y', true));
    const bottom = u.bbox.top + u.bbox.height;
    const { left, width } = u.bbox;
    ctx.save();
    ctx.beginPath();
    ctx.rect(left, top, width, bottom - top);
    ctx.clip();
    ctx.globalAlpha = 0.35;
    ctx.strokeStyle = this.theme.muted;
    ctx.lineWidth = ratio;
    ctx.beginPath();
    for (let x = left - (bottom - top); x < left + width; x += 8 * ratio) {
      ctx.moveTo(x, bottom);
      ctx.lineTo(x + (bottom - top), top);
    }
    ctx.stroke();
    ctx.restore();
    ctx.save();
    ctx.strokeStyle = this.theme.muted;
    ctx.setLineDash([4 * ratio, 3 * ratio]);
    ctx.lineWidth = ratio;
    ctx.beginPath();
    ctx.moveTo(left, top);
    ctx.lineTo(left + width, top);
    ctx.stroke();
    ctx.setLineDash([]);
    ctx.fillStyle = this.theme.muted;
    ctx.font = this.theme.font.replace(/^\S+/, `italic ${Math.round(10 * ratio)}px`);
    ctx.textAlign = 'right';
    ctx.textBaseline = 'middle';
    ctx.fillText('= 0', left - 8 * ratio, (top + bottom) / 2);
    ctx.restore();
  }

  private showReadout(idx: number | null | undefined): void {
    const spec = this.spec;
    if (idx === null || idx === undefined || idx < 0 || idx >= spec.x.length) {
      if (this.keyIndex === undefined) this.readout.replaceChildren(' ');
      return;
    }
    const where = spec.xNames ? spec.xNames[idx] : `step ${spec.x[idx]}`;
    // One entry per series, wrapping onto more lines rather than cut off.
    this.readout.replaceChildren(
      h('strong', {}, `${where}${spec.valueNote ? ` (${spec.valueNote})` : ''}:`),
      ...spec.lines.map((l) => h('span', { class: 'readout-item' }, `${l.label} `, h('span', { class: 'readout-value' }, valueAt(l, idx, this.options.percent)))),
    );
  }

  private legendEntries(spec: ChartSpec): LegendEntry[] {
    return [...spec.lines.filter((l) => !l.hideInLegend).map((l) => ({ label: l.label, color: l.color, dashed: l.dashed })), ...(spec.legendExtra ?? [])];
  }

  private renderLegend(spec: ChartSpec): void {
    this.legend.replaceChildren(
      ...this.legendEntries(spec).map((e) =>
        h('span', { class: 'legend-item' }, h('span', { class: `swatch${e.dashed ? ' dashed' : ''}`, 'data-color': e.color }), e.label),
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
