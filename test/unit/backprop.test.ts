/** The hand-written backward pass agrees with tfjs' autograd for every activation. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Tensor, Tensor2D } from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import { tf, selectBackend } from '../../src/probe/tfjs';
import { activate, crossEntropy, disposeParams, forward, initParams, planNetwork } from '../../src/probe/network';
import { lossAndGrads, softmaxCrossEntropy } from '../../src/probe/backprop';
import { accuracyOf } from '../../src/probe/stats';
import { DEFAULT_CONFIG } from '../../src/probe/config';
import { ACTIVATIONS } from '../../src/probe/initializers/spec';

function maxRelDiff(a: Tensor, b: Tensor): number {
  return tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0] / Math.max(1e-12, tf.max(tf.abs(b)).dataSync()[0]));
}

for (const activation of ACTIVATIONS) {
  test(`gradients match tf.grads: ${activation}`, async () => {
    await selectBackend('wasm');
    const before = tf.memory().numTensors;
    const plan = planNetwork({ runId: 'bp', label: 'x', initializer: 'glorot_normal', config: { ...DEFAULT_CONFIG, hidden: [24, 16], activation } }, 20, 10);
    const params = initParams(plan, 5, `bp-${activation}`);
    const L = plan.length;
    tf.tidy(() => {
      const x = tf.randomNormal([8, 20], 0, 1, 'float32', 9) as Tensor2D;
      const y = tf.cast(tf.oneHot(tf.tensor1d([0, 1, 2, 3, 4, 5, 6, 7], 'int32'), 10), 'float32') as Tensor2D;
      const ours = lossAndGrads(plan, params.kernels, params.biases, x, y);
      const f = (...ts: Tensor[]): Tensor => crossEntropy(forward(plan, ts.slice(0, L), ts.slice(L), x).logits, y);
      const { value, grads } = tf.valueAndGrads(f)([...params.kernels, ...params.biases]);
      assert.ok(Math.abs(ours.loss - value.dataSync()[0]) < 1e-5);
      for (let i = 0; i < L; i++) {
        assert.ok(maxRelDiff(ours.kernelGrads[i], grads[i]) < 1e-4, `${activation} dW${i + 1}`);
        assert.ok(maxRelDiff(ours.biasGrads[i], grads[L + i]) < 1e-4, `${activation} db${i + 1}`);
      }
      // δ of the first layer: the gradient with respect to its pre-activation.
      const z0 = forward(plan, params.kernels, params.biases, x).pre[0];
      const rest = (z: Tensor): Tensor => crossEntropy(forward(plan.slice(1), params.kernels.slice(1), params.biases.slice(1), activate(z as Tensor2D, activation)).logits, y);
      assert.ok(maxRelDiff(ours.deltas[0], tf.grad(rest)(z0)) < 1e-4, `${activation} δ1`);
    });
    disposeParams(params);
    assert.equal(tf.memory().numTensors, before);
  });
}

test('the softmax cross-entropy head: loss, accuracy and δ as tfjs computes them; NaN stays NaN', async () => {
  await selectBackend('wasm');
  const logits = Float32Array.from({ length: 6 * 10 }, (_, i) => Math.sin(i * 1.7) * 4);
  const labels = new Float32Array(6 * 10);
  [3, 0, 9, 9, 1, 5].forEach((label, r) => (labels[r * 10 + label] = 1));
  const head = softmaxCrossEntropy(logits, labels, 6, 10);
  tf.tidy(() => {
    const z = tf.tensor2d(logits, [6, 10]);
    const y = tf.tensor2d(labels, [6, 10]);
    assert.ok(Math.abs(head.loss - crossEntropy(z, y).dataSync()[0]) < 1e-5);
    assert.equal(head.accuracy, accuracyOf(z, y).dataSync()[0]);
    const expected = tf.div(tf.sub(tf.softmax(z), y), 6).dataSync();
    head.delta.forEach((d, i) => assert.ok(Math.abs(d - expected[i]) < 1e-6, `δ[${i}]`));
  });
  const broken = Float32Array.from(logits);
  broken[13] = NaN;
  assert.ok(Number.isNaN(softmaxCrossEntropy(broken, labels, 6, 10).loss));
  broken[13] = Infinity;
  assert.ok(!Number.isFinite(softmaxCrossEntropy(broken, labels, 6, 10).loss));
});
