/**
 * LSUV (Mishkin & Matas 2016): after an orthogonal pre-initialization, scale each layer's kernel
 * so that its output (pre-activation) variance on one batch is 1, layer by layer from the input.
 */
import { tf } from './tfjs';
import type { Tensor2D } from '@tensorflow/tfjs-core';
import { forward } from './network';
import type { DenseLayerPlan, NetworkParams } from './network';

export interface LsuvResult {
  iterations: number;
  variance: number;
}

export function lsuvRescale(
  plan: readonly DenseLayerPlan[],
  params: NetworkParams,
  batch: Tensor2D,
  layer: number,
  spec: { tolerance: number; maxIterations: number },
  /** `batch` holds only these input columns (inputs.ts). */
  cols?: Int32Array,
): LsuvResult {
  let variance = NaN;
  let iterations = 0;
  for (; iterations < spec.maxIterations; iterations++) {
    variance = tf.tidy(() => {
      const trace = forward(plan.slice(0, layer + 1), params.kernels, params.biases, batch, cols);
      return tf.moments(trace.pre[layer]).variance.dataSync()[0];
    });
    if (!(variance > 0) || Math.abs(variance - 1) < spec.tolerance) break;
    const kernel = params.kernels[layer];
    tf.tidy(() => kernel.assign(tf.div(kernel, Math.sqrt(variance))));
  }
  return { iterations, variance };
}
