/**
 * Mean-field signal propagation through a random dense network (Poole et al. 2016, "Exponential
 * expressivity in deep neural networks through transient chaos"; Schoenholz et al. 2017, "Deep
 * information propagation"). Pure math: no tfjs, no vscode.
 *
 * In a wide layer every pre-activation h = Σᵢ wᵢxᵢ + b is, over the random weights, a normal
 * variable; its moments follow from the moments of the inputs alone:
 *   E[h]   = fan_in·E[w]·E[x] + E[b]
 *   Var[h] = fan_in·Var(w)·E[x²] + fan_in·E[w]²·Var(x) + Var(b)
 * (the first term uses the inputs' second moment, not their variance: a zero-mean weight turns a
 * constant input offset into variance). The next layer's inputs are x = φ(h), whose moments are
 * Gaussian integrals, done here in closed form for the piecewise-linear activations, ELU and SELU
 * and by quadrature for tanh, sigmoid and GELU (quadrature.ts). With zero-mean weights and
 * σ_w² = fan_in·Var(w), σ_b² = Var(b) this is the textbook q-map
 *   q_{l+1} = σ_w²·E[φ(h)²] + σ_b²,  h ~ N(0, q_l),
 * whose fixed point q*, the correlation map c_l between two inputs, the backward factor
 * χ = σ_w²·E[φ'(h)²] and the depth scales ξ_q, ξ_c are computed below.
 */
import type { Activation } from '../initializers/spec';
import { activationDerivative, activationFunction, ELU_ALPHA, LEAKY_RELU_NEGATIVE_SLOPE, SELU_ALPHA, SELU_SCALE } from '../initializers/activationMoments';
import { normalCdf, normalPdf } from '../initializers/normal';
import { normalExpectation } from './quadrature';

/** Gaussian moments of one activation: h ~ N(mean, variance). */
export interface GaussianActivationMoments {
  /** E[φ(h)] */
  mean: number;
  /** E[φ(h)²] */
  secondMoment: number;
  /** E[φ'(h)] */
  derivativeMean: number;
  /** E[φ'(h)²] */
  derivativeSecondMoment: number;
}

/** e^{k·h}·1{h < 0} averaged over h ~ N(μ, v), v > 0, without overflow: e^{kμ+k²v/2}·Φ(−(μ+kv)/√v). */
function expNegativePart(k: number, mu: number, v: number): number {
  const s = Math.sqrt(v);
  const b = (mu + k * v) / s;
  if (b > 25) {
    // Mills ratio: e^{a}Φ(−b) = φ(μ/s)/b·(1 − 1/b² + 3/b⁴ − 15/b⁶ + 105/b⁸), since a − b²/2 = −μ²/2v.
    const b2 = 1 / (b * b);
    return (normalPdf(mu / s) / b) * (1 - b2 * (1 - 3 * b2 * (1 - 5 * b2 * (1 - 7 * b2))));
  }
  return Math.exp(k * mu + 0.5 * k * k * v) * normalCdf(-b);
}

/** E[h·1{h>0}], E[h²·1{h>0}], P(h>0) for h ~ N(μ, v), v > 0. */
function positivePart(mu: number, v: number): { first: number; second: number; mass: number } {
  const s = Math.sqrt(v);
  const t = mu / s;
  const mass = normalCdf(t);
  const pdf = normalPdf(t);
  return { first: mu * mass + s * pdf, second: (mu * mu + v) * mass + mu * s * pdf, mass };
}

const SMOOTH_CACHE = new Map<string, GaussianActivationMoments>();

/**
 * E[φ], E[φ²], E[φ'], E[φ'²] for h ~ N(mean, variance): closed forms for relu, leaky_relu,
 * linear, elu and selu (their negative branch is an exponential, whose Gaussian integrals are
 * closed), quadrature for tanh, sigmoid and gelu.
 */
export function gaussianActivationMoments(activation: Activation, mean: number, variance: number): GaussianActivationMoments {
  if (!(variance > 0)) {
    const f = activationFunction(activation);
    const d = activationDerivative(activation);
    return { mean: f(mean), secondMoment: f(mean) ** 2, derivativeMean: d(mean), derivativeSecondMoment: d(mean) ** 2 };
  }
  switch (activation) {
    case 'linear':
      return { mean, secondMoment: mean * mean + variance, derivativeMean: 1, derivativeSecondMoment: 1 };
    case 'relu': {
      const p = positivePart(mean, variance);
      return { mean: p.first, secondMoment: p.second, derivativeMean: p.mass, derivativeSecondMoment: p.mass };
    }
    case 'leaky_relu': {
      const a = LEAKY_RELU_NEGATIVE_SLOPE;
      const p = positivePart(mean, variance);
      const n = positivePart(-mean, variance); // the negative side, as (−h)·1{−h>0}
      return {
        mean: p.first - a * n.first,
        secondMoment: p.second + a * a * n.second,
        derivativeMean: p.mass + a * (1 - p.mass),
        derivativeSecondMoment: p.mass + a * a * (1 - p.mass),
      };
    }
    case 'elu':
    case 'selu': {
      const [scale, alpha] = activation === 'selu' ? [SELU_SCALE, SELU_ALPHA] : [1, ELU_ALPHA];
      const p = positivePart(mean, variance);
      const negativeMass = 1 - p.mass;
      const e1 = expNegativePart(1, mean, variance);
      const e2 = expNegativePart(2, mean, variance);
      return {
        mean: scale * (p.first + alpha * (e1 - negativeMass)),
        secondMoment: scale * scale * (p.second + alpha * alpha * (e2 - 2 * e1 + negativeMass)),
        derivativeMean: scale * (p.mass + alpha * e1),
        derivativeSecondMoment: scale * scale * (p.mass + alpha * alpha * e2),
      };
    }
    case 'tanh':
    case 'sigmoid':
    case 'gelu': {
      const key = `${activation}:${mean}:${variance}`;
      const hit = SMOOTH_CACHE.get(key);
      if (hit) return hit;
      const f = activationFunction(activation);
      const d = activationDerivative(activation);
      const options = { bendHalfWidth: bendOf(activation) };
      const m: GaussianActivationMoments = {
        mean: normalExpectation(f, mean, variance, options),
        secondMoment: normalExpectation((h) => f(h) ** 2, mean, variance, options),
        derivativeMean: normalExpectation(d, mean, variance, options),
        derivativeSecondMoment: normalExpectation((h) => d(h) ** 2, mean, variance, options),
      };
      if (SMOOTH_CACHE.size > 4096) SMOOTH_CACHE.clear();
      SMOOTH_CACHE.set(key, m);
      return m;
    }
  }
}

/**
 * |h| beyond which φ and φ' are their asymptotes to ~1e-13: tanh by 2e^{−2|h|}, sigmoid by
 * e^{−|h|}, GELU by a Gaussian tail.
 */
function bendOf(activation: Activation): number | undefined {
  return activation === 'tanh' ? 16 : activation === 'sigmoid' ? 32 : activation === 'gelu' ? 9 : undefined;
}

/** Where φ or φ' jumps, for the 2-D integrals' panel edges. */
function kinkOf(activation: Activation): number | undefined {
  return activation === 'relu' || activation === 'leaky_relu' || activation === 'elu' || activation === 'selu' ? 0 : undefined;
}

/**
 * E[g(h₁)·g(h₂)] for (h₁, h₂) jointly normal with equal means μ, equal variances q and correlation
 * c, g = φ (which = 'activation') or φ' ('derivative'). Done as E_{h₁}[g(h₁)·E[g(h₂) | h₁]], where
 * h₂ | h₁ ~ N(μ + c(h₁ − μ), q(1 − c²)): the inner expectation is one of the 1-D moments above.
 */
export function jointMoment(activation: Activation, mean: number, q: number, c: number, which: 'activation' | 'derivative'): number {
  const cc = Math.max(-1, Math.min(1, c));
  const g = which === 'activation' ? activationFunction(activation) : activationDerivative(activation);
  if (activation === 'linear') return which === 'activation' ? mean * mean + cc * q : 1;
  const conditionalVariance = q * (1 - cc * cc);
  const smooth = activation === 'tanh' || activation === 'sigmoid' || activation === 'gelu';
  const inner = (h1: number): number => {
    const m2 = mean + cc * (h1 - mean);
    // Only the one moment needed; the closed forms are cheap enough to take whole.
    if (smooth) return normalExpectation(g, m2, conditionalVariance, { bendHalfWidth: bendOf(activation) });
    const m = gaussianActivationMoments(activation, m2, conditionalVariance);
    return which === 'activation' ? m.mean : m.derivativeMean;
  };
  return normalExpectation((h1) => g(h1) * inner(h1), mean, q, { kink: kinkOf(activation), bendHalfWidth: bendOf(activation) });
}

/** One layer of the recursion: q_{l+1} = σ_w²·E[φ(h)²] + σ_b², h ~ N(0, q_l). */
export function qMap(activation: Activation, q: number, sigmaW2: number, sigmaB2: number): number {
  return sigmaW2 * gaussianActivationMoments(activation, 0, q).secondMoment + sigmaB2;
}

/**
 * One layer of the correlation map between two inputs at pre-activation variance q (both) and
 * correlation c: c_{l+1} = (σ_w²·E[φ(h₁)φ(h₂)] + σ_b²)/q_{l+1}.
 */
export function cMap(activation: Activation, q: number, c: number, sigmaW2: number, sigmaB2: number): number {
  const next = qMap(activation, q, sigmaW2, sigmaB2);
  if (!(next > 0)) return 1;
  return (sigmaW2 * jointMoment(activation, 0, q, c, 'activation') + sigmaB2) / next;
}

/** χ₁ = σ_w²·E[φ'(h)²], h ~ N(0, q): the per-layer factor of the backward signal E[δ²]. */
export function chi(activation: Activation, q: number, sigmaW2: number): number {
  return sigmaW2 * gaussianActivationMoments(activation, 0, q).derivativeSecondMoment;
}

/** Above this q the q-map counts as diverging (no finite fixed point). */
const DIVERGED = 1e12;
/** Below this q the map counts as collapsing to q* = 0. */
const COLLAPSED = 1e-30;

export interface FixedPoint {
  /** q*, or null when q grows without bound (relu with σ_w² > 2, linear with σ_w² > 1, …). */
  q: number | null;
  iterations: number;
}

/** Plain iterations of the q-map before fixedPoint switches to bracketing the root. */
const PLAIN_ITERATIONS = 200;

/**
 * q* by iterating the q-map from q0 (default 1), the point a deep network's q_l settles at. Near
 * the order-to-chaos transition the iteration crawls (at σ_b² = 0, tanh with σ_w² = 1 ± 0.001
 * takes tens of thousands of layers), so after PLAIN_ITERATIONS layers the root of qMap(q) − q is
 * bracketed on the side the iteration was heading (by factors of 4) and bisected in log q. The
 * q-map is increasing in q, so the iteration converges monotonically to the first root on that
 * side, which is the root the bracket finds; none below (down to 1e-30) means q* = 0, none above
 * (up to 1e12) means q grows without bound (null). `iterations` counts q-map evaluations.
 */
export function fixedPoint(activation: Activation, sigmaW2: number, sigmaB2: number, q0 = 1): FixedPoint {
  let q = q0;
  let evaluations = 0;
  const map = (x: number): number => {
    evaluations += 1;
    return qMap(activation, x, sigmaW2, sigmaB2);
  };
  for (let iteration = 1; iteration <= PLAIN_ITERATIONS; iteration++) {
    const next = map(q);
    if (!(next < DIVERGED)) return { q: null, iterations: evaluations };
    if (next < COLLAPSED) return { q: 0, iterations: evaluations };
    if (Math.abs(next - q) <= 1e-13 * Math.max(next, 1e-300)) return { q: next, iterations: evaluations };
    q = next;
  }
  // Still moving: bracket the root of g(x) = qMap(x) − x on the side q is heading.
  const g = (x: number): number => map(x) - x;
  const falling = g(q) < 0;
  let inner = q; // g has the sign the iteration started with here
  let outer = q;
  for (;;) {
    outer = falling ? outer / 4 : outer * 4;
    if (falling && outer < COLLAPSED) return { q: 0, iterations: evaluations };
    if (!falling && !(map(outer) < DIVERGED)) return { q: null, iterations: evaluations };
    const r = g(outer);
    if (falling ? r >= 0 : r <= 0) break;
    inner = outer;
  }
  // Bisection in log q between inner (g keeps the start's sign) and outer (g has crossed zero).
  let a = Math.log(inner);
  let b = Math.log(outer);
  while (Math.abs(a - b) > 1e-13) {
    const mid = 0.5 * (a + b);
    const r = g(Math.exp(mid));
    if (r === 0) return { q: Math.exp(mid), iterations: evaluations };
    if (falling ? r < 0 : r > 0) a = mid;
    else b = mid;
  }
  return { q: Math.exp(0.5 * (a + b)), iterations: evaluations };
}

/** Where correlationFixedPoint looks for the c-map's crossing, from just below 1 down to −1. */
const CORRELATION_GRID = [1 - 1e-9, 1 - 1e-6, 1 - 1e-3, 0.99, 0.95, 0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3, 0.2, 0.1, 0, -0.1, -0.2, -0.3, -0.4, -0.5, -0.6, -0.7, -0.8, -0.9, -1];

/**
 * The stable fixed point c* of the correlation map at q: 1 in the ordered phase, below 1 in the
 * chaotic one. In the chaotic phase c = 1 repels (slope χ₁ > 1), so cMap(c) < c just below 1 and
 * correlations fall until the first c where cMap(c) ≥ c: scanning down from 1 finds that
 * crossing, bisection pins it. Scanning matters at σ_b² = 0 for odd φ (tanh, linear): the c-map
 * is odd there, so c = −1 is a fixed point too and the stable one is c* = 0 between them.
 */
export function correlationFixedPoint(activation: Activation, q: number, sigmaW2: number, sigmaB2: number): number {
  if (chi(activation, q, sigmaW2) <= 1) return 1;
  const residual = (c: number): number => cMap(activation, q, c, sigmaW2, sigmaB2) - c;
  let hi = CORRELATION_GRID[0];
  let rhi = residual(hi);
  // No sign of repulsion at 1 − 1e-9 (χ₁ only just above 1): the fixed point is 1 to within that.
  if (rhi >= 0) return 1;
  for (const lo of CORRELATION_GRID.slice(1)) {
    const rlo = residual(lo);
    if (Math.abs(rlo) < 1e-14) return lo;
    if (rlo > 0) {
      // c* in (lo, hi): bisection with secant steps, kept inside the bracket.
      let a = lo;
      let ra = rlo;
      for (let iteration = 0; iteration < 80 && hi - a > 1e-10; iteration++) {
        let c = iteration % 2 === 0 ? a - (ra * (hi - a)) / (rhi - ra) : 0.5 * (a + hi);
        if (!(c > a && c < hi)) c = 0.5 * (a + hi);
        const r = residual(c);
        if (r > 0) [a, ra] = [c, r];
        else [hi, rhi] = [c, r];
      }
      return 0.5 * (a + hi);
    }
    hi = lo;
    rhi = rlo;
  }
  return -1;
}

export interface DepthScales {
  /** q*, null when the q-map diverges. */
  qStar: number | null;
  /** c*, the correlation two inputs converge to. */
  cStar: number;
  /** χ₁ at q*: < 1 ordered (gradients vanish), > 1 chaotic (they explode), = 1 critical. */
  chi1: number;
  /** χ_c = σ_w²·E[φ'(h₁)φ'(h₂)] at (q*, c*): the slope of the c-map at its fixed point. */
  chiC: number;
  /** ξ_q = −1/ln|dq_{l+1}/dq_l| at q*: layers over which q settles. */
  xiQ: number;
  /** ξ_c = −1/ln χ_c: layers over which two inputs' correlation settles (∞ at criticality). */
  xiC: number;
}

function depthScale(slope: number): number {
  const a = Math.abs(slope);
  if (!(a > 0)) return 0;
  return a >= 1 ? Infinity : -1 / Math.log(a);
}

/** q*, c*, χ₁, χ_c and the depth scales ξ_q, ξ_c (Schoenholz et al. 2017, eqs. 5 and 9). */
export function depthScales(activation: Activation, sigmaW2: number, sigmaB2: number): DepthScales {
  const fp = fixedPoint(activation, sigmaW2, sigmaB2);
  if (fp.q === null) {
    return { qStar: null, cStar: NaN, chi1: chi(activation, DIVERGED, sigmaW2), chiC: NaN, xiQ: Infinity, xiC: NaN };
  }
  const q = fp.q;
  const chi1 = chi(activation, q, sigmaW2);
  const cStar = correlationFixedPoint(activation, q, sigmaW2, sigmaB2);
  const chiC = cStar >= 1 ? chi1 : sigmaW2 * jointMoment(activation, 0, q, cStar, 'derivative');
  // dq'/dq at q* by a central difference (= σ_w²·E[φ'² + φφ''] by Gaussian integration by parts).
  const dq = Math.max(1e-6, 1e-4 * q);
  const slope = q > dq ? (qMap(activation, q + dq, sigmaW2, sigmaB2) - qMap(activation, q - dq, sigmaW2, sigmaB2)) / (2 * dq) : (qMap(activation, dq, sigmaW2, sigmaB2) - qMap(activation, 0, sigmaW2, sigmaB2)) / dq;
  return { qStar: q, cStar, chi1, chiC, xiQ: depthScale(slope), xiC: depthScale(chiC) };
}

/**
 * The order-to-chaos transition: the σ_w² at which χ₁(q*) = 1 for this σ_b², by bisection on
 * log σ_w² over [1e-3, 1e4] (each step one fixedPoint, bounded even next to the transition).
 * Undefined when there is no crossing in that range.
 */
export function criticalSigmaW2(activation: Activation, sigmaB2: number): number | undefined {
  // σ_b² = 0 with an odd φ smooth at 0 (tanh, linear): below σ_w² = 1/φ'(0)² the signal dies
  // (q* = 0, χ₁ = σ_w²·φ'(0)² < 1); above it q* > 0 and χ₁(q*) − 1 is only O(q*²) (4/3·σ_w²·q*²
  // for tanh, from the series of E[tanh²] and E[sech⁴]), below float resolution next to the
  // transition, so bisection would land anywhere within ~1e-8 of it. The limit is exact.
  if (sigmaB2 === 0 && (activation === 'tanh' || activation === 'linear')) {
    return 1 / activationDerivative(activation)(0) ** 2;
  }
  const excess = (sigmaW2: number): number => {
    const fp = fixedPoint(activation, sigmaW2, sigmaB2);
    return chi(activation, fp.q ?? DIVERGED, sigmaW2) - 1;
  };
  let lo = Math.log(1e-3);
  let hi = Math.log(1e4);
  if (excess(Math.exp(lo)) > 0 || excess(Math.exp(hi)) < 0) return undefined;
  for (let i = 0; i < 60; i++) {
    const mid = 0.5 * (lo + hi);
    if (excess(Math.exp(mid)) > 0) hi = mid;
    else lo = mid;
  }
  return Math.exp(0.5 * (lo + hi));
}

export interface TheoryLayer {
  /** 1-based layer index: the layer whose pre-activations have these statistics. */
  layer: number;
  /** q_l: pre-activation variance. */
  q: number;
  /** c_l: correlation of two inputs' pre-activations. */
  c: number;
  /** χ at q_l: the backward signal's factor through this layer. */
  chi: number;
  /** E[δ_l²]/E[δ_L²] for a loss at the last layer: the product of the χ's above this layer. */
  backwardGain: number;
}

export interface TheoryTrace {
  activation: Activation;
  sigmaW2: number;
  sigmaB2: number;
  layers: TheoryLayer[];
  scales: DepthScales;
}

/**
 * The recursion layer by layer from input pre-activation variance q0 and correlation c0, in a
 * network of `depth` layers with σ_w², σ_b² everywhere: q_l, c_l, χ(q_l), and the backward gain
 * from the last layer down.
 */
export function theoryTrace(activation: Activation, sigmaW2: number, sigmaB2: number, depth: number, q0 = 1, c0 = 0.5): TheoryTrace {
  const layers: TheoryLayer[] = [];
  let q = q0;
  let c = c0;
  for (let l = 1; l <= depth; l++) {
    layers.push({ layer: l, q, c, chi: chi(activation, q, sigmaW2), backwardGain: 1 });
    const nextQ = qMap(activation, q, sigmaW2, sigmaB2);
    c = nextQ > 0 ? (sigmaW2 * jointMoment(activation, 0, q, c, 'activation') + sigmaB2) / nextQ : 1;
    q = nextQ;
  }
  // E[δ_l²] = χ(q_l)·E[δ_{l+1}²], so relative to the last layer: the product of χ(q_k), k = l … L−1.
  let gain = 1;
  for (let l = layers.length - 2; l >= 0; l--) {
    gain *= layers[l].chi;
    layers[l].backwardGain = gain;
  }
  return { activation, sigmaW2, sigmaB2, layers, scales: depthScales(activation, sigmaW2, sigmaB2) };
}

// ─── Propagation through a concrete network (the probe's dense stack) ───────────────────────

/** One dense layer as the theory sees it. `activation` 'softmax' marks the output (no moments of φ). */
export interface MeanFieldLayer {
  fanIn: number;
  fanOut: number;
  activation: Activation | 'softmax';
  /** Var(w) of the sampled kernel. */
  weightVariance: number;
  /** E[w], for i.i.d. kernels only (0 for orthogonal/identity, whose entries are not independent). */
  weightMean: number;
  biasVariance?: number;
  biasMean?: number;
}

/** Moments of the network's input, averaged over features and examples. */
export interface InputMoments {
  mean: number;
  secondMoment: number;
}

export interface LayerPrediction {
  preActivationMean: number;
  preActivationVariance: number;
  /** E[φ(h)], null for the softmax output. */
  activationMean: number | null;
  /** E[φ(h)²], null for the softmax output. */
  activationSecondMoment: number | null;
  /** E[φ'(h)²], null for the softmax output. */
  derivativeSecondMoment: number | null;
}

/**
 * Layer-by-layer moments of a network from the input's moments: each layer's pre-activation
 * mean and variance come from the previous layer's activation mean and second moment (see the
 * file comment), and its activation moments from the Gaussian integrals.
 */
export function propagateForward(input: InputMoments, layers: readonly MeanFieldLayer[]): LayerPrediction[] {
  let xMean = input.mean;
  let xSecond = input.secondMoment;
  return layers.map((layer) => {
    const xVariance = Math.max(0, xSecond - xMean * xMean);
    const preActivationMean = layer.fanIn * layer.weightMean * xMean + (layer.biasMean ?? 0);
    const preActivationVariance = layer.fanIn * layer.weightVariance * xSecond + layer.fanIn * layer.weightMean ** 2 * xVariance + (layer.biasVariance ?? 0);
    if (layer.activation === 'softmax') {
      return { preActivationMean, preActivationVariance, activationMean: null, activationSecondMoment: null, derivativeSecondMoment: null };
    }
    const m = gaussianActivationMoments(layer.activation, preActivationMean, preActivationVariance);
    xMean = m.mean;
    xSecond = m.secondMoment;
    return { preActivationMean, preActivationVariance, activationMean: m.mean, activationSecondMoment: m.secondMoment, derivativeSecondMoment: m.derivativeSecondMoment };
  });
}

/**
 * E[δ_l²] per layer (δ = ∂loss/∂h, per example), from the output layer's value down:
 * δ_l = φ'(h_l) ⊙ W_{l+1}δ_{l+1}, so E[δ_l²] = E[φ'(h_l)²]·fan_out_{l+1}·E[w_{l+1}²]·E[δ_{l+1}²]
 * (weights independent of the forward pass: the gradient-independence assumption of mean-field
 * backpropagation). The output's E[δ²] depends on the labels and the softmax, so it is the anchor.
 */
export function propagateBackward(forward: readonly LayerPrediction[], layers: readonly MeanFieldLayer[], outputBackwardSecondMoment: number): number[] {
  const out = new Array<number>(layers.length).fill(NaN);
  if (layers.length === 0) return out;
  out[layers.length - 1] = outputBackwardSecondMoment;
  for (let l = layers.length - 2; l >= 0; l--) {
    const next = layers[l + 1];
    const weightSecond = next.weightVariance + next.weightMean ** 2;
    out[l] = (forward[l].derivativeSecondMoment ?? 1) * next.fanOut * weightSecond * out[l + 1];
  }
  return out;
}

/**
 * The per-layer gain E[h_{l+1}²]/E[h_l²] of pre-activation second moments the recursion predicts
 * for each hidden layer after the first (the first layer's input is the data, not a pre-activation).
 */
export function predictedGains(forward: readonly LayerPrediction[]): (number | null)[] {
  return forward.map((p, l) => {
    if (l === 0) return null;
    const prev = forward[l - 1];
    const before = prev.preActivationVariance + prev.preActivationMean ** 2;
    const after = p.preActivationVariance + p.preActivationMean ** 2;
    return before > 0 ? after / before : null;
  });
}
