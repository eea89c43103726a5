/** The theory module's numbers, against closed forms and the papers. Pure math: no tfjs. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  activationBackwardGain,
  activationGain,
  effectiveScale,
  idealScale,
  KERAS_TRUNCATION_STD_FACTOR,
  predictedGain,
  recommendFor,
  suitsActivation,
  TRUNCATED_VARIANCE_FACTOR,
  weightSecondMoment,
  weightStdOrLimit,
  weightVariance,
} from '../../src/probe/initializers/theory';
import { catalogEntry, CATALOG_IDS, INITIALIZER_CATALOG, matchingPreset, PRESET_IDS } from '../../src/probe/initializers/catalog';
import { ACTIVATIONS, NOTE_IDS } from '../../src/probe/initializers/spec';
import type { InitSpec } from '../../src/probe/initializers/spec';
import { erf, normalCdf, normalQuantile, truncatedStandardMoments } from '../../src/probe/initializers/normal';

const close = (a: number, b: number, tol: number, what: string): void => assert.ok(Math.abs(a - b) <= tol, `${what}: ${a} vs ${b}`);

test('normal distribution helpers are accurate to near machine precision', () => {
  close(erf(0.5), 0.5204998778130465, 1e-15, 'erf(0.5)');
  close(erf(3), 0.9999779095030014, 1e-15, 'erf(3)');
  close(normalCdf(-8) / 6.22096057427178e-16, 1, 1e-12, 'Φ(−8)');
  for (const p of [1e-300, 1e-12, 0.001, 0.2, 0.5, 0.8, 0.999]) close(normalCdf(normalQuantile(p)) / p, 1, 1e-12, `Φ(Φ⁻¹(${p}))`);
});

test("the 2σ truncation factor is computed, and equals Keras' 0.87962566103423978²", () => {
  close(TRUNCATED_VARIANCE_FACTOR, KERAS_TRUNCATION_STD_FACTOR ** 2, 1e-15, 'truncated variance factor');
  close(TRUNCATED_VARIANCE_FACTOR, 0.7737413, 1e-7, 'truncated variance factor');
  // One-sided and asymmetric truncations, against known values.
  close(truncatedStandardMoments(-Infinity, 0).variance, 1 - 2 / Math.PI, 1e-14, 'half-normal variance');
  close(truncatedStandardMoments(-Infinity, Infinity).variance, 1, 1e-15, 'untruncated');
});

test('weightVariance for each kind, by formula', () => {
  const f = (spec: InitSpec, i = 784, o = 128): number => weightVariance(spec, i, o);
  assert.equal(f({ kind: 'zeros' }), 0);
  assert.equal(f({ kind: 'constant', value: 0.3 }), 0);
  close(weightSecondMoment({ kind: 'constant', value: 0.3 }, 784, 128), 0.09, 1e-15, 'constant E[w²]');
  assert.equal(weightSecondMoment({ kind: 'ones' }, 3, 4), 1);
  close(f({ kind: 'random_normal', mean: 0, stddev: 0.05 }), 0.0025, 1e-15, 'RandomNormal');
  close(f({ kind: 'random_uniform', minval: -0.05, maxval: 0.05 }), 0.01 / 12, 1e-15, 'RandomUniform');
  close(f({ kind: 'truncated_normal', mean: 0, stddev: 0.05 }), 0.0025 * 0.7737413035499232, 1e-15, 'TruncatedNormal');
  close(f({ kind: 'truncated_normal', mean: 0, stddev: 1, lower: -2, upper: 2 }), 0.7737413035499232, 1e-14, 'trunc_normal_ ±2');
  close(f({ kind: 'truncated_normal', mean: 5, stddev: 2, lower: 5, upper: Infinity }), 4 * (1 - 2 / Math.PI), 1e-13, 'half-normal');
  assert.equal(f({ kind: 'variance_scaling', scale: 2, mode: 'fan_in', distribution: 'truncated_normal' }), 2 / 784);
  assert.equal(f({ kind: 'variance_scaling', scale: 2, mode: 'fan_out', distribution: 'uniform' }), 2 / 128);
  assert.equal(f({ kind: 'variance_scaling', scale: 1, mode: 'fan_avg', distribution: 'untruncated_normal' }), 1 / 456);
  close(f({ kind: 'variance_scaling', scale: 2, mode: 'fan_in', distribution: 'truncated_normal', uncorrected: true }), (2 / 784) * 0.7737413, 1e-9, 'tfjs');
  // Keras guards n with max(1, n).
  assert.equal(weightVariance({ kind: 'variance_scaling', scale: 1, mode: 'fan_in', distribution: 'uniform' }, 0, 5), 1);
  assert.equal(f({ kind: 'orthogonal', gain: 2 }), 4 / 784);
  assert.equal(weightVariance({ kind: 'orthogonal', gain: 1 }, 100, 300), 1 / 300);
  close(weightSecondMoment({ kind: 'identity', gain: 3 }, 4, 4), 9 / 4, 1e-15, 'identity E[w²]');
  close(weightVariance({ kind: 'identity', gain: 3 }, 4, 4), 9 / 4 - 9 / 16, 1e-15, 'identity Var');
  assert.equal(f({ kind: 'lsuv', tolerance: 0.1, maxIterations: 10 }), 1 / 784);
});

test('weightStdOrLimit: distribution, bounds and σ', () => {
  const tn = weightStdOrLimit({ kind: 'truncated_normal', mean: 1, stddev: 0.5 }, 10, 10);
  assert.deepEqual([tn.distribution, tn.lower, tn.upper, tn.sigma], ['truncated_normal', 0, 2, 0.5]);
  const vs = weightStdOrLimit({ kind: 'variance_scaling', scale: 3, mode: 'fan_in', distribution: 'uniform' }, 9, 1);
  assert.deepEqual([vs.distribution, vs.limit, vs.lower, vs.upper], ['uniform', 1, -1, 1]);
  const un = weightStdOrLimit({ kind: 'variance_scaling', scale: 4, mode: 'fan_in', distribution: 'untruncated_normal' }, 16, 1);
  assert.deepEqual([un.distribution, un.std, un.sigma], ['normal', 0.5, 0.5]);
  const ru = weightStdOrLimit({ kind: 'random_uniform', minval: 0, maxval: 1 }, 1, 1);
  assert.equal(ru.limit, undefined);
  assert.equal(weightStdOrLimit({ kind: 'constant', value: 2 }, 1, 1).distribution, 'constant');
});

test('activationGain: exact for relu/leaky_relu/linear, the papers for selu, computed for the rest', () => {
  assert.equal(activationGain('relu'), 0.5);
  assert.equal(activationGain('relu', 7), 0.5);
  close(activationGain('leaky_relu'), (1 + 0.2 ** 2) / 2, 1e-15, 'leaky_relu (Keras 3 slope 0.2)');
  assert.equal(activationGain('linear'), 1);
  close(activationGain('selu'), 1, 1e-9, 'selu fixed point (Klambauer 2017)');
  close(activationGain('gelu'), 0.4252, 1e-4, 'gelu');
  close(activationGain('tanh'), 0.3943, 1e-4, 'tanh at q = 1');
  close(activationGain('tanh', 1e-6), 1, 1e-5, 'tanh near 0');
  close(activationGain('gelu', 1e-6), 0.25, 1e-3, 'gelu near 0');
  close(activationGain('sigmoid'), 0.2934, 1e-4, 'sigmoid = 0.25 mean² + fluctuation');
  // elu: E[z²; z>0] + E[(e^z − 1)²; z<0] = ½ + e²Φ(−2) − 2e^{½}Φ(−1) + ½.
  close(activationGain('elu'), 1 + Math.exp(2) * normalCdf(-2) - 2 * Math.exp(0.5) * normalCdf(-1), 1e-10, 'elu closed form');
  close(activationBackwardGain('relu'), 0.5, 0, 'relu backward');
});

test('predictedGain: ½·fan_in·Var(w) for relu; the mean term for constant weights', () => {
  const he: InitSpec = { kind: 'variance_scaling', scale: 2, mode: 'fan_in', distribution: 'truncated_normal', preset: 'he_normal' };
  const glorot: InitSpec = { kind: 'variance_scaling', scale: 1, mode: 'fan_avg', distribution: 'truncated_normal', preset: 'glorot_normal' };
  assert.equal(predictedGain(he, 'relu', 256, 256), 1);
  assert.equal(predictedGain(glorot, 'relu', 256, 256), 0.5);
  close(predictedGain(glorot, 'relu', 784, 128), 0.5 * (784 / 456), 1e-12, 'glorot funnel');
  close(predictedGain({ ...he, uncorrected: true }, 'relu', 256, 256), 0.7737413, 1e-7, 'tfjs heNormal');
  close(predictedGain(glorot, 'tanh', 256, 256, 1e-6), 1, 1e-5, 'tanh small signal');
  assert.equal(predictedGain({ kind: 'zeros' }, 'relu', 256, 256), 0);
  // ones on relu inputs: fan_in·E[φ²] + fan_in(fan_in−1)·E[φ]² with E[φ] = 1/√(2π).
  close(predictedGain({ kind: 'ones' }, 'relu', 256, 256), 256 * 0.5 + 256 * 255 / (2 * Math.PI), 1e-9, 'ones');
  assert.equal(predictedGain({ kind: 'lsuv', tolerance: 0.1, maxIterations: 10 }, 'tanh', 256, 256), 1);
  assert.equal(predictedGain({ kind: 'orthogonal', gain: 1 }, 'linear', 256, 256), 1);
  close(predictedGain({ kind: 'orthogonal', gain: 1 }, 'linear', 128, 512), 0.25, 1e-15, 'wide orthogonal');
});

test('catalog: every entry complete and consistent with the theory', () => {
  assert.deepEqual(INITIALIZER_CATALOG.map((e) => e.id), [...CATALOG_IDS]);
  for (const entry of INITIALIZER_CATALOG) {
    assert.ok(entry.className && entry.formula && entry.summary, entry.id);
    assert.ok(NOTE_IDS.includes(entry.noteId), `${entry.id} noteId`);
    assert.ok(!entry.formula.includes('\n') && !entry.summary.includes('\n'), `${entry.id}: one line`);
    for (const activation of ACTIVATIONS) {
      assert.equal(suitsActivation(entry.defaults, activation), entry.suits.includes(activation), `${entry.id} suits ${activation}?`);
    }
  }
  for (const id of PRESET_IDS) {
    const d = catalogEntry(id).defaults;
    assert.equal(matchingPreset(d), id);
    assert.ok(d.kind === 'variance_scaling' && d.preset === id);
  }
  assert.equal(catalogEntry('he_normal').tfjsName, 'heNormal');
  assert.equal(catalogEntry('glorot_uniform').torchName, 'xavier_uniform_');
});

test('suitsActivation with fans, effectiveScale and idealScale', () => {
  const fixed: InitSpec = { kind: 'random_normal', mean: 0, stddev: 0.05 };
  // 784·0.05² = 1.96: right for relu at 784 inputs, by accident, and wrong at 64.
  assert.equal(suitsActivation(fixed, 'relu', { fanIn: 784, fanOut: 128 }), true);
  assert.equal(suitsActivation(fixed, 'relu', { fanIn: 64, fanOut: 32 }), false);
  assert.equal(suitsActivation({ kind: 'random_normal', mean: 1, stddev: 0.05 }, 'relu', { fanIn: 784, fanOut: 10 }), false);
  const glorot = catalogEntry('glorot_normal').defaults;
  assert.equal(suitsActivation(glorot, 'selu', { fanIn: 256, fanOut: 256 }), true);
  assert.equal(suitsActivation(glorot, 'selu', { fanIn: 784, fanOut: 32 }), false);
  close(effectiveScale({ kind: 'variance_scaling', scale: 2, mode: 'fan_in', distribution: 'truncated_normal', uncorrected: true }) ?? 0, 2 * 0.7737413, 1e-7, 'tfjs scale');
  assert.equal(idealScale('relu'), 2);
  close(idealScale('gelu'), 2.3517, 1e-3, 'gelu ideal');
});

test('recommendFor: He for the ReLU family, Glorot normal for tanh/sigmoid/linear, LeCun for SELU', () => {
  const id = (a: (typeof ACTIVATIONS)[number]): string | undefined => {
    const s = recommendFor(a);
    return s.kind === 'variance_scaling' ? s.preset : s.kind;
  };
  assert.deepEqual(ACTIVATIONS.map(id), ['he_normal', 'glorot_normal', 'glorot_normal', 'he_normal', 'lecun_normal', 'he_normal', 'he_normal', 'glorot_normal']);
  for (const a of ACTIVATIONS) assert.ok(suitsActivation(recommendFor(a), a), `the recommendation for ${a} suits it`);
  // A copy: mutating it must not touch the catalog.
  const r = recommendFor('relu');
  if (r.kind === 'variance_scaling') r.scale = 99;
  assert.equal(weightVariance(recommendFor('relu'), 2, 2), 1);
});
