/**
 * The mean-field recursion (src/probe/theory/meanField.ts) against closed forms, published values
 * and networks sampled here (1024 wide, plain JS): pure math, no tfjs.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  chi,
  cMap,
  criticalSigmaW2,
  depthScales,
  fixedPoint,
  gaussianActivationMoments,
  jointMoment,
  propagateBackward,
  propagateForward,
  qMap,
  theoryTrace,
} from '../../src/probe/theory/meanField';
import type { MeanFieldLayer } from '../../src/probe/theory/meanField';
import { gaussHermite, normalExpectation } from '../../src/probe/theory/quadrature';
import { activationDerivative, activationFunction, gaussianExpectation } from '../../src/probe/initializers/activationMoments';
import { ACTIVATIONS } from '../../src/probe/initializers/spec';
import type { Activation } from '../../src/probe/initializers/spec';
import { mulberry32 } from '../../src/probe/random';

const rel = (a: number, b: number): number => Math.abs(a - b) / Math.max(Math.abs(b), 1e-300);
/** Relative difference, or absolute below 1e-14 (far-tail moments are ~1e-50 and quadrature gives 0). */
const near = (a: number, b: number): number => (Math.abs(a - b) < 1e-14 ? 0 : rel(a, b));

test('Gauss–Hermite rule integrates the normal moments exactly', () => {
  const rule = gaussHermite(80);
  const moment = (k: number): number => rule.weights.reduce((acc, w, i) => acc + w * rule.nodes[i] ** k, 0);
  assert.ok(Math.abs(moment(0) - 1) < 1e-13, `Σw = ${moment(0)}`);
  assert.ok(Math.abs(moment(1)) < 1e-13);
  assert.ok(Math.abs(moment(2) - 1) < 1e-12);
  assert.ok(Math.abs(moment(4) - 3) < 1e-11);
  assert.ok(Math.abs(moment(8) - 105) < 1e-9);
});

test('smooth activations: quadrature agrees with 12,000-interval Simpson at every scale', () => {
  for (const activation of ['tanh', 'sigmoid', 'gelu'] as const) {
    const f = activationFunction(activation);
    const d = activationDerivative(activation);
    for (const q of [1e-4, 0.3, 1, 2.5, 10, 100, 1e4]) {
      for (const mu of [0, 0.3, -2]) {
        const m = gaussianActivationMoments(activation, mu, q);
        const what = `${activation} μ=${mu} q=${q}`;
        assert.ok(rel(m.secondMoment, gaussianExpectation((h) => f(h + mu) ** 2, q)) < 1e-7, `${what} E[φ²]`);
        assert.ok(rel(m.derivativeSecondMoment, gaussianExpectation((h) => d(h + mu) ** 2, q)) < 1e-7, `${what} E[φ'²]`);
        assert.ok(Math.abs(m.mean - gaussianExpectation((h) => f(h + mu), q)) < 1e-8, `${what} E[φ]`);
      }
    }
  }
});

test('closed forms (relu, leaky_relu, elu, selu) agree with panel quadrature split at the kink', () => {
  for (const activation of ['relu', 'leaky_relu', 'elu', 'selu'] as const) {
    const f = activationFunction(activation);
    const d = activationDerivative(activation);
    for (const q of [0.01, 1, 7, 400]) {
      for (const mu of [0, 0.5, -1.5]) {
        const m = gaussianActivationMoments(activation, mu, q);
        const by = (g: (h: number) => number): number => normalExpectation(g, mu, q, { kink: 0, method: 'panels', bendHalfWidth: 40 });
        const what = `${activation} μ=${mu} q=${q}`;
        assert.ok(near(m.secondMoment, by((h) => f(h) ** 2)) < 1e-8, `${what} E[φ²]`);
        assert.ok(near(m.derivativeSecondMoment, by((h) => d(h) ** 2)) < 1e-8, `${what} E[φ'²]`);
        assert.ok(Math.abs(m.mean - by(f)) < 1e-8 * Math.max(1, Math.sqrt(q)), `${what} E[φ]`);
      }
    }
  }
});

test('ReLU: q_{l+1} = σ_w²·q_l/2 + σ_b², χ = σ_w²/2, and the arc-cosine correlation map', () => {
  for (const [sw, sb] of [
    [2, 0],
    [1.5, 0.05],
    [3, 0.1],
  ]) {
    const trace = theoryTrace('relu', sw, sb, 12, 0.7, 0.3);
    let q = 0.7;
    let c = 0.3;
    for (const layer of trace.layers) {
      assert.ok(rel(layer.q, q) < 1e-12, `q at layer ${layer.layer}: ${layer.q} vs ${q}`);
      assert.ok(Math.abs(layer.c - c) < 1e-7, `c at layer ${layer.layer}: ${layer.c} vs ${c}`);
      assert.ok(rel(layer.chi, sw / 2) < 1e-12);
      // Cho & Saul's arc-cosine kernel: E[relu(u₁)relu(u₂)] = q/2π·(sin θ + (π − θ)cos θ).
      const theta = Math.acos(c);
      const next = (sw * q) / 2 + sb;
      c = ((sw * q * (Math.sin(theta) + (Math.PI - theta) * c)) / (2 * Math.PI) + sb) / next;
      q = next;
    }
  }
  assert.equal(criticalSigmaW2('relu', 0)?.toFixed(6), '2.000000');
});

test('linear: q_{l+1} = σ_w²·q_l + σ_b², correlation (σ_w²·q·c + σ_b²)/q_{l+1}, critical σ_w² = 1', () => {
  assert.ok(rel(qMap('linear', 0.8, 1.3, 0.2), 1.3 * 0.8 + 0.2) < 1e-15);
  assert.ok(rel(cMap('linear', 0.8, 0.4, 1.3, 0.2), (1.3 * 0.8 * 0.4 + 0.2) / (1.3 * 0.8 + 0.2)) < 1e-14);
  assert.equal(chi('linear', 5, 0.9), 0.9);
  assert.ok(Math.abs((criticalSigmaW2('linear', 0.05) ?? NaN) - 1) < 1e-9);
  assert.equal(fixedPoint('linear', 1.2, 0.05).q, null, 'σ_w² > 1: q grows without bound');
  assert.ok(rel(fixedPoint('linear', 0.5, 0.05).q ?? NaN, 0.1) < 1e-10, 'q* = σ_b²/(1 − σ_w²)');
});

test('tanh: the order-to-chaos transition at σ_b² = 0.05 is σ_w² ≈ 1.76 (Schoenholz et al. 2017)', () => {
  const critical = criticalSigmaW2('tanh', 0.05);
  assert.ok(critical !== undefined && Math.abs(critical - 1.76) < 0.01, `critical σ_w² = ${critical}`);
  // Either side of it: ordered (c* = 1, χ₁ < 1) and chaotic (c* < 1, χ₁ > 1), ξ_c largest near it.
  const ordered = depthScales('tanh', 1.5, 0.05);
  const chaotic = depthScales('tanh', 2.5, 0.05);
  const near = depthScales('tanh', (critical ?? 1.76) * 1.01, 0.05);
  assert.equal(ordered.cStar, 1);
  assert.ok(ordered.chi1 < 1 && chaotic.chi1 > 1);
  assert.ok(chaotic.cStar < 1 && chaotic.cStar > 0);
  assert.ok(near.xiC > 5 * Math.max(ordered.xiC, chaotic.xiC), `ξ_c near criticality ${near.xiC} vs ${ordered.xiC}, ${chaotic.xiC}`);
  // c* is a fixed point of the c-map, and χ_c < 1 makes it stable.
  assert.ok(Math.abs(cMap('tanh', chaotic.qStar ?? NaN, chaotic.cStar, 2.5, 0.05) - chaotic.cStar) < 1e-7);
  assert.ok(chaotic.chiC < 1);
});

test('tanh at σ_b² = 0: the transition is σ_w² = 1 exactly, and the search returns', () => {
  assert.equal(criticalSigmaW2('tanh', 0), 1);
  assert.equal(criticalSigmaW2('linear', 0), 1);
  // Either side of it, the recursion itself agrees: the signal dies below, q* > 0 and χ₁ > 1 above.
  const below = depthScales('tanh', 0.95, 0);
  const above = depthScales('tanh', 1.2, 0);
  assert.equal(below.qStar, 0);
  assert.ok(below.chi1 < 1, `χ₁ below ${below.chi1}`);
  assert.ok((above.qStar ?? 0) > 0 && above.chi1 > 1, `above: q* ${above.qStar}, χ₁ ${above.chi1}`);
  // The bracketing search near the transition, where plain iteration crawls for ~10⁴ layers.
  for (const sigmaW2 of [0.999, 1.001]) {
    const fp = fixedPoint('tanh', sigmaW2, 0);
    assert.ok(fp.iterations < 1000, `σ_w² ${sigmaW2}: ${fp.iterations} q-map evaluations`);
    if (sigmaW2 < 1) assert.equal(fp.q, 0);
    else {
      const q = fp.q ?? NaN;
      // q* ≈ (1 − 1/σ_w²)/2 from E[tanh²] = q − 2q² + …, and a fixed point of the map.
      assert.ok(rel(q, (1 - 1 / sigmaW2) / 2) < 0.01, `q* ${q}`);
      assert.ok(rel(qMap('tanh', q, sigmaW2, 0), q) < 1e-10);
    }
  }
});

test('tanh at σ_b² = 0 in the chaotic phase: c* = 0 and a finite correlation depth scale', () => {
  // He + tanh: σ_w² = 2. With σ_b² = 0 the c-map is odd (c = −1, 0, 1 are all fixed points);
  // c = ±1 repel, so two inputs decorrelate to c* = 0, where h₁, h₂ are independent and
  // χ_c = σ_w²·E[φ'(h)]².
  const s = depthScales('tanh', 2, 0);
  const q = s.qStar ?? NaN;
  assert.ok(Math.abs(s.cStar) < 1e-8, `c* ${s.cStar}`);
  const m = gaussianActivationMoments('tanh', 0, q);
  assert.ok(rel(s.chiC, 2 * m.derivativeMean ** 2) < 1e-8, `χ_c ${s.chiC} vs ${2 * m.derivativeMean ** 2}`);
  assert.ok(s.chiC < 1 && Number.isFinite(s.xiC), `ξ_c ${s.xiC}`);
  assert.ok(rel(s.xiC, -1 / Math.log(s.chiC)) < 1e-12);
  // The recursion gets there: from c = 0.5, two hundred layers leave the correlation near 0.
  const trace = theoryTrace('tanh', 2, 0, 200, q, 0.5);
  assert.ok(Math.abs(trace.layers[199].c) < 1e-3, `c_200 ${trace.layers[199].c}`);
});

test('SELU at σ_w² = 1, σ_b² = 0 has its fixed point q* = 1 with mean 0 (Klambauer et al. 2017)', () => {
  const fp = fixedPoint('selu', 1, 0, 0.3);
  assert.ok(rel(fp.q ?? NaN, 1) < 1e-9, `q* = ${fp.q}`);
  assert.ok(Math.abs(gaussianActivationMoments('selu', 0, 1).mean) < 1e-12);
});

test('the joint moment at c = 1 is the second moment, at c = 0 the squared mean', () => {
  for (const activation of ACTIVATIONS) {
    const m = gaussianActivationMoments(activation, 0.2, 1.7);
    assert.ok(rel(jointMoment(activation, 0.2, 1.7, 1, 'activation'), m.secondMoment) < 1e-7, `${activation} c=1`);
    assert.ok(Math.abs(jointMoment(activation, 0.2, 1.7, 0, 'activation') - m.mean ** 2) < 1e-7 * Math.max(1, m.secondMoment), `${activation} c=0`);
    assert.ok(rel(jointMoment(activation, 0.2, 1.7, 1, 'derivative'), m.derivativeSecondMoment) < 1e-7, `${activation} φ' c=1`);
  }
});

/** A standard normal stream from a seeded uniform one (Box–Muller). */
function gaussian(seed: number): () => number {
  const uniform = mulberry32(seed);
  let spare: number | undefined;
  return () => {
    if (spare !== undefined) {
      const s = spare;
      spare = undefined;
      return s;
    }
    const u = 1 - uniform();
    const v = uniform();
    const r = Math.sqrt(-2 * Math.log(u));
    spare = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  };
}

/** E[h_l²] per layer of a sampled width×depth stack on `batch` inputs x ~ N(0, q0). */
function sampledSecondMoments(activation: Activation, sigmaW2: number, sigmaB2: number, width: number, depth: number, batch: number, q0: number, seed: number): number[] {
  const normal = gaussian(seed);
  const f = activationFunction(activation);
  let x = Float64Array.from({ length: batch * width }, () => Math.sqrt(q0) * normal());
  const out: number[] = [];
  for (let l = 0; l < depth; l++) {
    const w = Float64Array.from({ length: width * width }, () => Math.sqrt(sigmaW2 / width) * normal());
    const b = Float64Array.from({ length: width }, () => Math.sqrt(sigmaB2) * normal());
    const h = new Float64Array(batch * width);
    let sum = 0;
    for (let n = 0; n < batch; n++) {
      for (let j = 0; j < width; j++) {
        let acc = b[j];
        const row = j * width;
        const xRow = n * width;
        for (let i = 0; i < width; i++) acc += w[row + i] * x[xRow + i];
        h[n * width + j] = acc;
        sum += acc * acc;
      }
    }
    out.push(sum / h.length);
    // After the first layer the inputs are the activations: the recursion's x = φ(h).
    x = h.map(f);
  }
  return out;
}

test('predicted per-layer second moments are within 10% of 1024-wide sampled networks', () => {
  const cases: [Activation, number, number][] = [
    ['tanh', 1.5, 0.05],
    ['tanh', 3, 0.05],
    ['sigmoid', 4, 0.05],
    ['selu', 1, 0],
    ['gelu', 2, 0.02],
  ];
  const width = 1024;
  const depth = 6;
  const q0 = 1;
  for (const [activation, sw, sb] of cases) {
    const sampled = sampledSecondMoments(activation, sw, sb, width, depth, 16, q0, 7);
    // The first layer sees raw inputs (E[x²] = q0, mean 0); later layers see φ(h).
    const layers: MeanFieldLayer[] = Array.from({ length: depth }, () => ({ fanIn: width, fanOut: width, activation, weightVariance: sw / width, weightMean: 0, biasVariance: sb }));
    const predicted = propagateForward({ mean: 0, secondMoment: q0 }, layers).map((p) => p.preActivationVariance + p.preActivationMean ** 2);
    predicted.forEach((p, l) => assert.ok(rel(p, sampled[l]) < 0.1, `${activation} σ_w²=${sw} layer ${l + 1}: predicted ${p}, sampled ${sampled[l]}`));
  }
});

test('a non-zero input mean enters through the second moment; a weight mean carries it forward', () => {
  // Zero-mean weights: Var[h] = fan_in·Var(w)·E[x²], so an input offset becomes variance.
  const [first] = propagateForward({ mean: 0.5, secondMoment: 0.5 }, [{ fanIn: 100, fanOut: 10, activation: 'linear', weightVariance: 0.01, weightMean: 0 }]);
  assert.ok(rel(first.preActivationVariance, 0.5) < 1e-12);
  assert.equal(first.preActivationMean, 0);
  // Weight mean m: E[h] = fan_in·m·E[x]; Var adds fan_in·m²·Var(x).
  const [shifted] = propagateForward({ mean: 0.5, secondMoment: 0.5 }, [{ fanIn: 100, fanOut: 10, activation: 'linear', weightVariance: 0.01, weightMean: 0.02 }]);
  assert.ok(rel(shifted.preActivationMean, 1) < 1e-12);
  assert.ok(rel(shifted.preActivationVariance, 0.5 + 100 * 0.0004 * 0.25) < 1e-12);
});

test('backward: E[δ_l²] = E[φ′²]·fan_out·E[w²]·E[δ_{l+1}²] from the output anchor', () => {
  const layers: MeanFieldLayer[] = [
    { fanIn: 784, fanOut: 256, activation: 'relu', weightVariance: 2 / 784, weightMean: 0 },
    { fanIn: 256, fanOut: 256, activation: 'relu', weightVariance: 2 / 256, weightMean: 0 },
    { fanIn: 256, fanOut: 10, activation: 'softmax', weightVariance: 1 / 133, weightMean: 0 },
  ];
  const forward = propagateForward({ mean: 0.13, secondMoment: 0.1 }, layers);
  const backward = propagateBackward(forward, layers, 0.09);
  assert.equal(backward[2], 0.09);
  assert.ok(rel(backward[1], 0.5 * 10 * (1 / 133) * 0.09) < 1e-12);
  assert.ok(rel(backward[0], 0.5 * 256 * (2 / 256) * backward[1]) < 1e-12);
});

test('deep stacks by the recursion: He + tanh is mildly chaotic (χ₁ ≈ 1.1), Glorot + sigmoid strongly ordered, SELU + LeCun at q* = 1', async () => {
  const { stackFixedPoint } = await import('../../src/probe/initializers/theory');
  const { catalogEntry } = await import('../../src/probe/initializers/catalog');
  const at = (id: 'he_normal' | 'glorot_normal' | 'lecun_normal', activation: Activation) => stackFixedPoint({ ...catalogEntry(id).defaults }, activation, 256, 256);
  const heTanh = at('he_normal', 'tanh');
  assert.ok(heTanh.chi1 > 1.08 && heTanh.chi1 < 1.13, `He + tanh χ₁ ${heTanh.chi1}`);
  assert.ok(at('glorot_normal', 'sigmoid').chi1 < 0.1);
  const selu = at('lecun_normal', 'selu');
  assert.ok(Math.abs((selu.qStar ?? NaN) - 1) < 1e-9 && Math.abs(selu.chi1 - 1.0716) < 1e-3);
});
