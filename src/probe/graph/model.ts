/**
 * The layer graph: a model as written (dense, convolution, pooling, normalization, dropout,
 * residual add and concatenation) built from a GraphSpec, with its own variables, a forward pass
 * that keeps what the probe measures, and a hand-written backward pass. Why by hand: tfjs' wasm
 * backend has no Conv2DBackpropFilter kernel and its autograd costs tens of microseconds per op;
 * a unit test checks every layer kind against tf.grads.
 *
 * Tensors are channels-last (NHWC) inside, whatever the source's layout: a PyTorch model's
 * [C, H, W] becomes [H, W, C]. Every layer computes the same function up to a fixed permutation
 * of features (Flatten's order), which changes no statistic the probe measures.
 */
import { tf } from '../tfjs';
import type { Tensor, Tensor1D, Tensor2D, Variable } from '@tensorflow/tfjs-core';
import type { GraphActivation, GraphLayer, GraphSpec, NetworkLayer } from '../../protocol';
import type { ParsedInitializer } from '../initializers/spec';
import { parseInitializer } from '../initializers/parse';
import { sampleKernel } from '../initializers/sample';
import { activate, layerSeed } from '../network';
import { derivative, softmaxCrossEntropy } from '../backprop';
import { matMul } from './matmul';
import { avgPool, col2im, im2col, maxPool, maxPoolBackward } from './kernels';
import { fail, planGraph, toSourceLayout } from './shapes';
import type { PlannedLayer } from './shapes';

export type { Shape } from './shapes';
export { toSourceLayout } from './shapes';

const product = (s: readonly number[]): number => s.reduce((a, b) => a * b, 1);

/** A planned layer (shapes.ts) with its variables. */
export interface BuiltLayer extends PlannedLayer {
  initializer?: ParsedInitializer;
  kernel?: Variable;
  bias?: Variable;
  gamma?: Variable;
  beta?: Variable;
  movingMean?: Float32Array;
  movingVariance?: Float32Array;
}

export interface Graph {
  spec: GraphSpec;
  layers: BuiltLayer[];
  /** Trainable variables in optimizer order. */
  variables: Variable[];
  /** The layer whose output (or, with `logitsArePre`, pre-activation) is the logits. */
  logitsLayer: number;
  logitsArePre: boolean;
  /** Measured layers: every dense and conv2d, with the layer whose output is its activation. */
  measured: { layer: number; actLayer: number; activation: GraphActivation }[];
}

function parseFor(text: string, where: GraphLayer, what: string): ParsedInitializer {
  try {
    return parseInitializer(text);
  } catch (err) {
    return fail(where, `${what}: ${(err as Error).message}`);
  }
}

export interface BuildOptions {
  /** Kernel initializer for layers that name none (compare: the candidate). */
  defaultInitializer: string;
  seed: number;
  runId: string;
  /** The data's image: MNIST 28×28, one channel. */
  image?: { rows: number; cols: number };
}

/** Variables of every layer on the plan (shapes.ts); a one-line ConfigError for anything that can't be built. */
export function buildGraph(spec: GraphSpec, options: BuildOptions): Graph {
  const plan = planGraph(spec, options.image);
  const variables: Variable[] = [];
  const layers: BuiltLayer[] = [];
  try {
    for (const p of plan.layers) {
      const layer = p.spec;
      const built: BuiltLayer = { ...p };
      const seed = layerSeed(options.seed, p.index);
      if (layer.kind === 'dense' || layer.kind === 'conv2d') {
        built.initializer = parseFor(layer.kernelInitializer ?? options.defaultInitializer, layer, 'kernel initializer');
        const units = layer.kind === 'dense' ? layer.units : layer.filters;
        // A convolution's kernel is sampled as its [receptive field × in channels, filters] matrix, with Keras' fans.
        const k = layer.kind === 'dense' ? sampleKernel(built.initializer.spec, p.fanIn!, units, seed) : sampleKernel(built.initializer.spec, p.fanIn!, units, seed, { fanIn: p.fanIn!, fanOut: p.fanOut! });
        built.kernel = tf.variable(k, true, `${options.runId}/${layer.name}/kernel`);
        k.dispose();
      }
      if (layer.kind === 'batch_normalization' || layer.kind === 'layer_normalization') {
        const c = p.outShape[p.outShape.length - 1];
        const gammaText = layer.kind === 'batch_normalization' ? layer.gammaInitializer : 'ones';
        const betaText = layer.kind === 'batch_normalization' ? layer.betaInitializer : 'zeros';
        const g = sampleKernel(parseFor(gammaText, layer, 'gamma initializer').spec, 1, c, seed);
        const b = sampleKernel(parseFor(betaText, layer, 'beta initializer').spec, 1, c, seed + 1);
        const g1 = tf.reshape(g, [c]);
        const b1 = tf.reshape(b, [c]);
        built.gamma = tf.variable(g1, true, `${options.runId}/${layer.name}/gamma`);
        built.beta = tf.variable(b1, true, `${options.runId}/${layer.name}/beta`);
        tf.dispose([g, b, g1, b1]);
        if (layer.kind === 'batch_normalization') {
          built.movingMean = new Float32Array(c);
          built.movingVariance = new Float32Array(c).fill(1);
        }
      }
      if ((layer.kind === 'dense' || layer.kind === 'conv2d') && layer.useBias) {
        const n = layer.kind === 'dense' ? layer.units : layer.filters;
        const b = tf.zeros([n]);
        built.bias = tf.variable(b, true, `${options.runId}/${layer.name}/bias`);
        b.dispose();
      }
      for (const v of [built.kernel, built.bias, built.gamma, built.beta]) if (v) variables.push(v);
      layers.push(built);
    }
  } catch (err) {
    tf.dispose(variables);
    throw err;
  }
  return { spec, layers, variables, logitsLayer: plan.logitsLayer, logitsArePre: plan.logitsArePre, measured: plan.measured };
}

export function disposeGraph(graph: Graph): void {
  tf.dispose(graph.variables);
}

/** Every layer as the started event lists it. */
export function describeNetwork(graph: Graph): NetworkLayer[] {
  return graph.layers.map((l) => ({ name: l.spec.name, kind: l.spec.kind, outputShape: toSourceLayout(l.outShape, graph.spec.layout), params: l.params }));
}

export function parameterCount(graph: Graph): number {
  return graph.layers.reduce((a, l) => a + l.params, 0);
}

/**
 * training: dropout on, BatchNormalization on batch statistics, moving averages updated.
 * measuring: dropout off, BatchNormalization on batch statistics (what the network sees while it
 * trains), moving averages untouched. Neither: evaluation (dropout off, moving averages).
 */
export interface ForwardContext {
  training: boolean;
  measuring?: boolean;
  /** The run's seeded stream (dropout masks). */
  random: () => number;
}

export interface Trace {
  /** Output of every layer (tensors owned by the caller's tidy). */
  out: Tensor[];
  /** Dense/conv2d pre-activations by layer index. */
  pre: (Tensor | undefined)[];
  caches: unknown[];
  logits: Tensor2D;
}

function applyActivation(z: Tensor, activation: GraphActivation): Tensor {
  return activation === 'softmax' ? tf.softmax(z) : activate(z as Tensor2D, activation);
}

function activationBackward(dy: Tensor, z: Tensor, a: Tensor, activation: GraphActivation): Tensor {
  if (activation === 'softmax') return tf.mul(a, tf.sub(dy, tf.sum(tf.mul(dy, a), -1, true)));
  const f = derivative(z as Tensor2D, a as Tensor2D, activation);
  return f ? tf.mul(dy, f) : dy;
}

interface ConvCache {
  cols: Tensor2D;
  n: number;
}
export interface NormCache {
  xhat: Tensor;
  invStd: Tensor;
  /** BatchNormalization: the batch statistics per channel. */
  mean?: Tensor;
  variance?: Tensor;
}

/** Forward pass over a batch x ([n, …input shape], channels-last). */
export function forwardGraph(graph: Graph, x: Tensor, ctx: ForwardContext): Trace {
  const L = graph.layers.length;
  const out: Tensor[] = new Array<Tensor>(L);
  const pre: (Tensor | undefined)[] = new Array<Tensor | undefined>(L).fill(undefined);
  const caches: unknown[] = new Array<unknown>(L).fill(undefined);
  const n = x.shape[0];
  for (const layer of graph.layers) {
    const s = layer.spec;
    const xin = layer.inputs.length > 0 ? out[layer.inputs[0]] : x;
    let y: Tensor;
    switch (s.kind) {
      case 'input':
        y = tf.reshape(x, [n, ...layer.outShape]);
        break;
      case 'dense': {
        const c = layer.fanIn!;
        const x2 = xin.rank === 2 ? (xin as Tensor2D) : (tf.reshape(xin, [-1, c]) as Tensor2D);
        const z2 = matMul(x2, layer.kernel as Tensor2D, false, false, layer.bias as Tensor1D | undefined);
        const z = xin.rank === 2 ? z2 : tf.reshape(z2, [n, ...layer.outShape]);
        pre[layer.index] = z;
        caches[layer.index] = x2;
        y = applyActivation(z, s.activation);
        break;
      }
      case 'conv2d': {
        const win = layer.window!;
        const cols = tf.tensor2d(im2col(xin.dataSync() as Float32Array, n, win), [n * win.oh * win.ow, win.kh * win.kw * win.c]);
        const z = tf.reshape(matMul(cols, layer.kernel as Tensor2D, false, false, layer.bias as Tensor1D | undefined), [n, ...layer.outShape]);
        pre[layer.index] = z;
        caches[layer.index] = { cols, n } satisfies ConvCache;
        y = applyActivation(z, s.activation);
        break;
      }
      case 'max_pooling2d': {
        const argmax = new Int32Array(n * product(layer.outShape));
        y = tf.tensor(maxPool(xin.dataSync() as Float32Array, n, layer.window!, argmax), [n, ...layer.outShape]);
        caches[layer.index] = argmax;
        break;
      }
      case 'average_pooling2d':
        y = tf.tensor(avgPool(xin.dataSync() as Float32Array, n, layer.window!), [n, ...layer.outShape]);
        break;
      case 'global_average_pooling2d':
        y = tf.mean(xin, [1, 2]);
        break;
      case 'flatten':
      case 'reshape':
        y = tf.reshape(xin, [n, ...layer.outShape]);
        break;
      case 'dropout': {
        if (!ctx.training || s.rate === 0) {
          y = xin;
          break;
        }
        // Inverted dropout (Keras, PyTorch): kept units scaled by 1/(1 − rate), from the run's seeded stream.
        const size = xin.size;
        const mask = new Float32Array(size);
        const keep = 1 / (1 - s.rate);
        for (let i = 0; i < size; i++) mask[i] = ctx.random() >= s.rate ? keep : 0;
        const m = tf.tensor(mask, xin.shape);
        caches[layer.index] = m;
        y = tf.mul(xin, m);
        break;
      }
      case 'batch_normalization': {
        const axes = xin.shape.slice(0, -1).map((_, i) => i);
        if (ctx.training || ctx.measuring) {
          const { mean, variance } = tf.moments(xin, axes);
          const invStd = tf.rsqrt(tf.add(variance, s.epsilon));
          const xhat = tf.mul(tf.sub(xin, mean), invStd);
          y = tf.add(tf.mul(xhat, layer.gamma!), layer.beta!);
          caches[layer.index] = { xhat, invStd, mean, variance } satisfies NormCache;
          if (!ctx.training) break;
          const m = mean.dataSync();
          const v = variance.dataSync();
          const count = xin.size / m.length;
          const correction = s.unbiasedMovingVariance && count > 1 ? count / (count - 1) : 1;
          for (let c = 0; c < m.length; c++) {
            layer.movingMean![c] = s.momentum * layer.movingMean![c] + (1 - s.momentum) * m[c];
            layer.movingVariance![c] = s.momentum * layer.movingVariance![c] + (1 - s.momentum) * v[c] * correction;
          }
        } else {
          const mean = tf.tensor1d(layer.movingMean!);
          const invStd = tf.rsqrt(tf.add(tf.tensor1d(layer.movingVariance!), s.epsilon));
          y = tf.add(tf.mul(tf.mul(tf.sub(xin, mean), invStd), layer.gamma!), layer.beta!);
        }
        break;
      }
      case 'layer_normalization': {
        const { mean, variance } = tf.moments(xin, -1, true);
        const invStd = tf.rsqrt(tf.add(variance, s.epsilon));
        const xhat = tf.mul(tf.sub(xin, mean), invStd);
        caches[layer.index] = { xhat, invStd } satisfies NormCache;
        y = tf.add(tf.mul(xhat, layer.gamma!), layer.beta!);
        break;
      }
      case 'activation':
        y = applyActivation(xin, s.activation);
        break;
      case 'add':
        y = layer.inputs.map((i) => out[i]).reduce((a, b) => tf.add(a, b));
        break;
      case 'concatenate':
        y = tf.concat(
          layer.inputs.map((i) => out[i]),
          -1,
        );
        break;
    }
    out[layer.index] = y;
  }
  const logits = (graph.logitsArePre ? pre[graph.logitsLayer]! : out[graph.logitsLayer]) as Tensor2D;
  return { out, pre, caches, logits };
}

export interface GraphGrads {
  loss: number;
  accuracy: number;
  /** Same order as graph.variables. */
  grads: Tensor[];
  /** δ = ∂L/∂(pre-activation) of each measured layer, in graph.measured order. */
  deltas: Tensor[];
  trace: Trace;
}

/** Mean softmax cross-entropy and every gradient, in one forward and one backward pass. Call inside tf.tidy. */
export function graphLossAndGrads(graph: Graph, x: Tensor, labels: Tensor2D, ctx: ForwardContext): GraphGrads {
  const trace = forwardGraph(graph, x, ctx);
  const { out, pre, caches, logits } = trace;
  const n = x.shape[0];
  const head = softmaxCrossEntropy(logits.dataSync() as Float32Array, labels.dataSync() as Float32Array, n, logits.shape[1]);
  const L = graph.layers.length;
  const dOut: (Tensor | undefined)[] = new Array<Tensor | undefined>(L).fill(undefined);
  const dPre: (Tensor | undefined)[] = new Array<Tensor | undefined>(L).fill(undefined);
  const paramGrads = new Map<Variable, Tensor>();
  const delta = tf.tensor2d(head.delta, logits.shape);
  if (graph.logitsArePre) dPre[graph.logitsLayer] = delta;
  else dOut[graph.logitsLayer] = delta;
  const accumulate = (i: number, g: Tensor): void => {
    dOut[i] = dOut[i] ? tf.add(dOut[i]!, g) : g;
  };
  const firstToRun = graph.logitsLayer;
  for (let i = firstToRun; i >= 1; i--) {
    const layer = graph.layers[i];
    const s = layer.spec;
    const dy = dOut[i];
    if (!dy && !dPre[i]) continue; // nothing downstream uses it
    const xin = out[layer.inputs[0]];
    const want = layer.needsInputGrad;
    switch (s.kind) {
      case 'input':
        break;
      case 'dense': {
        const dz = dPre[i] ?? activationBackward(dy!, pre[i]!, out[i], s.activation);
        dPre[i] = dz;
        const dz2 = dz.rank === 2 ? (dz as Tensor2D) : (tf.reshape(dz, [-1, s.units]) as Tensor2D);
        paramGrads.set(layer.kernel!, matMul(caches[i] as Tensor2D, dz2, true));
        if (layer.bias) paramGrads.set(layer.bias, tf.sum(dz2, 0));
        if (want) accumulate(layer.inputs[0], tf.reshape(matMul(dz2, layer.kernel as Tensor2D, false, true), xin.shape));
        break;
      }
      case 'conv2d': {
        const dz = dPre[i] ?? activationBackward(dy!, pre[i]!, out[i], s.activation);
        dPre[i] = dz;
        const { cols } = caches[i] as ConvCache;
        const dz2 = tf.reshape(dz, [-1, s.filters]) as Tensor2D;
        paramGrads.set(layer.kernel!, matMul(cols, dz2, true));
        if (layer.bias) paramGrads.set(layer.bias, tf.sum(dz2, 0));
        if (want) {
          const dcols = matMul(dz2, layer.kernel as Tensor2D, false, true);
          accumulate(layer.inputs[0], tf.tensor(col2im(dcols.dataSync() as Float32Array, n, layer.window!), xin.shape));
        }
        break;
      }
      case 'max_pooling2d':
        if (want) accumulate(layer.inputs[0], tf.tensor(maxPoolBackward(dy!.dataSync() as Float32Array, caches[i] as Int32Array, xin.size), xin.shape));
        break;
      case 'average_pooling2d':
        if (want) accumulate(layer.inputs[0], tf.tensor(avgPool(new Float32Array(0), n, layer.window!, dy!.dataSync() as Float32Array), xin.shape));
        break;
      case 'global_average_pooling2d':
        if (want) {
          const [, h, w, c] = xin.shape;
          accumulate(layer.inputs[0], tf.broadcastTo(tf.div(tf.reshape(dy!, [n, 1, 1, c]), h * w), xin.shape));
        }
        break;
      case 'flatten':
      case 'reshape':
        if (want) accumulate(layer.inputs[0], tf.reshape(dy!, xin.shape));
        break;
      case 'dropout': {
        const m = caches[i] as Tensor | undefined;
        if (want) accumulate(layer.inputs[0], m ? tf.mul(dy!, m) : dy!);
        break;
      }
      case 'batch_normalization':
      case 'layer_normalization': {
        const { xhat, invStd } = caches[i] as NormCache;
        const bn = s.kind === 'batch_normalization';
        const allButChannels = xin.shape.slice(0, -1).map((_, k) => k);
        // BatchNormalization normalizes each channel over the batch (and positions); LayerNormalization each example over its channels.
        const axes = bn ? allButChannels : [xin.rank - 1];
        paramGrads.set(layer.gamma!, tf.sum(tf.mul(dy!, xhat), allButChannels));
        paramGrads.set(layer.beta!, tf.sum(dy!, allButChannels));
        if (want) {
          const m = bn ? xin.size / xin.shape[xin.rank - 1] : xin.shape[xin.rank - 1];
          const dxhat = tf.mul(dy!, layer.gamma!);
          const sum1 = tf.sum(dxhat, axes, true);
          const sum2 = tf.sum(tf.mul(dxhat, xhat), axes, true);
          accumulate(layer.inputs[0], tf.mul(tf.div(invStd, m), tf.sub(tf.sub(tf.mul(dxhat, m), sum1), tf.mul(xhat, sum2))));
        }
        break;
      }
      case 'activation':
        if (want) accumulate(layer.inputs[0], activationBackward(dy!, xin, out[i], s.activation));
        break;
      case 'add':
        for (const k of layer.inputs) if (k !== 0) accumulate(k, dy!);
        break;
      case 'concatenate': {
        const parts = tf.split(
          dy!,
          layer.inShapes.map((sh) => sh[sh.length - 1]),
          -1,
        );
        layer.inputs.forEach((k, j) => {
          if (k !== 0) accumulate(k, parts[j]);
        });
        break;
      }
    }
  }
  // A variable the loss does not reach (a layer after the logits) gets a zero gradient.
  const grads = graph.variables.map((v) => paramGrads.get(v) ?? tf.zerosLike(v));
  const deltas = graph.measured.map((m) => dPre[m.layer] ?? tf.zerosLike(pre[m.layer]!));
  return { loss: head.loss, accuracy: head.accuracy, grads, deltas, trace };
}
