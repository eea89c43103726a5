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
    return {
      preActivationMean: v(0),
      preActivationVariance: v(1),
      activationMean: v(2),
      activationVariance: v(3),
      activationSecondMoment: v(4),
      deadFraction: v(5),
      saturatedFraction: v(6),
      weightStd: v(7),
      distinctUnits: distinctUnits(params.kernels[i].dataSync() as Float32Array, params.biases[i].dataSync() as Float32Array, plan[i].fanIn, plan[i].fanOut),
    };
  });
}

/**
 * How many units differ from every other unit. Units with identical incoming weights and bias
 * compute the same function and receive the same update forever (the symmetry problem), so an
 * exact comparison (up to float rounding) is what matters. Kernel layout: [fanIn, units].
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

/** Accuracy of `probs`/logits against one-hot labels, as a scalar tensor. */
export function accuracyOf(logits: Tensor2D, labels: Tensor2D): Tensor {
  return tf.mean(tf.cast(tf.equal(tf.argMax(logits, 1), tf.argMax(labels, 1)), 'float32'));
}
