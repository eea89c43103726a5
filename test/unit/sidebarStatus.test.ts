/** The sidebar's Status rows and notices, from engine reports only. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { backendStatus, dataStatus, endNotice, latestBackendRun, progressOf, runProgress, seedRows } from '../../src/sidebar/status';
import { buildRequests, withSeeds } from '../../src/compare/requests';
import { progressSummary } from '../../src/view/progress';
import { describeDataSource } from '../../src/probe/data/describeData';
import { bundledDataPath } from '../../src/probe/paths';
import { DEFAULT_CONFIG } from '../../src/probe/config';
import { applyEvent, newDocument } from '../../src/results';

const describe = (spec: string, homeDir?: string) => () => describeDataSource(spec, { bundledPath: bundledDataPath(), ...(homeDir ? { homeDir } : {}) });

test('before any run the backend line says what the setting will try', () => {
  assert.deepEqual(backendStatus('auto', undefined), { name: 'auto: tfjs-node if installed, else wasm', detail: 'no probe has run yet', measured: false, setting: 'auto' });
  assert.match(backendStatus('cpu', undefined).name, /pure JavaScript/);
});

test('after a run it says what the run used and why, from the run’s own report', () => {
  const doc = newDocument([{ runId: 'a', label: 'zeros', initializer: 'zeros', config: DEFAULT_CONFIG }, { runId: 'b', label: 'he_normal', initializer: 'he_normal', config: DEFAULT_CONFIG }]);
  assert.equal(latestBackendRun(doc), undefined);
  applyEvent(doc, {
    type: 'started',
    runId: 'a',
    backend: 'wasm',
    backendReason: 'tfjs-node is not installed; wasm with SIMD',
    data: { source: 'bundled', kind: 'bundled', description: 'bundled', train: 8000, test: 2000 },
    layers: [],
    inputSecondMoment: 0.1,
  });
  const run = latestBackendRun(doc);
  assert.equal(run?.runId, 'a');
  assert.deepEqual(backendStatus('auto', run), { name: 'wasm', detail: 'tfjs-node is not installed; wasm with SIMD', measured: true, setting: 'auto' });
  assert.equal(backendStatus('auto', { backend: 'tensorflow', backendReason: 'loaded' }).name, 'tfjs-node');
});

test('the data line: the bundled digits with their size, or a missing source’s one-line reason', () => {
  const home = mkdtempSync(join(tmpdir(), 'initlens-sidebar-'));
  try {
    const bundled = dataStatus('auto', describe('auto', home));
    assert.ok(bundled.ok);
    assert.equal(bundled.kind, 'bundled');
    assert.match(bundled.description, /10,000 real digits/);
    assert.match(bundled.size, /MiB$/);
    const missing = dataStatus('/no/such/mnist.npz', describe('/no/such/mnist.npz', home));
    assert.ok(!missing.ok);
    assert.match(missing.error, /^\/no\/such\/mnist\.npz: /);
    assert.doesNotMatch(missing.error, /\n|    at /);
    const empty = dataStatus(home, describe(home, home));
    assert.ok(!empty.ok);
    assert.doesNotMatch(empty.error, /internal error/);
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
});

test('progress per run from the session’s document, and one summary line', () => {
  const config = { ...DEFAULT_CONFIG, steps: 40 };
  const doc = newDocument([{ runId: 'a', label: 'zeros', initializer: 'zeros', config }, { runId: 'b', label: 'he_normal', initializer: 'he_normal', config }]);
  applyEvent(doc, { type: 'step', runId: 'a', metrics: { step: 20, loss: 1, accuracy: 0.5, validationAccuracy: 0.5, layers: [] } });
  doc.runs[0].status = 'running';
  applyEvent(doc, { type: 'flag', runId: 'a', flag: { kind: 'symmetric', layer: 1, step: 0, evidence: 'e', note: 'zero-symmetry' } });
  applyEvent(doc, { type: 'flag', runId: 'a', flag: { kind: 'symmetric', layer: 2, step: 0, evidence: 'e', note: 'zero-symmetry' } });
  assert.deepEqual(progressOf(doc), [
    { runId: 'a', label: 'zeros', status: 'running', step: 20, steps: 40, flags: ['symmetric'] },
    { runId: 'b', label: 'he_normal', status: 'queued', step: 0, steps: 40, flags: [] },
  ]);
  applyEvent(doc, { type: 'failed', runId: 'b', reason: 'the probe process ran out of memory' });
  assert.equal(runProgress(doc.runs[1], 40).error, 'the probe process ran out of memory');
  applyEvent(doc, { type: 'finished', runId: 'a', final: { validationAccuracy: 0.11, loss: 2.3, steps: 40 }, timing: { seconds: 1, samplesPerSecond: 1, firstMetricSeconds: 1 }, numTensorsBefore: 0, numTensorsAfter: 0 });
  assert.equal(runProgress(doc.runs[0], 40).step, 40);
  assert.equal(progressSummary(progressOf(doc)), '1 finished, 1 failed');
  assert.equal(progressSummary([]), 'no runs yet');
  assert.deepEqual(progressOf(undefined), []);
});

test('after a comparison ends the notice says how it ended, not that it started', () => {
  const doc = newDocument([
    { runId: 'a', label: 'Zeros', initializer: 'zeros', config: { ...DEFAULT_CONFIG, steps: 20 } },
    { runId: 'b', label: 'HeNormal', initializer: 'he_normal', config: { ...DEFAULT_CONFIG, steps: 20 } },
  ]);
  for (const runId of ['a', 'b']) applyEvent(doc, { type: 'finished', runId, final: { validationAccuracy: 0.9, loss: 0.3, steps: 20 }, timing: { seconds: 1, samplesPerSecond: 600, firstMetricSeconds: 0.1 }, numTensorsBefore: 0, numTensorsAfter: 0 });
  assert.deepEqual(endNotice(doc, false), { level: 'info', message: 'Finished 2 probes: 2 finished. Results are in the Compare panel and History.' });
  applyEvent(doc, { type: 'failed', runId: 'b', reason: 'out of memory' });
  assert.equal(endNotice(doc, true).level, 'warning');
  assert.match(endNotice(doc, true).message, /^Stopped 2 probes: 1 finished, 1 failed\./);
});

test('several seeds: each run’s progress names its seed, and one row per initializer gives the mean and 95% CI', () => {
  const requests = withSeeds(buildRequests(['HeNormal', 'Zeros'], DEFAULT_CONFIG), 2);
  const doc = newDocument(requests);
  assert.deepEqual(
    progressOf(doc).map((p) => p.label),
    ['HeNormal · seed 42', 'HeNormal · seed 43', 'Zeros · seed 42', 'Zeros · seed 43'],
  );
  assert.equal(seedRows(doc)?.rows[0].finished, 0);
  const finish = (i: number, acc: number, loss: number): void => {
    doc.runs[i].status = 'finished';
    doc.runs[i].final = { validationAccuracy: acc, loss, steps: 10 };
  };
  finish(0, 0.9, 0.3);
  finish(1, 0.92, 0.25);
  finish(2, 0.1, 2.3);
  const rows = seedRows(doc);
  assert.equal(rows?.caption, 'Held-out accuracy: mean ± 95% CI (Student t) over 2 seeds');
  const half = (12.706 * Math.SQRT2 * 0.01) / Math.SQRT2;
  assert.ok(Math.abs((rows?.rows[0].accuracy.low ?? 0) - (0.91 - half)) < 1e-12);
  assert.equal(rows?.rows[0].text, `91.0% [${(100 * (0.91 - half)).toFixed(1)}%, ${(100 * (0.91 + half)).toFixed(1)}%] held-out · loss 0.275 [-0.0426, 0.593] · 2 of 2 seeds`);
  assert.equal(rows?.rows[1].text, '10.0% held-out · loss 2.3 · 1 of 2 seeds');
  // One seed each: no rows, plain labels.
  const single = newDocument(buildRequests(['HeNormal', 'Zeros'], DEFAULT_CONFIG));
  assert.equal(seedRows(single), undefined);
  assert.deepEqual(progressOf(single).map((p) => p.label), ['HeNormal', 'Zeros']);
});
