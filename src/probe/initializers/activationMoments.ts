/**
 * Gaussian moments of the probe's activations: E[φ(z)], E[φ(z)²] and E[φ'(z)²] for
 * z ~ N(0, q). These are what a signal-propagation argument needs; the closed forms exist for
 * some activations only, so everything but the piecewise-linear ones is integrated numerically.
 */
import type { Activation } from './spec';
import { normalCdf } from './normal';

/** Keras 3 `keras.activations.leaky_relu` default. (The `LeakyReLU` layer defaults to 0.3.) */
export const LEAKY_RELU_NEGATIVE_SLOPE = 0.2;
/** Keras `elu` default alpha. */
export const ELU_ALPHA = 1;
/** Klambauer et al. 2017, the constants that make (mean 0, variance 1) a fixed point. */
export const SELU_ALPHA = 1.6732632423543772;
export const SELU_SCALE = 1.0507009873554805;

/** The activation as a scalar function (Keras definitions; gelu is the exact, erf-based one). */
export function activationFunction(activation: Activation): (x: number) => number {
  switch (activation) {
    case 'relu':
      return (x) => (x > 0 ? x : 0);
    case 'leaky_relu':
      return (x) => (x > 0 ? x : LEAKY_RELU_NEGATIVE_SLOPE * x);
    case 'linear':
      return (x) => x;
    case 'tanh':
      return Math.tanh;
    case 'sigmoid':
      return (x) => 1 / (1 + Math.exp(-x));
    case 'elu':
      return (x) => (x > 0 ? x : ELU_ALPHA * Math.expm1(x));
    case 'selu':
      return (x) => SELU_SCALE * (x > 0 ? x : SELU_ALPHA * Math.expm1(x));
    case 'gelu':
      // Keras 3 gelu defaults to approximate=False: x·Φ(x).
      return (x) => x * normalCdf(x);
  }
}

/** The derivative, for the backward (gradient) gain. */
export function activationDerivative(activation: Activation): (x: number) => number {
  switch (activation) {
    case 'relu':
      return (x) => (x > 0 ? 1 : 0);
    case 'leaky_relu':
      return (x) => (x > 0 ? 1 : LEAKY_RELU_NEGATIVE_SLOPE);
    case 'linear':
      return () => 1;
    case 'tanh':
      return (x) => 1 - Math.tanh(x) ** 2;
    case 'sigmoid':
      return (x) => {
        const s = 1 / (1 + Math.exp(-x));
        return s * (1 - s);
      };
    case 'elu':
      return (x) => (x > 0 ? 1 : ELU_ALPHA * Math.exp(x));
    case 'selu':
      return (x) => SELU_SCALE * (x > 0 ? 1 : SELU_ALPHA * Math.exp(x));
    case 'gelu':
      return (x) => normalCdf(x) + (x * Math.exp(-0.5 * x * x)) / Math.sqrt(2 * Math.PI);
  }
}

/**
 * E[f(√q·z)], z ~ N(0, 1), by composite Simpson on [−12, 0] and [0, 12]: every activation here
 * is smooth on each half (the kinks sit at 0, a grid node), so the error is far below 1e-10.
 */
export function gaussianExpectation(f: (x: number) => number, q: number): number {
  const halfIntervals = 6000;
  const h = 12 / halfIntervals;
  const s = Math.sqrt(q);
  const weight = (z: number): number => Math.exp(-0.5 * z * z) / Math.sqrt(2 * Math.PI);
  let total = 0;
  for (const sign of [-1, 1]) {
    let acc = 0;
    for (let i = 0; i <= halfIntervals; i++) {
      const z = sign * i * h;
      const w = i === 0 || i === halfIntervals ? 1 : i % 2 === 1 ? 4 : 2;
      acc += w * f(s * z) * weight(z);
    }
    total += (acc * h) / 3;
  }
  return total;
}

export interface ActivationMoments {
  /** E[φ(z)] */
  mean: number;
  /** E[φ(z)²] */
  secondMoment: number;
  /** E[φ'(z)²]: the backward counterpart of secondMoment/q. */
  derivativeSecondMoment: number;
}

const cache = new Map<string, ActivationMoments>();

/** Moments of φ(z) for z ~ N(0, q); exact for the piecewise-linear activations, numeric otherwise. */
export function activationMoments(activation: Activation, q: number): ActivationMoments {
  const key = `${activation}:${q}`;
  const hit = cache.get(key);
  if (hit) return hit;
  let m: ActivationMoments;
  const halfNormalMean = Math.sqrt(q / (2 * Math.PI));
  if (activation === 'linear') {
    m = { mean: 0, secondMoment: q, derivativeSecondMoment: 1 };
  } else if (activation === 'relu') {
    m = { mean: halfNormalMean, secondMoment: q / 2, derivativeSecondMoment: 0.5 };
  } else if (activation === 'leaky_relu') {
    const a = LEAKY_RELU_NEGATIVE_SLOPE;
    m = { mean: (1 - a) * halfNormalMean, secondMoment: ((1 + a * a) * q) / 2, derivativeSecondMoment: (1 + a * a) / 2 };
  } else {
    const f = activationFunction(activation);
    const df = activationDerivative(activation);
    m = {
      mean: gaussianExpectation(f, q),
      secondMoment: gaussianExpectation((x) => f(x) ** 2, q),
      derivativeSecondMoment: gaussianExpectation((x) => df(x) ** 2, q),
    };
  }
  if (cache.size > 256) cache.clear();
  cache.set(key, m);
  return m;
}
