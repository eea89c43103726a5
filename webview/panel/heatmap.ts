/**
 * Layer × step heatmap of one run's activation variance on a canvas: a log colour scale between
 * the grid's smallest and largest positive values (theme chart colours, low → high), zeros in
 * the grid colour, a colour bar with its range. Redrawn on data, size and theme changes.
 */
import type { HeatmapGrid } from './chartData';
import { heatPosition } from './chartData';
import { formatNumber } from '../../src/view/number';
import { composeImage } from '../shared/chartImage';
import { h } from '../shared/dom';
import { parseColor } from '../shared/theme';
import type { ThemeColors } from '../shared/theme';

type Rgba = [number, number, number, number];

function rampColor(stops: readonly Rgba[], t: number): string {
  const scaled = t * (stops.length - 1);
  const i = Math.min(stops.length - 2, Math.floor(scaled));
  const f = scaled - i;
  const mix = (k: number): number => Math.round(stops[i][k] + (stops[i + 1][k] - stops[i][k]) * f);
  return `rgb(${mix(0)}, ${mix(1)}, ${mix(2)})`;
}

export class Heatmap {
  private readonly canvas: HTMLCanvasElement;
  private readonly caption: HTMLElement;
  private grid: HeatmapGrid | undefined;
  private title = '';
  private stops: Rgba[];
  private readonly resize: ResizeObserver;

  constructor(
    host: HTMLElement,
    private theme: ThemeColors,
  ) {
    this.canvas = h('canvas', { class: 'heatmap', role: 'img', 'aria-label': 'Activation variance heatmap: no data yet' });
    this.caption = h('div', { class: 'readout' }, ' ');
    host.append(this.canvas, this.caption);
    this.stops = theme.ramp.map(parseColor);
    let lastWidth = 0;
    this.resize = new ResizeObserver(() => {
      const width = this.canvas.parentElement?.clientWidth ?? 0;
      if (width === lastWidth || width === 0) return;
      lastWidth = width;
      this.draw();
    });
    this.resize.observe(host);
  }

  setTheme(theme: ThemeColors): void {
    this.theme = theme;
    this.stops = theme.ramp.map(parseColor);
    this.draw();
  }

  update(grid: HeatmapGrid | undefined, title: string): void {
    this.grid = grid;
    this.title = title;
    this.draw();
  }

  pointCount(): number {
    return this.grid ? this.grid.values.reduce((n, row) => n + row.filter((v) => v !== null).length, 0) : 0;
  }

  private draw(): void {
    const grid = this.grid;
    const t = this.theme;
    const ratio = window.devicePixelRatio || 1;
    const width = Math.max(240, this.canvas.parentElement?.clientWidth ?? 480);
    const layers = grid?.layerNames.length ?? 0;
    const rowH = layers > 0 ? Math.max(10, Math.min(26, Math.floor(200 / layers))) : 26;
    const top = 8;
    const left = 76;
    const right = 96;
    const bottom = 40;
    const height = top + Math.max(1, layers) * rowH + bottom;
    this.canvas.width = Math.round(width * ratio);
    this.canvas.height = Math.round(height * ratio);
    this.canvas.style.width = `${width}px`;
    this.canvas.style.height = `${height}px`;
    const ctx = this.canvas.getContext('2d');
    if (!ctx) return;
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    ctx.clearRect(0, 0, width, height);
    const small = t.font.replace(/^\S+/, '11px');
    ctx.font = small;
    ctx.textBaseline = 'middle';
    if (!grid || grid.steps.length === 0) {
      ctx.fillStyle = t.muted;
      ctx.fillText('No step records yet.', left, top + rowH / 2);
      this.canvas.setAttribute('aria-label', 'Activation variance heatmap: no data yet');
      return;
    }
    const plotW = width - left - right;
    const cellW = plotW / grid.steps.length;
    // More records than pixels (long runs, every = 1): one column per pixel, sampled, so a
    // redraw costs layers × width, not layers × steps.
    const columns = Math.min(grid.steps.length, Math.max(1, Math.floor(plotW)));
    grid.values.forEach((row, l) => {
      const y = top + l * rowH;
      ctx.fillStyle = t.foreground;
      ctx.textAlign = 'right';
      ctx.fillText(grid.layerNames[l], left - 6, y + rowH / 2);
      for (let c = 0; c < columns; c++) {
        const s = columns === row.length ? c : Math.min(row.length - 1, Math.floor(((c + 0.5) * row.length) / columns));
        const v = row[s];
        const pos = heatPosition(v, grid.min, grid.max);
        if (pos === null) continue;
        ctx.fillStyle = v !== null && v <= 0 ? t.grid : rampColor(this.stops, pos);
        // Whole-pixel edges: no seams, and no double-painted overlaps of translucent colours.
        const x0 = Math.round(left + (c * plotW) / columns);
        const x1 = Math.round(left + ((c + 1) * plotW) / columns);
        ctx.fillRect(x0, y, Math.max(1, x1 - x0), rowH - 1);
      }
    });
    // Step ticks: about one per 80 px.
    ctx.fillStyle = t.muted;
    ctx.textAlign = 'center';
    const every = Math.max(1, Math.ceil(grid.steps.length / Math.max(1, Math.floor(plotW / 80))));
    for (let s = 0; s < grid.steps.length; s += every) ctx.fillText(String(grid.steps[s]), left + (s + 0.5) * cellW, top + layers * rowH + 12);
    ctx.fillText('step', left + plotW / 2, top + layers * rowH + 28);
    // Colour bar.
    const barX = left + plotW + 16;
    const barH = layers * rowH;
    for (let i = 0; i < barH; i++) {
      ctx.fillStyle = rampColor(this.stops, 1 - i / Math.max(1, barH - 1));
      ctx.fillRect(barX, top + i, 12, 1);
    }
    ctx.textAlign = 'left';
    ctx.fillStyle = t.foreground;
    const zero = grid.max <= 0;
    ctx.fillText(zero ? 'all 0' : formatNumber(grid.max), barX + 16, top + 6);
    if (!zero) ctx.fillText(formatNumber(grid.min), barX + 16, top + barH - 6);
    ctx.fillStyle = t.grid;
    ctx.fillRect(barX, top + barH + 6, 12, 10);
    ctx.fillStyle = t.muted;
    ctx.fillText('= 0', barX + 16, top + barH + 11);
    this.canvas.setAttribute('aria-label', `${this.title}: ${layers} layers × ${grid.steps.length} steps, from ${formatNumber(grid.min)} to ${formatNumber(grid.max)}`);
    this.caption.textContent = zero ? 'Every value is 0: no signal reaches these layers.' : `log colour scale from ${formatNumber(grid.min)} to ${formatNumber(grid.max)}`;
  }

  image(): string | undefined {
    if (!this.grid || this.grid.steps.length === 0) return undefined;
    return composeImage(this.canvas, this.title, [], this.theme);
  }

  destroy(): void {
    this.resize.disconnect();
  }
}
