/**
 * What the theory says an initializer does, before any training: the exact moments of the
 * weights it samples, and the per-layer gain of the signal's second moment that follows
 * (Glorot & Bengio 2010, He et al. 2015, Klambauer et al. 2017). Pure math, no tfjs.
 *
 * Signal model. For a dense layer z' = Wᵀx with x = φ(z), z ~ N(0, q) per unit, weights
 * independent of the inputs and of each other:
 *   E[z'²] = fan_in·E[w²]·E[φ(z)²] + fan_in·(fan_in − 1)·E[w]²·E[φ(z)]²
 * The first term is the textbook one; the second only matters for weights with a non-zero
 * mean (ones, constant, RandomNormal(mean≠0)), where it dominates.
 */
import type { Activation, FanMode, InitSpec } from './spec';
import { activationMoments, LEAKY_RELU_NEGATIVE_SLOPE } from './activationMoments';
import { truncatedStandardMoments } from './normal';
import { catalogEntry } from './catalog';
import type { CatalogId } from './catalog';
import { chi, fixedPoint } from '../theory/meanField';

/**
 * Keras divides the VarianceScaling std by this before drawing a 2σ-truncated normal, so that
 * the std after truncation is the nominal √(scale/n). It is the std of N(0, 1) truncated to [−2, 2].
 */
export const KERAS_TRUNCATION_STD_FACTOR = 0.87962566103423978;

/** Var of N(0, 1) truncated to [−2, 2] = 0.7737413…, computed, not copied: = KERAS_TRUNCATION_STD_FACTOR². */
export const TRUNCATED_VARIANCE_FACTOR = truncatedStandardMoments(-2, 2).variance;

/** Keras' n for a VarianceScaling mode, including its max(1, ·) guard. */
export function fanForMode(mode: FanMode, fanIn: number, fanOut: number): number {
  switch (mode) {
    case 'fan_in':
      return Math.max(1, fanIn);
    case 'fan_out':
      return Math.max(1, fanOut);
    case 'fan_avg':
      return Math.max(1, (fanIn + fanOut) / 2);
  }
}

type VarianceScalingSpec = Extract<InitSpec, { kind: 'variance_scaling' }>;
type TruncatedNormalSpec = Extract<InitSpec, { kind: 'truncated_normal' }>;

/**
 * The σ the sampler passes to its normal generator (before any truncation):
 * √(scale/n)/0.8796 for Keras' truncated normal, √(scale/n) for tfjs' uncorrected one and for
 * the untruncated normal. Undefined for the uniform distribution.
 */
export function varianceScalingSigma(spec: VarianceScalingSpec, fanIn: number, fanOut: number): number | undefined {
  const base = Math.sqrt(spec.scale / fanForMode(spec.mode, fanIn, fanOut));
  switch (spec.distribution) {
    case 'truncated_normal':
      return spec.uncorrected ? base : base / KERAS_TRUNCATION_STD_FACTOR;
    case 'untruncated_normal':
      return base;
    case 'uniform':
      return undefined;
  }
}

/** Symmetric half-width of VarianceScaling's uniform: √(3·scale/n). */
export function varianceScalingLimit(spec: VarianceScalingSpec, fanIn: number, fanOut: number): number {
  return Math.sqrt((3 * spec.scale) / fanForMode(spec.mode, fanIn, fanOut));
}

/** Standardised truncation interval of a TruncatedNormal: ±2 (Keras) or PyTorch's absolute bounds. */
function truncationInterval(spec: TruncatedNormalSpec): [number, number] {
  if (spec.lower === undefined || spec.upper === undefined) return [-2, 2];
  return [(spec.lower - spec.mean) / spec.stddev, (spec.upper - spec.mean) / spec.stddev];
}

/** E[w] over the kernel. Identity's is the average over all entries, gain/max(fan_in, fan_out). */
export function weightMean(spec: InitSpec, fanIn: number, fanOut: number): number {
  switch (spec.kind) {
    case 'zeros':
      return 0;
    case 'ones':
      return 1;
    case 'constant':
      return spec.value;
    case 'random_normal':
      return spec.mean;
    case 'random_uniform':
      return (spec.minval + spec.maxval) / 2;
    case 'truncated_normal': {
      const [a, b] = truncationInterval(spec);
      return spec.mean + spec.stddev * truncatedStandardMoments(a, b).mean;
    }
    case 'variance_scaling':
    case 'orthogonal':
    case 'lsuv':
      return 0;
    case 'identity':
      return spec.gain / Math.max(fanIn, fanOut);
  }
}

/**
 * Var(w) of the distribution actually sampled (not the nominal one):
 * - Keras TruncatedNormal(stddev): stddev²·0.7737 (redrawn beyond 2σ, not rescaled);
 *   PyTorch trunc_normal_ with absolute bounds: the exact truncated variance.
 * - VarianceScaling: scale/n for every distribution (Keras' 1/0.8796 correction makes the
 *   truncated one exact); tfjs' uncorrected truncated normal: 0.7737·scale/n.
 * - Orthogonal [fan_in, fan_out]: its fan_out columns (or fan_in rows) are orthonormal, so the
 *   squared entries sum to gain²·min(fan_in, fan_out) exactly: E[w²] = gain²/max(fan_in, fan_out).
 * - Identity: min(fan_in, fan_out) entries equal gain, so E[w²] = gain²/max(fan_in, fan_out) too,
 *   and Var = E[w²] − (gain/max)².
 * - LSUV: its orthogonal pre-initialization (the data-dependent rescaling comes later).
 * - zeros, ones, constant: 0 (their signal gain comes from the mean: see weightSecondMoment).
 */
export function weightVariance(spec: InitSpec, fanIn: number, fanOut: number): number {
  switch (spec.kind) {
    case 'zeros':
    case 'ones':
    case 'constant':
      return 0;
    case 'random_normal':
      return spec.stddev ** 2;
    case 'random_uniform':
      return (spec.maxval - spec.minval) ** 2 / 12;
    case 'truncated_normal': {
      const [a, b] = truncationInterval(spec);
      const factor = spec.lower === undefined ? TRUNCATED_VARIANCE_FACTOR : truncatedStandardMoments(a, b).variance;
      return spec.stddev ** 2 * factor;
    }
    case 'variance_scaling': {
      const nominal = spec.scale / fanForMode(spec.mode, fanIn, fanOut);
      return spec.distribution === 'truncated_normal' && spec.uncorrected ? nominal * TRUNCATED_VARIANCE_FACTOR : nominal;
    }
    case 'orthogonal':
      return spec.gain ** 2 / Math.max(fanIn, fanOut);
    case 'lsuv':
      return 1 / Math.max(fanIn, fanOut);
    case 'identity': {
      const m = Math.max(fanIn, fanOut);
      return spec.gain ** 2 / m - (spec.gain / m) ** 2;
    }
  }
}

/** E[w²] = Var(w) + E[w]²: what the signal gain depends on (a constant init has Var 0 but E[w²] = c²). */
export function weightSecondMoment(spec: InitSpec, fanIn: number, fanOut: number): number {
  return weightVariance(spec, fanIn, fanOut) + weightMean(spec, fanIn, fanOut) ** 2;
}

export type SampledDistribution = 'constant' | 'normal' | 'truncated_normal' | 'uniform' | 'orthogonal' | 'identity';

export interface WeightScale {
  distribution: SampledDistribution;
  mean: number;
  /** The std of the sampled values (after truncation). */
  std: number;
  /** Symmetric half-width of a uniform centred on 0. */
  limit?: number;
  /** Bounds of a uniform or truncated normal. */
  lower?: number;
  upper?: number;
  /** σ of the normal drawn before truncation (the untruncated normal's std otherwise). */
  sigma?: number;
}

/** The sampled distribution's shape and scale, for tables and for checking samples against. */
export function weightStdOrLimit(spec: InitSpec, fanIn: number, fanOut: number): WeightScale {
  const mean = weightMean(spec, fanIn, fanOut);
  const std = Math.sqrt(Math.max(0, weightVariance(spec, fanIn, fanOut)));
  switch (spec.kind) {
    case 'zeros':
    case 'ones':
    case 'constant':
      return { distribution: 'constant', mean, std };
    case 'random_normal':
      return { distribution: 'normal', mean, std, sigma: spec.stddev };
    case 'random_uniform': {
      const scale: WeightScale = { distribution: 'uniform', mean, std, lower: spec.minval, upper: spec.maxval };
      return spec.minval === -spec.maxval ? { ...scale, limit: spec.maxval } : scale;
    }
    case 'truncated_normal': {
      const lower = spec.lower ?? spec.mean - 2 * spec.stddev;
      const upper = spec.upper ?? spec.mean + 2 * spec.stddev;
      return { distribution: 'truncated_normal', mean, std, lower, upper, sigma: spec.stddev };
    }
    case 'variance_scaling': {
      if (spec.distribution === 'uniform') {
        const limit = varianceScalingLimit(spec, fanIn, fanOut);
        return { distribution: 'uniform', mean, std, limit, lower: -limit, upper: limit };
      }
      const sigma = varianceScalingSigma(spec, fanIn, fanOut) ?? std;
      return spec.distribution === 'truncated_normal'
        ? { distribution: 'truncated_normal', mean, std, lower: -2 * sigma, upper: 2 * sigma, sigma }
        : { distribution: 'normal', mean, std, sigma };
    }
    case 'orthogonal':
    case 'lsuv':
      return { distribution: 'orthogonal', mean, std };
    case 'identity':
      return { distribution: 'identity', mean, std };
  }
}

/**
 * E[φ(z)²]/q for z ~ N(0, q): the activation's factor in the forward gain. q defaults to 1, the
 * unit-variance operating point the variance-preserving schemes aim for. At q = 1:
 * relu 1/2, leaky_relu (1 + 0.2²)/2 = 0.52 and linear 1 (exact for every q, these are
 * homogeneous); selu 1.000 (Klambauer's fixed point); elu 0.645; gelu 0.425; tanh 0.394.
 * tanh and elu tend to 1 and gelu to 1/4 as q → 0 (their slope at 0), which is the regime
 * Glorot's linear analysis assumes: tanh's factor is 1 only for small signals.
 * sigmoid 0.293 at q = 1, and honestly not a constant: E[σ(z)²] = E[σ]² + Var σ(z) =
 * 0.25 + 0.043; the linearised fluctuation would be q/16 (slope 1/4), saturation trims it to
 * 0.043, and the mean offset 0.25 does not scale with q at all — so for small q the ratio
 * grows without bound. No variance scale makes sigmoid gain-neutral at every depth.
 */
export function activationGain(activation: Activation, preActivationVariance = 1): number {
  return activationMoments(activation, preActivationVariance).secondMoment / preActivationVariance;
}

/** E[φ'(z)²] for z ~ N(0, q): the activation's factor in the backward (gradient) gain. */
export function activationBackwardGain(activation: Activation, preActivationVariance = 1): number {
  return activationMoments(activation, preActivationVariance).derivativeSecondMoment;
}

/** Kinds whose entries are independent draws (the E[w]² cross term applies to them). */
function isIid(spec: InitSpec): boolean {
  return spec.kind !== 'orthogonal' && spec.kind !== 'identity' && spec.kind !== 'lsuv';
}

/**
 * Predicted ratio E[z_{l+1}²]/E[z_l²] of pre-activation second moments across one dense layer
 * whose inputs are φ(z_l), z_l ~ N(0, q):
 *   (fan_in·E[w²]·E[φ²] + fan_in·(fan_in − 1)·E[w]²·E[φ]²)/q.
 * For zero-mean weights this is activationGain·fan_in·Var(w): ½·fan_in·Var(w) for relu
 * (= 1 with he_normal, ½ with glorot on square layers), fan_in·Var(w) for linear.
 * LSUV's rescaling makes each layer's output variance 1 on the batch by construction: 1.
 */
export function predictedGain(spec: InitSpec, activation: Activation, fanIn: number, fanOut: number, preActivationVariance = 1): number {
  if (spec.kind === 'lsuv') return 1;
  const q = preActivationVariance;
  const m = activationMoments(activation, q);
  const secondMomentTerm = fanIn * weightSecondMoment(spec, fanIn, fanOut) * m.secondMoment;
  const meanW = isIid(spec) ? weightMean(spec, fanIn, fanOut) : 0;
  const meanTerm = meanW === 0 ? 0 : fanIn * (fanIn - 1) * meanW ** 2 * m.mean ** 2;
  return (secondMomentTerm + meanTerm) / q;
}

/**
 * The variance scale (fan·Var(w)) each activation wants, from the papers where they exist:
 * relu 2 and leaky_relu 2/(1+α²) (He et al.); tanh, sigmoid, linear 1 (Glorot & Bengio, LeCun;
 * for sigmoid that is convention — see activationGain); selu 1 (Klambauer et al.). elu and gelu
 * have no paper value here, so they get the one that keeps E[z²] = 1 at q = 1: 1.55 and 2.35.
 */
export function idealScale(activation: Activation): number {
  switch (activation) {
    case 'relu':
      return 2;
    case 'leaky_relu':
      return 2 / (1 + LEAKY_RELU_NEGATIVE_SLOPE ** 2);
    case 'tanh':
    case 'sigmoid':
    case 'linear':
    case 'selu':
      return 1;
    case 'elu':
    case 'gelu':
      return 1 / activationGain(activation, 1);
  }
}

export interface Fans {
  fanIn: number;
  fanOut: number;
}

/**
 * fan_in·E[w²] when the fans are known. Without them, the scale a layer of equal fan_in and
 * fan_out would get: VarianceScaling's scale (×0.774 when uncorrected) and orthogonal's gain².
 * Undefined when the spec has no scale relative to its layer (zeros, fixed-scale random, …).
 */
export function effectiveScale(spec: InitSpec, fans?: Fans): number | undefined {
  if (fans) return fans.fanIn * weightSecondMoment(spec, fans.fanIn, fans.fanOut);
  switch (spec.kind) {
    case 'variance_scaling':
      return spec.distribution === 'truncated_normal' && spec.uncorrected ? spec.scale * TRUNCATED_VARIANCE_FACTOR : spec.scale;
    case 'orthogonal':
      return spec.gain ** 2;
    default:
      return undefined;
  }
}

/** A factor of √2 either side of the ideal scale: coarse on purpose, it names a family. */
const SUIT_TOLERANCE_LOG2 = 0.5;

/**
 * Whether the spec's scale is within a factor √2 of what the activation wants (idealScale).
 * LSUV suits every activation (it measures); identity, zeros, ones and constants suit none.
 * Without fans, fixed-scale initializers suit none (they are right for one width only) and
 * selu also needs fan_in mode, because self-normalization needs Var(w) = 1/fan_in exactly.
 * With fans, the actual fan_in·E[w²] is compared, and mean-dominated weights never suit.
 */
export function suitsActivation(spec: InitSpec, activation: Activation, fans?: Fans): boolean {
  switch (spec.kind) {
    case 'lsuv':
      return true;
    case 'zeros':
    case 'ones':
    case 'constant':
    case 'identity':
      return false;
    default:
      break;
  }
  if (fans) {
    const mean = weightMean(spec, fans.fanIn, fans.fanOut);
    if (mean ** 2 > 0.01 * weightVariance(spec, fans.fanIn, fans.fanOut)) return false;
  } else if (activation === 'selu' && !(spec.kind === 'variance_scaling' && spec.mode === 'fan_in')) {
    return false;
  }
  const scale = effectiveScale(spec, fans);
  if (scale === undefined || !(scale > 0)) return false;
  return Math.abs(Math.log2(scale / idealScale(activation))) <= SUIT_TOLERANCE_LOG2;
}

/**
 * The catalog id InitLens recommends per activation. tanh, sigmoid and linear get glorot_normal
 * rather than Keras' default glorot_uniform: the same variance, and keeping every recommendation
 * a truncated normal means a side-by-side comparison differs in scale only, not in shape.
 */
export function recommendedId(activation: Activation): CatalogId {
  switch (activation) {
    case 'relu':
    case 'leaky_relu':
    case 'elu':
    case 'gelu':
      return 'he_normal';
    case 'tanh':
    case 'sigmoid':
    case 'linear':
      return 'glorot_normal';
    case 'selu':
      return 'lecun_normal';
  }
}

export function recommendFor(activation: Activation): InitSpec {
  return { ...catalogEntry(recommendedId(activation)).defaults };
}

/**
 * Where a deep stack of such layers (σ_w² = fan_in·E[w²], zero biases) settles by the mean-field
 * recursion: the fixed point q* of the pre-activation variance (null when it grows without
 * bound) and χ₁ there, the backward signal's factor per layer (< 1 vanishing, > 1 exploding).
 * The per-layer gain at q = 1 says little for tanh, sigmoid, SELU, ELU and GELU, whose gain
 * depends on the variance arriving; this says where the variance goes.
 */
export function stackFixedPoint(spec: InitSpec, activation: Activation, fanIn: number, fanOut: number): { qStar: number | null; chi1: number } {
  const sigmaW2 = fanIn * weightSecondMoment(spec, fanIn, fanOut);
  const fp = fixedPoint(activation, sigmaW2, 0);
  return { qStar: fp.q, chi1: chi(activation, fp.q ?? 1e12, sigmaW2) };
}
