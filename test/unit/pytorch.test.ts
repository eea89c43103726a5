/**
 * The user's own PyTorch model, run for real in a real Python with Debian's python3-torch (CI
 * installs it): `initlens compare --backend pytorch --model FILE[:NAME]` end to end, through the
 * child process, the protocol schemas, the host's theory and diagnosis, and the CLI's JSON.
 * Set INITLENS_TEST_PYTHON to use another interpreter with torch.
 */
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { layerInfoSchema, stepMetricsSchema } from '../../src/protocol';
import type { ResultsDocument, RunRecord } from '../../src/results';
import { predictedGain } from '../../src/probe/initializers/theory';
import { mulberry32 } from '../../src/probe/random';
import { pythonHelperDir } from '../../src/probe/paths';

const root = join(__dirname, '..', '..');
const cli = join(root, 'dist', 'cli.js');
const fixtures = join(root, 'test', 'fixtures', 'pytorch');
const python = process.env.INITLENS_TEST_PYTHON ?? '/usr/bin/python3';

function py(code: string, env: NodeJS.ProcessEnv = {}): string {
  const r = spawnSync(python, ['-c', code], { encoding: 'utf8', env: { ...process.env, PYTHONPATH: pythonHelperDir(), ...env }, timeout: 120_000 });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout.trim();
}

function compare(args: string[], env: NodeJS.ProcessEnv = {}): { status: number | null; doc?: ResultsDocument; stderr: string } {
  const r = spawnSync(process.execPath, [cli, 'compare', '--backend', 'pytorch', '--python', python, '--json', '--jobs', '2', ...args], {
    encoding: 'utf8',
    timeout: 900_000,
    env: { ...process.env, ...env },
  });
  let doc: ResultsDocument | undefined;
  if (r.stdout.trim().startsWith('{')) doc = JSON.parse(r.stdout) as ResultsDocument;
  return { status: r.status, doc, stderr: r.stderr };
}

const runOf = (doc: ResultsDocument | undefined, initializer?: string): RunRecord => {
  assert.ok(doc, 'a JSON document on stdout');
  const run = initializer === undefined ? doc.runs[0] : doc.runs.find((r) => r.initializer === initializer);
  assert.ok(run, `a run for ${initializer}`);
  return run;
};

before(() => {
  // A missing torch is a broken test machine, not a reason to skip: CI installs python3-torch.
  py('import torch, numpy');
});

test('PyTorch: the runner shuffles batches with the tfjs probe\'s mulberry32, bit for bit', () => {
  const random = mulberry32(42);
  const expected = Array.from({ length: 8 }, () => random());
  const got = JSON.parse(py('import json; from initlens_probe.probe import mulberry32; r = mulberry32(42); print(json.dumps([r() for _ in range(8)]))')) as number[];
  assert.deepEqual(got, expected);
});

test('PyTorch: a CNN with convolutions, dropout and two linear layers, probed from its file', () => {
  const file = join(fixtures, 'convnet.py');
  const torchCount = Number(py(`import sys; sys.path.insert(0, ${JSON.stringify(fixtures)}); from convnet import ConvNet; print(sum(p.numel() for p in ConvNet().parameters()))`));
  const torchVersion = py('import torch; print(torch.__version__)');
  const r = compare(['--model', `${file}:ConvNet`]);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.doc?.backend, 'pytorch');
  const run = runOf(r.doc);
  assert.equal(run.status, 'finished', run.error);
  // Parameter count equal to PyTorch's own, in total and summed over the measured layers.
  assert.equal(run.model?.parameters, torchCount);
  assert.equal(run.layers.reduce((n, l) => n + (l.params ?? 0), 0), torchCount);
  assert.equal(run.model?.input, 'N×1×28×28');
  assert.equal(run.runtime?.torch, torchVersion);
  assert.match(run.backendReason ?? '', new RegExp(`torch ${torchVersion.replace(/[.+]/g, '\\$&')} on (cpu|cuda)`));
  assert.deepEqual(
    run.layers.map((l) => [l.name, l.kind, l.activation, l.channels ?? null, l.kernelSize ?? null]),
    [
      ['conv1 (Conv2d)', 'conv2d', 'relu', [1, 16], [3, 3]],
      ['conv2 (Conv2d)', 'conv2d', 'relu', [16, 32], [3, 3]],
      ['fc1 (Linear)', 'dense', 'relu', null, null],
      ['fc2 (Linear)', 'dense', 'linear', null, null],
    ],
  );
  assert.deepEqual(run.layers[0].outputShape, [16, 26, 26]);
  assert.deepEqual([run.layers[2].fanIn, run.layers[2].fanOut], [800, 64]);
  for (const layer of run.layers) {
    layerInfoSchema.parse(layer);
    assert.match(layer.initializer, /^PyTorch default: kaiming_uniform_/);
    // The measured step-0 std of U(±1/√fan_in) against the formula the host computed.
    assert.ok(Math.abs(layer.weightStd / layer.theoryWeightStd - 1) < 0.1, `${layer.name}: ${layer.weightStd} vs ${layer.theoryWeightStd}`);
  }
  // Same schedule as the tfjs probe: 300 steps, statistics at 0, 10, …, 300.
  assert.equal(run.final?.steps, 300);
  assert.deepEqual(run.steps.map((s) => s.step), Array.from({ length: 31 }, (_, i) => 10 * i));
  for (const step of run.steps) {
    stepMetricsSchema.parse(step);
    assert.equal(step.layers.length, 4);
  }
  const s0 = run.steps[0].layers;
  assert.equal(s0[0].channels?.activationVariance.length, 16, 'per-channel statistics for conv1');
  assert.equal(s0[1].channels?.activationMean.length, 32, 'per-channel statistics for conv2');
  assert.equal(s0[2].channels, undefined);
  for (const l of s0) {
    assert.ok((l.gradNorm ?? 0) > 0 && (l.backwardSecondMoment ?? 0) > 0, 'gradients measured by hooks');
    assert.ok((l.updateRatio ?? 0) > 0, 'update ratio of the first step');
  }
  assert.equal(s0[0].distinctUnits, 16);
  assert.equal(run.flags.filter((f) => f.kind === 'symmetric').length, 0);
  // A small CNN on 8,000 digits reaches well over 85% held-out accuracy in 300 Adam steps.
  assert.ok((run.final?.validationAccuracy ?? 0) > 0.85, `accuracy ${run.final?.validationAccuracy}`);
  assert.ok((run.steps.at(-1)?.loss ?? 9) < run.steps[0].loss!, 'the loss fell');
});

test('PyTorch: activations called as functions (F.relu in place, torch.tanh, x.relu(), F.gelu) are found, not reported as linear', () => {
  const r = compare(['--model', `${join(fixtures, 'functional_acts.py')}:FunctionalNet`, '--steps', '10', '--every', '5']);
  assert.equal(r.status, 0, r.stderr);
  const run = runOf(r.doc);
  assert.equal(run.status, 'finished', run.error);
  assert.deepEqual(
    run.layers.map((l) => [l.name, l.activation]),
    [
      ['fc1 (Linear)', 'relu'], // F.relu(..., inplace=True): also trains with full backward hooks on
      ['fc2 (Linear)', 'tanh'], // torch.tanh
      ['fc3 (Linear)', 'relu'], // the x.relu() method
      ['fc4 (Linear)', 'relu6'], // nn.ReLU6, a module (its own F.hardtanh call is not counted again)
      ['fc5 (Linear)', 'linear'], // followed by a custom layer whose tanh is inside its own forward
      ['gate (Gate)', 'linear'],
      ['fc6 (Linear)', 'gelu'], // F.gelu
      ['out (Linear)', 'linear'],
    ],
  );
  const s0 = run.steps[0].layers;
  // What is measured is the activation's output: no negative values after a ReLU, |a| < 1 after tanh.
  assert.ok((s0[0].activationMean ?? -1) > 0 && (s0[0].preActivationMean ?? 0) !== s0[0].activationMean);
  assert.ok((s0[1].activationSecondMoment ?? 9) < 1);
  assert.ok((s0[0].gradNorm ?? 0) > 0 && (s0[0].backwardSecondMoment ?? 0) > 0, 'the in-place ReLU layer got its gradients');
});

test('PyTorch: --model-args builds a model whose constructor needs arguments; without them, one line', () => {
  const file = join(fixtures, 'sized.py');
  const r = compare(['--model', `${file}:Sized`, '--model-args', '{"width": 48, "depth": 2}', '--steps', '5']);
  assert.equal(r.status, 0, r.stderr);
  const run = runOf(r.doc);
  assert.equal(run.status, 'finished', run.error);
  assert.deepEqual(run.layers.map((l) => [l.name, l.fanIn, l.fanOut, l.activation]), [
    ['hidden.0 (Linear)', 784, 48, 'relu'],
    ['hidden.1 (Linear)', 48, 48, 'relu'],
    ['out (Linear)', 48, 10, 'linear'],
  ]);
  assert.equal(run.model?.parameters, 784 * 48 + 48 + 48 * 48 + 48 + 48 * 10 + 10);
  const missing = compare(['--model', `${file}:Sized`, '--steps', '5']);
  assert.equal(missing.status, 1);
  assert.match(runOf(missing.doc).error ?? '', /^constructing Sized failed: TypeError: .*missing 1 required positional argument: 'width'/);
  assert.doesNotMatch(runOf(missing.doc).error ?? '', /\n/);
});

test('PyTorch: --device cuda runs on the GPU when torch sees one, else is refused in one line', () => {
  const cuda = py('import torch; print(torch.cuda.is_available())') === 'True';
  const r = compare(['--model', `${join(fixtures, 'sized.py')}:Sized`, '--model-args', '{"width": 16}', '--steps', '5', '--device', 'cuda']);
  const run = runOf(r.doc);
  if (cuda) {
    assert.equal(run.status, 'finished', run.error);
    assert.match(run.runtime?.device ?? '', /^cuda/);
  } else {
    assert.equal(run.status, 'failed');
    assert.match(run.error ?? '', /^device cuda was asked for, but torch \S+ sees no CUDA device$/);
  }
});

test("PyTorch: --init with torch.nn.init names draws as torch.nn.init does", () => {
  const r = compare(['--model', `${join(fixtures, 'sized.py')}:Sized`, '--model-args', '{"width": 256}', '--steps', '5', '--init', "kaiming_normal_(nonlinearity='relu'),xavier_uniform_"]);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.doc?.runs.length, 2);
  // torch.nn.init's own formulas: kaiming_normal_ std √(2/fan_in), xavier_uniform_ std √(2/(fan_in+fan_out)).
  const expected: Record<string, (fanIn: number, fanOut: number) => number> = {
    kaiming: (fanIn) => Math.sqrt(2 / fanIn),
    xavier: (fanIn, fanOut) => Math.sqrt(2 / (fanIn + fanOut)),
  };
  for (const run of r.doc!.runs) {
    assert.equal(run.status, 'finished', run.error);
    const formula = expected[run.initializer.startsWith('kaiming') ? 'kaiming' : 'xavier'];
    for (const l of run.layers) {
      const std = formula(l.fanIn, l.fanOut);
      assert.ok(Math.abs(l.weightStd / std - 1) < 0.05, `${run.initializer} ${l.name}: measured std ${l.weightStd}, torch.nn.init's ${std}`);
    }
  }
});

let asWritten: RunRecord | undefined;

test('PyTorch: a 20-layer tanh MLP with PyTorch\'s default init vanishes, as the theory predicts', () => {
  const r = compare(['--model', `${join(fixtures, 'deep_tanh.py')}:deep_tanh`, '--steps', '20']);
  assert.equal(r.status, 0, r.stderr);
  const run = (asWritten = runOf(r.doc));
  assert.equal(run.layers.length, 21);
  const hidden = run.layers.filter((l) => !l.isOutput);
  assert.equal(hidden.length, 20);
  for (const l of hidden) {
    assert.equal(l.activation, 'tanh');
    assert.match(l.initializer, /PyTorch default/);
    // kaiming_uniform_(a=√5) = U(±1/√fan_in): Var(W)·fan_in = 1/3, times tanh's factor: below 1.
    const expected = predictedGain({ kind: 'variance_scaling', scale: 1 / 3, mode: 'fan_in', distribution: 'uniform' }, 'tanh', l.fanIn, l.fanOut);
    assert.equal(l.predictedGain, expected);
    assert.ok(expected < 0.5);
  }
  const signal = run.flags.find((f) => f.kind === 'vanishing' && f.values?.ratio !== undefined && f.evidence.startsWith('signal'));
  assert.ok(signal, `a vanishing-signal flag; got ${run.flags.map((f) => f.evidence).join(' | ')}`);
  assert.equal(signal.step, 0);
  assert.ok(signal.layer <= 5, `flagged by layer 5, at ${signal.layer}`);
  const q = run.steps[0].layers.map((l) => l.activationSecondMoment ?? NaN);
  assert.ok(q[0] > q[1] && q[1] > q[2] && q[2] > q[3], `E[a²] falls layer by layer: ${q.slice(0, 4).join(', ')}`);
  const backward = run.flags.find((f) => f.kind === 'vanishing' && f.evidence.startsWith('backward'));
  assert.ok(backward && (backward.values?.ratio ?? 1) < 1e-3, 'gradients vanish towards the input');
});

test('PyTorch: --init he_normal,glorot_normal re-draws every kernel of the same model', () => {
  const r = compare(['--model', `${join(fixtures, 'deep_tanh.py')}:deep_tanh`, '--steps', '20', '--init', 'he_normal,glorot_normal']);
  assert.equal(r.status, 0, r.stderr);
  const he = runOf(r.doc, 'he_normal');
  const glorot = runOf(r.doc, 'glorot_normal');
  for (const run of [he, glorot]) {
    assert.equal(run.status, 'finished');
    for (const l of run.layers) {
      assert.equal(l.initializer, run.initializer);
      assert.ok(Math.abs(l.weightStd / l.theoryWeightStd - 1) < 0.05, `${run.initializer} ${l.name}: ${l.weightStd} vs ${l.theoryWeightStd}`);
    }
  }
  // Glorot's scale suits tanh: no vanishing or exploding at 20 layers, and the last hidden
  // layer keeps a signal over ten times the default's.
  assert.deepEqual(glorot.flags.filter((f) => f.kind === 'vanishing' || f.kind === 'exploding'), []);
  const last = (run: RunRecord): number => run.steps[0].layers[19].activationSecondMoment ?? 0;
  assert.ok(asWritten, 'the as-written run ran first');
  assert.ok(last(glorot) > 10 * last(asWritten), `${last(glorot)} vs ${last(asWritten)}`);
  // He's doubled scale keeps the forward signal up (no vanishing signal) but grows the backward one.
  assert.equal(he.flags.some((f) => f.kind === 'vanishing'), false);
  assert.ok(last(he) > last(glorot));
});

const faults: [string, string[], RegExp][] = [
  ['an import error', ['--model', `${join(fixtures, 'import_error.py')}:Net`], /^import failed: ModuleNotFoundError: No module named 'initlens_no_such_package' \(import_error\.py:3\)$/],
  ['a constructor error', ['--model', `${join(fixtures, 'faults.py')}:BadConstructor`], /^constructing BadConstructor failed: ValueError: width must be positive \(faults\.py:15\)$/],
  ['a forward error', ['--model', `${join(fixtures, 'faults.py')}:BadForward`], /^forward failed: RuntimeError: mat1 and mat2 shapes cannot be multiplied.* \(faults\.py:25\)$/],
  ['an input the digits cannot feed', ['--model', `${join(fixtures, 'faults.py')}:RgbConv`], /^the first layer conv expects N×3×H×W input; InitLens feeds MNIST digits as N×1×28×28 or N×784$/],
  ['an output that is not 10 classes', ['--model', `${join(fixtures, 'faults.py')}:Regressor`], /^the model returns \(256, 1\) for a batch of 256 digits; InitLens trains a 10-class classifier/],
  ['a name the file does not define', ['--model', `${join(fixtures, 'faults.py')}:Nope`], /^no 'Nope' in faults\.py; models there: .*BadConstructor/],
];

for (const [what, args, reason] of faults) {
  test(`PyTorch fault: ${what} is one line naming the cause`, () => {
    const r = compare([...args, '--steps', '5']);
    assert.equal(r.status, 1, r.stderr);
    const run = runOf(r.doc);
    assert.equal(run.status, 'failed');
    assert.match(run.error ?? '', reason);
    assert.doesNotMatch(run.error ?? '', /\n/);
    assert.doesNotMatch(r.stderr, /Traceback|\n\s+at /, 'no traceback on the console');
  });
}

function alive(pid: number): boolean {
  try {
    // A killed child of a reaper-less container lingers as a zombie: that is not running.
    return !/\)\s+Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

test('PyTorch fault: a hang is ended by the timeout, with everything it started', () => {
  const pidFile = join(mkdtempSync(join(tmpdir(), 'initlens-hang-')), 'pids');
  const r = compare(['--model', `${join(fixtures, 'faults.py')}:Hangs`, '--steps', '5', '--timeout', '45'], { INITLENS_TEST_PID_FILE: pidFile });
  assert.equal(r.status, 1, r.stderr);
  assert.match(runOf(r.doc).error ?? '', /^timed out after 45 s/);
  const pids = readFileSync(pidFile, 'utf8').split(' ').map(Number);
  assert.equal(pids.length, 2);
  for (const pid of pids) assert.equal(alive(pid), false, `process ${pid} was ended`);
});

test('PyTorch fault: NaN/Inf is diverged, as in the tfjs probe', () => {
  const r = compare(['--model', `${join(fixtures, 'faults.py')}:Explodes`, '--steps', '20']);
  assert.equal(r.status, 0, r.stderr);
  const run = runOf(r.doc);
  assert.equal(run.status, 'finished');
  assert.deepEqual(run.flags.map((f) => f.kind), ['diverged']);
  assert.equal(run.final?.validationAccuracy, null);
  assert.equal(run.final?.steps, 0);
});

test('PyTorch: a failing candidate fails alone, the other runs go on; the user\'s prints do not corrupt events', () => {
  const r = compare(['--model', `${join(fixtures, 'convnet.py')}:ConvNet`, '--steps', '5', '--every', '5', '--init', 'he_normal,identity']);
  assert.equal(r.status, 1, r.stderr);
  assert.equal(runOf(r.doc, 'he_normal').status, 'finished');
  const identity = runOf(r.doc, 'identity');
  assert.equal(identity.status, 'failed');
  assert.match(identity.error ?? '', /identity needs a 2-D kernel/);
  const chatty = compare(['--model', `${join(fixtures, 'faults.py')}:Chatty`, '--steps', '5']);
  assert.equal(chatty.status, 0, chatty.stderr);
  assert.equal(runOf(chatty.doc).final?.steps, 5);
});

test('PyTorch: an interpreter without torch is refused in one line saying how to install it', () => {
  // A torch that does not import, as in an environment without PyTorch.
  const fake = mkdtempSync(join(tmpdir(), 'initlens-notorch-'));
  mkdirSync(join(fake, 'torch'));
  writeFileSync(join(fake, 'torch', '__init__.py'), "raise ModuleNotFoundError(\"No module named 'torch'\", name='torch')\n");
  const r = spawnSync(process.execPath, [cli, 'compare', '--backend', 'pytorch', '--model', join(fixtures, 'convnet.py'), '--python', python], {
    encoding: 'utf8',
    timeout: 120_000,
    env: { ...process.env, PYTHONPATH: fake },
  });
  assert.equal(r.status, 2, r.stderr);
  assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
  assert.match(r.stderr, /^initlens: .*cannot import torch and numpy \(No module named torch\); install PyTorch in that environment: .* -m pip install torch numpy/);
});
