/** Several seeds: the Student-t interval and the per-initializer summary (pure). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { meanInterval, studentT975, summarizeSeeds } from '../../src/probe/seedSummary';
import type { RunRecord } from '../../src/protocol';

/** P(T ≤ t) for Student's t with df degrees of freedom, by Simpson on its density. */
function tCdf(t: number, df: number): number {
  const logC = lgamma((df + 1) / 2) - lgamma(df / 2) - 0.5 * Math.log(df * Math.PI);
  const density = (x: number): number => Math.exp(logC - ((df + 1) / 2) * Math.log(1 + (x * x) / df));
  const n = 20000;
  const h = t / n;
  let acc = density(0) + density(t);
  for (let i = 1; i < n; i++) acc += (i % 2 ? 4 : 2) * density(i * h);
  return 0.5 + (acc * h) / 3;
}

/** log Γ by Lanczos (g = 7). */
function lgamma(x: number): number {
  const c = [0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61503916999185, 12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7];
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - lgamma(1 - x);
  const xx = x - 1;
  let a = c[0];
  const t = xx + 7.5;
  for (let i = 1; i < 9; i++) a += c[i] / (xx + i);
  return 0.5 * Math.log(2 * Math.PI) + (xx + 0.5) * Math.log(t) - t + Math.log(a);
}

test('the 97.5% Student-t quantiles are right (numeric integral of the density)', () => {
  for (const df of [1, 2, 3, 5, 10, 29, 30, 40, 120]) {
    const q = studentT975(df);
    assert.ok(Math.abs(tCdf(q, df) - 0.975) < 2e-4, `df ${df}: P(T ≤ ${q}) = ${tCdf(q, df)}`);
  }
});

test('meanInterval: mean ± t·s/√n, no interval from one value, non-finite values left out', () => {
  const i = meanInterval([0.9, 0.91, 0.92]);
  assert.ok(Math.abs((i.mean ?? 0) - 0.91) < 1e-12);
  const half = (4.303 * 0.01) / Math.sqrt(3);
  assert.ok(Math.abs((i.high ?? 0) - (0.91 + half)) < 1e-12 && Math.abs((i.low ?? 0) - (0.91 - half)) < 1e-12);
  assert.deepEqual(meanInterval([0.5, null, NaN]), { mean: 0.5, low: null, high: null });
  assert.deepEqual(meanInterval([]), { mean: null, low: null, high: null });
});

test('summarizeSeeds groups runs by initializer and counts the seeds each flag fired in', () => {
  const run = (initializer: string, seed: number, acc: number, flags: [string, number][]): RunRecord => ({
    runId: `${initializer}${seed}`,
    initializer,
    spec: null,
    activation: 'relu',
    hidden: [8],
    status: 'finished',
    seed,
    layers: [],
    steps: [],
    final: { validationAccuracy: acc, loss: 1 - acc, steps: 10 },
    flags: flags.map(([kind, layer]) => ({ kind: kind as RunRecord['flags'][number]['kind'], layer, step: 0, evidence: '', note: '' })),
  });
  const summary = summarizeSeeds([run('a', 1, 0.8, [['dead', 1]]), run('b', 1, 0.5, []), run('a', 2, 0.9, [['dead', 1], ['dead', 1], ['symmetric', 1]]), run('a', 3, 0.85, [])]);
  assert.deepEqual(
    summary.map((s) => [s.initializer, s.seeds, s.seedValues]),
    [
      ['a', 3, [1, 2, 3]],
      ['b', 1, [1]],
    ],
  );
  assert.deepEqual(summary[0].flags, [
    { kind: 'dead', layer: 1, seeds: 2 },
    { kind: 'symmetric', layer: 1, seeds: 1 },
  ]);
  assert.ok(Math.abs((summary[0].validationAccuracy.mean ?? 0) - 0.85) < 1e-12);
  assert.ok((summary[0].validationAccuracy.low ?? 1) < 0.85 && (summary[1].validationAccuracy.low ?? null) === null);
});
