/**
 * The layer graph's plan, without tensors: every layer's inputs, shapes, fans, parameter count and
 * sliding window, which tensor is the logits and which layers are measured — or a one-line
 * ConfigError naming the layer (and its line) that can't be built. Pure (no tfjs): the probe
 * builds its variables on it (model.ts), and the editor's CodeLens asks it before offering a run.
 */
import type { GraphActivation, GraphLayer, GraphSpec, NetworkLayer } from '../../protocol';
import { ConfigError } from '../config';
import { slidingWindow } from './kernels';
import type { Window } from './kernels';

export type Shape = number[];

export interface PlannedLayer {
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
  /** Whether the backward pass must compute this layer's input gradient (false when only the input feeds it). */
  needsInputGrad: boolean;
}

export interface GraphPlan {
  spec: GraphSpec;
  layers: PlannedLayer[];
  /** The layer whose output (or, with `logitsArePre`, pre-activation) is the logits. */
  logitsLayer: number;
  logitsArePre: boolean;
  /** Measured layers: every dense and conv2d, with the layer whose output is its activation. */
  measured: { layer: number; actLayer: number; activation: GraphActivation }[];
}

export const fail = (where: GraphLayer, message: string): never => {
  throw new ConfigError('model', `${where.name}${where.line ? ` (line ${where.line})` : ''}: ${message}`);
};

export const shapeText = (s: Shape): string => `(${s.join(', ')})`;
const product = (s: Shape): number => s.reduce((a, b) => a * b, 1);

/** The model's own layout → channels-last, for a shape without the batch axis. */
function toInternal(shape: Shape, layout: GraphSpec['layout']): Shape {
  return layout === 'channels_first' && shape.length === 3 ? [shape[1], shape[2], shape[0]] : [...shape];
}

export function toSourceLayout(shape: Shape, layout: GraphSpec['layout']): Shape {
  return layout === 'channels_first' && shape.length === 3 ? [shape[2], shape[0], shape[1]] : [...shape];
}

/** Shapes, fans and parameter counts of every layer, the output aside (hovers read a convolution's fans from it); a one-line ConfigError for a shape that doesn't fit. */
export function planLayers(spec: GraphSpec, image: { rows: number; cols: number } = { rows: 28, cols: 28 }): PlannedLayer[] {
  const byName = new Map<string, number>();
  const layers: PlannedLayer[] = [];
  const torch = spec.layout === 'channels_first';
  spec.layers.forEach((layer, index) => {
    if (byName.has(layer.name)) fail(layer, 'two layers have this name');
    if (layer.kind === 'input' && index !== 0) fail(layer, 'only one input, the first layer, is supported');
    if (layer.kind !== 'input' && index === 0) fail(layer, 'the first layer must be the input');
    const inputs = layer.kind === 'input' ? [] : (layer.inputs ?? [spec.layers[index - 1].name]).map((n) => byName.get(n) ?? fail(layer, `its input '${n}' is not an earlier layer`));
    const inShapes = inputs.map((i) => layers[i].outShape);
    const x = inShapes[0];
    const planned: PlannedLayer = { spec: layer, index, inputs, inShapes, outShape: [], params: 0, needsInputGrad: inputs.some((i) => i !== 0) };
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
        planned.outShape = shape;
        break;
      }
      case 'dense': {
        if (x.length < 1) fail(layer, 'has no input features');
        const fanIn = x[x.length - 1];
        planned.outShape = [...x.slice(0, -1), layer.units];
        planned.fanIn = fanIn;
        planned.fanOut = layer.units;
        planned.params = fanIn * layer.units + (layer.useBias ? layer.units : 0);
        break;
      }
      case 'conv2d': {
        rank(3);
        const [kh, kw] = layer.kernelSize;
        const [sh, sw] = layer.strides;
        const win = slidingWindow(x[0], x[1], x[2], kh, kw, sh, sw, layer.padding);
        if (!win) fail(layer, `a ${kh}×${kw} kernel does not fit its ${x[0]}×${x[1]} input`);
        planned.window = win;
        planned.outShape = [win!.oh, win!.ow, layer.filters];
        const receptive = kh * kw;
        planned.fanIn = receptive * x[2];
        planned.fanOut = receptive * layer.filters;
        planned.params = receptive * x[2] * layer.filters + (layer.useBias ? layer.filters : 0);
        break;
      }
      case 'max_pooling2d':
      case 'average_pooling2d': {
        rank(3);
        const win = slidingWindow(x[0], x[1], x[2], layer.poolSize[0], layer.poolSize[1], layer.strides[0], layer.strides[1], layer.padding);
        if (!win) fail(layer, `a ${layer.poolSize.join('×')} window does not fit its ${x[0]}×${x[1]} input`);
        planned.window = win;
        planned.outShape = [win!.oh, win!.ow, x[2]];
        break;
      }
      case 'global_average_pooling2d':
        rank(3);
        planned.outShape = [x[2]];
        break;
      case 'flatten':
        planned.outShape = [product(x)];
        break;
      case 'reshape': {
        const target = toInternal(layer.targetShape, spec.layout);
        if (product(target) !== product(x)) fail(layer, `cannot reshape ${shapeText(toSourceLayout(x, spec.layout))} (${product(x)} values) to ${shapeText(layer.targetShape)}`);
        planned.outShape = target;
        break;
      }
      case 'dropout':
      case 'activation':
        planned.outShape = [...x];
        break;
      case 'batch_normalization':
      case 'layer_normalization': {
        const c = x[x.length - 1];
        planned.outShape = [...x];
        planned.params = 2 * c;
        // Keras' count_params() includes the moving mean and variance; PyTorch's parameters() does not.
        if (layer.kind === 'batch_normalization' && !torch) planned.params += 2 * c;
        break;
      }
      case 'add':
        if (inputs.length < 2) fail(layer, 'needs at least two inputs');
        for (const s of inShapes) if (s.join() !== x.join()) fail(layer, `adds tensors of different shapes ${inShapes.map((t) => shapeText(toSourceLayout(t, spec.layout))).join(' and ')}`);
        planned.outShape = [...x];
        break;
      case 'concatenate': {
        if (inputs.length < 2) fail(layer, 'needs at least two inputs');
        for (const s of inShapes) if (s.length !== x.length || s.slice(0, -1).join() !== x.slice(0, -1).join()) fail(layer, `concatenates tensors of shapes ${inShapes.map((t) => shapeText(toSourceLayout(t, spec.layout))).join(' and ')} along the channels`);
        planned.outShape = [...x.slice(0, -1), inShapes.reduce((a, s) => a + s[s.length - 1], 0)];
        break;
      }
    }
    byName.set(layer.name, index);
    layers.push(planned);
  });
  return layers;
}

/** The whole plan: every layer's shapes, the logits and the measured layers; a one-line ConfigError for anything that can't be built. */
export function planGraph(spec: GraphSpec, image?: { rows: number; cols: number }): GraphPlan {
  const layers = planLayers(spec, image);
  const plan: GraphPlan = { spec, layers, logitsLayer: layers.length - 1, logitsArePre: false, measured: [] };
  resolveOutput(plan);
  return plan;
}

function consumers(plan: GraphPlan, index: number): number[] {
  return plan.layers.filter((l) => l.inputs.includes(index)).map((l) => l.index);
}

/** Which tensor is the logits, and which layers are measured (with their nonlinearity). */
function resolveOutput(graph: GraphPlan): void {
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

/** The network a spec plans to, as the started event lists it; undefined when it can't be planned (the error says why). */
export function plannedNetwork(spec: GraphSpec, image?: { rows: number; cols: number }): NetworkLayer[] | undefined {
  try {
    return planLayers(spec, image).map((l) => ({ name: l.spec.name, kind: l.spec.kind, outputShape: toSourceLayout(l.outShape, spec.layout), params: l.params }));
  } catch {
    return undefined;
  }
}
