/** Jacobian spectra at initialization (Pennington, Schoenholz & Ganguli 2017), with the real samplers. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { symmetricEigenvalues } from '../../src/probe/propagation/symmetricEigen';
import { jacobianSpectrum } from '../../src/probe/propagation/jacobian';
import type { JacobianSpectrum } from '../../src/probe/propagation/jacobian';
import { mulberry32 } from '../../src/probe/random';
import { tf } from '../../src/probe/tfjs';
import { engine } from './helpers';

test('symmetric eigenvalues: a closed form, a diagonal, and trace/Frobenius invariants of a random matrix', () => {
  const tri = symmetricEigenvalues(new Float64Array([2, 1, 0, 1, 2, 1, 0, 1, 2]), 3);
  [2 - Math.SQRT2, 2, 2 + Math.SQRT2].forEach((v, i) => assert.ok(Math.abs(tri[i] - v) < 1e-12, `${tri[i]} vs ${v}`));
  assert.deepEqual(Array.from(symmetricEigenvalues(new Float64Array([3, 0, 0, 0, -1, 0, 0, 0, 2]), 3)), [-1, 2, 3]);
  const n = 60;
  const random = mulberry32(5);
  const a = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j <= i; j++) a[i * n + j] = a[j * n + i] = random() - 0.5;
  let trace = 0;
  let frobenius = 0;
  for (let i = 0; i < n; i++) trace += a[i * n + i];
  for (const v of a) frobenius += v * v;
  const eig = symmetricEigenvalues(a.slice(), n);
  assert.ok(Math.abs(eig.reduce((s, v) => s + v, 0) - trace) < 1e-10);
  assert.ok(Math.abs(eig.reduce((s, v) => s + v * v, 0) - frobenius) < 1e-9);
  for (let i = 1; i < n; i++) assert.ok(eig[i] >= eig[i - 1], 'ascending');
});

test('a deep linear network with orthogonal weights is an isometry: every singular value is 1', async () => {
  await engine();
  const before = tf.memory().numTensors;
  const s = jacobianSpectrum({ activation: 'linear', depth: 50, width: 128, weights: { kind: 'orthogonal', gain: 1 }, biasVariance: 0, inputVariance: 1, seed: 3 });
  assert.equal(s.squaredSingularValues.length, 128);
  for (const v of s.squaredSingularValues) assert.ok(Math.abs(Math.sqrt(v) - 1) < 1e-4, `singular value ${Math.sqrt(v)}`);
  assert.equal(tf.memory().numTensors, before, 'no tensor leaks');
  assert.equal(s.logHistogram.counts.reduce((a, b) => a + b, 0), 128);
});

/** Variance of the squared singular values over their squared mean: the spread, free of the overall scale. */
const spread = (s: JacobianSpectrum): number => s.variance / s.mean ** 2;

function pair(activation: 'tanh' | 'relu', sigmaW2: number, sigmaB2: number, inputVariance: number, seed: number): { orthogonal: JacobianSpectrum; gaussian: JacobianSpectrum } {
  const width = 256;
  const common = { activation, depth: 50, width, biasVariance: sigmaB2, inputVariance, seed };
  return {
    orthogonal: jacobianSpectrum({ ...common, weights: { kind: 'orthogonal', gain: Math.sqrt(sigmaW2) } }),
    gaussian: jacobianSpectrum({ ...common, weights: { kind: 'random_normal', mean: 0, stddev: Math.sqrt(sigmaW2 / width) } }),
  };
}

test('tanh at the critical point, depth 50: orthogonal weights keep the spectrum far tighter than Gaussian ones; ReLU gets no such help', async () => {
  await engine();
  // σ_b² = 0.05, σ_w² = 1.76 (χ₁ = 1; Schoenholz et al. 2017), input at the fixed point q* ≈ 0.5695.
  const tanh = pair('tanh', 1.76, 0.05, 0.5695, 1);
  // Pennington et al.: spread ≈ L·(η − s₁), s₁ = 0 orthogonal, −1 Gaussian; η small for tanh near q* → 0.
  assert.ok(spread(tanh.orthogonal) < spread(tanh.gaussian) / 2.5, `tanh spreads: orthogonal ${spread(tanh.orthogonal)}, gaussian ${spread(tanh.gaussian)}`);
  // ReLU at its critical point σ_w² = 2: η = 1, so orthogonal is L vs Gaussian's 2L — both far from isometry.
  const relu = pair('relu', 2, 0, 1, 1);
  assert.ok(spread(relu.orthogonal) > spread(relu.gaussian) / 4, `relu spreads: orthogonal ${spread(relu.orthogonal)}, gaussian ${spread(relu.gaussian)}`);
  assert.ok(spread(relu.orthogonal) > 10, `relu orthogonal spread ${spread(relu.orthogonal)} is far from isometry`);
  assert.ok(spread(relu.orthogonal) > 2 * spread(tanh.orthogonal), 'orthogonal weights help tanh far more than ReLU');
});
