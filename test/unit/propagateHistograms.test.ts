/**
 * `initlens propagate histograms`: per-layer activation histograms over training from real short
 * probes on the bundled digits, or read from a results file a real `initlens compare --json` wrote.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { propagationDocumentSchema } from '../../src/protocol/propagation';
import type { HistogramRunsJson } from '../../src/protocol/propagation';
import { DEFAULT_CONFIG } from '../../src/probe/config';
import { histogramBars } from '../../src/cliPropagate';

const cli = join(__dirname, '..', '..', 'dist', 'cli.js');
const run = (...args: string[]) => spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', timeout: 300_000 });
const dir = mkdtempSync(join(tmpdir(), 'initlens-histograms-'));

function histogramsOf(stdout: string): HistogramRunsJson {
  const doc = propagationDocumentSchema.parse(JSON.parse(stdout));
  assert.ok(doc.histograms, 'the document carries histograms');
  return doc.histograms.runs;
}

test('probes: every recorded step of every hidden layer counts probe images × units; zeros sit at 0, He spreads', () => {
  const r = run('propagate', 'histograms', '--init', 'zeros,he_normal', '--depth', '2', '--width', '32', '--steps', '20', '--every', '10', '--data', 'mnist', '--json');
  assert.equal(r.status, 0, r.stderr);
  const runs = histogramsOf(r.stdout);
  assert.deepEqual(
    runs.map((x) => x.initializer),
    ['zeros', 'he_normal'],
  );
  for (const x of runs) {
    assert.deepEqual(
      x.layers.map((l) => l.name),
      ['dense_1', 'dense_2'],
    );
    for (const layer of x.layers) {
      assert.deepEqual(layer.steps, [0, 10, 20]);
      for (const counts of layer.counts) assert.equal(counts.reduce((a, b) => a + b, 0), DEFAULT_CONFIG.probeBatch * 32);
    }
  }
  const [zeros, he] = runs;
  // All-zero weights and biases: every ReLU output is exactly 0, in the first bin, all steps.
  for (const layer of zeros.layers) assert.deepEqual(layer.nearZero, [1, 1, 1]);
  // He: about half the pre-activations are negative, so about half the outputs are 0, and the rest spread over the bins.
  for (const layer of he.layers) {
    assert.ok(layer.nearZero[0] > 0.3 && layer.nearZero[0] < 0.75, `near zero ${layer.nearZero[0]}`);
    assert.ok(layer.counts[0].filter((c) => c > 0).length > 16, 'He spreads over more than half the bins');
  }
});

test('the table: one row per layer and shown step, the histogram as bars', () => {
  const r = run('propagate', 'histograms', '--init', 'he_normal', '--depth', '1', '--width', '16', '--steps', '8', '--every', '2', '--data', 'mnist');
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /Activation histograms over training — from short probes of these initializers \(relu, 16×1, 8 steps/);
  // Steps 0, 2, 4, 6, 8: shown are the first, a quarter, half way and the last.
  const rows = r.stdout.split('\n').filter((l) => l.includes('he_normal') && l.includes('dense_1'));
  assert.deepEqual(
    rows.map((l) => Number(l.split('│')[4].trim())),
    [0, 2, 4, 8],
  );
});

test('histogramBars: one character per bin, empty bins blank, the fullest bin full', () => {
  // Heights by log(1 + count): 1 of 100 is log 2 / log 101 = 15% of full height, the lowest bar.
  assert.equal(histogramBars([0, 1, 100, 0]), ' ▁█ ');
  assert.equal(histogramBars([0, 0, 0]).length, 3);
});

test('--from: the histograms of a Compare run saved with --json, as recorded, not recomputed', () => {
  const c = run('compare', '--init', 'glorot_uniform', '--hidden', '24,12', '--activation', 'tanh', '--steps', '10', '--every', '5', '--data', 'mnist', '--json');
  assert.equal(c.status, 0, c.stderr);
  const file = join(dir, 'results.json');
  writeFileSync(file, c.stdout);
  const compared = JSON.parse(c.stdout) as { runs: { steps: { step: number; layers: { histogram?: { counts: number[] } }[] }[] }[] };
  const r = run('propagate', 'histograms', '--from', file, '--json');
  assert.equal(r.status, 0, r.stderr);
  const [only, ...rest] = histogramsOf(r.stdout);
  assert.equal(rest.length, 0);
  assert.equal(JSON.parse(r.stdout).histograms.source, file);
  assert.deepEqual(
    only.layers.map((l) => [l.lo, l.hi, l.steps]),
    [
      [-1, 1, [0, 5, 10]],
      [-1, 1, [0, 5, 10]],
    ],
  );
  only.layers.forEach((layer, i) => {
    layer.counts.forEach((counts, k) => {
      assert.deepEqual(counts, compared.runs[0].steps[k].layers[i].histogram!.counts);
      assert.equal(counts.reduce((a, b) => a + b, 0), DEFAULT_CONFIG.probeBatch * [24, 12][i]);
    });
  });
});

test('bad input is one line and exit 2', () => {
  const notResults = join(dir, 'other.json');
  writeFileSync(notResults, JSON.stringify({ hello: 'world' }));
  const broken = join(dir, 'broken.json');
  writeFileSync(broken, '{"tool": "initlens", "runs": [');
  const cases: [string[], RegExp][] = [
    [['propagate', 'histograms', '--from', join(dir, 'missing.json')], /--from .*missing\.json: no such file/],
    [['propagate', 'histograms', '--from', notResults], /--from .*other\.json: not an InitLens results document/],
    [['propagate', 'histograms', '--from', broken], /--from .*broken\.json: not JSON/],
    [['propagate', 'sweep', '--from', notResults], /--from: only propagate histograms reads a results file/],
    [['propagate', 'histograms', '--depth', '50'], /--depth must be a whole number from 1 to 20 for histograms, got 50/],
    [['propagate', 'histograms', '--every', '0'], /--every must be a whole number from 1 to 100000, got 0/],
  ];
  for (const [args, message] of cases) {
    const r = run(...args);
    assert.equal(r.status, 2, `${args.join(' ')}: ${r.stderr}`);
    const lines = r.stderr.trim().split('\n');
    assert.equal(lines.length, 1, r.stderr);
    assert.match(lines[0], message);
  }
});
