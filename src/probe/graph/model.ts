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
import { ConfigError } from '../config';
import { activate, layerSeed } from '../network';
import { derivative, softmaxCrossEntropy } from '../backprop';
import { matMul } from './matmul';
import { avgPool, col2im, im2col, maxPool, maxPoolBackward, slidingWindow } from './kernels';
import type { Window } from './kernels';

export type Shape = number[];

export interface BuiltLayer {
  spec: GraphLayer;
  index: number;
  /** Indices of the layers feeding this one. */
  inputs: number[];
  /** Without the batch axis, channels-last. */
  inShapes: Shape[];
  outShape: Shape;
  /** As the source's framework counts them (Keras counts BatchNormalization's moving statistics, PyTorch does not). */
  params: number;
  window?: Window;
  /** Dense and conv2d: Keras' fans (receptive field × channels for a convolution). */
  fanIn?: number;
  fanOut?: number;
  initializer?: ParsedInitializer;
  kernel?: Variable;
  bias?: Variable;
  gamma?: Variable;
  beta?: Variable;
  movingMean?: Float32Array;
  movingVariance?: Float32Array;
  /** Whether the backward pass must compute this layer's input gradient (false when only the input feeds it). */
  needsInputGrad: boolean;
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

const fail = (where: GraphLayer, message: string): never => {
  throw new ConfigError('model', `${where.name}${where.line ? ` (line ${where.line})` : ''}: ${message}`);
};

const shapeText = (s: Shape): string => `(${s.join(', ')})`;
const product = (s: Shape): number => s.reduce((a, b) => a * b, 1);

/** The model's own layout → channels-last, for a shape without the batch axis. */
function toInternal(shape: Shape, layout: GraphSpec['layout']): Shape {
  return layout === 'channels_first' && shape.length === 3 ? [shape[1], shape[2], shape[0]] : [...shape];
}

export function toSourceLayout(shape: Shape, layout: GraphSpec['layout']): Shape {
  return layout === 'channels_first' && shape.length === 3 ? [shape[2], shape[0], shape[1]] : [...shape];
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

/** Shapes, parameter counts and variables of every layer; a one-line ConfigError for anything that can't be built. */
export function buildGraph(spec: GraphSpec, options: BuildOptions): Graph {
  const image = options.image ?? { rows: 28, cols: 28 };
  const byName = new Map<string, number>();
  const layers: BuiltLayer[] = [];
  const variables: Variable[] = [];
  const torch = spec.layout === 'channels_first';
  try {
    spec.layers.forEach((layer, index) => {
      if (byName.has(layer.name)) fail(layer, 'two layers have this name');
      if (layer.kind === 'input' && index !== 0) fail(layer, 'only one input, the first layer, is supported');
      if (layer.kind !== 'input' && index === 0) fail(layer, 'the first layer must be the input');
      const inputs = layer.kind === 'input' ? [] : (layer.inputs ?? [spec.layers[index - 1].name]).map((n) => byName.get(n) ?? fail(layer, `its input '${n}' is not an earlier layer`));
      const inShapes = inputs.map((i) => layers[i].outShape);
      const x = inShapes[0];
      const built: BuiltLayer = { spec: layer, index, inputs, inShapes, outShape: [], params: 0, needsInputGrad: inputs.some((i) => i !== 0) };
      const seed = layerSeed(options.seed, index);
      const rank = (r: number): void => {
        if (x.length !== r) fail(layer, `needs an input of rank ${r} (batch axis aside), got ${shapeText(toSourceLayout(x, spec.layout))}`);
      };
      if (layer.kind !== 'add' && layer.kind !== 'concatenate' && inputs.length > 1) fail(layer, 'takes one input');
      if (layer.inFeatures !== undefined && x && x[x.length - 1] !== layer.inFeatures) {
        fail(layer, `is written for ${layer.inFeatures} input ${x.length === 3 ? 'channels' : 'features'}, but its input has shape ${shapeText(toSourceLayout(x, spec.layout))}`);
      }
      switch (layer.kind) {
        case 'input': {
          const shape = toInternal(layer.shape, spec.layout);
          const pixels = image.rows * image.cols;
          const fits = (shape.length === 1 && shape[0] === pixels) || (shape.length === 2 && shape[0] === image.rows && shape[1] === image.cols) || (shape.length === 3 && shape[0] === image.rows && shape[1] === image.cols && shape[2] === 1);
          if (!fits) {
            const layoutText = torch ? `1×${image.rows}×${image.cols}` : `${image.rows}×${image.cols}×1`;
            fail(layer, `the model expects input shape ${shapeText(layer.shape)}; the probe feeds MNIST digits: ${layoutText} (or ${pixels} flattened)`);
          }
          built.outShape = shape;
          break;
        }
        case 'dense': {
          if (x.length < 1) fail(layer, 'has no input features');
          const fanIn = x[x.length - 1];
          built.outShape = [...x.slice(0, -1), layer.units];
          built.fanIn = fanIn;
          built.fanOut = layer.units;
          built.initializer = parseFor(layer.kernelInitializer ?? options.defaultInitializer, layer, 'kernel initializer');
          built.params = fanIn * layer.units + (layer.useBias ? layer.units : 0);
          const k = sampleKernel(built.initializer.spec, fanIn, layer.units, seed);
          built.kernel = tf.variable(k, true, `${options.runId}/${layer.name}/kernel`);
          k.dispose();
          break;
        }
        case 'conv2d': {
          rank(3);
          const [kh, kw] = layer.kernelSize;
          const [sh, sw] = layer.strides;
          const win = slidingWindow(x[0], x[1], x[2], kh, kw, sh, sw, layer.padding);
          if (!win) fail(layer, `a ${kh}×${kw} kernel does not fit its ${x[0]}×${x[1]} input`);
          built.window = win;
          built.outShape = [win!.oh, win!.ow, layer.filters];
          const receptive = kh * kw;
          built.fanIn = receptive * x[2];
          built.fanOut = receptive * layer.filters;
          built.initializer = parseFor(layer.kernelInitializer ?? options.defaultInitializer, layer, 'kernel initializer');
          built.params = receptive * x[2] * layer.filters + (layer.useBias ? layer.filters : 0);
          const k = sampleKernel(built.initializer.spec, receptive * x[2], layer.filters, seed, { fanIn: built.fanIn, fanOut: built.fanOut });
          built.kernel = tf.variable(k, true, `${options.runId}/${layer.name}/kernel`);
          k.dispose();
          break;
        }
        case 'max_pooling2d':
        case 'average_pooling2d': {
          rank(3);
          const win = slidingWindow(x[0], x[1], x[2], layer.poolSize[0], layer.poolSize[1], layer.strides[0], layer.strides[1], layer.padding);
          if (!win) fail(layer, `a ${layer.poolSize.join('×')} window does not fit its ${x[0]}×${x[1]} input`);
          built.window = win;
          built.outShape = [win!.oh, win!.ow, x[2]];
          break;
        }
        case 'global_average_pooling2d':
          rank(3);
          built.outShape = [x[2]];
          break;
        case 'flatten':
          built.outShape = [product(x)];
          break;
        case 'reshape': {
          const target = toInternal(layer.targetShape, spec.layout);
          if (product(target) !== product(x)) fail(layer, `cannot reshape ${shapeText(toSourceLayout(x, spec.layout))} (${product(x)} values) to ${shapeText(layer.targetShape)}`);
          built.outShape = target;
          break;
        }
        case 'dropout':
        case 'activation':
          built.outShape = [...x];
          break;
        case 'batch_normalization':
        case 'layer_normalization': {
          const c = x[x.length - 1];
          built.outShape = [...x];
          const gammaText = layer.kind === 'batch_normalization' ? layer.gammaInitializer : 'ones';
          const betaText = layer.kind === 'batch_normalization' ? layer.betaInitializer : 'zeros';
          const g = sampleKernel(parseFor(gammaText, layer, 'gamma initializer').spec, 1, c, seed);
          const b = sampleKernel(parseFor(betaText, layer, 'beta initializer').spec, 1, c, seed + 1);
          const g1 = tf.reshape(g, [c]);
          const b1 = tf.reshape(b, [c]);
          built.gamma = tf.variable(g1, true, `${options.runId}/${layer.name}/gamma`);
          built.beta = tf.variable(b1, true, `${options.runId}/${layer.name}/beta`);
          tf.dispose([g, b, g1, b1]);
          built.params = 2 * c;
          if (layer.kind === 'batch_normalization') {
            built.movingMean = new Float32Array(c);
            built.movingVariance = new Float32Array(c).fill(1);
            // Keras' count_params() includes the moving mean and variance; PyTorch's parameters() does not.
            if (!torch) built.params += 2 * c;
          }
          break;
        }
        case 'add':
          if (inputs.length < 2) fail(layer, 'needs at least two inputs');
          for (const s of inShapes) if (s.join() !== x.join()) fail(layer, `adds tensors of different shapes ${inShapes.map((t) => shapeText(toSourceLayout(t, spec.layout))).join(' and ')}`);
          built.outShape = [...x];
          break;
        case 'concatenate': {
          if (inputs.length < 2) fail(layer, 'needs at least two inputs');
          for (const s of inShapes) if (s.length !== x.length || s.slice(0, -1).join() !== x.slice(0, -1).join()) fail(layer, `concatenates tensors of shapes ${inShapes.map((t) => shapeText(toSourceLayout(t, spec.layout))).join(' and ')} along the channels`);
          built.outShape = [...x.slice(0, -1), inShapes.reduce((a, s) => a + s[s.length - 1], 0)];
          break;
        }
      }
      if ((layer.kind === 'dense' || layer.kind === 'conv2d') && layer.useBias) {
        const n = layer.kind === 'dense' ? layer.units : layer.filters;
        const b = tf.zeros([n]);
        built.bias = tf.variable(b, true, `${options.runId}/${layer.name}/bias`);
        b.dispose();
      }
      for (const v of [built.kernel, built.bias, built.gamma, built.beta]) if (v) variables.push(v);
      byName.set(layer.name, index);
      layers.push(built);
    });
  } catch (err) {
    tf.dispose(variables);
    throw err;
  }
  const graph: Graph = { spec, layers, variables, logitsLayer: layers.length - 1, logitsArePre: false, measured: [] };
  try {
    resolveOutput(graph);
  } catch (err) {
    tf.dispose(variables);
    throw err;
  }
  return graph;
}

function consumers(graph: Graph, index: number): number[] {
  return graph.layers.filter((l) => l.inputs.includes(index)).map((l) => l.index);
}

/** Which tensor is the logits, and which layers are measured (with their nonlinearity). */
function resolveOutput(graph: Graph): void {
  const last = graph.layers[graph.layers.length - 1];
  const s = last.spec;
  if (last.outShape.length !== 1 || last.outShape[0] !== 10) fail(s, `the output has shape ${shapeText(toSourceLayout(last.outShape, graph.spec.layout))}; the probe trains on MNIST's 10 classes`);
  if (s.kind === 'activation' && s.activation === 'softmax') {
    graph.logitsLayer = last.inputs[0];
  } else if ((s.kind === 'dense' || s.kind === 'conv2d') && s.activation === 'softmax') {
    graph.logitsArePre = true;
  } else if ((s.kind === 'dense' || s.kind === 'activation') && s.activation !== 'linear') {
    fail(s, `the output layer's ${s.activation} is not a softmax; the probe trains with softmax cross-entropy`);
  }
  for (const layer of graph.layers) {
    const ls = layer.spec;
    if (ls.kind !== 'dense' && ls.kind !== 'conv2d') continue;
    let actLayer = layer.index;
    let activation: GraphActivation = ls.activation;
    // Dense(…) followed by Activation('relu') / ReLU() / F.relu: that is its nonlinearity.
    const next = consumers(graph, layer.index);
    if (activation === 'linear' && next.length === 1) {
      const c = graph.layers[next[0]].spec;
      if (c.kind === 'activation' && !(c.activation === 'softmax' && next[0] === graph.layers.length - 1)) {
        actLayer = next[0];
        activation = c.activation;
      }
    }
    if (layer.index === graph.layers.length - 1 || layer.index === graph.logitsLayer) activation = 'softmax';
    graph.measured.push({ layer: layer.index, actLayer, activation });
  }
  if (graph.measured.length === 0) fail(s, 'the model has no Dense or convolution layer');
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
