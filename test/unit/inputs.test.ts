/** Leaving out all-zero input columns changes no number: forward, loss and every gradient agree. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Tensor, Tensor2D } from '@tensorflow/tfjs-core';
import { tf, selectBackend } from '../../src/probe/tfjs';
import { compactRows, compactScratch, firstKernel, inputTensors, noteHostCopy, rowRange, scatterRows } from '../../src/probe/inputs';
import { disposeParams, forward, initParams, planNetwork } from '../../src/probe/network';
import { lossAndGrads } from '../../src/probe/backprop';
import { DEFAULT_CONFIG } from '../../src/probe/config';

/** 6 images of 4×5 = 20 pixels; columns 0, 7, 8 and 19 are black in every one. */
function images(): Uint8Array {
  const size = 20;
  const data = new Uint8Array(6 * size);
  for (let r = 0; r < 6; r++) {
    for (let k = 0; k < size; k++) {
      if (k === 0 || k === 7 || k === 8 || k === 19) continue;
      data[r * size + k] = (r * 37 + k * 11) % 3 === 0 ? 0 : (r * 53 + k * 29) % 256;
    }
  }
  return data;
}

test('compactRows keeps exactly the columns some row uses, scaled by 1/255', () => {
  const data = images();
  const c = compactRows(data, 20, rowRange(0, 6));
  assert.ok(c.cols);
  for (const k of [0, 7, 8, 19]) assert.ok(!c.cols.includes(k), `column ${k} is black everywhere`);
  for (let k = 0; k < 20; k++) {
    const used = [0, 1, 2, 3, 4, 5].some((r) => data[r * 20 + k] !== 0);
    assert.equal(c.cols.includes(k), used, `column ${k}`);
  }
  assert.equal(c.width, c.cols.length);
  for (let r = 0; r < 6; r++) {
    for (let j = 0; j < c.width; j++) assert.equal(c.pixels[r * c.width + j], Math.fround(data[r * 20 + c.cols[j]] / 255));
  }
  // Some rows only, into a reused buffer.
  const scratch = compactScratch(20, 6);
  const two = compactRows(data, 20, Int32Array.from([4, 1]), scratch);
  assert.equal(two.pixels.buffer, scratch.out.buffer, 'no allocation when the buffer is long enough');
  assert.equal(two.rows, 2);
  assert.equal(two.pixels[0], Math.fround(data[4 * 20 + two.cols![0]] / 255));
});

test('compactRows reads the same from a buffer that is not word-aligned (the byte path)', () => {
  const data = images();
  const shifted = new Uint8Array(data.length + 1).subarray(1);
  shifted.set(data);
  const a = compactRows(data, 20, rowRange(0, 6));
  const b = compactRows(shifted, 20, rowRange(0, 6));
  assert.deepEqual([...b.cols!], [...a.cols!]);
  assert.deepEqual([...b.pixels], [...a.pixels]);
});

test('compactRows: every column used → no index; an all-black set keeps one column', () => {
  const full = new Uint8Array(2 * 3).fill(9);
  const c = compactRows(full, 3, rowRange(0, 2));
  assert.equal(c.cols, undefined);
  assert.equal(c.width, 3);
  const black = compactRows(new Uint8Array(2 * 3), 3, rowRange(0, 2));
  assert.deepEqual([...black.cols!], [0]);
  assert.deepEqual([...black.pixels], [0, 0]);
});

test('scatterRows puts compact gradient rows back and zeroes the rest', () => {
  const full = new Float32Array(5 * 2).fill(7);
  scatterRows(Float32Array.from([1, 2, 3, 4]), Int32Array.from([1, 3]), 2, full);
  assert.deepEqual([...full], [0, 0, 1, 2, 0, 0, 3, 4, 0, 0]);
  // A run of consecutive columns (1, 2) and a single one (4).
  scatterRows(Float32Array.from([1, 2, 3, 4, 5, 6]), Int32Array.from([1, 2, 4]), 2, full);
  assert.deepEqual([...full], [0, 0, 1, 2, 3, 4, 0, 0, 5, 6]);
});

test('the first layer on the used columns gives the full forward, loss and gradients', async () => {
  await selectBackend('wasm');
  const before = tf.memory().numTensors;
  const plan = planNetwork({ runId: 'cols', label: 'x', initializer: 'he_normal', config: { ...DEFAULT_CONFIG, hidden: [12, 8] } }, 20, 10);
  const params = initParams(plan, 3, 'cols');
  const data = images();
  const compact = compactRows(data, 20, rowRange(0, 6));
  tf.tidy(() => {
    // The reference: every column.
    const xFull = tf.tensor2d(Float32Array.from(data, (v) => v / 255), [6, 20]) as Tensor2D;
    const { x, cols } = inputTensors(compact);
    assert.ok(cols);
    const y = tf.cast(tf.oneHot(tf.tensor1d([0, 1, 2, 3, 4, 5], 'int32'), 10), 'float32') as Tensor2D;
    const close = (a: Tensor, b: Tensor, what: string): void => {
      const diff = tf.max(tf.abs(tf.sub(a, b))).dataSync()[0];
      assert.ok(diff < 1e-5, `${what}: ${diff}`);
    };
    close(forward(plan, params.kernels, params.biases, x, cols).logits, forward(plan, params.kernels, params.biases, xFull).logits, 'logits');
    const ours = lossAndGrads(plan, params.kernels, params.biases, x, y, cols);
    const ref = lossAndGrads(plan, params.kernels, params.biases, xFull, y);
    assert.ok(Math.abs(ours.loss - ref.loss) < 1e-6, 'loss');
    const first = scatterRows(ours.kernelGrads[0].dataSync() as Float32Array, compact.cols, plan[0].fanOut, new Float32Array(20 * 12));
    close(tf.tensor2d(first, [20, 12]), ref.kernelGrads[0], 'dW1');
    for (let i = 1; i < plan.length; i++) close(ours.kernelGrads[i], ref.kernelGrads[i], `dW${i + 1}`);
    for (let i = 0; i < plan.length; i++) close(ours.biasGrads[i], ref.biasGrads[i], `db${i + 1}`);
  });
  disposeParams(params);
  assert.equal(tf.memory().numTensors, before);
});

test('firstKernel reads a recorded host copy, and the variable again once it is assigned new data', async () => {
  await selectBackend('wasm');
  const kernel = tf.variable(tf.fill([4, 2], 1), true, 'host-copy');
  const cols = Int32Array.from([1, 3]);
  // A host copy that differs from the variable shows which one was read.
  noteHostCopy(kernel, Float32Array.from([0, 0, 5, 6, 0, 0, 7, 8]));
  tf.tidy(() => assert.deepEqual([...firstKernel(kernel, cols).dataSync()], [5, 6, 7, 8]));
  tf.tidy(() => kernel.assign(tf.fill([4, 2], 2)));
  tf.tidy(() => assert.deepEqual([...firstKernel(kernel, cols).dataSync()], [2, 2, 2, 2]));
  kernel.dispose();
});
