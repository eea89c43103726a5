/** "Did you mean …": close spellings by edit distance, ignoring case. */

/** Optimal-string-alignment distance (Levenshtein plus adjacent transpositions). */
export function editDistance(a: string, b: string): number {
  if (a === b) return 0;
  const n = a.length;
  const m = b.length;
  if (n === 0) return m;
  if (m === 0) return n;
  let prev2 = new Array<number>(m + 1).fill(0);
  let prev = Array.from({ length: m + 1 }, (_, j) => j);
  let cur = new Array<number>(m + 1).fill(0);
  for (let i = 1; i <= n; i++) {
    cur[0] = i;
    for (let j = 1; j <= m; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let d = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d = Math.min(d, prev2[j - 2] + 1);
      cur[j] = d;
    }
    [prev2, prev, cur] = [prev, cur, prev2];
  }
  return prev[m];
}

/**
 * Up to `limit` candidates within a distance that grows with the word (a third of its length,
 * at least 1, at most 3), nearest first, ties in the candidates' own order. Inputs longer than
 * any name are not compared at all: that keeps a pasted paragraph from costing anything.
 */
export function suggest(written: string, candidates: readonly string[], limit = 3): string[] {
  const w = written.toLowerCase();
  if (w.length === 0 || w.length > 64) return [];
  const maxDistance = Math.min(3, Math.max(1, Math.floor(w.length / 3)));
  const scored: { name: string; d: number; order: number }[] = [];
  const seen = new Set<string>();
  candidates.forEach((name, order) => {
    if (seen.has(name) || name === written) return;
    seen.add(name);
    const d = editDistance(w, name.toLowerCase());
    if (d <= maxDistance) scored.push({ name, d, order });
  });
  scored.sort((x, y) => x.d - y.d || x.order - y.order);
  return scored.slice(0, limit).map((s) => s.name);
}
