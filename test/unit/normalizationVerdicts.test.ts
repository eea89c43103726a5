/**
 * What normalization and zero-started residual branches change about the verdicts (roles.ts,
 * diagnosis.ts, media/notes/normalization.md): real models read from their source files, built
 * and trained by the real engine through the CLI on the bundled digits, and the figures the note
 * quotes checked against what these runs measure.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import type { ResultsDocument } from '../../src/results';
import { formatNumber } from '../../src/view/number';

const cli = join(__dirname, '..', '..', 'dist', 'cli.js');
const fixture = (name: string): string => join(__dirname, '..', 'fixtures', 'models', name);
const note = readFileSync(join(__dirname, '..', '..', 'media', 'notes', 'normalization.md'), 'utf8');

function compare(...args: string[]): Promise<{ status: number | null; doc: ResultsDocument | undefined; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [cli, 'compare', '--data', 'mnist', '--json', '--jobs', '1', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (status) => resolve({ status, doc: status === 0 ? (JSON.parse(stdout) as ResultsDocument) : undefined, stderr }));
  });
}

const run0 = (r: Awaited<ReturnType<typeof compare>>): ResultsDocument['runs'][number] => {
  assert.equal(r.status, 0, r.stderr);
  return r.doc!.runs[0];
};
const layer = (run: ResultsDocument['runs'][number], name: string) => {
  const l = run.layers.find((x) => x.name === name);
  assert.ok(l, `layer ${name} in ${run.layers.map((x) => x.name).join(', ')}`);
  return l;
};

test('Dense → BatchNormalization with RandomNormal(stddev=10): not exploding, the verdict says the normalization cancels the scale', { timeout: 600_000 }, async () => {
  const run = run0(await compare('--model', `${fixture('keras_bn_scale.py')}:huge`, '--steps', '300', '--every', '100'));
  // The raw Dense output is ~10⁴× the first layer's: the dense-stack rule alone calls that exploding.
  const step0 = run.steps[0].layers;
  const rawRatio = step0[1].activationSecondMoment! / step0[0].activationSecondMoment!;
  assert.ok(rawRatio > 1000, `raw E[a²] ratio ${rawRatio}`);
  assert.deepEqual(run.flags, [], JSON.stringify(run.flags));
  for (const name of ['dense_1', 'dense_2']) {
    const role = layer(run, name).scaleRole;
    assert.equal(role?.kind, 'normalized');
    assert.equal(role?.forward, true);
    assert.match(role!.evidence, /does not reach the forward signal/);
    assert.equal(role?.note, 'normalization');
  }
  assert.equal(layer(run, 'dense').scaleRole, undefined, 'the first Dense (relu, no normalization after it) has no role');
  const pre = layer(run, 'dense_1').scaleRole!.values!.preNormalizationVariance;
  const acc = run.final!.validationAccuracy!;
  assert.ok(acc >= 0.85, `held-out accuracy ${acc}`);
  // The note's figures are these runs' (seed 42, 300 Adam steps).
  assert.ok(note.includes(`pre-normalization variance ${formatNumber(pre)}`), `note quotes dense_1's ${formatNumber(pre)}`);
  assert.ok(note.includes(`first layer's E[a²] of ${formatNumber(step0[0].activationSecondMoment)}`));
  const grads = step0.map((l) => formatNumber(l.gradNorm));
  assert.ok(note.includes(`step 0 are ${grads[1]} and ${grads[2]}, against ${grads[0]}`), `note quotes the gradient norms ${grads.join(', ')}`);
  assert.ok(note.includes(`${(100 * acc).toFixed(1)}%`), `note quotes huge's ${(100 * acc).toFixed(1)}%`);
});

test("Dense → BatchNormalization with RandomNormal(stddev=0.001): the variance under Keras' ε still vanishes, and the verdict says why", { timeout: 600_000 }, async () => {
  const run = run0(await compare('--model', `${fixture('keras_bn_scale.py')}:tiny`, '--steps', '300', '--every', '10'));
  const vanishing = run.flags.filter((f) => f.kind === 'vanishing' && f.step === 0);
  assert.equal(vanishing.length, 1, JSON.stringify(run.flags));
  assert.equal(vanishing[0].note, 'normalization');
  assert.match(vanishing[0].evidence, /under batch_normalization's ε 0\.001/);
  const role = layer(run, 'dense_1').scaleRole!;
  assert.equal(role.kind, 'normalized');
  assert.equal(role.forward, false, 'ε dominates: the layer stays in the trend');
  const kept = role.values!.varianceKept;
  assert.ok(Math.abs(kept - role.values!.preNormalizationVariance / (role.values!.preNormalizationVariance + 0.001)) < 1e-9);
  assert.ok(note.includes(`only ${formatNumber(kept)} of unit variance`), `note quotes ${formatNumber(kept)}`);
  assert.ok(note.includes(`variance is ${formatNumber(role.values!.preNormalizationVariance)}`));
  // Adam moves weights of this size by about the learning rate per step: over ε by step 10.
  const at10 = run.steps.find((s) => s.step === 10)!.layers[1].preActivationVariance!;
  assert.ok(at10 > 0.001, `step-10 variance ${at10}`);
  assert.ok(note.includes(`by step 10 the same layer's variance is ${formatNumber(at10)}`), `note quotes ${formatNumber(at10)}`);
  assert.ok(note.includes(`${(100 * run.final!.validationAccuracy!).toFixed(1)}%`), 'note quotes tiny\'s accuracy');
});

test('a residual branch ending in a zero kernel (Fixup) is healthy: no vanishing, symmetric or dead flag over 300 steps, and it trains', { timeout: 600_000 }, async () => {
  const run = run0(await compare('--model', fixture('keras_fixup.py'), '--steps', '300', '--every', '10'));
  assert.deepEqual(run.flags, [], JSON.stringify(run.flags));
  for (const name of ['dense_2', 'dense_4']) {
    assert.equal(layer(run, name).scaleRole?.kind, 'zero_branch');
    const i = run.layers.findIndex((l) => l.name === name);
    assert.equal(run.steps[0].layers[i].activationSecondMoment, 0, 'the branch adds nothing at step 0');
    assert.ok(run.steps[0].layers[i].gradNorm! > 0, 'its own gradient is not zero');
  }
  for (const name of ['dense_1', 'dense_3']) {
    assert.equal(layer(run, name).scaleRole?.kind, 'inside_zero_branch');
    const i = run.layers.findIndex((l) => l.name === name);
    assert.equal(run.steps[0].layers[i].gradNorm, 0, 'no gradient reaches inside the branch at step 0');
    assert.ok(run.steps[1].layers[i].gradNorm! > 0, 'it does once the branch end has moved');
  }
  const acc = run.final!.validationAccuracy!;
  assert.ok(acc >= 0.85, `held-out accuracy ${acc}`);
  assert.ok(note.includes(`${(100 * acc).toFixed(1)}%`), `note quotes the Fixup network's ${(100 * acc).toFixed(1)}%`);
});

test("keras_residual.py: BatchNormalization after every convolution and a zero γ closing the branch — no scale flag, the zero-γ branch named", { timeout: 600_000 }, async () => {
  const run = run0(await compare('--model', fixture('keras_residual.py'), '--steps', '10', '--every', '10'));
  // Before roles, conv2d_1's raw output (0.8) against conv2d's (0.01) was flagged exploding at step 0.
  assert.deepEqual(
    run.flags.filter((f) => f.kind === 'exploding' || f.kind === 'vanishing'),
    [],
  );
  assert.equal(layer(run, 'conv2d').scaleRole?.kind, 'normalized');
  const end = layer(run, 'conv2d_2').scaleRole!;
  assert.equal(end.kind, 'zero_branch');
  assert.match(end.evidence, /batch_normalization_2's γ starts at zero/);
  const i = run.layers.findIndex((l) => l.name === 'conv2d_1');
  assert.equal(run.steps[0].layers[i].gradNorm, 0, 'zero γ: no gradient into the branch at step 0');
});
