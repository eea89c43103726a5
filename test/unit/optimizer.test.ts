/** The array optimizer applies the same updates as tfjs' Adam and momentum (Keras' rules). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tf, selectBackend } from '../../src/probe/tfjs';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ArrayOptimizer, ADAM } from '../../src/probe/optimizer';

async function compareWith(kind: 'adam' | 'sgd', shape: [number, number] = [64, 32], useWasm = true): Promise<number> {
  await selectBackend('wasm');
  const init = tf.randomNormal(shape, 0, 0.1, 'float32', 3);
  const ours = tf.variable(init.clone(), true, `ours-${kind}`);
  const theirs = tf.variable(init.clone(), true, `theirs-${kind}`);
  init.dispose();
  const reference = kind === 'adam' ? tf.train.adam(0.01, ADAM.beta1, ADAM.beta2, ADAM.epsilon) : tf.train.momentum(0.01, 0.9);
  const opt = new ArrayOptimizer([ours], { kind, lr: 0.01, momentum: 0.9 }, { useWasm });
  if (kind === 'adam') assert.equal(opt.usesWasm, useWasm, 'Adam runs where it was asked to');
  for (let step = 0; step < 20; step++) {
    // |g| ≥ 0.5: Keras adds ε to √v, tfjs to √v̂; the two agree unless gradients are tiny.
    const g = tf.tidy(() => {
      const u = tf.randomUniform(shape, 0.5, 1.5, 'float32', 100 + step);
      return tf.mul(u, tf.sign(tf.randomNormal(shape, 0, 1, 'float32', 200 + step)));
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

test('Adam matches tf.train.adam in the WebAssembly kernel and in the JS loop, whatever the size', async () => {
  // 7×3 = 21 elements: five SIMD groups of four and a scalar tail of one; 1×2: tail only.
  for (const shape of [[7, 3], [1, 2], [64, 32]] as [number, number][]) {
    for (const useWasm of [true, false]) {
      const rel = await compareWith('adam', shape, useWasm);
      assert.ok(rel < 1e-5, `${shape.join('×')} ${useWasm ? 'wasm' : 'js'}: relative difference ${rel}`);
    }
  }
});

test('the WebAssembly Adam keeps several variables apart and measures ‖ΔW‖/‖W‖', async () => {
  await selectBackend('wasm');
  const sizes = [[5, 3], [10], [3, 2]] as const;
  const make = (tag: string): ReturnType<typeof tf.variable>[] =>
    sizes.map((shape, i) => tf.variable(tf.fill([...shape], 0.5 + i), true, `multi-${tag}-${i}`));
  const wasmVars = make('wasm');
  const jsVars = make('js');
  const wasm = new ArrayOptimizer(wasmVars, { kind: 'adam', lr: 0.01, momentum: 0 });
  const js = new ArrayOptimizer(jsVars, { kind: 'adam', lr: 0.01, momentum: 0 }, { useWasm: false });
  for (let step = 0; step < 5; step++) {
    const grads = sizes.map((_, i) => Float32Array.from({ length: wasmVars[i].size }, (__, k) => Math.sin(k + 3 * i + step)));
    const a = wasm.apply(grads, true)!;
    const b = js.apply(grads, true)!;
    for (let i = 0; i < sizes.length; i++) assert.ok(Math.abs(a[i] - b[i]) < 1e-4 * b[i], `ratio ${i}: ${a[i]} vs ${b[i]}`);
  }
  for (let i = 0; i < sizes.length; i++) {
    const x = wasmVars[i].dataSync();
    const y = jsVars[i].dataSync();
    for (let k = 0; k < x.length; k++) assert.ok(Math.abs(x[k] - y[k]) < 1e-6, `variable ${i}[${k}]: ${x[k]} vs ${y[k]}`);
  }
  tf.dispose([...wasmVars, ...jsVars]);
});

test('the committed kernel bytes are the .wat files assembled', async () => {
  const { kernelText, KERNELS } = await import('../../scripts/assembleWat.mjs');
  for (const kernel of KERNELS) {
    const committed = readFileSync(join(__dirname, '..', '..', kernel.out), 'utf8');
    assert.equal(committed, await kernelText(kernel), `${kernel.out} is stale: run npm run build`);
  }
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
