/** The diagnosis cases the theory predicts, on real training runs. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { finished, probe, request, started } from './helpers';

const kinds = (flags: { kind: string }[]): string[] => [...new Set(flags.map((f) => f.kind))].sort();

test("the seed's Zeros run is flagged symmetric and dead, and stays near chance", async () => {
  const { outcome, events } = await probe(request('zeros'));
  const k = kinds(outcome.flags);
  assert.ok(k.includes('symmetric'), `flags: ${k}`);
  assert.ok(k.includes('dead'), `flags: ${k}`);
  const sym = outcome.flags.find((f) => f.kind === 'symmetric')!;
  assert.equal(sym.step, 0);
  assert.equal(sym.layer, 1);
  assert.equal(sym.note, 'zero-symmetry');
  // ReLU of zero weights: hidden gradients are exactly zero, so nothing ever changes.
  assert.equal(outcome.steps[0].layers[0].gradNorm, 0);
  assert.equal(outcome.steps.at(-1)!.layers[0].distinctUnits, 1);
  const acc = finished(events).final.validationAccuracy!;
  assert.ok(acc < 0.2, `held-out accuracy ${acc} should stay near chance`);
});

test('the seed model with he_normal and glorot_normal is healthy and learns', async () => {
  for (const init of ['he_normal', 'glorot_normal', 'random_normal']) {
    const { outcome, events } = await probe(request(init));
    assert.deepEqual(outcome.flags, [], `${init} should get no flags`);
    const acc = finished(events).final.validationAccuracy!;
    assert.ok(acc > 0.85, `${init}: held-out accuracy ${acc}`);
  }
});

test('20 ReLU layers of 256: glorot_normal halves the signal per layer (vanishing), he_normal keeps it', async () => {
  const deep = { hidden: Array(20).fill(256), steps: 1, every: 1 };
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
  assert.ok(Math.abs(started(glorot.events).layers[5].predictedGain! - 0.5) < 1e-9);
  assert.ok(glorot.outcome.flags.some((f) => f.kind === 'vanishing'), 'glorot flagged vanishing');
  assert.ok(!he.outcome.flags.some((f) => f.kind === 'vanishing' || f.kind === 'exploding'), `he flags: ${kinds(he.outcome.flags)}`);
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
