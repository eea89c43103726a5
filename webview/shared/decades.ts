/**
 * Log axes with our own decade gridlines, for every chart that has one (the Compare panel's and
 * the Signal Propagation view's): uPlot's own log splits step through an increment table that
 * stops at 1e-16 and never end on axes reaching further down (uPlot issues #1098, #849).
 */

/** Powers of ten between min and max, thinned to fit `slots` labels: a log axis without clutter. */
export function decadeSplits(min: number, max: number, slots: number): number[] {
  if (!(min > 0) || !(max >= min)) return [];
  const lo = Math.ceil(Math.log10(min) - 1e-9);
  const hi = Math.floor(Math.log10(max) + 1e-9);
  const every = Math.max(1, Math.ceil((hi - lo + 1) / Math.max(1, slots)));
  const out: number[] = [];
  for (let e = hi; e >= lo; e -= every) out.unshift(10 ** e);
  return out;
}

/** 1e-12, 0.001, 0.1, 1, 100, 1e6: decade labels as people write them. */
export function formatDecade(value: number): string {
  const e = Math.round(Math.log10(value));
  return e >= -3 && e <= 4 ? String(Number((10 ** e).toPrecision(1))) : `1e${e}`;
}
