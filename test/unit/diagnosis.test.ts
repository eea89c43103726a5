/** The diagnosis cases the theory predicts, on real training runs. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { engine, finished, probe, request, started } from './helpers';
import { pickSourceGraph } from '../../src/editor/modelRequests';
import { runGraphProbe } from '../../src/probe/graph/run';
import { parseLine, probeEventSchema, toJsonLine } from '../../src/protocol';
import type { ProbeEvent } from '../../src/protocol';

const kinds = (flags: { kind: string }[]): string[] => [...new Set(flags.map((f) => f.kind))].sort();

test("the seed's Zeros run is flagged symmetric (persistent: no gradient reaches the units) and dead, and stays near chance", async () => {
  const { outcome, events } = await probe(request('zeros'));
  const k = kinds(outcome.flags);
  assert.ok(k.includes('symmetric'), `flags: ${k}`);
  assert.ok(k.includes('dead'), `flags: ${k}`);
  const sym = outcome.flags.find((f) => f.kind === 'symmetric')!;
  // Flagged at the first record after updates, once the symmetry has survived them.
  assert.equal(sym.step, 10);
  assert.equal(sym.layer, 1);
  assert.equal(sym.note, 'zero-symmetry');
  assert.match(sym.evidence, /only 1 of 128 units .* still at step 10, after 10 updates: they receive no gradient at all/);
  // ReLU of zero weights: hidden gradients are exactly zero, so nothing ever changes.
  assert.equal(outcome.steps[0].layers[0].gradNorm, 0);
  assert.equal(outcome.steps.at(-1)!.layers[0].distinctUnits, 1);
  const acc = finished(events).final.validationAccuracy!;
  assert.ok(acc < 0.2, `held-out accuracy ${acc} should stay near chance`);
});

test('Zeros + tanh on the seed model: step-0 symmetry that the first update breaks is not flagged, and the run learns', async () => {
  const { outcome, events } = await probe(request('zeros', { activation: 'tanh', steps: 30, every: 10 }));
  assert.equal(outcome.steps[0].layers[0].distinctUnits, 1, 'identical at step 0');
  assert.equal(outcome.steps[1].layers[0].distinctUnits, 128, 'all distinct by step 10');
  assert.ok(!outcome.flags.some((f) => f.kind === 'symmetric'), `flags: ${kinds(outcome.flags)}`);
  const acc = finished(events).final.validationAccuracy!;
  assert.ok(acc > 0.6, `held-out accuracy ${acc} after 30 steps`);
});

test('near-symmetry: RandomNormal(mean=0.01, stddev=1e-5) is seen as Constant(0.01) is, though every unit is distinct', async () => {
  const near = await probe(request('RandomNormal(mean=0.01, stddev=1e-5)', { steps: 20, every: 10 }));
  const constant = await probe(request('Constant(0.01)', { steps: 20, every: 10 }));
  assert.equal(near.outcome.steps[0].layers[0].distinctUnits, 128, 'exactly distinct');
  assert.equal(constant.outcome.steps[0].layers[0].distinctUnits, 1);
  assert.ok((near.outcome.steps[0].layers[0].unitSimilarity ?? 0) > 0.999, `similarity ${near.outcome.steps[0].layers[0].unitSimilarity}`);
  assert.ok((constant.outcome.steps[0].layers[0].unitSimilarity ?? 0) > 1 - 1e-9);
  // Zero-mean random weights: about 1/units.
  const he = await probe(request('he_normal', { steps: 1, every: 1 }));
  assert.ok((he.outcome.steps[0].layers[0].unitSimilarity ?? 1) < 0.05);
  // Both break apart under the same updates (ReLU passes gradient at their positive pre-activations): same verdict.
  assert.deepEqual(kinds(near.outcome.flags), kinds(constant.outcome.flags));
  // With a negative mean every unit is dead and gets no gradient: the near-duplicates persist and are flagged, as the constant is.
  const deadNear = await probe(request('RandomNormal(mean=-0.01, stddev=1e-5)', { steps: 20, every: 10 }));
  const deadConstant = await probe(request('Constant(-0.01)', { steps: 20, every: 10 }));
  assert.ok(kinds(deadNear.outcome.flags).includes('symmetric'), `flags: ${kinds(deadNear.outcome.flags)}`);
  assert.deepEqual(kinds(deadNear.outcome.flags), kinds(deadConstant.outcome.flags));
  assert.match(deadNear.outcome.flags.find((f) => f.kind === 'symmetric')!.evidence, /near-duplicates/);
});

test('the seed model with he_normal and glorot_normal is healthy and learns', async () => {
  for (const init of ['he_normal', 'glorot_normal', 'random_normal']) {
    const { outcome, events } = await probe(request(init));
    assert.deepEqual(outcome.flags, [], `${init} should get no flags`);
    const acc = finished(events).final.validationAccuracy!;
    assert.ok(acc > 0.85, `${init}: held-out accuracy ${acc}`);
  }
});

test('20 ReLU layers of 256: glorot_normal halves the signal per layer (vanishing), he_normal keeps it and gets no flag at all', async () => {
  const deep = { hidden: Array(20).fill(256), steps: 20, every: 10 };
  const glorot = await probe(request('glorot_normal', deep));
  const he = await probe(request('he_normal', deep));
  const gain = (r: typeof glorot, layer: number): number => {
    const m = r.outcome.steps[0].layers;
    return Math.pow((m[layer].activationSecondMoment ?? 0) / (m[1].activationSecondMoment ?? 1), 1 / (layer - 1));
  };
  const g = gain(glorot, 19);
  const h = gain(he, 19);
  assert.ok(g > 0.4 && g < 0.6, `glorot per-layer gain ${g} (theory 0.5)`);
  assert.ok(h > 0.85 && h < 1.15, `he per-layer gain ${h} (theory 1)`);
  // The recursion's E[a²] gain for square ReLU layers with fan_in·Var(w) = 1 is exactly ½.
  assert.ok(Math.abs(started(glorot.events).layers[5].predictedGain! - 0.5) < 1e-9);
  const vanishing = glorot.outcome.flags.filter((f) => f.kind === 'vanishing');
  assert.ok(vanishing.length > 0, 'glorot flagged vanishing');
  assert.match(vanishing[0].evidence, /per-layer gain 0\.\d+ measured, 0\.5 predicted by the mean-field recursion/);
  assert.deepEqual(he.outcome.flags, [], `he flags: ${kinds(he.outcome.flags)}`);
});

test('Glorot + sigmoid on 10×256 is flagged: its gradients vanish towards the input', async () => {
  const { outcome } = await probe(request('glorot_normal', { hidden: Array(10).fill(256), activation: 'sigmoid', steps: 1, every: 1 }));
  const v = outcome.flags.find((f) => f.kind === 'vanishing');
  assert.ok(v, `flags: ${kinds(outcome.flags)}`);
  assert.ok((v.values?.ratio ?? 1) < 1e-6, `E[δ²] ratio ${v.values?.ratio}`);
  // The theory saw it coming: χ = σ_w²·E[σ′(h)²] ≈ 1/16 per layer.
  assert.ok((v.values?.predictedRatio ?? 1) < 1e-6, `predicted ${v.values?.predictedRatio}`);
});

test('SELU + lecun_normal on 20×256 gets no flag (unit variance is its target, not a distance from the input)', async () => {
  const { outcome } = await probe(request('lecun_normal', { hidden: Array(20).fill(256), activation: 'selu', steps: 20, every: 10 }));
  assert.deepEqual(outcome.flags, [], `flags: ${outcome.flags.map((f) => `${f.kind} ${f.layer}: ${f.evidence}`).join('; ')}`);
});

test('RandomNormal(stddev=0.03) on 12×256 ReLU: vanishing at step 0, and not called exploding while it recovers', async () => {
  const { outcome } = await probe(request('RandomNormal(stddev=0.03)', { hidden: Array(12).fill(256), steps: 100, every: 10 }));
  assert.ok(outcome.flags.some((f) => f.kind === 'vanishing' && f.step === 0), `flags: ${kinds(outcome.flags)}`);
  assert.ok(!outcome.flags.some((f) => f.kind === 'exploding'), `flags: ${outcome.flags.map((f) => `${f.kind} ${f.layer} @${f.step}`).join(', ')}`);
  // It did recover: the gradient norms grew by orders of magnitude from the vanished start.
  const g0 = outcome.steps[0].layers[0].gradNorm ?? 0;
  const gMax = Math.max(...outcome.steps.slice(1).map((s) => s.layers[0].gradNorm ?? 0));
  assert.ok(gMax > 1000 * g0, `first layer gradient norm ${g0} → ${gMax}`);
});

test('a deep tanh stack with random_normal(stddev=1.0) is flagged saturated or exploding', async () => {
  const { outcome } = await probe(request('RandomNormal(stddev=1.0)', { hidden: Array(10).fill(256), activation: 'tanh', steps: 1, every: 1 }));
  const k = kinds(outcome.flags);
  assert.ok(k.includes('saturated') || k.includes('exploding'), `flags: ${k}`);
  const sat = outcome.flags.find((f) => f.kind === 'saturated');
  assert.ok(sat && (sat.values?.saturatedFraction ?? 0) > 0.5);
});

test('NaN/Inf is flagged diverged, the run stops cleanly and keeps its data', async () => {
  const { outcome, events } = await probe(request('ones', { hidden: Array(20).fill(256), steps: 50, every: 10 }));
  const d = outcome.flags.find((f) => f.kind === 'diverged');
  assert.ok(d, `flags: ${kinds(outcome.flags)}`);
  assert.equal(d.layer, 0);
  const f = finished(events);
  assert.ok(f.final.steps < 50);
  assert.ok(outcome.steps.length >= 1, 'the records up to divergence are kept');
  assert.equal(f.numTensorsAfter, f.numTensorsBefore);
});

test("a flag whose theory has no prediction (a convolutional model's backward trend) carries only finite values and passes the probe channel's schema", async () => {
  const file = join(__dirname, '..', 'fixtures', 'models', 'tfjs_conv.js');
  const { graph } = pickSourceGraph(readFileSync(file, 'utf8'), 'javascript', 'tfjs_conv.js');
  const { data, backend } = await engine();
  const events: ProbeEvent[] = [];
  const req = { ...request('glorot_uniform', { steps: 4, every: 2, probeBatch: 32, validationSubset: 100 }), graph };
  await runGraphProbe(req, graph, data, backend, { emit: (e) => events.push(e) });
  const flags = events.filter((e) => e.type === 'flag');
  const backward = flags.find((e) => e.type === 'flag' && /backward signal/.test(e.flag.evidence));
  assert.ok(backward && backward.type === 'flag', `flags: ${flags.map((e) => (e.type === 'flag' ? e.flag.evidence : '')).join(' | ')}`);
  assert.match(backward.flag.evidence, /no prediction/);
  assert.equal(backward.flag.values?.predictedRatio, undefined);
  for (const e of flags) assert.ok(parseLine(probeEventSchema, toJsonLine(e)).ok, JSON.stringify(e));
});
