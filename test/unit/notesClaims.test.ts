/**
 * The numbers the notes state, checked against what InitLens computes and measures: the
 * mean-field theory (src/probe/theory/meanField.ts) and real probe runs through the CLI (tfjs on
 * the bundled digits). A note that drifts from the code fails here.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { criticalSigmaW2, depthScales } from '../../src/probe/theory/meanField';
import { DEFAULT_CONFIG } from '../../src/probe/config';

const notes = join(__dirname, '..', '..', 'media', 'notes');
const note = (id: string): string => readFileSync(join(notes, `${id}.md`), 'utf8');
const cli = join(__dirname, '..', '..', 'dist', 'cli.js');
const run = (...args: string[]) => spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', timeout: 300_000 });

interface Doc {
  config: { probeBatch: number };
  runs: { seed: number; steps: { step: number; layers: { deadFraction: number | null; saturatedFraction: number | null; backwardSecondMoment: number | null }[] }[] }[];
}

test('He + tanh: χ₁ = 1.106 at q* = 0.618, chaotic, past the transition at σ_w² = 1 (he.md, saturation.md)', () => {
  const s = depthScales('tanh', 2, 0);
  assert.equal(s.chi1.toFixed(3), '1.106');
  assert.equal((s.qStar ?? NaN).toFixed(3), '0.618');
  assert.equal(Math.round(s.xiC), 22);
  assert.equal((s.chi1 ** 10).toFixed(1), '2.7');
  assert.equal(criticalSigmaW2('tanh', 0), 1);
  const he = note('he');
  assert.match(he, /χ₁ = 2 · E\[tanh'\(h\)²\] = \*\*1\.106\*\*/);
  assert.match(he, /q\* = 0\.618/);
  assert.match(he, /transition at σ_w² = 1 \(for σ_b² = 0\)/);
  assert.match(he, /about 2\.7× over ten layers/);
  assert.match(he, /ξ_c ≈ 22 layers/);
  const saturation = note('saturation');
  assert.match(saturation, /χ₁ = 1\.106 at the variance the stack settles to, q\* = 0\.618/);
});

test('He + tanh on 10×256 saturates at most 0.08% at step 0, and E[δ²] grows 1.06–1.13× per deep layer going back (he.md, saturation.md)', () => {
  const r = run('compare', '--init', 'he_normal', '--hidden', '256x10', '--activation', 'tanh', '--steps', '1', '--every', '1', '--data', 'mnist', '--json');
  assert.equal(r.status, 0, r.stderr);
  const doc = JSON.parse(r.stdout) as Doc;
  const layers = doc.runs[0].steps[0].layers.slice(0, 10);
  const saturated = Math.max(...layers.map((l) => l.saturatedFraction ?? NaN));
  assert.ok(saturated <= 0.0008, `largest saturated fraction ${saturated}`);
  const delta = layers.map((l) => l.backwardSecondMoment ?? NaN);
  const deepRatios = [4, 5, 6, 7, 8].map((l) => delta[l] / delta[l + 1]);
  for (const ratio of deepRatios) assert.ok(ratio >= 1.055 && ratio < 1.135, `deep E[δ²] ratios ${deepRatios.map((x) => x.toFixed(3)).join(', ')}`);
  assert.match(note('he'), /at most 0\.08% of a layer's outputs beyond ±0\.99 at step 0/);
  assert.match(note('he'), /1\.06–1\.13 there/);
  assert.match(note('saturation'), /at most 0\.08% of a layer's outputs beyond ±0\.99 at step 0/);
});

test('dead ReLU units are counted on the 256-image probe batch; He 8×256 figures over seeds 42–44 (dead-relu.md)', () => {
  assert.equal(DEFAULT_CONFIG.probeBatch, 256);
  const text = note('dead-relu');
  assert.match(text, /256-image probe batch/);
  assert.doesNotMatch(text, /32 MNIST images/);
  const r = run('compare', '--init', 'he_normal', '--hidden', '256x8', '--activation', 'relu', '--steps', '1', '--every', '1', '--data', 'mnist', '--seeds', '3', '--json');
  assert.equal(r.status, 0, r.stderr);
  const doc = JSON.parse(r.stdout) as Doc;
  assert.equal(doc.config.probeBatch, 256);
  assert.deepEqual(doc.runs.map((x) => x.seed), [42, 43, 44]);
  const percent = (layer: number): number[] => doc.runs.map((x) => 100 * (x.steps[0].layers[layer - 1].deadFraction ?? NaN));
  const range = (xs: number[]): string => `${Math.min(...xs).toFixed(1)}–${Math.max(...xs).toFixed(1)}%`;
  assert.deepEqual(percent(1), [0, 0, 0]);
  assert.ok(text.includes(`${range(percent(2))} in layer 2 and ${range(percent(8))} in layer 8`), `measured layer 2 ${range(percent(2))}, layer 8 ${range(percent(8))}`);
});

test('orthogonal.md cites Pennington et al. 2017 for no dynamical isometry with ReLU; random-initialization.md cites GPT-2 and Fixup for depth scaling', () => {
  const orthogonal = note('orthogonal');
  assert.match(orthogonal, /with ReLU no choice of weight scale or weight distribution, orthogonal included, achieves dynamical isometry/);
  assert.match(orthogonal, /Pennington, Schoenholz & Ganguli 2017, "Resurrecting the sigmoid in deep learning through dynamical isometry: theory and practice"/);
  const random = note('random-initialization');
  assert.match(random, /Depth-scaled initialization is a real and standard technique/);
  assert.match(random, /1\/√N, N the number of residual layers \(Radford et al\. 2019\)/);
  assert.match(random, /Zhang, Dauphin & Ma 2019, "Fixup Initialization: Residual Learning Without Normalization", ICLR/);
});
