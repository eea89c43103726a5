/**
 * The input–output Jacobian of a deep dense stack at initialization and its singular values
 * (Pennington, Schoenholz & Ganguli 2017, "Resurrecting the sigmoid in deep learning through
 * dynamical isometry"). For h_l = x_{l−1}·W_l + b_l, x_l = φ(h_l), the Jacobian
 * ∂x_L/∂x_0 = D_L·W_Lᵀ ⋯ D_1·W_1ᵀ with D_l = diag φ'(h_l), evaluated exactly on one sample
 * input. Its squared singular values are the eigenvalues of JᵀJ. With every one near 1
 * ("dynamical isometry") a gradient keeps its size and shape through all layers.
 *
 * The weights come from InitLens' own samplers (the same kernels a probe starts from); the
 * eigenvalues are computed in float64.
 */
import type { Tensor2D } from '@tensorflow/tfjs-core';
import { tf } from '../tfjs';
import type { Activation, InitSpec } from '../initializers/spec';
import { activationDerivative, activationFunction } from '../initializers/activationMoments';
import { sampleKernel } from '../initializers/sample';
import { layerSeed } from '../network';
import { gaussianSource } from './gaussian';
import { histogram } from './histogram';
import type { Histogram } from './histogram';
import { symmetricEigenvalues } from './symmetricEigen';

export interface JacobianRequest {
  activation: Activation;
  depth: number;
  width: number;
  /** The weights of every layer (a square width × width kernel). */
  weights: InitSpec;
  /** Biases drawn N(0, σ_b²); 0 = zero biases, as Keras and the probe start. */
  biasVariance: number;
  /** The sample input is drawn N(0, inputVariance) per unit (Pennington et al. use the fixed point q*). */
  inputVariance: number;
  seed: number;
  /** Bins of the log10 histogram of squared singular values. */
  bins?: number;
}

export interface JacobianSpectrum {
  /** Squared singular values of J, ascending. */
  squaredSingularValues: Float64Array;
  max: number;
  min: number;
  mean: number;
  /** Variance of the squared singular values: the spread the isometry argument is about. */
  variance: number;
  /** Histogram of log10 of the squared singular values. */
  logHistogram: Histogram;
}

export const JACOBIAN_LIMITS = { maxDepth: 200, maxWidth: 1024 } as const;

/**
 * JᵀJ (width × width, row-major, symmetric) on one sample input. The forward pass runs in float64;
 * the products of layer Jacobians in float32 on the tfjs backend (a width³ product per layer is
 * 10–20× faster there than in JS), accurate to ~1e-6 relative per layer.
 */
export function jacobianGram(request: JacobianRequest): Float64Array {
  const { depth, width: n } = request;
  if (!(Number.isInteger(depth) && depth >= 1 && depth <= JACOBIAN_LIMITS.maxDepth)) throw new RangeError(`depth must be a whole number from 1 to ${JACOBIAN_LIMITS.maxDepth}, got ${depth}`);
  if (!(Number.isInteger(n) && n >= 1 && n <= JACOBIAN_LIMITS.maxWidth)) throw new RangeError(`width must be a whole number from 1 to ${JACOBIAN_LIMITS.maxWidth}, got ${n}`);
  const phi = activationFunction(request.activation);
  const dphi = activationDerivative(request.activation);
  const normal = gaussianSource(request.seed * 2 + 1);
  let x: Float64Array = Float64Array.from({ length: n }, () => Math.sqrt(request.inputVariance) * normal());
  const h = new Float64Array(n);
  const sigmaB = Math.sqrt(request.biasVariance);
  // J as [width_out, width_in]: J_l = D_l·W_lᵀ·J_{l−1}.
  let m: Tensor2D = tf.eye(n);
  try {
    for (let l = 0; l < depth; l++) {
      const kernel = sampleKernel(request.weights, n, n, layerSeed(request.seed, l));
      // Kernel layout [fanIn, fanOut]: h_j = Σ_i x_i·W[i][j] + b_j.
      const w = kernel.dataSync() as Float32Array;
      h.fill(0);
      for (let i = 0; i < n; i++) {
        const xi = x[i];
        const row = i * n;
        for (let j = 0; j < n; j++) h[j] += xi * w[row + j];
      }
      for (let j = 0; j < n; j++) h[j] += sigmaB * normal();
      const d = Float32Array.from(h, dphi);
      const previous = m;
      m = tf.tidy(() => tf.mul(tf.tensor2d(d, [n, 1]), tf.matMul(kernel, previous, true, false)) as Tensor2D);
      previous.dispose();
      kernel.dispose();
      x = Float64Array.from(h, phi);
    }
    const g = tf.tidy(() => tf.matMul(m, m, true, false));
    const values = Float64Array.from(g.dataSync());
    g.dispose();
    return values;
  } finally {
    m.dispose();
  }
}

export function spectrumOf(squared: Float64Array, bins = 40): JacobianSpectrum {
  const n = squared.length;
  let sum = 0;
  for (const v of squared) sum += v;
  const mean = sum / n;
  let ss = 0;
  for (const v of squared) ss += (v - mean) ** 2;
  const min = squared[0];
  const max = squared[n - 1];
  // Rounding can leave tiny negative eigenvalues of JᵀJ; on the log axis they sit at the floor.
  const floor = Math.max(max * 1e-30, Number.MIN_VALUE);
  const logs = Float64Array.from(squared, (v) => Math.log10(Math.max(v, floor)));
  let lo = Math.floor(logs[0] * 4) / 4;
  let hi = Math.ceil(logs[n - 1] * 4) / 4;
  if (hi - lo < 0.5) {
    const mid = (lo + hi) / 2;
    lo = mid - 0.25;
    hi = mid + 0.25;
  }
  return { squaredSingularValues: squared, max, min, mean, variance: ss / n, logHistogram: histogram(logs, lo, hi, bins) };
}

export function jacobianSpectrum(request: JacobianRequest): JacobianSpectrum {
  const squared = symmetricEigenvalues(jacobianGram(request), request.width);
  return spectrumOf(squared, request.bins);
}
