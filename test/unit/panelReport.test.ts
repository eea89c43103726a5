// "Save report": the Markdown a person gets — what was compared, the summary table, the charts
// as images beside it, every flag with its evidence and its note (each note once).
import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { nestHeadings, reportFileStem, reportMarkdown, tableCell } from '../../src/compare/reportMarkdown';
import { loadNote } from '../../src/notes';
import { accuracyHeading, accuracyScope, accuracyText, flagLabels, flagValuesText, inLayerOrder } from '../../src/view/format';
import { SYMMETRIC, syntheticDocument } from './panelFixtures';

describe('report Markdown', () => {
  const { doc, feed } = syntheticDocument();
  feed({ type: 'flag', runId: 'run1', flag: { ...SYMMETRIC, layer: 2 } });
  feed({ type: 'finished', runId: 'run1', final: { validationAccuracy: 0.113, loss: 2.3, steps: 20 }, timing: { seconds: 1, samplesPerSecond: 640, firstMetricSeconds: 0.1 }, numTensorsBefore: 0, numTensorsAfter: 0 });
  feed({ type: 'failed', runId: 'run2', reason: 'the probe process | ran out of memory' });
  const md = reportMarkdown({
    doc,
    title: 'Seed model: 784→128→10, relu, 20 steps',
    skipped: ['conv2d (Conv2D): not a dense layer'],
    images: [{ title: 'Training loss', path: 'initlens-report-x/loss.png' }],
    note: (id) => loadNote(id),
  });

  it('starts with the title and what was compared', () => {
    assert.match(md, /^# InitLens report: Seed model: 784→128→10, relu, 20 steps\n/);
    assert.match(md, /- Network: 784→128→10, relu, 20 steps; adam lr 0\.001, batch 32/);
    assert.match(md, /- Data: bundled digits\n/);
  });

  it('lists the notes on the probe', () => {
    assert.match(md, /## Notes on this probe\n\n.*\n\n- conv2d \(Conv2D\): not a dense layer/);
  });

  it('has one table row per run, failures with their reason, pipes escaped', () => {
    const rows = md.split('\n').filter((l) => l.startsWith('| ') && !l.startsWith('| Initializer') && !l.startsWith('| ---'));
    assert.equal(rows.length, 2);
    assert.equal(rows[0], '| Zeros | wasm | 11.3% | 2.3 | 640 | symmetric | finished |');
    assert.match(rows[1], /^\| HeNormal \| wasm \| 9\.0% \(step 0, first 500\) \| 2\.4 \| — \| none \| failed: the probe process \\\| ran out of memory \|$/);
  });

  it('links the chart images', () => {
    assert.match(md, /## Charts\n\n### Training loss\n\n!\[Training loss\]\(initlens-report-x\/loss\.png\)/);
  });

  it('gives every flag its evidence, and each note once', () => {
    assert.match(md, /### Zeros: symmetric at dense_1, step 0\n\nonly 1 of 3 units, distinct\n\nValues: distinct units 1 · units 3/);
    assert.match(md, /### Zeros: symmetric at dense_2, step 0/);
    assert.equal(md.split('> **Zero and constant initialization (symmetry).**').length - 1, 1);
    assert.match(md, /Note: \*Zero and constant initialization \(symmetry\)\* \(above\)\./);
    assert.match(md, /#### Zero and constant initialization \(symmetry\)/, 'note headings sit under the flag heading');
  });

  it('helpers: cells, headings, file names', () => {
    assert.equal(tableCell('a|b\nc'), 'a\\|b c');
    assert.equal(nestHeadings('# A\n```\n# not a heading\n```\n## B', 2), '### A\n```\n# not a heading\n```\n#### B');
    assert.equal(reportFileStem(new Date(2026, 0, 2, 3, 4, 5)), 'initlens-report-2026-01-02-030405');
  });
});

describe('flag labels in the summary', () => {
  it('give one label per kind with its layers in network order, ranges for long runs of layers', () => {
    const layers = Array.from({ length: 11 }, (_, i) => ({ name: `dense_${i + 1}` }));
    const flags = [
      ...Array.from({ length: 10 }, (_, i) => ({ ...SYMMETRIC, layer: i + 1 })),
      { ...SYMMETRIC, kind: 'vanishing' as const, layer: 3 },
      { ...SYMMETRIC, kind: 'vanishing' as const, layer: 1 },
      { ...SYMMETRIC, kind: 'diverged' as const, layer: 0 },
    ];
    assert.deepEqual(flagLabels({ flags, layers }), ['symmetric (dense_1 … dense_10, 10 layers)', 'vanishing (dense_1, dense_3)', 'diverged (whole network)']);
  });
});

describe('flag numbers in words', () => {
  it('names the diagnosis values in words, shows underflow as ≈ 0 and fractions as percentages, and drops NaN', () => {
    const text = flagValuesText({
      ...SYMMETRIC,
      kind: 'vanishing',
      values: { ratio: 0, predictedRatio: 0.25, measuredGainPerLayer: 1e-30, predictedGainPerLayer: NaN, deadFraction: 0.625 },
    });
    assert.equal(text, 'measured ratio 0 · predicted ratio 0.25 · measured gain per layer ≈ 0 · units never active 62.5%');
    assert.doesNotMatch(text, /[a-z][A-Z]|e-30|NaN/);
  });
  it('spells out a value name it does not know from its camelCase', () => {
    assert.equal(flagValuesText({ ...SYMMETRIC, values: { signalRatioAtStep0: 2 } }), 'signal ratio at step 0 2');
  });
  it('lists the flags of a run in network order in the report', () => {
    const flags = [
      { ...SYMMETRIC, kind: 'vanishing' as const, layer: 6, step: 0 },
      { ...SYMMETRIC, kind: 'vanishing' as const, layer: 1, step: 0 },
    ];
    assert.deepEqual(inLayerOrder(flags).map((f) => f.layer), [1, 6]);
  });
});

describe('which held-out images an accuracy is on', () => {
  it('says the chart’s subset and the table’s whole set, and marks a running value as the subset’s', () => {
    const scope = accuracyScope({ validationSubset: 500 }, { test: 2000, source: 'bundled', description: 'bundled MNIST digits' });
    assert.equal(scope.subset, 'first 500 of 2,000 held-out digits');
    assert.equal(accuracyHeading(scope), 'Held-out accuracy (all 2,000 held-out digits)');
    const running = { initializer: 'Zeros', status: 'running' as const, layers: [], flags: [], steps: [{ step: 40, loss: 2.3, validationAccuracy: 0.146 }] };
    assert.equal(accuracyText(running, scope), '14.6% (step 40, first 500)');
    assert.equal(accuracyText({ ...running, status: 'finished', final: { validationAccuracy: 0.113, loss: 2.3, steps: 40 } }, scope), '11.3%');
    assert.equal(accuracyScope({ validationSubset: 500 }, { test: 300, kind: 'fashion-mnist' }).subset, 'first 300 of 300 held-out images');
    // No value yet says no step, no subset; watch() runs of the user's own training have no held-out set.
    assert.equal(accuracyText({ ...running, steps: [{ ...running.steps[0], validationAccuracy: null }] }, scope), '—');
    assert.equal(accuracyScope(null, { test: 0, kind: 'user' }).all, 'not measured in your training');
  });
  it('heads the report’s summary column with the same words as the panel', async () => {
    const { doc, feed } = syntheticDocument();
    feed({ type: 'finished', runId: 'run1', final: { validationAccuracy: 0.113, loss: 2.3, steps: 20 }, timing: { seconds: 1, samplesPerSecond: 640, firstMetricSeconds: 0.1 }, numTensorsBefore: 0, numTensorsAfter: 0 });
    const md = reportMarkdown({ doc, title: 't', skipped: [], images: [], note: () => undefined });
    assert.match(md, /\| Held-out accuracy \(all [\d,]+ held-out digits\) \|/);
  });
});
