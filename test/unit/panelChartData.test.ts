// The charts' numbers: the theory line (input E[x²] × cumulative predicted gains, checked
// against the engine's own prediction on real probes), values at a step, steps aligned on one
// axis, log-scale handling of zeros, decade ticks and the heatmap's colour positions.
import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { clampForLog, decadeSplits, formatDecade, heatPosition, heatmapGrid, layerValues, logFloor, overSteps, recordAt, recordedSteps, theoryLine } from '../../webview/panel/chartData';
import { runHeader } from '../../src/compare/delta';
import type { PanelRun } from '../../src/protocol/panel';
import type { RunRecord } from '../../src/results';
import { probedDocument, stats, step, syntheticDocument } from './panelFixtures';

const asPanelRun = (run: RunRecord): PanelRun => ({ ...runHeader(run), steps: run.steps, flags: run.flags });

describe('theory line', () => {
  it('is E[x²] at the input, then × each hidden layer’s predicted gain; null at the output', () => {
    const { doc } = syntheticDocument();
    const run = asPanelRun(doc.runs[0]);
    run.layers = [{ ...run.layers[0], predictedGain: 0.5 }, { ...run.layers[0], name: 'dense_2', predictedGain: 2 }, { ...run.layers[1], name: 'dense_3' }];
    assert.deepEqual(theoryLine(run, 3), [0.1, 0.05, 0.1, null]);
    assert.deepEqual(theoryLine({ layers: run.layers }, 3), [null, null, null, null], 'no input moment yet: no line');
  });

  it('matches the engine’s predicted gain on real probes, and the measured E[a²] follows it', async () => {
    const doc = await probedDocument(['GlorotNormal', 'HeNormal'], 1);
    for (const record of doc.runs) {
      const run = asPanelRun(record);
      const line = theoryLine(run, run.layers.length);
      assert.equal(line[0], record.inputSecondMoment);
      const gain = record.layers[0].predictedGain!;
      assert.ok(Math.abs(line[1]! - record.inputSecondMoment! * gain) < 1e-12);
      // The measured E[a²] after dense_1 is what the prediction is about: same order of magnitude.
      const measured = record.steps[0].layers[0].activationSecondMoment!;
      assert.ok(measured / line[1]! > 0.3 && measured / line[1]! < 3, `${record.initializer}: measured ${measured} vs predicted ${line[1]}`);
    }
  });
});

describe('per-layer values and steps', () => {
  const { doc } = syntheticDocument();
  const runs = doc.runs.map(asPanelRun);

  it('takes the record at a step, or the latest before it', () => {
    assert.deepEqual(recordedSteps(runs), [0, 10, 20]);
    assert.equal(recordAt(runs[0], 15)?.step, 10);
    assert.equal(recordAt(runs[1], 20)?.step, 0, 'run 2 has only step 0 so far');
    assert.equal(recordAt(runs[0], -1), undefined);
    assert.deepEqual(layerValues(runs[0], 20, 'activationVariance', 3), [0, 3e-12, null]);
    assert.deepEqual(layerValues(runs[1], 0, 'gradNorm', 2), [2.3, 1]);
  });

  it('aligns every run on the union of recorded steps, with gaps as null', () => {
    const { x, ys } = overSteps(runs, 'loss');
    assert.deepEqual(x, [0, 10, 20]);
    assert.deepEqual(ys[0], [2.3, 2.29, 2.28]);
    assert.deepEqual(ys[1], [2.4, null, null]);
  });

  it('draws zeros a decade below the smallest positive value on a log scale', () => {
    const floor = logFloor([[0, 1e-12], [0.08, null]]);
    assert.equal(floor, 1e-13);
    assert.deepEqual(clampForLog([0, 1e-12, null, Number.NaN], floor), [1e-13, 1e-12, null, null]);
    assert.equal(logFloor([[0, null]]), 1e-6, 'all zero: any floor will do');
  });

  it('labels a log axis with thinned decades', () => {
    assert.deepEqual(decadeSplits(1e-3, 1, 10), [1e-3, 1e-2, 1e-1, 1]);
    assert.deepEqual(decadeSplits(1e-13, 1, 5), [1e-12, 1e-9, 1e-6, 1e-3, 1]);
    assert.deepEqual(decadeSplits(0, 1, 5), []);
    assert.deepEqual([1e-12, 1e-3, 0.1, 1, 1e4, 1e6].map(formatDecade), ['1e-12', '0.001', '0.1', '1', '10000', '1e6']);
  });
});

describe('heatmap grid', () => {
  it('is layer × step with the positive range, and places values on a log colour scale', () => {
    const { doc, feed } = syntheticDocument();
    feed({ type: 'step', runId: 'run2', metrics: step(10, [stats(0.8), stats(null)]) });
    const grid = heatmapGrid(asPanelRun(doc.runs[1]));
    assert.deepEqual(grid.steps, [0, 10]);
    assert.deepEqual(grid.layerNames, ['dense_1', 'dense_2']);
    assert.deepEqual(grid.values, [[0.08, 0.8], [0.003, null]]);
    assert.equal(grid.min, 0.003);
    assert.equal(grid.max, 0.8);
    assert.equal(heatPosition(0.8, grid.min, grid.max), 1);
    assert.equal(heatPosition(0.003, grid.min, grid.max), 0);
    assert.ok(Math.abs(heatPosition(Math.sqrt(0.003 * 0.8), grid.min, grid.max)! - 0.5) < 1e-9, 'geometric midpoint is the middle colour');
    assert.equal(heatPosition(null, grid.min, grid.max), null);
    assert.equal(heatPosition(0, grid.min, grid.max), 0);
  });
});
