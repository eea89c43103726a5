/**
 * Depth sweeps at initialization on the real digits against the mean-field recursion (Poole et al.
 * 2016), 50 layers of 256 units, the probe's own samplers.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { depthSweep } from '../../src/probe/propagation/depthSweep';
import type { DepthSweep } from '../../src/probe/propagation/depthSweep';
import { tf } from '../../src/probe/tfjs';
import { engine } from './helpers';

const WIDTH = 256;
const sweep = async (activation: 'relu' | 'tanh', initializer: string): Promise<DepthSweep> => {
  const { data } = await engine();
  return depthSweep({ activation, depth: 50, width: WIDTH, initializer, seed: 42, images: 256 }, data.train);
};
const ratio = (s: DepthSweep, l: number): number => s.layers[l].secondMoment / s.layers[l].theorySecondMoment;

test('tanh with He, Glorot and LeCun: measured q_l follows the recursion over 50 layers', async () => {
  await engine();
  const before = tf.memory().numTensors;
  for (const init of ['he_normal', 'glorot_normal', 'lecun_normal']) {
    const s = await sweep('tanh', init);
    assert.equal(s.layers.length, 50);
    const worst = Math.max(...s.layers.map((_, l) => Math.abs(ratio(s, l) - 1)));
    // He (σ_w² = 2) has an attracting fixed point q* that damps finite-width noise. Glorot and LeCun
    // (σ_w² = 1) sit on tanh's critical point, where q creeps to 0 like 1/l and nothing damps it:
    // there a 256-wide stack drifts up to ~25% from the infinite-width recursion by layer 50.
    const bound = init === 'he_normal' ? 0.2 : 0.35;
    assert.ok(worst < bound, `${init}+tanh: worst |measured/predicted − 1| = ${worst.toFixed(3)}`);
    const first10 = Math.max(...s.layers.slice(0, 10).map((_, l) => Math.abs(ratio(s, l) - 1)));
    assert.ok(first10 < 0.2, `${init}+tanh: first 10 layers within 20% (worst ${first10.toFixed(3)})`);
  }
  assert.equal(tf.memory().numTensors, before, 'no tensor leaks');
});

test('ReLU with He, Glorot and LeCun: the recursion gives the per-layer gain; the spread is the finite-width one', async () => {
  for (const [init, gain] of [
    ['he_normal', 1],
    ['glorot_normal', 0.5],
    ['lecun_normal', 0.5],
  ] as const) {
    const s = await sweep('relu', init);
    // Geometric mean of the measured per-layer gain over 49 layers against σ_w²/2.
    const measuredGain = (s.layers[49].secondMoment / s.layers[0].secondMoment) ** (1 / 49);
    const predictedGain = (s.layers[49].theorySecondMoment / s.layers[0].theorySecondMoment) ** (1 / 49);
    assert.ok(Math.abs(predictedGain / gain - 1) < 0.02, `${init}: predicted gain ${predictedGain}`);
    assert.ok(Math.abs(measuredGain / predictedGain - 1) < 0.05, `${init}+relu: measured gain ${measuredGain}, predicted ${predictedGain}`);
    // Hanin & Rolnick 2018: at finite width log q_l performs a random walk of variance ≈ 5·l/N
    // around the recursion (ReLU has no attracting fixed point to damp it); every layer within 3σ.
    s.layers.forEach((_, l) => {
      const band = 3 * Math.sqrt((5 * (l + 1)) / WIDTH);
      assert.ok(Math.abs(Math.log(ratio(s, l))) < band, `${init}+relu layer ${l + 1}: log ratio ${Math.log(ratio(s, l)).toFixed(3)} outside ±${band.toFixed(3)}`);
    });
    // Correlations: ReLU pulls every pair of digits together (c → 1), as the c-map says.
    assert.ok(s.layers[49].correlation > 0.9 && s.layers[49].theoryCorrelation > 0.9);
  }
});

test('chaotic tanh (He) decorrelates the digits, as the c-map predicts', async () => {
  const s = await sweep('tanh', 'he_normal');
  assert.ok(s.inputCorrelation > 0.3, `digits start correlated: ${s.inputCorrelation}`);
  assert.ok(s.layers[49].theoryCorrelation < 0.1);
  assert.ok(s.layers[49].correlation < 0.2, `measured c_50 ${s.layers[49].correlation}`);
});

test('a layer with all-zero activations has no measured correlation (NaN, null in JSON), not a cosine of 0', async () => {
  const { data } = await engine();
  const s = depthSweep({ activation: 'relu', depth: 3, width: 32, initializer: 'zeros', seed: 42, images: 16 }, data.train);
  for (const l of s.layers) {
    assert.equal(l.secondMoment, 0);
    assert.ok(Number.isNaN(l.correlation), `layer ${l.layer}: ${l.correlation}`);
  }
  const he = depthSweep({ activation: 'relu', depth: 3, width: 32, initializer: 'he_normal', seed: 42, images: 16 }, data.train);
  for (const l of he.layers) assert.ok(l.correlation > 0 && l.correlation <= 1, `He layer ${l.layer}: ${l.correlation}`);
});
