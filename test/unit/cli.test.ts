/** The `initlens` CLI: bad input is one line and a non-zero exit; --json follows the documented schema. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { splitInitializerList } from '../../src/probe/initializers/list';

const cli = join(__dirname, '..', '..', 'dist', 'cli.js');
const run = (...args: string[]) => spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', timeout: 120_000 });

const badInputs: [string[], RegExp][] = [
  [['compare', '--hidden', '-5'], /layer width must be at least 1/],
  [['compare', '--hidden', '128x'], /cannot read/],
  [['compare', '--activation', 'swishy'], /unknown activation 'swishy'/],
  [['compare', '--optimizer', 'rmsprop'], /unknown optimizer 'rmsprop'/],
  [['compare', '--steps', '0'], /steps must be at least 1/],
  [['compare', '--lr', 'fast'], /--lr: 'fast' is not a number/],
  [['compare', '--batch', '2.5'], /batch size must be a whole number/],
  [['compare', '--batch', '9000', '--data', 'mnist'], /batch size must be at most 8192|larger than the 8000 training images/],
  [['compare', '--init', 'he_norml'], /unknown initializer.*he_normal/],
  [['compare', '--init', 'RandomNormal(stddev=-1)'], /stddev/],
  [['compare', '--data', '/nonexistent/mnist.npz'], /nonexistent/],
  [['compare', '--hidden', '8192x100'], /network too large/],
  [['compare', '--jobs', '0'], /--jobs must be a whole number from 1 to 64/],
  [['compare', '--bogus'], /Unknown option '--bogus'/],
  [['frobnicate'], /unknown command 'frobnicate'/],
  [['compare', '--seeds', '0'], /--seeds must be a whole number from 1 to 20, got 0/],
  [['compare', '--seeds', '2.5'], /--seeds must be a whole number from 1 to 20/],
  [['theory', '--activation', 'swish'], /--activation: unknown activation 'swish'/],
  [['theory', '--sigma-w2', '0'], /--sigma-w2 must be above 0/],
  [['theory', '--sigma-b2', '-0.05'], /--sigma-b2 must be from 0 to 10000, got -0.05/],
  [['theory', '--depth', '2.5'], /--depth must be a whole number from 1 to 1000/],
  [['theory', '--c0', '1.5'], /--c0 must be from −1 to 1/],
  [['theory', '--q0', 'big'], /--q0: 'big' is not a number/],
  [['theory', '--bogus'], /Unknown option '--bogus'/],
];

for (const [args, message] of badInputs) {
  test(`bad input: initlens ${args.join(' ')}`, () => {
    const r = run(...args);
    assert.equal(r.status, 2, r.stderr);
    const lines = r.stderr.trim().split('\n');
    assert.equal(lines.length, 1, `one line, got: ${r.stderr}`);
    assert.match(lines[0], /^initlens: /);
    assert.match(lines[0], message);
    assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
  });
}

test('a malformed data file is named with what is wrong', () => {
  const dir = mkdtempSync(join(tmpdir(), 'initlens-cli-'));
  const file = join(dir, 'broken.npz');
  writeFileSync(file, Buffer.from('PK\u0003\u0004 this is not a zip'));
  const r = run('compare', '--data', file);
  assert.equal(r.status, 2);
  assert.match(r.stderr.trim(), new RegExp(`^initlens: ${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: `));
});

test('--json prints one document with the documented fields', () => {
  const r = run('compare', '--init', 'zeros,RandomNormal(mean=0.0, stddev=0.05)', '--steps', '20', '--every', '10', '--data', 'mnist', '--json');
  assert.equal(r.status, 0, r.stderr);
  const doc = JSON.parse(r.stdout) as {
    backend: string;
    data: { source: string; train: number; test: number };
    runs: {
      initializer: string;
      spec: { kind: string };
      activation: string;
      layers: { name: string; fanIn: number; fanOut: number; weightStd: number; theoryWeightStd: number }[];
      steps: { step: number; loss: number; accuracy: number; layers: Record<string, number>[] }[];
      final: { validationAccuracy: number; loss: number };
      flags: { kind: string; layer: number; step: number; evidence: string; note: string }[];
      timing: { seconds: number; samplesPerSecond: number };
    }[];
  };
  assert.ok(['wasm', 'tensorflow', 'cpu'].includes(doc.backend));
  assert.deepEqual([doc.data.source, doc.data.train, doc.data.test], ['bundled', 8000, 2000]);
  assert.deepEqual(
    doc.runs.map((x) => x.initializer),
    ['zeros', 'RandomNormal(mean=0.0, stddev=0.05)'],
  );
  const [zeros, normal] = doc.runs;
  assert.equal(normal.spec.kind, 'random_normal');
  assert.deepEqual(
    normal.layers.map((l) => [l.name, l.fanIn, l.fanOut]),
    [
      ['dense_1', 784, 128],
      ['dense_2', 128, 10],
    ],
  );
  assert.ok(Math.abs(normal.layers[0].theoryWeightStd - 0.05) < 1e-12);
  assert.deepEqual(
    normal.steps.map((s) => s.step),
    [0, 10, 20],
  );
  for (const key of ['activationMean', 'activationVariance', 'preActivationVariance', 'gradNorm', 'deadFraction', 'saturatedFraction', 'distinctUnits']) {
    assert.equal(typeof normal.steps[0].layers[0][key], 'number', key);
  }
  assert.ok(zeros.flags.some((f) => f.kind === 'symmetric' && f.note === 'zero-symmetry' && f.evidence.length > 0));
  assert.ok(normal.timing.samplesPerSecond > 0);
  assert.ok(normal.final.validationAccuracy > 0.3);
});

test('without --json: a table and one line per flag saying what it means', () => {
  const r = run('compare', '--init', 'zeros', '--steps', '10', '--data', 'mnist');
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /initializer.*held-out acc.*loss/);
  assert.match(r.stdout, /zeros: symmetric at dense_1, first at step 10 — only 1 of 128 units/);
  assert.match(r.stdout, /\[note: zero-symmetry\]/);
});

test('--init keeps commas inside calls', () => {
  assert.deepEqual(splitInitializerList("zeros, RandomNormal(mean=0.0, stddev=0.05),tf.initializers.varianceScaling({scale: 2, mode: 'fanOut'}), he_normal"), [
    'zeros',
    'RandomNormal(mean=0.0, stddev=0.05)',
    "tf.initializers.varianceScaling({scale: 2, mode: 'fanOut'})",
    'he_normal',
  ]);
});

test('initlens theory --json: per-layer q, c, χ, the fixed point and the critical σ_w² (tanh, σ_b² = 0.05)', () => {
  const r = run('theory', '--activation', 'tanh', '--sigma-w2', '1.5', '--sigma-b2', '0.05', '--depth', '50', '--json', '--critical');
  assert.equal(r.status, 0, r.stderr);
  const doc = JSON.parse(r.stdout) as {
    layers: { layer: number; q: number; c: number; chi: number; backwardGain: number }[];
    fixedPoint: { qStar: number; cStar: number; chi1: number; xiQ: number; xiC: number };
    phase: string;
    criticalSigmaW2: number;
  };
  assert.equal(doc.layers.length, 50);
  assert.equal(doc.layers[0].q, 1);
  // σ_w² = 1.5 is below the critical 1.76: ordered, q → q*, c → 1, χ₁ < 1.
  assert.equal(doc.phase, 'ordered');
  assert.ok(Math.abs(doc.layers[49].q - doc.fixedPoint.qStar) < 1e-6);
  assert.ok(doc.layers[49].c > doc.layers[0].c);
  assert.ok(doc.fixedPoint.chi1 < 1 && doc.fixedPoint.xiC > 1);
  assert.ok(Math.abs(doc.criticalSigmaW2 - 1.76) < 0.01, `critical ${doc.criticalSigmaW2}`);
});

test('initlens theory prints a table and the fixed point line', () => {
  const r = run('theory', '--activation', 'relu', '--sigma-w2', '2', '--depth', '5');
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /InitLens theory — relu, σ_w² 2, σ_b² 0, 5 layers/);
  assert.equal((r.stdout.match(/^│ \d/gm) ?? []).length, 5, r.stdout);
  assert.match(r.stdout, /χ₁ 1\.000.*critical/);
});

test('--seeds 3: three runs per initializer, a summary with a 95% interval and per-flag seed counts', () => {
  const r = run('compare', '--init', 'zeros,he_normal', '--seeds', '3', '--steps', '20', '--every', '10', '--data', 'mnist', '--json');
  assert.equal(r.status, 0, r.stderr);
  const doc = JSON.parse(r.stdout) as {
    runs: { initializer: string; seed: number; status: string }[];
    summary: { initializer: string; seeds: number; seedValues: number[]; validationAccuracy: { mean: number; low: number; high: number }; loss: { mean: number; low: number; high: number }; flags: { kind: string; layer: number; seeds: number }[] }[];
  };
  assert.equal(doc.runs.length, 6);
  assert.deepEqual(
    doc.runs.filter((x) => x.initializer === 'he_normal').map((x) => x.seed),
    [42, 43, 44],
  );
  assert.deepEqual(
    doc.summary.map((s) => [s.initializer, s.seeds, s.seedValues]),
    [
      ['zeros', 3, [42, 43, 44]],
      ['he_normal', 3, [42, 43, 44]],
    ],
  );
  const he = doc.summary[1];
  assert.ok(he.validationAccuracy.low < he.validationAccuracy.mean && he.validationAccuracy.mean < he.validationAccuracy.high, JSON.stringify(he.validationAccuracy));
  assert.ok(he.loss.low < he.loss.high);
  // Zeros + ReLU is symmetric in every seed (no gradient reaches its units).
  assert.deepEqual(
    doc.summary[0].flags.filter((f) => f.kind === 'symmetric'),
    [{ kind: 'symmetric', layer: 1, seeds: 3 }],
  );
  const table = run('compare', '--init', 'he_normal', '--seeds', '2', '--steps', '10', '--data', 'mnist');
  assert.equal(table.status, 0, table.stderr);
  assert.match(table.stdout, /seed 42…43 \(2 seeds\)/);
  assert.match(table.stdout, /he_normal +│ 2 +│ \d+\.\d% \[\d+\.\d%, \d+\.\d%\]/);
});
