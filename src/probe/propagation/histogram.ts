/** Fixed-edge histograms: every value lands in a bin (values beyond the ends count in the end bins). */

export interface Histogram {
  /** Left edge of the first bin and right edge of the last. */
  lo: number;
  hi: number;
  counts: number[];
}

export function histogram(values: ArrayLike<number>, lo: number, hi: number, bins: number): Histogram {
  if (!(Number.isInteger(bins) && bins >= 1)) throw new RangeError(`histogram needs at least one bin, got ${bins}`);
  const counts = new Array<number>(bins).fill(0);
  const width = hi > lo ? (hi - lo) / bins : 1;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    // NaN goes to the first bin so the counts still sum to the number of values.
    const k = Math.floor((v - lo) / width);
    counts[k >= bins ? bins - 1 : k >= 0 ? k : 0] += 1;
  }
  return { lo, hi, counts };
}
