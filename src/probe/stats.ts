/** Per-layer statistics on the fixed probe batch, read back from the backend in one transfer. */
import { tf } from './tfjs';
import type { Tensor, Tensor2D } from '@tensorflow/tfjs-core';
import { forward } from './network';
import type { DenseLayerPlan, NetworkParams } from './network';

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

const FIELDS = 8;

function saturation(a: Tensor2D, activation: DenseLayerPlan['activation']): Tensor {
  switch (activation) {
    case 'tanh':
      return tf.mean(tf.cast(tf.greater(tf.abs(a), SATURATION_LEVEL), 'float32'));
    case 'sigmoid':
      return tf.mean(tf.cast(tf.logicalOr(tf.less(a, 1 - SATURATION_LEVEL), tf.greater(a, SATURATION_LEVEL)), 'float32'));
    default:
      return tf.scalar(0);
  }
}

/** `cols`: xProbe holds only these input columns (inputs.ts). */
export function measureForward(plan: readonly DenseLayerPlan[], params: NetworkParams, xProbe: Tensor2D, cols?: Int32Array): ForwardStats[] {
  const packed = tf.tidy(() => {
    const trace = forward(plan, params.kernels, params.biases, xProbe, cols);
    const rows = plan.map((layer, i) => {
      const z = trace.pre[i];
      const a = trace.act[i];
      const zm = tf.moments(z);
      const am = tf.moments(a);
      // A unit is dead on the batch when its pre-activation is never positive.
      const dead = layer.isOutput ? tf.scalar(0) : tf.mean(tf.cast(tf.lessEqual(tf.max(z, 0), 0), 'float32'));
      const wStd = tf.sqrt(tf.moments(params.kernels[i]).variance);
      return tf.stack([zm.mean, zm.variance, am.mean, am.variance, tf.mean(tf.square(a)), dead, saturation(a, layer.activation), wStd]);
    });
    return tf.stack(rows);
  });
  const values = packed.dataSync();
  packed.dispose();
  return plan.map((_, i) => {
    const v = (k: number): number => values[i * FIELDS + k];
    const kernel = params.kernels[i].dataSync() as Float32Array;
    const bias = params.biases[i].dataSync() as Float32Array;
    return {
      preActivationMean: v(0),
      preActivationVariance: v(1),
      activationMean: v(2),
      activationVariance: v(3),
      activationSecondMoment: v(4),
      deadFraction: v(5),
      saturatedFraction: v(6),
      weightStd: v(7),
      distinctUnits: distinctUnits(kernel, bias, plan[i].fanIn, plan[i].fanOut),
      unitSimilarity: unitSimilarity(kernel, bias, plan[i].fanIn, plan[i].fanOut),
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
