/**
 * A chart as a PNG a person can paste anywhere: the canvas with a title above and the legend
 * below, on the theme's background (a bare uPlot canvas is transparent and has no legend).
 */
import type { ThemeColors } from './theme';

export interface LegendEntry {
  label: string;
  color: string;
  dashed?: boolean;
}

export function composeImage(source: HTMLCanvasElement, title: string, legend: readonly LegendEntry[], theme: ThemeColors): string {
  const ratio = window.devicePixelRatio || 1;
  const pad = Math.round(10 * ratio);
  const titleH = Math.round(26 * ratio);
  const rowH = Math.round(20 * ratio);
  const probe = document.createElement('canvas').getContext('2d');
  const fontSize = Math.round(12 * ratio);
  const family = getComputedStyle(document.body).getPropertyValue('--vscode-font-family').trim() || 'sans-serif';
  const font = `${fontSize}px ${family}`;
  // Lay the legend out in rows that fit the width.
  const rows: { entry: LegendEntry; x: number }[][] = [[]];
  let x = pad;
  if (probe) probe.font = font;
  for (const entry of legend) {
    const w = Math.round(28 * ratio) + (probe ? probe.measureText(entry.label).width : entry.label.length * fontSize * 0.6) + pad;
    if (x + w > source.width - pad && rows[rows.length - 1].length > 0) {
      rows.push([]);
      x = pad;
    }
    rows[rows.length - 1].push({ entry, x });
    x += w;
  }
  const legendH = legend.length > 0 ? rows.length * rowH + pad : 0;
  const out = document.createElement('canvas');
  out.width = source.width;
  out.height = titleH + source.height + legendH;
  const ctx = out.getContext('2d');
  if (!ctx) return source.toDataURL('image/png');
  ctx.fillStyle = theme.background;
  ctx.fillRect(0, 0, out.width, out.height);
  ctx.fillStyle = theme.foreground;
  ctx.font = `600 ${Math.round(13 * ratio)}px ${family}`;
  ctx.textBaseline = 'middle';
  ctx.fillText(title, pad, titleH / 2);
  ctx.drawImage(source, 0, titleH);
  ctx.font = font;
  rows.forEach((row, r) => {
    const y = titleH + source.height + pad / 2 + r * rowH + rowH / 2;
    for (const { entry, x: left } of row) {
      ctx.strokeStyle = entry.color;
      ctx.lineWidth = 2 * ratio;
      ctx.setLineDash(entry.dashed ? [4 * ratio, 3 * ratio] : []);
      ctx.beginPath();
      ctx.moveTo(left, y);
      ctx.lineTo(left + 20 * ratio, y);
      ctx.stroke();
      ctx.fillStyle = theme.foreground;
      ctx.fillText(entry.label, left + 26 * ratio, y);
    }
  });
  return out.toDataURL('image/png');
}
