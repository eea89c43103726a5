/**
 * Draws a dense kernel [fan_in, fan_out] (Keras layout) for any InitSpec, with InitLens' own
 * formulas on tfjs random ops. Not tfjs' `tf.initializers.*`: those skip Keras' 1/0.8796
 * truncation correction and have no seeded Orthogonal, so they could not show Keras' numbers.
 */
import { tf } from '../tfjs';
import type { Tensor2D } from '@tensorflow/tfjs-core';
import type { InitSpec } from './spec';
import { normalCdf, normalQuantile } from './normal';
import { orthonormalFactor } from './householderQr';
import { varianceScalingLimit, varianceScalingSigma } from './theory';

/**
 * tfjs' Gaussian generators treat a falsy seed as "no seed" (`seed ? seed : Math.random()`),
 * so seed 0 would not repeat. Shift the non-negative seeds by one (injective on the integers).
 */
function tfSeed(seed: number): number {
  return seed >= 0 ? seed + 1 : seed;
}

/**
 * PyTorch's trunc_normal_: N(mean, std²) restricted to the absolute interval [lower, upper],
 * by inverse-CDF sampling (as PyTorch does, with Φ⁻¹ in double precision). An interval that
 * lies wholly above the mean is mirrored below it first, where Φ keeps its tail digits.
 */
function truncatedNormalBounded(shape: [number, number], mean: number, std: number, lower: number, upper: number, seed: number): Tensor2D {
  return tf.tidy(() => {
    const u = tf.randomUniform(shape, 0, 1, 'float32', tfSeed(seed)).dataSync<'float32'>();
    let alpha = (lower - mean) / std;
    let beta = (upper - mean) / std;
    const mirrored = alpha > 0;
    if (mirrored) [alpha, beta] = [-beta, -alpha];
    const pLow = normalCdf(alpha);
    const pHigh = normalCdf(beta);
    const out = new Float32Array(u.length);
    for (let i = 0; i < u.length; i++) {
      const p = pLow + u[i] * (pHigh - pLow);
      let z = normalQuantile(p);
      // p can land on an end of [pLow, pHigh] by rounding; the quantile of 0 or 1 is infinite.
      if (!(z >= alpha)) z = alpha;
      if (!(z <= beta)) z = beta;
      if (!Number.isFinite(z)) z = Number.isFinite(alpha) ? alpha : beta;
      const x = mean + std * (mirrored ? -z : z);
      out[i] = Math.min(upper, Math.max(lower, x));
    }
    return tf.tensor2d(out, shape);
  });
}

/**
 * Keras' Orthogonal for a [rows, cols] kernel: QR of a N(0, 1) matrix of shape
 * (max(rows, cols), min(rows, cols)), q·sign(diag r), transposed when rows < cols, times gain.
 */
function orthogonal(rows: number, cols: number, gain: number, seed: number): Tensor2D {
  return tf.tidy(() => {
    const tall = Math.max(rows, cols);
    const thin = Math.min(rows, cols);
    const gaussian = tf.randomNormal([tall, thin], 0, 1, 'float32', tfSeed(seed)).dataSync<'float32'>();
    const q = orthonormalFactor(gaussian, tall, thin);
    const out = new Float32Array(rows * cols);
    if (rows >= cols) {
      for (let i = 0; i < q.length; i++) out[i] = gain * q[i];
    } else {
      // out = gain·qᵀ: out[i][j] = q[j][i], q being tall×thin = cols×rows.
      for (let i = 0; i < rows; i++) {
        for (let j = 0; j < cols; j++) out[i * cols + j] = gain * q[j * rows + i];
      }
    }
    return tf.tensor2d(out, [rows, cols]);
  });
}

/**
 * A [fanIn, fanOut] kernel drawn from `spec`. The spec's own `seed` (written as `seed=42`)
 * wins over the `seed` argument; the same seed gives the same values on every backend (the
 * generators run in JavaScript). The caller owns the returned tensor; nothing else is kept.
 */
export function sampleKernel(spec: InitSpec, rows: number, cols: number, seed: number, fans: { fanIn: number; fanOut: number } = { fanIn: rows, fanOut: cols }): Tensor2D {
  if (!(Number.isInteger(rows) && rows >= 1 && Number.isInteger(cols) && cols >= 1)) {
    throw new RangeError(`sampleKernel needs positive integer fans, got ${rows}×${cols}`);
  }
  // A convolution's kernel [kh·kw·c_in, filters] has Keras' receptive-field fans, not its shape's.
  const { fanIn, fanOut } = fans;
  const shape: [number, number] = [rows, cols];
  const s = 'seed' in spec && spec.seed !== undefined ? spec.seed : seed;
  switch (spec.kind) {
    case 'zeros':
      return tf.zeros(shape);
    case 'ones':
      return tf.ones(shape);
    case 'constant':
      return tf.fill(shape, spec.value);
    case 'random_normal':
      return tf.randomNormal(shape, spec.mean, spec.stddev, 'float32', tfSeed(s));
    case 'random_uniform':
      return tf.randomUniform(shape, spec.minval, spec.maxval, 'float32', tfSeed(s));
    case 'truncated_normal':
      if (spec.lower !== undefined && spec.upper !== undefined) {
        return truncatedNormalBounded(shape, spec.mean, spec.stddev, spec.lower, spec.upper, s);
      }
      // Keras: redraw beyond mean ± 2·stddev, no rescaling; tf.truncatedNormal does exactly that.
      return tf.truncatedNormal(shape, spec.mean, spec.stddev, 'float32', tfSeed(s));
    case 'variance_scaling': {
      const sigma = varianceScalingSigma(spec, fanIn, fanOut);
      if (sigma === undefined) {
        const limit = varianceScalingLimit(spec, fanIn, fanOut);
        return tf.randomUniform(shape, -limit, limit, 'float32', tfSeed(s));
      }
      return spec.distribution === 'truncated_normal'
        ? tf.truncatedNormal(shape, 0, sigma, 'float32', tfSeed(s))
        : tf.randomNormal(shape, 0, sigma, 'float32', tfSeed(s));
    }
    case 'orthogonal':
      return orthogonal(rows, cols, spec.gain, s);
    case 'lsuv':
      // The pre-initialization only; the network builder does the per-layer rescaling.
      return orthogonal(rows, cols, 1, s);
    case 'identity':
      return tf.tidy(() => tf.mul(tf.eye(rows, cols), tf.scalar(spec.gain)) as Tensor2D);
  }
}
