/**
 * The one number format of InitLens: the CLI table, the panel, hovers, diagnostics, the report
 * and the engine's flag evidence all write a value through here, so it reads the same everywhere.
 * Three significant digits with trailing zeros dropped; exponent form (1.23e-5) outside
 * [0.001, 10 000). A leaf: imports nothing, so even the engine may use it.
 */
export function formatNumber(x: number | null | undefined): string {
  if (x === null || x === undefined) return '—';
  if (Number.isNaN(x)) return 'NaN';
  if (!Number.isFinite(x)) return x > 0 ? '∞' : '−∞';
  if (x === 0) return '0';
  const a = Math.abs(x);
  if (a >= 1e4 || a < 1e-3) return x.toExponential(2).replace(/e\+?/, 'e');
  return String(Number(x.toPrecision(3)));
}

/** A fraction as a percentage with one decimal: 0.9274 → 92.7%; missing or not finite → —. */
export function formatPercent(x: unknown): string {
  return typeof x === 'number' && Number.isFinite(x) ? `${(100 * x).toFixed(1)}%` : '—';
}
