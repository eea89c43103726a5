/**
 * The probed network: a plain dense stack with its own variables and forward pass, so every
 * layer's pre-activation, activation and backward signal can be measured (model.fit hides them).
 */
import { tf } from './tfjs';
import type { Tensor, Tensor1D, Tensor2D, Variable } from '@tensorflow/tfjs-core';
import type { Activation, ParsedInitializer } from './initializers/spec';
import { parseInitializer } from './initializers/parse';
import { sampleKernel } from './initializers/sample';
import { LEAKY_RELU_NEGATIVE_SLOPE } from './initializers/activationMoments';
import { ConfigError } from './config';
import { firstKernel } from './inputs';
import type { RunRequest } from '../protocol';

export const MNIST_INPUT = 784;
export const MNIST_CLASSES = 10;
/** Keras' LeakyReLU / leaky_relu default negative slope (Keras 3): the theory's constant. */
export const LEAKY_SLOPE = LEAKY_RELU_NEGATIVE_SLOPE;

export interface DenseLayerPlan {
  name: string;
  fanIn: number;
  fanOut: number;
  activation: Activation | 'softmax';
  initializer: ParsedInitializer;
  isOutput: boolean;
}

function parseFor(text: string, where: string): ParsedInitializer {
  try {
    return parseInitializer(text);
  } catch (err) {
    throw new ConfigError('initializer', `${where}: ${(err as Error).message}`);
  }
}

/** Resolves every layer's fans, activation and initializer; throws ConfigError with a one-line reason. */
export function planNetwork(request: RunRequest, inputSize = MNIST_INPUT, classes = MNIST_CLASSES): DenseLayerPlan[] {
  const { hidden, activation } = request.config;
  if (request.layerInitializers && request.layerInitializers.length !== hidden.length) {
    throw new ConfigError('initializer', `${request.layerInitializers.length} layer initializers given for ${hidden.length} hidden layers`);
  }
  if (request.layerActivations && request.layerActivations.length !== hidden.length) {
    throw new ConfigError('activation', `${request.layerActivations.length} layer activations given for ${hidden.length} hidden layers`);
  }
  const base = parseFor(request.initializer, 'initializer');
  const plan: DenseLayerPlan[] = [];
  let fanIn = inputSize;
  hidden.forEach((units, i) => {
    const written = request.layerInitializers?.[i];
    plan.push({
      name: `dense_${i + 1}`,
      fanIn,
      fanOut: units,
      activation: request.layerActivations?.[i] ?? activation,
      initializer: written ? parseFor(written, `layer ${i + 1} initializer`) : base,
      isOutput: false,
    });
    fanIn = units;
  });
  plan.push({
    name: `dense_${hidden.length + 1}`,
    fanIn,
    fanOut: classes,
    activation: 'softmax',
    initializer: parseFor(request.outputInitializer ?? 'glorot_uniform', 'output initializer'),
    isOutput: true,
  });
  return plan;
}

export interface NetworkParams {
  kernels: Variable[];
  biases: Variable[];
}

/** Per-layer seeds derived from the run seed, so layers differ and runs repeat. */
export function layerSeed(seed: number, layer: number): number {
  return (seed * 1009 + layer * 7919 + 17) % 2147483647;
}

export function initParams(plan: readonly DenseLayerPlan[], seed: number, runId: string): NetworkParams {
  const kernels: Variable[] = [];
  const biases: Variable[] = [];
  plan.forEach((layer, i) => {
    const kernel = sampleKernel(layer.initializer.spec, layer.fanIn, layer.fanOut, layerSeed(seed, i));
    kernels.push(tf.variable(kernel, true, `${runId}/${layer.name}/kernel`));
    kernel.dispose();
    const bias = tf.zeros([layer.fanOut]);
    biases.push(tf.variable(bias, true, `${runId}/${layer.name}/bias`));
    bias.dispose();
  });
  return { kernels, biases };
}

export function disposeParams(params: NetworkParams): void {
  for (const v of [...params.kernels, ...params.biases]) v.dispose();
}

export function activate(z: Tensor2D, activation: Activation | 'softmax'): Tensor2D {
  switch (activation) {
    case 'relu':
      return tf.relu(z);
    case 'tanh':
      return tf.tanh(z);
    case 'sigmoid':
      return tf.sigmoid(z);
    case 'elu':
      return tf.elu(z);
    case 'selu':
      return tf.selu(z);
    case 'leaky_relu':
      return tf.leakyRelu(z, LEAKY_SLOPE);
    case 'gelu':
      // Keras' default gelu is the exact one: x·Φ(x), Φ via erf.
      return tf.mul(tf.mul(z, 0.5), tf.add(1, tf.erf(tf.mul(z, Math.SQRT1_2))));
    case 'linear':
      return z;
    case 'softmax':
      return tf.softmax(z);
  }
}

export interface ForwardTrace {
  logits: Tensor2D;
  pre: Tensor2D[];
  act: Tensor2D[];
}

/**
 * Forward pass, keeping every layer's pre-activation and activation (the output's is softmax).
 * `cols`: x holds only these input columns (see inputs.ts); the first layer uses the matching
 * kernel rows.
 */
export function forward(plan: readonly DenseLayerPlan[], kernels: readonly Tensor[], biases: readonly Tensor[], x: Tensor2D, cols?: Int32Array): ForwardTrace {
  const pre: Tensor2D[] = [];
  const act: Tensor2D[] = [];
  let h: Tensor2D = x;
  plan.forEach((layer, i) => {
    const kernel = i === 0 ? firstKernel(kernels[0], cols) : (kernels[i] as Tensor2D);
    const z = tf.fused.matMul({ a: h, b: kernel, bias: biases[i] as Tensor1D }) as Tensor2D;
    pre.push(z);
    if (layer.isOutput) {
      act.push(tf.softmax(z));
    } else {
      h = activate(z, layer.activation);
      act.push(h);
    }
  });
  return { logits: pre[pre.length - 1], pre, act };
}

export function crossEntropy(logits: Tensor2D, labels: Tensor2D): Tensor {
  return tf.losses.softmaxCrossEntropy(labels, logits);
}
