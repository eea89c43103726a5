/** The array optimizer applies the same updates as tfjs' Adam and momentum (Keras' rules). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tf, selectBackend } from '../../src/probe/tfjs';
import { ArrayOptimizer, ADAM } from '../../src/probe/optimizer';

async function compareWith(kind: 'adam' | 'sgd'): Promise<number> {
  await selectBackend('wasm');
  const init = tf.randomNormal([64, 32], 0, 0.1, 'float32', 3);
  const ours = tf.variable(init.clone(), true, `ours-${kind}`);
  const theirs = tf.variable(init.clone(), true, `theirs-${kind}`);
  init.dispose();
  const reference = kind === 'adam' ? tf.train.adam(0.01, ADAM.beta1, ADAM.beta2, ADAM.epsilon) : tf.train.momentum(0.01, 0.9);
  const opt = new ArrayOptimizer([ours], { kind, lr: 0.01, momentum: 0.9 });
  for (let step = 0; step < 20; step++) {
    // |g| ≥ 0.5: Keras adds ε to √v, tfjs to √v̂; the two agree unless gradients are tiny.
    const g = tf.tidy(() => {
      const u = tf.randomUniform([64, 32], 0.5, 1.5, 'float32', 100 + step);
      return tf.mul(u, tf.sign(tf.randomNormal([64, 32], 0, 1, 'float32', 200 + step)));
    });
    opt.apply([g.dataSync() as Float32Array]);
    reference.applyGradients([{ name: theirs.name, tensor: g }]);
    g.dispose();
  }
  const diff = tf.tidy(() => tf.max(tf.abs(tf.sub(ours, theirs))).dataSync()[0]);
  const scale = tf.tidy(() => tf.max(tf.abs(theirs)).dataSync()[0]);
  reference.dispose();
  ours.dispose();
  theirs.dispose();
  return diff / scale;
}

test('Adam updates match tf.train.adam with Keras defaults', async () => {
  const rel = await compareWith('adam');
  assert.ok(rel < 1e-5, `relative difference ${rel}`);
});

test('SGD with momentum matches tf.train.momentum at a constant learning rate', async () => {
  const rel = await compareWith('sgd');
  assert.ok(rel < 1e-5, `relative difference ${rel}`);
});

test('update-to-weight ratio is ‖ΔW‖/‖W‖', async () => {
  await selectBackend('wasm');
  const v = tf.variable(tf.ones([10]), true, 'ratio');
  const opt = new ArrayOptimizer([v], { kind: 'sgd', lr: 0.1, momentum: 0 });
  const [ratio] = opt.apply([new Float32Array(10).fill(1)], true)!;
  // Δ = 0.1 per element, ‖W‖ = √10, ‖Δ‖ = 0.1·√10.
  assert.ok(Math.abs(ratio - 0.1) < 1e-6);
  assert.ok(Math.abs(v.dataSync()[0] - 0.9) < 1e-6);
  v.dispose();
});
