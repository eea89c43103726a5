/** Soak: 50 consecutive probes in one process keep tf.memory().numTensors and the JS heap flat. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tf } from '../../src/probe/tfjs';
import { engine, finished, probe, request } from './helpers';

test('50 consecutive probes leak no tensors and keep the heap stable', async () => {
  await engine();
  const inits = ['he_normal', 'zeros', 'glorot_uniform', 'orthogonal', 'lsuv'];
  const counts: number[] = [];
  const heaps: number[] = [];
  const wasmBytes: number[] = [];
  for (let i = 0; i < 50; i++) {
    const { events } = await probe(request(inits[i % inits.length], { steps: 10, every: 5, hidden: [64, 32], seed: i }));
    const f = finished(events);
    assert.equal(f.numTensorsAfter, f.numTensorsBefore, `probe ${i} leaked`);
    counts.push(tf.memory().numTensors);
    heaps.push(process.memoryUsage().heapUsed);
    wasmBytes.push(tf.memory().numBytes);
  }
  const mb = (x: number): string => (x / 2 ** 20).toFixed(1);
  console.log(`soak: numTensors after probes 1/10/50 = ${counts[0]}/${counts[9]}/${counts[49]}; tensor bytes ${wasmBytes[0]}/${wasmBytes[49]}; JS heap ${mb(heaps[9])} MB after 10, ${mb(heaps[49])} MB after 50`);
  assert.ok(counts.every((c) => c === counts[0]), `numTensors drifted: ${counts.join(',')}`);
  assert.equal(wasmBytes[49], wasmBytes[0]);
  // Garbage collection is lazy, so allow slack, but a leak of the 25 MB training set per probe would show.
  assert.ok(heaps[49] - heaps[9] < 64 * 2 ** 20, `heap grew from ${mb(heaps[9])} to ${mb(heaps[49])} MB`);
});
