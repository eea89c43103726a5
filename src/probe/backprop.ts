/**
 * Loss and gradients of the dense stack, written out by hand (the textbook backward pass of
 * softmax cross-entropy through dense layers). Why not tfjs' autograd: on the wasm backend
 * each op costs tens of microseconds of dispatch and tape bookkeeping, and the hand-written
 * pass needs a third of the ops; it also yields δ = ∂L/∂(pre-activation) of every layer for
 * free, the backward signal the probe measures. A unit test checks every activation's
 * gradients against tf.grads.
 */
import { tf } from './tfjs';
import type { Tensor, Tensor1D, Tensor2D } from '@tensorflow/tfjs-core';
import type { DenseLayerPlan } from './network';
import { activate, LEAKY_SLOPE } from './network';
import { firstKernel } from './inputs';
import { SELU_ALPHA, SELU_SCALE } from './initializers/activationMoments';


export interface LossAndGrads {
  /** Mean softmax cross-entropy over the batch (NaN once the logits are not finite). */
  loss: number;
  /** Fraction of the batch whose largest logit is at its label. */
  accuracy: number;
  /**
   * Per layer: ∂L/∂W, ∂L/∂b, δ = ∂L/∂z (z = pre-activation). With `cols`, the first layer's ∂L/∂W
   * has only those rows (the others are zero: their inputs are).
   */
  kernelGrads: Tensor2D[];
  biasGrads: Tensor1D[];
  deltas: Tensor2D[];
  logits: Tensor2D;
}

/** f'(z) from z and a = f(z), as cheaply as each activation allows. */
export function derivative(z: Tensor2D, a: Tensor2D, activation: DenseLayerPlan['activation']): Tensor2D | undefined {
  switch (activation) {
    case 'relu':
      return tf.step(z) as Tensor2D; // 0 at z = 0, as tfjs' and TensorFlow's relu gradient
    case 'tanh':
      return tf.sub(1, tf.square(a)) as Tensor2D;
    case 'sigmoid':
      return tf.mul(a, tf.sub(1, a)) as Tensor2D;
    case 'elu':
      return tf.where(tf.greater(z, 0), tf.onesLike(z), tf.add(a, 1)) as Tensor2D;
    case 'selu':
      return tf.where(tf.greater(z, 0), tf.fill(z.shape, SELU_SCALE), tf.add(a, SELU_SCALE * SELU_ALPHA)) as Tensor2D;
    case 'leaky_relu':
      return tf.where(tf.greater(z, 0), tf.onesLike(z), tf.fill(z.shape, LEAKY_SLOPE)) as Tensor2D;
    case 'gelu': {
      // d/dz [z·Φ(z)] = Φ(z) + z·φ(z)
      const cdf = tf.mul(0.5, tf.add(1, tf.erf(tf.mul(z, Math.SQRT1_2))));
      const pdf = tf.mul(1 / Math.sqrt(2 * Math.PI), tf.exp(tf.mul(-0.5, tf.square(z))));
      return tf.add(cdf, tf.mul(z, pdf)) as Tensor2D;
    }
    case 'linear':
      return undefined;
    case 'softmax':
      throw new Error('softmax is only the output layer');
  }
}

/**
 * Mean softmax cross-entropy over the batch and every gradient, in one forward and one backward
 * pass. `cols`: x holds only these input columns (inputs.ts).
 */
export function lossAndGrads(plan: readonly DenseLayerPlan[], kernels: readonly Tensor[], biases: readonly Tensor[], x: Tensor2D, labels: Tensor2D, cols?: Int32Array): LossAndGrads {
  const L = plan.length;
  const inputs: Tensor2D[] = [];
  const pre: Tensor2D[] = [];
  const act: Tensor2D[] = [];
  let h = x;
  for (let i = 0; i < L; i++) {
    inputs.push(h);
    const kernel = i === 0 ? firstKernel(kernels[0], cols) : (kernels[i] as Tensor2D);
    const z = tf.fused.matMul({ a: h, b: kernel, bias: biases[i] }) as Tensor2D;
    pre.push(z);
    if (plan[i].isOutput) break;
    h = activate(z, plan[i].activation);
    act.push(h);
  }
  const logits = pre[L - 1];
  // The softmax cross-entropy and its gradient on a [batch, 10] array, in JS: eight tiny tfjs
  // ops cost ~0.2 ms per step in dispatch alone, more than the arithmetic.
  const head = softmaxCrossEntropy(logits.dataSync() as Float32Array, labels.dataSync() as Float32Array, x.shape[0], logits.shape[1]);
  const kernelGrads: Tensor2D[] = new Array<Tensor2D>(L);
  const biasGrads: Tensor1D[] = new Array<Tensor1D>(L);
  const deltas: Tensor2D[] = new Array<Tensor2D>(L);
  let delta = tf.tensor2d(head.delta, logits.shape);
  for (let i = L - 1; i >= 0; i--) {
    deltas[i] = delta;
    // Explicit transposes: wasm runs transposed matMuls about 7× slower than transpose + matMul.
    kernelGrads[i] = tf.matMul(tf.transpose(inputs[i]), delta);
    biasGrads[i] = tf.sum(delta, 0);
    if (i === 0) break;
    const back = tf.matMul(delta, tf.transpose(kernels[i] as Tensor2D));
    const fprime = derivative(pre[i - 1], act[i - 1], plan[i - 1].activation);
    delta = (fprime ? tf.mul(back, fprime) : back) as Tensor2D;
  }
  return { loss: head.loss, accuracy: head.accuracy, kernelGrads, biasGrads, deltas, logits };
}

/**
 * Mean cross-entropy of softmax(logits) against one-hot labels, the batch accuracy, and
 * δ = ∂loss/∂logits = (softmax − labels) / batch. Row-major [batch, classes]; float64 inside.
 */
export function softmaxCrossEntropy(logits: Float32Array, labels: Float32Array, batch: number, classes: number): { loss: number; accuracy: number; delta: Float32Array } {
  const delta = new Float32Array(batch * classes);
  let lossSum = 0;
  let correct = 0;
  for (let r = 0; r < batch; r++) {
    const o = r * classes;
    let max = -Infinity;
    let best = 0;
    let label = 0;
    for (let k = 0; k < classes; k++) {
      if (logits[o + k] > max) {
        max = logits[o + k];
        best = k;
      }
      if (labels[o + k] > labels[o + label]) label = k;
    }
    let sum = 0;
    for (let k = 0; k < classes; k++) sum += Math.exp(logits[o + k] - max);
    const logZ = max + Math.log(sum);
    for (let k = 0; k < classes; k++) {
      const logP = logits[o + k] - logZ;
      if (labels[o + k] !== 0) lossSum -= labels[o + k] * logP;
      delta[o + k] = (Math.exp(logP) - labels[o + k]) / batch;
    }
    if (best === label) correct++;
  }
  // A non-finite logit makes max, and so the loss, NaN or ±Inf: the probe flags it as diverged.
  return { loss: lossSum / batch, accuracy: correct / batch, delta };
}
