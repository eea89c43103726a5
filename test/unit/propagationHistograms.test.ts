/** Per-layer activation histograms recorded by the probe on measured steps (real training on digits). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { engine, probe, request, finished } from './helpers';
import { runProbe } from '../../src/probe/train';
import { parseLine, probeEventSchema, toJsonLine } from '../../src/protocol';
import { histogramRange, HISTOGRAM_BINS } from '../../src/probe/propagation/activationHistograms';

test('every measured step carries a histogram per hidden layer whose counts sum to probe batch × units', async () => {
  const { outcome, events } = await probe(request('he_normal', { hidden: [64, 32], steps: 20, every: 10, probeBatch: 200 }));
  assert.deepEqual(
    outcome.steps.map((s) => s.step),
    [0, 10, 20],
  );
  for (const step of outcome.steps) {
    const [first, second, output] = step.layers;
    assert.equal(output.histogram, undefined, 'no histogram for the softmax output');
    for (const [layer, units] of [
      [first, 64],
      [second, 32],
    ] as const) {
      const h = layer.histogram;
      assert.ok(h, `step ${step.step}: histogram recorded`);
      assert.equal(h.counts.length, HISTOGRAM_BINS);
      assert.equal(
        h.counts.reduce((a, b) => a + b, 0),
        200 * units,
      );
      assert.equal(h.lo, 0, 'relu activations start at 0');
      // Bins stay those of step 0, so histograms of different steps line up.
      assert.equal(h.hi, step === outcome.steps[0] ? h.hi : outcome.steps[0].layers[step.layers.indexOf(layer)].histogram!.hi);
      // ReLU zeroes the negative half of the pre-activations: about half the activations are near zero.
      assert.ok(h.nearZero > 0.3 && h.nearZero < 0.75, `near-zero share ${h.nearZero}`);
    }
  }
  // Each histogram bin is a count of real activations: its mass lies in the bins ReLU can reach.
  assert.ok(outcome.steps[0].layers[0].histogram!.counts[0] > 0);
  // The events pass the protocol schema with histograms in them.
  for (const e of events) assert.ok(parseLine(probeEventSchema, toJsonLine(e)).ok);
  assert.equal(finished(events).numTensorsAfter, finished(events).numTensorsBefore);
});

test('tanh histograms span [−1, 1]; Zeros+tanh puts every activation in the bin at zero', async () => {
  const { outcome } = await probe(request('zeros', { hidden: [32], steps: 1, every: 1, activation: 'tanh', probeBatch: 100 }));
  const h = outcome.steps[0].layers[0].histogram!;
  assert.deepEqual([h.lo, h.hi], [-1, 1]);
  assert.equal(h.nearZero, 1);
  assert.equal(h.counts[HISTOGRAM_BINS / 2], 100 * 32, 'all in the bin starting at 0');
});

test('histogram ranges: bounded activations use their range, unbounded ones 4 RMS', () => {
  assert.deepEqual(histogramRange('sigmoid', 0.3), { lo: 0, hi: 1 });
  assert.deepEqual(histogramRange('relu', 0.5), { lo: 0, hi: 2 });
  assert.deepEqual(histogramRange('linear', 0.5), { lo: -2, hi: 2 });
  assert.equal(histogramRange('elu', 0.5).lo, -1);
  assert.deepEqual(histogramRange('relu', 0), { lo: 0, hi: 1 }, 'an all-zero layer still gets a usable range');
});

test('the kernels and the tfjs ops bin the same activations into the same counts', async () => {
  const { data, backend } = await engine();
  const req = request('glorot_uniform', { hidden: [48, 24], steps: 10, every: 10, probeBatch: 120, activation: 'tanh' });
  const viaKernels = await runProbe(req, data, backend, { emit: () => undefined }, performance.now(), 'auto');
  const viaTfjs = await runProbe(req, data, backend, { emit: () => undefined }, performance.now(), 'tfjs');
  for (const s of [0, 1]) {
    for (const l of [0, 1]) {
      const a = viaKernels.steps[s].layers[l].histogram!;
      const b = viaTfjs.steps[s].layers[l].histogram!;
      assert.deepEqual([a.lo, a.hi], [b.lo, b.hi]);
      // Float summation order differs between the two: a value on a bin edge may move by one bin.
      const moved = a.counts.reduce((sum, c, k) => sum + Math.abs(c - b.counts[k]), 0);
      assert.ok(moved <= 4, `step ${s} layer ${l}: ${moved} counts differ`);
      assert.ok(Math.abs(a.nearZero - b.nearZero) < 1e-3);
    }
  }
});
