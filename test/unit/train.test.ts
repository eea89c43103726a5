/** The probe on real MNIST digits with real tfjs training: measurements, determinism, leaks. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tf } from '../../src/probe/tfjs';
import { engine, finished, probe, request, started } from './helpers';

test('the seed model measures every layer at step 0 and every k steps', async () => {
  const { events, outcome } = await probe(request('he_normal', { steps: 30, every: 10 }));
  const s = started(events);
  assert.equal(s.backend, 'wasm');
  assert.deepEqual(
    s.layers.map((l) => [l.name, l.fanIn, l.fanOut, l.isOutput]),
    [
      ['dense_1', 784, 128, false],
      ['dense_2', 128, 10, true],
    ],
  );
  // he_normal at fan_in 784: std sqrt(2/784) = 0.0505 in theory and, sampled, within 3%.
  assert.ok(Math.abs(s.layers[0].theoryWeightStd - Math.sqrt(2 / 784)) < 1e-9);
  assert.ok(Math.abs(s.layers[0].weightStd / s.layers[0].theoryWeightStd - 1) < 0.03, `weightStd ${s.layers[0].weightStd}`);
  assert.deepEqual(
    outcome.steps.map((m) => m.step),
    [0, 10, 20, 30],
  );
  const m0 = outcome.steps[0];
  assert.equal(m0.layers.length, 2);
  for (const l of m0.layers) {
    assert.ok((l.gradNorm ?? 0) > 0, 'gradient norm is measured');
    assert.ok((l.activationVariance ?? 0) > 0);
    assert.ok((l.updateRatio ?? 0) > 0);
  }
  assert.equal(m0.layers[0].distinctUnits, 128);
  // He init keeps the ReLU signal's second moment near the input's (gain ½·fan_in·Var(W) = 1).
  const ratio = (m0.layers[0].activationSecondMoment ?? 0) / s.inputSecondMoment;
  assert.ok(ratio > 0.7 && ratio < 1.4, `second-moment ratio ${ratio}`);
  assert.equal(outcome.steps.at(-1)!.layers[0].updateRatio, null, 'no update follows the last record');
});

test('same seed, same numbers; another seed, other numbers', async () => {
  const a = await probe(request('glorot_normal', { steps: 20, every: 10, seed: 7 }));
  const b = await probe(request('glorot_normal', { steps: 20, every: 10, seed: 7 }));
  const c = await probe(request('glorot_normal', { steps: 20, every: 10, seed: 8 }));
  assert.deepEqual(a.outcome.steps, b.outcome.steps);
  assert.deepEqual(finished(a.events).final, finished(b.events).final);
  assert.notDeepEqual(a.outcome.steps[0].layers[0], c.outcome.steps[0].layers[0]);
});

test('no tensor leaks: numTensors is the same before and after a run', async () => {
  await engine();
  const before = tf.memory().numTensors;
  const { events } = await probe(request('lsuv', { steps: 20, every: 5, hidden: [64, 32] }));
  const f = finished(events);
  assert.equal(f.numTensorsAfter, f.numTensorsBefore);
  assert.equal(tf.memory().numTensors, before);
});

test('sgd with momentum and every activation train without error', async () => {
  for (const activation of ['relu', 'tanh', 'sigmoid', 'elu', 'selu', 'leaky_relu', 'gelu', 'linear'] as const) {
    const { events } = await probe(request('glorot_uniform', { steps: 10, every: 5, activation, optimizer: 'sgd', lr: 0.05 }));
    const f = finished(events);
    assert.ok(f.final.loss !== null && f.final.loss < 2.4, `${activation}: loss ${f.final.loss}`);
  }
});

test('LSUV rescales every hidden layer to unit pre-activation variance', async () => {
  const { outcome } = await probe(request('lsuv', { steps: 1, every: 1, hidden: [256, 256, 256] }));
  for (const l of outcome.steps[0].layers.slice(0, 3)) {
    assert.ok(Math.abs((l.preActivationVariance ?? 0) - 1) < 0.1, `pre-activation variance ${l.preActivationVariance}`);
  }
});

test('per-layer initializers and activations (Probe this model)', async () => {
  const { events } = await probe(
    request('he_normal', { steps: 2, every: 1, hidden: [64, 32] }, { layerInitializers: [null, 'zeros'], layerActivations: ['relu', 'tanh'] }),
  );
  const s = started(events);
  assert.equal(s.layers[0].initializer, 'he_normal');
  assert.equal(s.layers[1].spec.kind, 'zeros');
  assert.equal(s.layers[1].activation, 'tanh');
});
