// The charts' numbers: the theory line (input E[x²] × cumulative predicted gains, checked
// against the engine's own prediction on real probes), values at a step, steps aligned on one
// axis, log-scale handling of zeros, decade ticks and the heatmap's colour positions.
import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decadeSplits, formatDecade } from '../../webview/shared/decades';
import { clampForLog, heatPosition, heatmapGrid, layerValues, logFloor, overSteps, recordAt, recordedSteps, seriesSlots, theoryLine, logAxisSplits, xAxisLayout, zeroBandBottom, zeroBandTop } from '../../webview/panel/chartData';
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

describe('one name and one colour per initializer, whichever entry point started the run', () => {
  it('names the seed four the same from the palette and from the sidebar', async () => {
    const { buildRequests: paletteRequests, SEED_INITIALIZERS } = await import('../../src/compare/requests');
    const { buildRequests: sidebarRequests, defaultSelection, orderedSelection } = await import('../../src/sidebar/selection');
    const { DEFAULT_CONFIG } = await import('../../src/probe/config');
    const palette = paletteRequests([...SEED_INITIALIZERS], DEFAULT_CONFIG).map((r) => r.label);
    const sidebar = sidebarRequests(orderedSelection(defaultSelection()), DEFAULT_CONFIG).map((r) => r.label);
    assert.deepEqual(palette, ['Zeros', 'RandomNormal', 'GlorotNormal', 'HeNormal']);
    assert.deepEqual(sidebar, palette);
    // A written form that is not a catalog default keeps its own text.
    assert.deepEqual(paletteRequests(['HeNormal(seed=7)'], DEFAULT_CONFIG).map((r) => r.label), ['HeNormal(seed=7)']);
  });

  it('gives an initializer its own colour slot in any comparison it is part of, distinct within one', () => {
    const seed = seriesSlots(['Zeros', 'RandomNormal', 'GlorotNormal', 'HeNormal'], 8);
    assert.equal(new Set(seed).size, 4);
    const slotOf = (names: string[], name: string): number => seriesSlots(names, 8)[names.indexOf(name)];
    for (const name of ['Zeros', 'RandomNormal', 'GlorotNormal', 'HeNormal']) {
      assert.equal(slotOf(['HeNormal', 'GlorotNormal', 'RandomNormal', 'Zeros'], name), seed[['Zeros', 'RandomNormal', 'GlorotNormal', 'HeNormal'].indexOf(name)], `${name}: order does not matter`);
      assert.equal(slotOf([name], name), seed[['Zeros', 'RandomNormal', 'GlorotNormal', 'HeNormal'].indexOf(name)], `${name}: alone`);
    }
    // Older stored runs named by catalog id get the same colour as the class name.
    assert.equal(slotOf(['glorot_normal'], 'glorot_normal'), slotOf(['GlorotNormal'], 'GlorotNormal'));
    // Two that share a home slot still differ within a comparison.
    const pair = seriesSlots(['GlorotNormal', 'GlorotUniform'], 8);
    assert.notEqual(pair[0], pair[1]);
    assert.equal(new Set(seriesSlots(Array.from({ length: 8 }, (_, i) => `VarianceScaling(scale=${i + 1})`), 8)).size, 8);
  });
});

describe('log axes keep zero off the scale', () => {
  it('puts no gridline at the floor where zeros are drawn, and keeps the band below every gridline', () => {
    // Values 1 … 1e-8 and zeros: the floor is a decade below 1e-8.
    const floor = logFloor([[1, 1e-4, 1e-8, 0]]);
    assert.equal(floor, 1e-9);
    const splits = logAxisSplits(zeroBandBottom(floor), 1, 5, floor);
    assert.ok(!splits.includes(floor), `no split at the floor: ${splits.join(', ')}`);
    assert.ok(splits.every((d) => d > zeroBandTop(floor)), `every gridline above the zero band: ${splits.join(', ')}`);
    assert.ok(splits.map(formatDecade).every((label) => label !== '0'));
    assert.ok(zeroBandBottom(floor) < floor && floor < zeroBandTop(floor));
    // Without zeros, plain decades.
    assert.deepEqual(logAxisSplits(1e-4, 1, 5, undefined), decadeSplits(1e-4, 1, 5));
  });
});

describe('layer names on the x axis', () => {
  it('slant on deep runs so that each label ends at its tick (the last one never passes the right edge)', () => {
    const deep = ['input', ...Array.from({ length: 11 }, (_, i) => `dense_${i + 1}`)];
    const layout = xAxisLayout(deep);
    // uPlot right-aligns labels rotated by a positive angle: the text ends at its tick.
    assert.ok(layout.rotate > 0, `rotate ${layout.rotate}`);
    assert.ok(layout.size >= 'dense_11'.length * 6.6 * Math.sin(Math.PI / 6), `axis height ${layout.size}`);
  });
  it('slant on shallow runs too when the labels are wider than their share of the chart', () => {
    const names = ['input', 'layers.0 (Linear)', 'layers.1 (Linear)', 'layers.2 (Linear)', 'out (Linear)'];
    // 5 categories in a 350 px plot: 70 px each, "layers.0 (Linear)" needs about 112.
    assert.ok(xAxisLayout(names, 6.6, 350).rotate > 0);
    // A full-width chart has room for them upright.
    assert.equal(xAxisLayout(names, 6.6, 1000).rotate, 0);
  });
  it('stay upright on shallow runs, with room for half the last label beyond the last category', () => {
    const layout = xAxisLayout(['input', 'dense_1', 'dense_2']);
    assert.equal(layout.rotate, 0);
    assert.ok(layout.padRight >= ('dense_2'.length * 6.6) / 2);
  });
});
