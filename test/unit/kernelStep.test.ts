/**
 * The probe trained on InitLens' WebAssembly SIMD kernels (kernelStep.ts) gives today's numbers:
 * the same runs on tfjs ops, compared step by step within float32 tolerance.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { finished, probe, request, started } from './helpers';
import type { ProbeConfig } from '../../src/probe/config';
import type { StepMetrics } from '../../src/protocol';
import { erf, multiplyDerivative } from '../../src/probe/kernelStep';
import { LEAKY_SLOPE } from '../../src/probe/network';

/** |a − b| ≤ rel·max(|a|, |b|) + abs, nulls equal. */
function near(a: number | null, b: number | null, rel: number, abs: number): boolean {
  if (a === null || b === null) return a === b;
  return Math.abs(a - b) <= rel * Math.max(Math.abs(a), Math.abs(b)) + abs;
}

function compare(ours: StepMetrics[], theirs: StepMetrics[], what: string, rel: number): number {
  assert.deepEqual(ours.map((m) => m.step), theirs.map((m) => m.step), `${what}: steps`);
  let worst = 0;
  ours.forEach((m, s) => {
    const t = theirs[s];
    const check = (name: string, a: number | null, b: number | null, abs = 1e-7): void => {
      if (a !== null && b !== null) worst = Math.max(worst, Math.abs(a - b) / Math.max(Math.abs(a), Math.abs(b), 1e-30));
      assert.ok(near(a, b, rel, abs), `${what} step ${m.step} ${name}: ${a} vs ${b}`);
    };
    check('loss', m.loss, t.loss);
    check('accuracy', m.accuracy, t.accuracy, 1e-9);
    check('validation accuracy', m.validationAccuracy, t.validationAccuracy, 0.0021); // ±1 of 500 digits
    m.layers.forEach((l, i) => {
      const o = t.layers[i];
      for (const key of ['preActivationMean', 'preActivationVariance', 'activationMean', 'activationVariance', 'activationSecondMoment', 'gradNorm', 'biasGradNorm', 'backwardSecondMoment', 'weightStd', 'updateRatio'] as const) {
        check(`layer ${i + 1} ${key}`, l[key], o[key], 1e-6 * Math.abs(m.layers[i].preActivationVariance ?? 1));
      }
      assert.equal(l.distinctUnits, o.distinctUnits, `${what} step ${m.step} layer ${i + 1} distinct units`);
      check(`layer ${i + 1} dead fraction`, l.deadFraction, o.deadFraction, 0.02);
      check(`layer ${i + 1} saturated fraction`, l.saturatedFraction, o.saturatedFraction, 0.002);
      // Histograms: the same bins; a value within float32 rounding of a bin edge may land on either side.
      assert.equal(!l.histogram, !o.histogram, `${what} step ${m.step} layer ${i + 1}: histogram on one path only`);
      if (l.histogram && o.histogram) {
        const [h, g] = [l.histogram, o.histogram];
        check(`layer ${i + 1} histogram lo`, h.lo, g.lo);
        check(`layer ${i + 1} histogram hi`, h.hi, g.hi);
        const total = g.counts.reduce((x, y) => x + y, 0);
        assert.equal(h.counts.reduce((x, y) => x + y, 0), total, `${what} step ${m.step} layer ${i + 1}: histogram total`);
        const moved = h.counts.reduce((sum, c, b) => sum + Math.abs(c - g.counts[b]), 0);
        assert.ok(moved <= Math.max(4, 0.002 * total), `${what} step ${m.step} layer ${i + 1}: histogram counts ${h.counts} vs ${g.counts}`);
        check(`layer ${i + 1} near-zero share`, h.nearZero, g.nearZero, 0.002);
      }
    });
  });
  return worst;
}

async function both(initializer: string, config: Partial<ProbeConfig>, rel: number): Promise<void> {
  const ours = await probe(request(initializer, config));
  const theirs = await probe(request(initializer, config), 'tfjs');
  assert.match(started(ours.events).backendReason, /InitLens WebAssembly SIMD matmul kernels/);
  assert.doesNotMatch(started(theirs.events).backendReason, /InitLens/);
  const what = `${initializer} ${JSON.stringify(config)}`;
  const worst = compare(ours.outcome.steps, theirs.outcome.steps, what, rel);
  const a = finished(ours.events).final;
  const b = finished(theirs.events).final;
  assert.ok(near(a.loss, b.loss, rel, 0) && near(a.validationAccuracy, b.validationAccuracy, 0, 0.0011), `${what} final: ${JSON.stringify(a)} vs ${JSON.stringify(b)}`);
  console.log(`# ${what}: largest relative difference ${worst.toExponential(1)}`);
}

test('the seed model: kernels and tfjs ops agree at every measured step', async () => {
  await both('he_normal', { steps: 40, every: 10 }, 5e-4);
});

test('deeper, odd widths, every activation, sgd too: kernels and tfjs ops agree', async () => {
  for (const activation of ['relu', 'tanh', 'sigmoid', 'elu', 'selu', 'leaky_relu', 'gelu', 'linear'] as const) {
    await both('glorot_normal', { steps: 12, every: 4, hidden: [37, 20, 13], batch: 19, activation }, 5e-4);
  }
  await both('he_uniform', { steps: 12, every: 4, hidden: [64, 33], batch: 16, optimizer: 'sgd', lr: 0.05 }, 5e-4);
});

test('erf matches its series to 2e-7', () => {
  // erf(x) = 2/√π Σ (−1)ⁿ x^(2n+1) / (n! (2n+1)), summed in float64 where it converges well.
  for (let x = -3; x <= 3; x += 0.125) {
    let term = x;
    let sum = x;
    for (let n = 1; n < 200; n++) {
      term *= (-x * x) / n;
      sum += term / (2 * n + 1);
    }
    const want = (2 / Math.sqrt(Math.PI)) * sum;
    assert.ok(Math.abs(erf(x) - want) < 2e-7, `erf(${x}) = ${erf(x)} vs ${want}`);
  }
});

test("the activations' derivative multiplies, as tfjs' gradients do: a NaN or infinite δ at a dead relu unit stays NaN", () => {
  const back = Float32Array.from([NaN, Infinity, 2, 3]);
  const a = Float32Array.from([0, 0, 0, 1.5]);
  multiplyDerivative(back, a, a, 'relu');
  assert.ok(Number.isNaN(back[0]) && Number.isNaN(back[1]), `dead units: ${back[0]}, ${back[1]}`);
  assert.deepEqual([back[2], back[3]], [0, 3]);
  const leaky = Float32Array.from([2, 2]);
  multiplyDerivative(leaky, Float32Array.from([-1, 1]), Float32Array.from([-1, 1]), 'leaky_relu');
  assert.deepEqual([...leaky], [Math.fround(2 * LEAKY_SLOPE), 2]);
});
