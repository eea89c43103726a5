/**
 * Every catalog initializer, sampled for real with tfjs (wasm backend), against its formula and
 * against theory.weightVariance. Tolerances are four standard errors of the statistic at the
 * sample size (from the sample's own fourth moment for variances), so a correct sampler fails about once in 15 000 checks and a wrong formula
 * (e.g. a missing 0.8796 correction, 13% off in std) fails every time from 64×32 up.
 */
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Tensor2D } from '@tensorflow/tfjs-core';
import { selectBackend, tf } from '../../src/probe/tfjs';
import { sampleKernel } from '../../src/probe/initializers/sample';
import { INITIALIZER_CATALOG } from '../../src/probe/initializers/catalog';
import { weightMean, weightStdOrLimit, weightVariance, TRUNCATED_VARIANCE_FACTOR } from '../../src/probe/initializers/theory';
import type { InitSpec } from '../../src/probe/initializers/spec';

const FANS: [number, number][] = [
  [64, 32],
  [784, 128],
  [256, 256],
  [1000, 500],
  [32, 64],
];

before(async () => {
  const choice = await selectBackend('wasm');
  assert.equal(choice.name, 'wasm', choice.reason);
});

interface Stats {
  n: number;
  mean: number;
  variance: number;
  meanSquare: number;
  maxAbs: number;
  min: number;
  max: number;
  /** Central fourth moment: the standard error of a variance is √((m4 − var²)/N). */
  m4: number;
}

function stats(values: Float32Array): Stats {
  let sum = 0;
  let sumSq = 0;
  let maxAbs = 0;
  let min = Infinity;
  let max = -Infinity;
  for (const v of values) {
    sum += v;
    sumSq += v * v;
    maxAbs = Math.max(maxAbs, Math.abs(v));
    min = Math.min(min, v);
    max = Math.max(max, v);
  }
  const n = values.length;
  const mean = sum / n;
  let m4 = 0;
  for (const v of values) m4 += (v - mean) ** 4;
  return { n, mean, variance: sumSq / n - mean * mean, meanSquare: sumSq / n, maxAbs, min, max, m4: m4 / n };
}

/** Samples, reads and disposes; asserts the tensor count is back where it started. */
function draw(spec: InitSpec, fanIn: number, fanOut: number, seed = 7): Float32Array {
  const before = tf.memory().numTensors;
  const t: Tensor2D = sampleKernel(spec, fanIn, fanOut, seed);
  assert.deepEqual(t.shape, [fanIn, fanOut]);
  assert.equal(t.dtype, 'float32');
  const values = t.dataSync<'float32'>().slice();
  t.dispose();
  assert.equal(tf.memory().numTensors, before, `${JSON.stringify(spec)} leaked tensors`);
  return values;
}

/** Four relative standard errors of a normal sample's variance, √(2/N) each. */
function varianceTolerance(n: number): number {
  return 4 * Math.sqrt(2 / n);
}

/**
 * Four standard errors of this sample's variance, from its own fourth moment: a one-sided
 * tail truncation is nearly exponential (kurtosis ≈ 9), far from the normal's 3.
 */
function sampleVarianceTolerance(s: Stats): number {
  return (4 * Math.sqrt(Math.max(0, s.m4 - s.variance ** 2) / s.n)) / s.variance;
}

function checkIid(spec: InitSpec, fanIn: number, fanOut: number, label: string): void {
  const s = stats(draw(spec, fanIn, fanOut));
  const theoryVar = weightVariance(spec, fanIn, fanOut);
  const theoryMean = weightMean(spec, fanIn, fanOut);
  const scale = weightStdOrLimit(spec, fanIn, fanOut);
  const where = `${label} ${fanIn}×${fanOut}`;
  if (theoryVar === 0) {
    assert.equal(s.variance <= 1e-12, true, `${where}: constant kernel has variance ${s.variance}`);
    assert.ok(Math.abs(s.mean - theoryMean) < 1e-6, `${where}: mean ${s.mean} vs ${theoryMean}`);
    return;
  }
  const relVar = Math.abs(s.variance / theoryVar - 1);
  assert.ok(relVar < sampleVarianceTolerance(s), `${where}: variance ${s.variance} vs theory ${theoryVar} (rel ${relVar.toFixed(4)})`);
  const meanTol = (4 * Math.sqrt(theoryVar)) / Math.sqrt(s.n) + 1e-7;
  assert.ok(Math.abs(s.mean - theoryMean) < meanTol, `${where}: mean ${s.mean} vs ${theoryMean} ± ${meanTol}`);
  if (scale.distribution === 'uniform') {
    const lower = scale.lower ?? NaN;
    const upper = scale.upper ?? NaN;
    assert.ok(s.min >= lower && s.max <= upper, `${where}: values [${s.min}, ${s.max}] outside [${lower}, ${upper}]`);
    // P(no value in the top 1% of the range) = 0.99^N < 1e-8 for N ≥ 2048.
    assert.ok(s.max > upper - 0.01 * (upper - lower) && s.min < lower + 0.01 * (upper - lower), `${where}: range not filled`);
    if (scale.limit !== undefined) {
      const relStd = Math.abs(Math.sqrt(s.variance) / (scale.limit / Math.sqrt(3)) - 1);
      assert.ok(relStd < varianceTolerance(s.n) / 2, `${where}: std ${Math.sqrt(s.variance)} vs limit/√3 ${scale.limit / Math.sqrt(3)}`);
    }
  }
  if (scale.distribution === 'truncated_normal') {
    const lower = scale.lower ?? NaN;
    const upper = scale.upper ?? NaN;
    const slack = 1e-6 * Math.max(Math.abs(lower), Math.abs(upper));
    assert.ok(s.min >= lower - slack && s.max <= upper + slack, `${where}: values [${s.min}, ${s.max}] beyond the truncation [${lower}, ${upper}]`);
  }
  if (scale.distribution === 'normal') {
    // An untruncated normal does exceed 2σ (4.6% of draws): this tells it apart from a truncated one.
    const sigma = scale.sigma ?? NaN;
    assert.ok(s.maxAbs > 2.5 * sigma, `${where}: untruncated normal never exceeds 2.5σ`);
  }
}

function gram(values: Float32Array, rows: number, cols: number, gain: number): number {
  // max |WᵀW − gain²I| (columns orthonormal) or |WWᵀ − gain²I| (rows), computed on tfjs.
  return tf.tidy(() => {
    const w = tf.tensor2d(values, [rows, cols]);
    const g = rows >= cols ? tf.matMul(w, w, true, false) : tf.matMul(w, w, false, true);
    const size = Math.min(rows, cols);
    return tf.max(tf.abs(tf.sub(g, tf.mul(tf.eye(size), gain * gain)))).dataSync()[0];
  });
}

for (const entry of INITIALIZER_CATALOG) {
  test(`${entry.id}: sampled moments match its formula and theory.weightVariance at every fan size`, () => {
    const specs: InitSpec[] = entry.id === 'constant' ? [entry.defaults, { kind: 'constant', value: 0.1 }] : [entry.defaults];
    for (const spec of specs) {
      for (const [fanIn, fanOut] of FANS) {
        if (spec.kind === 'orthogonal' || spec.kind === 'lsuv') {
          const values = draw(spec, fanIn, fanOut);
          const gain = spec.kind === 'orthogonal' ? spec.gain : 1;
          const s = stats(values);
          const theory = weightVariance(spec, fanIn, fanOut);
          // The squared entries of an orthonormal frame sum to min(fans) exactly: no sampling error.
          assert.ok(Math.abs(s.meanSquare / theory - 1) < 1e-4, `${entry.id} ${fanIn}×${fanOut}: E[w²] ${s.meanSquare} vs ${theory}`);
          assert.ok(Math.abs(s.mean) < (4 * Math.sqrt(theory)) / Math.sqrt(s.n), `${entry.id}: mean ${s.mean}`);
          const err = gram(values, fanIn, fanOut, gain);
          assert.ok(err < 1e-4, `${entry.id} ${fanIn}×${fanOut}: not orthogonal, max error ${err}`);
        } else if (spec.kind === 'identity') {
          const values = draw(spec, fanIn, fanOut);
          for (let i = 0; i < fanIn; i++) {
            for (let j = 0; j < fanOut; j++) assert.equal(values[i * fanOut + j], i === j ? spec.gain : 0);
          }
          const s = stats(values);
          assert.ok(Math.abs(s.variance - weightVariance(spec, fanIn, fanOut)) < 1e-9);
          assert.ok(Math.abs(s.mean - weightMean(spec, fanIn, fanOut)) < 1e-9);
        } else {
          checkIid(spec, fanIn, fanOut, entry.id);
        }
      }
    }
  });
}

test('known numbers: he_normal at fan_in 784, glorot_normal and glorot_uniform at 784→128', () => {
  const he = weightStdOrLimit({ kind: 'variance_scaling', scale: 2, mode: 'fan_in', distribution: 'truncated_normal', preset: 'he_normal' }, 784, 128);
  assert.ok(Math.abs(he.std - Math.sqrt(2 / 784)) < 1e-12);
  assert.equal(he.std.toFixed(4), '0.0505');
  // The σ passed to the generator is the nominal std over 0.8796, and values stop at 2σ.
  assert.ok(Math.abs((he.sigma ?? 0) - Math.sqrt(2 / 784) / 0.87962566103423978) < 1e-12);
  const gn = weightStdOrLimit({ kind: 'variance_scaling', scale: 1, mode: 'fan_avg', distribution: 'truncated_normal', preset: 'glorot_normal' }, 784, 128);
  assert.equal(gn.std.toFixed(4), '0.0468');
  assert.ok(Math.abs(gn.std - Math.sqrt(2 / 912)) < 1e-12);
  const gu = weightStdOrLimit({ kind: 'variance_scaling', scale: 1, mode: 'fan_avg', distribution: 'uniform', preset: 'glorot_uniform' }, 784, 128);
  assert.equal(gu.limit?.toFixed(4), '0.0811');
  assert.ok(Math.abs((gu.limit ?? 0) - Math.sqrt(6 / 912)) < 1e-12);
  // And the samples agree (784×128 = 100 352 draws: 4 SE of the std ≈ 0.9%).
  const s = stats(draw({ kind: 'variance_scaling', scale: 2, mode: 'fan_in', distribution: 'truncated_normal' }, 784, 128));
  assert.ok(Math.abs(Math.sqrt(s.variance) / 0.0505076 - 1) < 0.009, `he_normal sampled std ${Math.sqrt(s.variance)}`);
});

test("tfjs' uncorrected heNormal has 0.774 × Keras' variance", () => {
  const keras: InitSpec = { kind: 'variance_scaling', scale: 2, mode: 'fan_in', distribution: 'truncated_normal', preset: 'he_normal' };
  const tfjs: InitSpec = { ...keras, uncorrected: true };
  const k = stats(draw(keras, 784, 256, 1));
  const t = stats(draw(tfjs, 784, 256, 2));
  const ratio = t.variance / k.variance;
  assert.ok(Math.abs(ratio / TRUNCATED_VARIANCE_FACTOR - 1) < 2 * varianceTolerance(784 * 256), `ratio ${ratio}`);
  assert.ok(Math.abs(weightVariance(tfjs, 784, 256) / weightVariance(keras, 784, 256) - 0.7737413) < 1e-6);
  // Truncated at 2σ of the uncorrected σ = √(2/784).
  assert.ok(t.maxAbs <= 2 * Math.sqrt(2 / 784) * (1 + 1e-6));
});

test('Keras TruncatedNormal(stddev) redraws beyond 2·stddev without rescaling: std = 0.8796·stddev', () => {
  const spec: InitSpec = { kind: 'truncated_normal', mean: 0.1, stddev: 0.5 };
  const s = stats(draw(spec, 1000, 500));
  assert.ok(Math.abs(Math.sqrt(s.variance) / (0.5 * 0.87962566103423978) - 1) < varianceTolerance(s.n) / 2);
  assert.ok(s.min >= 0.1 - 1.0 - 1e-6 && s.max <= 0.1 + 1.0 + 1e-6);
});

test("PyTorch trunc_normal_ with absolute bounds, including asymmetric and far-tail ones, matches the exact truncated moments", () => {
  const cases: InitSpec[] = [
    { kind: 'truncated_normal', mean: 0, stddev: 1, lower: -2, upper: 2 },
    { kind: 'truncated_normal', mean: 0, stddev: 0.02, lower: -0.04, upper: 0.04 },
    { kind: 'truncated_normal', mean: 0, stddev: 1, lower: 0.5, upper: 3 },
    { kind: 'truncated_normal', mean: 0, stddev: 1, lower: 3, upper: 5 },
    { kind: 'truncated_normal', mean: 1, stddev: 2, lower: -Infinity, upper: 0 },
    { kind: 'truncated_normal', mean: 0, stddev: 1, lower: -12, upper: -10 },
  ];
  for (const spec of cases) checkIid(spec, 256, 256, `trunc_normal_ ${JSON.stringify(spec)}`);
});

test('PyTorch-shaped untruncated variance scaling (kaiming_normal_) keeps its tails', () => {
  checkIid({ kind: 'variance_scaling', scale: 2, mode: 'fan_in', distribution: 'untruncated_normal' }, 784, 256, 'kaiming_normal_');
  checkIid({ kind: 'variance_scaling', scale: 1 / 3, mode: 'fan_out', distribution: 'uniform' }, 784, 256, 'fan_out uniform');
});

test('orthogonal with gain √2 and identity with gain 2 scale exactly', () => {
  const values = draw({ kind: 'orthogonal', gain: Math.SQRT2 }, 300, 200);
  assert.ok(gram(values, 300, 200, Math.SQRT2) < 1e-4);
  const wide = draw({ kind: 'orthogonal', gain: 2 }, 100, 300);
  assert.ok(gram(wide, 100, 300, 2) < 1e-4);
  const id = draw({ kind: 'identity', gain: 2 }, 3, 5);
  assert.deepEqual([...id], [2, 0, 0, 0, 0, 0, 2, 0, 0, 0, 0, 0, 2, 0, 0]);
});

test('determinism: the same seed gives the same bytes, another seed other values, the spec seed wins', () => {
  const specs: InitSpec[] = [
    { kind: 'random_normal', mean: 0, stddev: 0.05 },
    { kind: 'random_uniform', minval: -0.05, maxval: 0.05 },
    { kind: 'truncated_normal', mean: 0, stddev: 0.05 },
    { kind: 'truncated_normal', mean: 0, stddev: 1, lower: -1, upper: 3 },
    { kind: 'variance_scaling', scale: 2, mode: 'fan_in', distribution: 'truncated_normal' },
    { kind: 'variance_scaling', scale: 2, mode: 'fan_in', distribution: 'untruncated_normal' },
    { kind: 'variance_scaling', scale: 1, mode: 'fan_avg', distribution: 'uniform' },
    { kind: 'orthogonal', gain: 1 },
    { kind: 'lsuv', tolerance: 0.1, maxIterations: 10 },
  ];
  for (const spec of specs) {
    for (const seed of [0, 1, 42, -3]) {
      const a = Buffer.from(draw(spec, 50, 30, seed).buffer);
      const b = Buffer.from(draw(spec, 50, 30, seed).buffer);
      assert.ok(a.equals(b), `${spec.kind} seed ${seed} not repeatable`);
    }
    const a = Buffer.from(draw(spec, 50, 30, 1).buffer);
    const c = Buffer.from(draw(spec, 50, 30, 2).buffer);
    assert.ok(!a.equals(c), `${spec.kind}: seeds 1 and 2 gave the same kernel`);
    const seeded = { ...spec, seed: 99 } as InitSpec;
    const x = Buffer.from(draw(seeded, 50, 30, 1).buffer);
    const y = Buffer.from(draw(seeded, 50, 30, 2).buffer);
    assert.ok(x.equals(y), `${spec.kind}: the spec's own seed must override the argument`);
  }
});

test('no tensor leaks for any kind, and bad fans are refused', () => {
  const start = tf.memory().numTensors;
  for (const entry of INITIALIZER_CATALOG) sampleKernel(entry.defaults, 20, 10, 3).dispose();
  assert.equal(tf.memory().numTensors, start);
  assert.throws(() => sampleKernel({ kind: 'zeros' }, 0, 10, 1), RangeError);
  assert.throws(() => sampleKernel({ kind: 'zeros' }, 2.5, 10, 1), RangeError);
  assert.equal(tf.memory().numTensors, start);
});

test('orthogonal at 784×256 completes; its time is reported (Householder QR in Float64Array)', (t) => {
  draw({ kind: 'orthogonal', gain: 1 }, 784, 256, 1);
  const times: number[] = [];
  for (let i = 0; i < 3; i++) {
    const t0 = performance.now();
    draw({ kind: 'orthogonal', gain: 1 }, 784, 256, i + 2);
    times.push(performance.now() - t0);
  }
  const best = Math.min(...times);
  t.diagnostic(`orthogonal 784×256: best of 3 = ${best.toFixed(0)} ms (sampling + QR + tensor)`);
  // A hang guard only: speed targets live in npm run bench.
  assert.ok(best < 10_000, `orthogonal 784×256 took ${best} ms`);
});
