/** Per-layer statistics on the fixed probe batch, read back from the backend in one transfer. */
import { tf } from './tfjs';
import type { Tensor, Tensor2D } from '@tensorflow/tfjs-core';
import { forward } from './network';
import type { DenseLayerPlan, NetworkParams } from './network';
import { accumulateMoments, newLayerMoments, summarizeMoments, weightStd } from './layerMoments';

/** |tanh| above this, or sigmoid outside [1−this, this], counts as saturated. */
export const SATURATION_LEVEL = 0.99;

export interface ForwardStats {
  preActivationMean: number;
  preActivationVariance: number;
  activationMean: number;
  activationVariance: number;
  activationSecondMoment: number;
  deadFraction: number;
  saturatedFraction: number;
  weightStd: number;
  distinctUnits: number;
  unitSimilarity: number;
}


/** The share of activations past SATURATION_LEVEL (tanh: |a|, sigmoid: either end); 0 for activations that do not saturate. */
export function saturatedShare(a: ArrayLike<number>, activation: string): number {
  if (a.length === 0 || (activation !== 'tanh' && activation !== 'sigmoid')) return 0;
  let count = 0;
  if (activation === 'tanh') {
    for (let e = 0; e < a.length; e++) if (Math.abs(a[e]) > SATURATION_LEVEL) count++;
  } else {
    for (let e = 0; e < a.length; e++) if (a[e] < 1 - SATURATION_LEVEL || a[e] > SATURATION_LEVEL) count++;
  }
  return count / a.length;
}

/**
 * `cols`: xProbe holds only these input columns (inputs.ts). Moments in float64 (layerMoments.ts),
 * as the kernel path takes them, so both engines read the same numbers.
 */
export function measureForward(plan: readonly DenseLayerPlan[], params: NetworkParams, xProbe: Tensor2D, cols?: Int32Array): ForwardStats[] {
  const layers = tf.tidy(() => {
    const trace = forward(plan, params.kernels, params.biases, xProbe, cols);
    return plan.map((_, i) => ({ z: trace.pre[i].dataSync() as Float32Array, a: trace.act[i].dataSync() as Float32Array }));
  });
  return plan.map((layer, i) => {
    const { z, a } = layers[i];
    const moments = newLayerMoments(layer.fanOut);
    accumulateMoments(moments, z, a, layer.fanOut);
    const s = summarizeMoments(moments);
    const kernel = params.kernels[i].dataSync() as Float32Array;
    const bias = params.biases[i].dataSync() as Float32Array;
    return {
      preActivationMean: s.preActivationMean,
      preActivationVariance: s.preActivationVariance,
      activationMean: s.activationMean,
      activationVariance: s.activationVariance,
      activationSecondMoment: s.activationSecondMoment,
      // A unit is dead on the batch when its pre-activation is never positive.
      deadFraction: layer.isOutput ? 0 : s.deadChannels / layer.fanOut,
      saturatedFraction: saturatedShare(a, layer.activation),
      weightStd: weightStd(kernel),
      distinctUnits: distinctUnits(kernel, bias, layer.fanIn, layer.fanOut),
      unitSimilarity: unitSimilarity(kernel, bias, layer.fanIn, layer.fanOut),
    };
  });
}

/**
 * How many units differ from every other unit. Units with identical incoming weights and bias
 * compute the same function, and receive the same update as long as their outgoing weights are
 * identical too (the symmetry problem); a random next layer usually separates them at the first
 * update. Exact comparison (up to float rounding); unitSimilarity sees near-duplicates. Kernel layout: [fanIn, units].
 */
export function distinctUnits(kernel: Float32Array, bias: Float32Array, fanIn: number, units: number): number {
  let scale = 0;
  for (let k = 0; k < kernel.length; k++) scale = Math.max(scale, Math.abs(kernel[k]));
  for (let k = 0; k < bias.length; k++) scale = Math.max(scale, Math.abs(bias[k]));
  const tol = 1e-6 * scale;
  const reps: number[] = [];
  for (let j = 0; j < units; j++) {
    let matched = false;
    for (const r of reps) {
      if (Math.abs(bias[j] - bias[r]) > tol) continue;
      let same = true;
      for (let i = 0; i < fanIn; i++) {
        if (Math.abs(kernel[i * units + j] - kernel[i * units + r]) > tol) {
          same = false;
          break;
        }
      }
      if (same) {
        matched = true;
        break;
      }
    }
    if (!matched) reps.push(j);
  }
  return reps.length;
}

/**
 * How alike a layer's units are: ‖mean_j w_j‖² / mean_j ‖w_j‖² over the units' incoming weight
 * vectors w_j (kernel column and bias), i.e. the mean inner product over all pairs of units
 * relative to the mean squared norm — the mean pairwise cosine when the norms are equal. About
 * 1/units for zero-mean random weights, 1 when every unit is the same. Unlike distinctUnits it
 * sees near-duplicates: RandomNormal(mean=0.01, stddev=1e-5) scores 0.999999 like Constant(0.01)
 * while every unit is distinct to float precision. All-zero weights count as identical (1).
 */
export function unitSimilarity(kernel: Float32Array, bias: Float32Array, fanIn: number, units: number): number {
  let common = 0;
  let total = 0;
  for (let i = 0; i <= fanIn; i++) {
    let sum = 0;
    for (let j = 0; j < units; j++) {
      const w = i < fanIn ? kernel[i * units + j] : bias[j];
      sum += w;
      total += w * w;
    }
    common += sum * sum;
  }
  if (!(total > 0)) return 1;
  return common / units / total;
}

/** Accuracy of `probs`/logits against one-hot labels, as a scalar tensor. */
export function accuracyOf(logits: Tensor2D, labels: Tensor2D): Tensor {
  return tf.mean(tf.cast(tf.equal(tf.argMax(logits, 1), tf.argMax(labels, 1)), 'float32'));
}
