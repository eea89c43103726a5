/**
 * Colours for canvases (uPlot, the heatmap, exported PNGs), read from VS Code's theme variables
 * so dark, light and high-contrast themes all work; re-read when VS Code switches the theme
 * (it changes the body's vscode-dark / vscode-light / vscode-high-contrast class).
 */
export interface ThemeColors {
  kind: 'dark' | 'light' | 'high-contrast' | 'high-contrast-light';
  foreground: string;
  muted: string;
  background: string;
  grid: string;
  focus: string;
  font: string;
  series: string[];
  /** Heatmap ramp, low → high. */
  ramp: string[];
}

const SERIES_VARS = [
  '--vscode-charts-blue',
  '--vscode-charts-orange',
  '--vscode-charts-green',
  '--vscode-charts-purple',
  '--vscode-charts-red',
  '--vscode-charts-yellow',
  '--vscode-terminal-ansiCyan',
  '--vscode-terminal-ansiMagenta',
];
const SERIES_FALLBACK = ['#3794ff', '#d18616', '#89d185', '#b180d7', '#f14c4c', '#cca700', '#29b8db', '#bc3fbc'];

function cssVar(style: CSSStyleDeclaration, name: string, fallback: string): string {
  const value = style.getPropertyValue(name).trim();
  return value === '' ? fallback : value;
}

export function themeKind(): ThemeColors['kind'] {
  const c = document.body.classList;
  if (c.contains('vscode-high-contrast-light')) return 'high-contrast-light';
  if (c.contains('vscode-high-contrast')) return 'high-contrast';
  return c.contains('vscode-light') ? 'light' : 'dark';
}

export function readTheme(): ThemeColors {
  const style = getComputedStyle(document.body);
  const kind = themeKind();
  const foreground = cssVar(style, '--vscode-editor-foreground', cssVar(style, '--vscode-foreground', '#cccccc'));
  const background = cssVar(style, '--vscode-editor-background', '#1e1e1e');
  const series = SERIES_VARS.map((v, i) => cssVar(style, v, SERIES_FALLBACK[i]));
  return {
    kind,
    foreground,
    muted: cssVar(style, '--vscode-descriptionForeground', foreground),
    background,
    grid: cssVar(style, '--vscode-charts-lines', cssVar(style, '--vscode-editorWidget-border', '#80808059')),
    focus: cssVar(style, '--vscode-focusBorder', '#007fd4'),
    font: `${cssVar(style, '--vscode-font-size', '13px')} ${cssVar(style, '--vscode-font-family', 'sans-serif')}`,
    series,
    ramp: [cssVar(style, '--vscode-charts-purple', '#b180d7'), cssVar(style, '--vscode-charts-blue', '#3794ff'), cssVar(style, '--vscode-charts-green', '#89d185'), cssVar(style, '--vscode-charts-yellow', '#cca700')],
  };
}

export function onThemeChange(callback: () => void): void {
  let last = document.body.className;
  new MutationObserver(() => {
    if (document.body.className === last) return;
    last = document.body.className;
    callback();
  }).observe(document.body, { attributes: true, attributeFilter: ['class'] });
}

/** Any CSS colour as [r, g, b, a] via a 1×1 canvas (theme variables come as hex, rgb or rgba). */
export function parseColor(color: string): [number, number, number, number] {
  const canvas = document.createElement('canvas');
  canvas.width = 1;
  canvas.height = 1;
  const ctx = canvas.getContext('2d');
  if (!ctx) return [128, 128, 128, 255];
  ctx.clearRect(0, 0, 1, 1);
  ctx.fillStyle = color;
  ctx.fillRect(0, 0, 1, 1);
  const d = ctx.getImageData(0, 0, 1, 1).data;
  return [d[0], d[1], d[2], d[3]];
}
