/** Hand-drawn canvases: the χ₁ phase diagram and the heat maps (trainability, histograms over steps). */
import type { PhaseJson } from '../../src/protocol/propagation';
import type { ThemeColors } from '../shared/theme';
import { parseColor } from '../shared/theme';

function setup(canvas: HTMLCanvasElement, width: number, height: number): CanvasRenderingContext2D {
  const ratio = window.devicePixelRatio || 1;
  canvas.width = Math.round(width * ratio);
  canvas.height = Math.round(height * ratio);
  canvas.style.width = `${width}px`;
  canvas.style.height = `${height}px`;
  const ctx = canvas.getContext('2d')!;
  ctx.scale(ratio, ratio);
  return ctx;
}

const rgba = (color: string, alpha: number): string => {
  const [r, g, b] = parseColor(color);
  return `rgba(${r}, ${g}, ${b}, ${alpha})`;
};

const M = { left: 52, right: 12, top: 22, bottom: 34 };

export function drawPhase(canvas: HTMLCanvasElement, phase: PhaseJson, width: number, height: number, theme: ThemeColors): void {
  const ctx = setup(canvas, width, height);
  ctx.fillStyle = theme.background;
  ctx.fillRect(0, 0, width, height);
  const W = phase.sigmaW2;
  const B = phase.sigmaB2;
  const pw = width - M.left - M.right;
  const ph = height - M.top - M.bottom;
  const x0 = W[0];
  const x1 = W[W.length - 1];
  const y0 = B[0];
  const y1 = B[B.length - 1];
  const X = (w: number): number => M.left + ((w - x0) / (x1 - x0)) * pw;
  const Y = (b: number): number => M.top + ph - ((b - y0) / (y1 - y0 || 1)) * ph;
  const blue = theme.series[0];
  const red = theme.series[4] ?? theme.series[1];
  const cw = pw / W.length;
  const chh = ph / B.length;
  B.forEach((_, j) =>
    W.forEach((_, i) => {
      const chi = phase.chi1[j][i];
      const l = Math.log(Math.max(chi, 1e-6));
      ctx.fillStyle = rgba(l < 0 ? blue : red, Math.min(0.85, 0.12 + Math.abs(l) * 0.9));
      ctx.fillRect(M.left + i * cw, M.top + ph - (j + 1) * chh, cw + 0.5, chh + 0.5);
    }),
  );
  // The critical line χ₁ = 1.
  ctx.strokeStyle = theme.foreground;
  ctx.lineWidth = 2;
  ctx.beginPath();
  let started = false;
  for (const c of phase.critical) {
    if (c.sigmaW2 === null) continue;
    const px = X(c.sigmaW2);
    const py = Y(c.sigmaB2);
    if (started) ctx.lineTo(px, py);
    else ctx.moveTo(px, py);
    started = true;
  }
  ctx.stroke();
  // Axes.
  ctx.fillStyle = theme.muted;
  ctx.font = theme.font;
  ctx.textAlign = 'center';
  for (let w = Math.ceil(x0 * 2) / 2; w <= x1 + 1e-9; w += 0.5) ctx.fillText(String(w), X(w), height - M.bottom + 14);
  ctx.fillText('σ_w²', M.left + pw / 2, height - 4);
  ctx.textAlign = 'right';
  for (const b of [y0, (y0 + y1) / 2, y1]) ctx.fillText(b.toFixed(2), M.left - 6, Y(b) + 4);
  ctx.save();
  ctx.translate(12, M.top + ph / 2);
  ctx.rotate(-Math.PI / 2);
  ctx.textAlign = 'center';
  ctx.fillText('σ_b²', 0, 0);
  ctx.restore();
  ctx.textAlign = 'left';
  ctx.fillStyle = theme.foreground;
  ctx.fillText('ordered (χ₁ < 1)', M.left + 6, M.top - 6);
  ctx.textAlign = 'right';
  ctx.fillText('chaotic (χ₁ > 1)', width - M.right, M.top - 6);
  // The initializers, at σ_b² = 0, labels staggered so they do not overlap.
  ctx.textAlign = 'left';
  phase.initializers.forEach((p, k) => {
    const px = X(Math.min(Math.max(p.sigmaW2, x0), x1));
    const py = Y(p.sigmaB2) - 2;
    ctx.fillStyle = theme.series[k % theme.series.length];
    ctx.strokeStyle = theme.background;
    ctx.lineWidth = 1.5;
    ctx.beginPath();
    ctx.arc(px, py, 5, 0, 2 * Math.PI);
    ctx.fill();
    ctx.stroke();
    ctx.fillStyle = theme.foreground;
    const label = p.sigmaW2 < x0 ? `${p.initializer} (σ_w² ${p.sigmaW2.toPrecision(2)})` : p.initializer;
    ctx.fillText(label, Math.min(px + 7, width - M.right - ctx.measureText(label).width), py - 8 - 13 * k);
  });
}

export interface HeatSpec {
  title: string;
  xLabels: string[];
  yLabels: string[];
  xTitle: string;
  yTitle: string;
  /** Value in [0, max] of cell (x, y), null = no data. */
  value: (x: number, y: number) => number | null;
  max: number;
  /** Optional curve across x in y units (yValues), e.g. 6·ξ over depth. */
  overlay?: (number | null)[];
  yValues?: number[];
  /** Optional line across x in [0, 1] of the plot's height (near-zero share). */
  line?: number[];
  text?: (v: number) => string;
  /** Leave cells of value 0 unpainted (empty histogram bins), so the data stands out. */
  blankAtZero?: boolean;
}

export function drawHeat(canvas: HTMLCanvasElement, spec: HeatSpec, width: number, height: number, theme: ThemeColors): void {
  const ctx = setup(canvas, width, height);
  ctx.fillStyle = theme.background;
  ctx.fillRect(0, 0, width, height);
  const nx = spec.xLabels.length;
  const ny = spec.yLabels.length;
  const pw = width - M.left - M.right;
  const ph = height - M.top - M.bottom;
  const cw = pw / nx;
  const chh = ph / ny;
  // A continuous ramp through the theme's chart colours: four flat steps hid the shape of a histogram.
  const stops = theme.ramp.map(parseColor);
  const rampAt = (t: number): string => {
    const x = t * (stops.length - 1);
    const k = Math.min(stops.length - 2, Math.floor(x));
    const f = x - k;
    const [a, b] = [stops[k], stops[k + 1]];
    return `rgb(${Math.round(a[0] + (b[0] - a[0]) * f)}, ${Math.round(a[1] + (b[1] - a[1]) * f)}, ${Math.round(a[2] + (b[2] - a[2]) * f)})`;
  };
  ctx.font = theme.font;
  for (let i = 0; i < nx; i++) {
    for (let j = 0; j < ny; j++) {
      const v = spec.value(i, j);
      const x = M.left + i * cw;
      const y = M.top + ph - (j + 1) * chh;
      if (v === null) {
        ctx.strokeStyle = theme.grid;
        ctx.strokeRect(x + 1, y + 1, cw - 2, chh - 2);
        continue;
      }
      if (spec.blankAtZero && v === 0) continue;
      const t = Math.max(0, Math.min(1, v / spec.max));
      ctx.fillStyle = rampAt(t);
      ctx.fillRect(x, y, cw + 0.5, chh + 0.5);
      if (spec.text && cw > 26 && chh > 12) {
        ctx.fillStyle = t > 0.55 ? theme.background : theme.foreground;
        ctx.textAlign = 'center';
        ctx.fillText(spec.text(v), x + cw / 2, y + chh / 2 + 4);
      }
    }
  }
  if (spec.overlay && spec.yValues) {
    // Depth on the y axis is categorical; place the curve by interpolating between rows.
    const ys = spec.yValues;
    const rowOf = (d: number): number => {
      if (d <= ys[0]) return 0;
      for (let k = 1; k < ys.length; k++) if (d <= ys[k]) return k - 1 + (d - ys[k - 1]) / (ys[k] - ys[k - 1]);
      return ys.length - 1;
    };
    ctx.strokeStyle = theme.foreground;
    ctx.setLineDash([5, 4]);
    ctx.lineWidth = 2;
    ctx.beginPath();
    let started = false;
    spec.overlay.forEach((d, i) => {
      const px = M.left + (i + 0.5) * cw;
      const py = M.top + ph - (rowOf(d ?? Infinity) + 0.5) * chh;
      if (started) ctx.lineTo(px, py);
      else ctx.moveTo(px, py);
      started = true;
    });
    ctx.stroke();
    ctx.setLineDash([]);
  }
  if (spec.line) {
    ctx.strokeStyle = theme.focus;
    ctx.lineWidth = 2;
    ctx.beginPath();
    spec.line.forEach((v, i) => {
      const px = M.left + (i + 0.5) * cw;
      const py = M.top + ph - v * ph;
      if (i === 0) ctx.moveTo(px, py);
      else ctx.lineTo(px, py);
    });
    ctx.stroke();
  }
  ctx.fillStyle = theme.foreground;
  ctx.textAlign = 'left';
  // A long title (the trainability map's, with its timing) is narrowed to the canvas, not cut off.
  ctx.fillText(spec.title, M.left, 14, width - M.left - 4);
  ctx.fillStyle = theme.muted;
  ctx.textAlign = 'center';
  const everyX = Math.max(1, Math.ceil(nx / Math.max(1, pw / 40)));
  spec.xLabels.forEach((l, i) => {
    if (i % everyX === 0) ctx.fillText(l, M.left + (i + 0.5) * cw, height - M.bottom + 14);
  });
  ctx.fillText(spec.xTitle, M.left + pw / 2, height - 4);
  ctx.textAlign = 'right';
  const everyY = Math.max(1, Math.ceil(ny / Math.max(1, ph / 16)));
  spec.yLabels.forEach((l, j) => {
    if (j % everyY === 0) ctx.fillText(l, M.left - 6, M.top + ph - (j + 0.5) * chh + 4);
  });
}
