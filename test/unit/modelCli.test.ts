/**
 * `initlens compare --model FILE`: each model is read from its source file through the CLI,
 * built as written, trained for 300 steps of batch 32 on the bundled digits, and reaches the
 * accuracy such a model reaches there (thresholds under what these runs measured: the Keras
 * and tfjs convolutional classifiers 92.9% and 91.5%, PyTorch's example Net 94.9%, after 300 Adam steps). Slow: real training, one
 * process per model, all four at once.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import type { ResultsDocument } from '../../src/results';

const cli = join(__dirname, '..', '..', 'dist', 'cli.js');
const fixture = (name: string): string => join(__dirname, '..', 'fixtures', 'models', name);

function compare(...args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [cli, 'compare', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

// [file, framework's parameter count (see modelGraph.test.ts for the formulas), accuracy floor, conv layers]
const models: [string, number, number, number][] = [
  ['keras_conv_mnist.py', 34_826, 0.85, 2],
  ['torch_net.py', 1_199_882, 0.85, 2],
  // 16 channels pooled globally into 16 features, and BatchNormalization evaluated on moving
  // averages (momentum 0.99) still warming up: it learns, slowly (21.9% measured here). PyTorch
  // trains the same network the same way to 22.9% and 12.7% (seeds 42, 43; 38.2% and 33.8% on
  // batch statistics): scripts/residualTorchReference.py.
  ['keras_residual.py', 5_114, 0.15, 3],
  ['tfjs_conv.js', 33_194, 0.85, 3],
];

test('initlens compare --model: four models as written train from their source files', { timeout: 3_600_000 }, async () => {
  const results = await Promise.all(models.map(([file]) => compare('--model', fixture(file), '--data', 'mnist', '--every', '100', '--json', '--jobs', '1')));
  models.forEach(([file, params, floor, convs], i) => {
    const r = results[i];
    assert.equal(r.status, 0, `${file}: ${r.stderr}`);
    const doc = JSON.parse(r.stdout) as ResultsDocument;
    const run = doc.runs[0];
    assert.equal(run.status, 'finished');
    assert.equal(
      run.network!.reduce((a, l) => a + l.params, 0),
      params,
      `${file}: parameter count`,
    );
    const convLayers = run.layers.filter((l) => l.kind === 'conv2d');
    assert.equal(convLayers.length, convs, `${file}: measured convolutions`);
    for (const l of convLayers) {
      assert.equal(l.kernelSize!.length, 2);
      assert.equal(l.channels!.length, 2);
      // Keras' and PyTorch's fans for a convolution: receptive field × channels.
      assert.equal(l.fanIn, l.kernelSize![0] * l.kernelSize![1] * l.channels![0]);
      assert.equal(l.fanOut, l.kernelSize![0] * l.kernelSize![1] * l.channels![1]);
    }
    assert.equal(run.final!.steps, 300);
    assert.ok(run.final!.validationAccuracy! >= floor, `${file}: held-out accuracy ${run.final!.validationAccuracy} under ${floor}`);
    assert.equal(run.tensorLeak, 0, `${file}: tensors leak`);
    const last = run.steps[run.steps.length - 1];
    assert.ok(last.layers.every((l, k) => run.layers[k].kind !== 'conv2d' || (l.channelVarianceMin !== undefined && l.channelVarianceMax !== undefined)));
    if (file === 'keras_residual.py') assert.equal(last.normalization?.length, 3, 'BatchNormalization γ/β and batch statistics');
  });
});

test('initlens compare --model: a model that cannot be built is refused in one line, naming the layers and lines', async () => {
  const r = await compare('--model', join(__dirname, '..', 'fixtures', 'models', 'nope.py'));
  assert.equal(r.status, 2);
  assert.match(r.stderr.trim(), /^initlens: --model: cannot read .*nope\.py: ENOENT$/);
  const hidden = await compare('--model', fixture('keras_conv_mnist.py'), '--hidden', '64');
  assert.equal(hidden.status, 2);
  assert.match(hidden.stderr, /--hidden and --activation do not apply/);
  const dir = mkdtempSync(join(tmpdir(), 'initlens-model-'));
  const rnn = join(dir, 'rnn.py');
  writeFileSync(rnn, 'from tensorflow.keras import layers, Sequential\nmodel = Sequential([\n    layers.Embedding(1000, 64),\n    layers.LSTM(128),\n    layers.Dense(10, activation="softmax"),\n])\n');
  const refused = await compare('--model', rnn);
  assert.equal(refused.status, 2);
  assert.equal(refused.stderr.trim().split('\n').length, 1);
  assert.match(refused.stderr, /^initlens: model \(rnn\.py:2\) can't be probed as written: Embedding \(line 3\): .*; LSTM \(line 4\): /);
});

test('initlens compare --model: a run that fails before its first step still names the network it tried (panel header, CLI header, JSON)', async () => {
  // LSUV is refused on a model as written after the graph is planned.
  const r = await compare('--model', fixture('keras_conv_mnist.py'), '--init', 'lsuv', '--steps', '1', '--json');
  assert.equal(r.status, 1, r.stderr);
  const run = (JSON.parse(r.stdout) as ResultsDocument).runs[0];
  assert.equal(run.status, 'failed');
  assert.match(run.error!, /^conv2d: LSUV is not supported on a model as written/);
  assert.deepEqual(
    run.network!.map((l) => l.name),
    ['input', 'conv2d', 'max_pooling2d', 'conv2d_1', 'max_pooling2d_1', 'flatten', 'dropout', 'dense'],
  );
  assert.equal(
    run.network!.reduce((a, l) => a + l.params, 0),
    34_826,
  );
  const table = await compare('--model', fixture('keras_conv_mnist.py'), '--init', 'lsuv', '--steps', '1');
  assert.match(table.stdout.split('\n')[0], /^InitLens compare — lsuv: input 28×28×1 → conv2d 26×26×32 → .* → dense 10 \(34,826 parameters\)$/);
});

/** PyTorch's own count, when /usr/bin/python3 has torch: sum(p.numel()) of the fixture's model. */
function torchCount(file: string, name: string): number | undefined {
  const r = spawnSync('/usr/bin/python3', ['-c', `import runpy, sys\nm = runpy.run_path(sys.argv[1])[sys.argv[2]]\nprint(sum(p.numel() for p in m.parameters()))`, file, name], { encoding: 'utf8', timeout: 120_000 });
  return r.status === 0 ? Number(r.stdout.trim()) : undefined;
}

// The source forms added after the first four: [file, count, accuracy floor]. Counts by hand (modelGraph.test.ts has the formulas):
const moreForms: [string, number, number][] = [
  // Keras helper functions in a literal for loop: conv 1→8 (80) + 2 × (conv 8→8 without bias 576 + BatchNormalization 4·8 + conv 8→8 584) + dense 392→10 (3,930). Measured: 82.9%.
  ['keras_blocks.py', 80 + 2 * (576 + 32 + 584) + 3_930, 0.75],
  // tf.model: conv 1→8 (80) + conv 8→8 (584) + dense 2,704→10 (27,050). Measured: 90.1%.
  ['tfjs_functional.js', 80 + 584 + 27_050, 0.85],
  // Top-level nn.Sequential: conv 1→16 (160) + conv 16→32 (4,640) + BatchNorm2d weight and bias (64) + linear 1,568→10 (15,690). Measured: 95.7%.
  ['torch_sequential.py', 160 + 4_640 + 64 + 15_690, 0.85],
];

test('initlens compare --model: Keras helper functions and loops, tfjs tf.model and a top-level nn.Sequential train from their source files', { timeout: 3_600_000 }, async () => {
  const torch = torchCount(fixture('torch_sequential.py'), 'model');
  if (torch !== undefined) assert.equal(torch, moreForms[2][1], "PyTorch's own count");
  const results = await Promise.all(moreForms.map(([file]) => compare('--model', fixture(file), '--data', 'mnist', '--every', '100', '--json', '--jobs', '1')));
  moreForms.forEach(([file, params, floor], i) => {
    const r = results[i];
    assert.equal(r.status, 0, `${file}: ${r.stderr}`);
    const run = (JSON.parse(r.stdout) as ResultsDocument).runs[0];
    assert.equal(run.status, 'finished');
    assert.equal(
      run.network!.reduce((a, l) => a + l.params, 0),
      params,
      `${file}: parameter count`,
    );
    assert.equal(run.final!.steps, 300);
    assert.ok(run.final!.validationAccuracy! >= floor, `${file}: held-out accuracy ${run.final!.validationAccuracy} under ${floor}`);
    assert.equal(run.tensorLeak, 0, `${file}: tensors leak`);
  });
  const blocks = (JSON.parse(results[0].stdout) as ResultsDocument).runs[0].network!;
  assert.equal(blocks.filter((l) => l.kind === 'add').length, 2, 'the loop unrolled into two residual blocks');
});
