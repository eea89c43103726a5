/**
 * A model in a source file → the layer graph the probe builds, as written: Keras
 * `Sequential([...])` / `.add()` chains and the functional API (`Input` → layer calls →
 * `Model(inputs, outputs)`, through helper functions and literal `for` loops), TensorFlow.js
 * `tf.sequential` and `tf.model`, PyTorch `nn.Sequential` (top-level or in a Module) and
 * `nn.Module` subclasses whose `forward` is a sequence of module calls, `F.*` functions,
 * `torch.flatten` / `.view` / `.reshape` and `x + h`. Nothing is dropped silently: a layer the
 * probe cannot build is listed with its line, and the model is refused with that list. Pure.
 */
import type { GraphActivation, GraphLayer, GraphSpec, Padding } from '../protocol';
import { GRAPH_ACTIVATIONS } from '../protocol';
import type { SourceLanguage } from './lexer';
import { lineOf, tokenize } from './lexer';
import { SyntaxReader } from './syntaxTree';
import { pyBlocks } from './scan/pyBlocks';
import type { PyStatement } from './scan/pyBlocks';
import type { CallNode } from './syntaxTree';
import type { Arg, SyntaxNode } from './syntaxTree';
import { scanSource } from './scanner';
import type { LayerDef, SourceModel } from './sourceModel';
import { normalizeActivation, TORCH_ACTIVATION_FUNCTIONS } from './layerKinds';
import { requestText } from './requestText';
import { firstLine } from '../protocol/parse';

export type ModelFramework = 'keras' | 'tfjs' | 'torch';

export interface SourceGraph {
  /** The variable, function or class that names the model. */
  name: string;
  framework: ModelFramework;
  /** 1-based line of the model's definition. */
  line: number;
  /** Set when every layer could be built. */
  graph?: GraphSpec;
  /** Names of layers whose kernel initializer is written in the source (compare keeps them). */
  writtenKernels: string[];
  /**
   * Kernels whose initializer is a variable the file gives several values (a function parameter
   * called with several initializers: the seed notebook). The graph holds the first; the source
   * varies it, so compare replaces it like a default.
   */
  kernelChoices?: { layer: string; variable: string; texts: string[] }[];
  /** What the probe cannot build, each with its line: `LSTM (line 12)`. */
  unsupported: string[];
  /** Anything else worth saying (an assumed input shape). */
  notes: string[];
  /** Why the model can't be read at all. */
  problem?: string;
}

/** Library default kernel initializers, as InitLens reads them. */
const DEFAULT_KERNEL: Record<ModelFramework, string> = {
  keras: 'glorot_uniform',
  tfjs: 'glorotNormal',
  // nn.Linear / nn.Conv2d reset_parameters(): kaiming_uniform_(weight, a=√5), i.e. U(±1/√fan_in).
  torch: 'kaiming_uniform_(w, a=math.sqrt(5))',
};

class Unsupported extends Error {}

interface Ctx {
  text: string;
  source: SourceModel;
  lineStarts: number[];
  python: boolean;
  calls: Map<number, CallNode>;
}

const lineAt = (ctx: Ctx, offset: number): number => lineOf(ctx.lineStarts, offset) + 1;

/**
 * Module-level constants of the file being read (`num_classes = 10`, `input_shape = (28, 28, 1)`),
 * set by sourceGraphs for the duration of one synchronous read.
 */
let constants = new Map<string, number[]>();

function readConstants(text: string): Map<string, number[]> {
  const out = new Map<string, number[]>();
  const re = /^([A-Za-z_]\w*)\s*=\s*(?:(-?\d+(?:\.\d+)?(?:e-?\d+)?)|[([]\s*((?:\d+\s*,\s*)*\d+)\s*,?\s*[)\]])\s*(?:#.*)?$/gm;
  let m: RegExpExecArray | null;
  while ((m = re.exec(text))) {
    if (m[2] !== undefined) out.set(m[1], [Number(m[2])]);
    else out.set(m[1], m[3].split(',').map((t) => Number(t.trim())));
  }
  // A name assigned twice is not a constant.
  const counts = new Map<string, number>();
  for (const a of text.matchAll(/^([A-Za-z_]\w*)\s*=/gm)) counts.set(a[1], (counts.get(a[1]) ?? 0) + 1);
  for (const [k, n] of counts) if (n > 1) out.delete(k);
  return out;
}

function constantOf(node: SyntaxNode): number[] | undefined {
  return node.type === 'name' && node.path.length === 1 ? constants.get(node.path[0]) : undefined;
}

function num(node: SyntaxNode | undefined): number | undefined {
  if (!node) return undefined;
  if (node.type === 'number') return node.value;
  const c = constantOf(node);
  return c && c.length === 1 ? c[0] : undefined;
}

function ints(node: SyntaxNode | undefined, what: string): [number, number] | undefined {
  if (!node) return undefined;
  const n = num(node);
  if (n !== undefined) return [n, n];
  if ((node.type === 'tuple' || node.type === 'list') && node.items.length === 2) {
    const a = num(node.items[0].value);
    const b = num(node.items[1].value);
    if (a !== undefined && b !== undefined) return [a, b];
  }
  throw new Unsupported(`${what} can't be read`);
}

function str(node: SyntaxNode | undefined): string | undefined {
  if (!node) return undefined;
  if (node.type === 'string') return node.value;
  if (node.type === 'name') return node.path.join('.');
  return undefined;
}

function bool(node: SyntaxNode | undefined, fallback: boolean): boolean {
  const s = str(node);
  if (s === undefined) return fallback;
  if (s === 'True' || s === 'true') return true;
  if (s === 'False' || s === 'false') return false;
  throw new Unsupported(`'${s}' is not a literal true/false`);
}

function numberShape(node: SyntaxNode | undefined): number[] | undefined {
  if (!node) return undefined;
  if (node.type === 'number') return [node.value];
  const c = constantOf(node);
  if (c) return c;
  if (node.type !== 'tuple' && node.type !== 'list') return undefined;
  const out: number[] = [];
  for (const item of node.items) {
    const n = num(item.value);
    if (n === undefined) return undefined;
    out.push(n);
  }
  return out;
}

/** Argument by keyword (Python), object key (tfjs: the first argument's keys) or position. */
function argOf(call: CallNode, python: boolean, position: number | undefined, ...keys: string[]): SyntaxNode | undefined {
  if (python) {
    const kw = call.args.find((a) => a.key !== undefined && keys.includes(a.key));
    if (kw) return kw.value;
    if (position === undefined) return undefined;
    const positional = call.args.filter((a) => a.key === undefined && !a.spread);
    return positional[position]?.value;
  }
  const first = call.args[0]?.value;
  if (first && first.type === 'object') return first.items.find((i: Arg) => i.key !== undefined && keys.includes(i.key))?.value;
  return undefined;
}

function activationOf(node: SyntaxNode | undefined, fallback: GraphActivation = 'linear'): GraphActivation {
  if (!node) return fallback;
  const written = str(node);
  if (written === undefined) throw new Unsupported(`its activation can't be read`);
  const name = normalizeActivation(written);
  if (!(GRAPH_ACTIVATIONS as readonly string[]).includes(name)) throw new Unsupported(`activation '${written}' is not one the probe builds (${GRAPH_ACTIVATIONS.join(', ')})`);
  return name as GraphActivation;
}

function paddingOf(node: SyntaxNode | undefined, python: boolean, torch: boolean): Padding {
  if (!node) return torch ? [0, 0] : 'valid';
  if (torch) {
    const s = str(node);
    if (s === 'same' || s === 'valid') return s;
    return ints(node, 'padding')!;
  }
  const s = str(node);
  if (s === 'valid' || s === 'same') return s;
  throw new Unsupported(`padding '${s ?? '?'}' (${python ? 'Keras' : 'tfjs'} pads 'valid' or 'same')`);
}

/** Kernel initializer text for a scanned layer, and whether it is written. */
function kernelOf(ctx: Ctx, def: LayerDef | undefined, framework: ModelFramework, call?: CallNode, torchModule?: string): { text: string; written: boolean; choices?: { variable: string; texts: string[] } } {
  // The scanner links sites to Dense layers; for the other layers find the argument (or, in
  // PyTorch, an nn.init call on `self.<module>.weight`) here.
  const own = ctx.source.sites.find(
    (site) =>
      site.role === 'kernel' &&
      ((call && site.start >= call.start && site.end <= call.end && site.key !== undefined) || (torchModule !== undefined && site.tensor === `self.${torchModule}.weight`)),
  );
  if (own) {
    if (!own.parsed) throw new Unsupported(`its kernel initializer can't be read: ${own.error ?? 'not an initializer'}`);
    return { text: requestText(own.text, own.parsed), written: true };
  }
  if (!def) return { text: DEFAULT_KERNEL[framework], written: false };
  const k = def.kernel;
  if (k.kind === 'site') {
    const site = ctx.source.sites[k.site];
    if (!site.parsed) throw new Unsupported(`its kernel initializer can't be read: ${site.error ?? 'not an initializer'}`);
    return { text: requestText(site.text, site.parsed), written: true };
  }
  if (k.kind === 'variable') {
    const texts = [...new Set(k.sites.map((id) => ctx.source.sites[id]).flatMap((s) => (s.parsed ? [requestText(s.text, s.parsed)] : [])))];
    if (texts.length === 0) throw new Unsupported(`its kernel initializer '${k.name}' can't be resolved`);
    if (texts.length === 1) return { text: texts[0], written: true };
    return { text: texts[0], written: false, choices: { variable: k.name, texts } };
  }
  return { text: framework === 'torch' ? DEFAULT_KERNEL.torch : k.text || DEFAULT_KERNEL[framework], written: false };
}

interface Translated {
  layer?: GraphLayer;
  /** An input shape declared on the layer (input_shape=…). */
  inputShape?: number[];
  written?: boolean;
  choices?: { variable: string; texts: string[] };
}

const KERAS_KIND: Record<string, string> = {
  Dense: 'dense',
  Conv2D: 'conv2d',
  Convolution2D: 'conv2d',
  MaxPooling2D: 'max_pooling2d',
  MaxPool2D: 'max_pooling2d',
  AveragePooling2D: 'average_pooling2d',
  AvgPool2D: 'average_pooling2d',
  GlobalAveragePooling2D: 'global_average_pooling2d',
  GlobalAvgPool2D: 'global_average_pooling2d',
  Flatten: 'flatten',
  Reshape: 'reshape',
  Dropout: 'dropout',
  BatchNormalization: 'batch_normalization',
  LayerNormalization: 'layer_normalization',
  Activation: 'activation',
  ReLU: 'relu',
  LeakyReLU: 'leaky_relu',
  ELU: 'elu',
  Softmax: 'softmax',
  Add: 'add',
  Concatenate: 'concatenate',
  Input: 'input',
  InputLayer: 'input',
};

/** tf.layers.* by lower-cased name: conv2d, maxpooling2d, batchnormalization, … */
const TFJS_KIND: Record<string, string> = Object.fromEntries(Object.entries(KERAS_KIND).map(([k, v]) => [k.toLowerCase(), v]));

/** Keras (Python, snake_case keywords) or tfjs (camelCase object keys) layer call → graph layer. */
function kerasLayer(ctx: Ctx, call: CallNode, def: LayerDef | undefined, framework: 'keras' | 'tfjs', name: string): Translated {
  const py = ctx.python;
  const type = call.path[call.path.length - 1];
  const kind = py ? KERAS_KIND[type] : TFJS_KIND[type.toLowerCase()];
  const a = (pos: number | undefined, snake: string, camel: string, ...more: string[]): SyntaxNode | undefined => argOf(call, py, pos, py ? snake : camel, ...more);
  const declared = numberShape(a(undefined, 'input_shape', 'inputShape')) ?? (def?.declaredShape?.every((d) => d !== undefined) ? (def.declaredShape as number[]) : undefined);
  const line = lineAt(ctx, call.start);
  const common = { name, line };
  switch (kind) {
    case 'input': {
      const shape = numberShape(a(0, 'shape', 'shape', 'batch_shape', 'batchShape'));
      if (!shape) throw new Unsupported(`its shape can't be read`);
      return { layer: { kind: 'input', ...common, shape } };
    }
    case 'dense': {
      const units = num(a(0, 'units', 'units'));
      if (units === undefined) throw new Unsupported(`its units can't be read`);
      const k = kernelOf(ctx, def, framework, call);
      return { layer: { kind: 'dense', ...common, units, activation: activationOf(a(1, 'activation', 'activation')), useBias: bool(a(undefined, 'use_bias', 'useBias'), true), kernelInitializer: k.text }, inputShape: declared, written: k.written, choices: k.choices };
    }
    case 'conv2d': {
      const filters = num(a(0, 'filters', 'filters'));
      if (filters === undefined) throw new Unsupported(`its filters can't be read`);
      const kernelSize = ints(a(1, 'kernel_size', 'kernelSize'), 'kernel size');
      if (!kernelSize) throw new Unsupported('its kernel size is missing');
      const k = kernelOf(ctx, def, framework, call);
      const dil = a(undefined, 'dilation_rate', 'dilationRate');
      if (dil && ints(dil, 'dilation')!.some((d) => d !== 1)) throw new Unsupported('dilated convolutions are not built');
      if (a(undefined, 'groups', 'groups') && num(a(undefined, 'groups', 'groups')) !== 1) throw new Unsupported('grouped convolutions are not built');
      return {
        layer: {
          kind: 'conv2d',
          ...common,
          filters,
          kernelSize,
          strides: ints(a(2, 'strides', 'strides'), 'strides') ?? [1, 1],
          padding: paddingOf(a(3, 'padding', 'padding'), py, false),
          activation: activationOf(a(undefined, 'activation', 'activation')),
          useBias: bool(a(undefined, 'use_bias', 'useBias'), true),
          kernelInitializer: k.text,
        },
        inputShape: declared,
        written: k.written,
        choices: k.choices,
      };
    }
    case 'max_pooling2d':
    case 'average_pooling2d': {
      const poolSize = ints(a(0, 'pool_size', 'poolSize'), 'pool size') ?? [2, 2];
      const strideNode = a(1, 'strides', 'strides');
      const strides = strideNode && str(strideNode) !== 'None' ? ints(strideNode, 'strides')! : poolSize;
      return { layer: { kind, ...common, poolSize, strides, padding: paddingOf(a(2, 'padding', 'padding'), py, false) }, inputShape: declared };
    }
    case 'global_average_pooling2d':
      return { layer: { kind, ...common }, inputShape: declared };
    case 'flatten':
      return { layer: { kind, ...common }, inputShape: declared };
    case 'reshape': {
      const targetShape = numberShape(a(0, 'target_shape', 'targetShape'));
      if (!targetShape) throw new Unsupported(`its target shape can't be read`);
      return { layer: { kind, ...common, targetShape }, inputShape: declared };
    }
    case 'dropout': {
      const rate = num(a(0, 'rate', 'rate'));
      if (rate === undefined) throw new Unsupported(`its rate can't be read`);
      return { layer: { kind, ...common, rate }, inputShape: declared };
    }
    case 'batch_normalization': {
      const axis = num(a(undefined, 'axis', 'axis'));
      if (axis !== undefined && axis !== -1 && axis !== 3) throw new Unsupported(`axis=${axis}: only the channels axis (-1) is built`);
      return {
        layer: {
          kind,
          ...common,
          momentum: num(a(undefined, 'momentum', 'momentum')) ?? 0.99,
          epsilon: num(a(undefined, 'epsilon', 'epsilon')) ?? 1e-3,
          gammaInitializer: str(a(undefined, 'gamma_initializer', 'gammaInitializer')) ?? 'ones',
          betaInitializer: str(a(undefined, 'beta_initializer', 'betaInitializer')) ?? 'zeros',
        },
        inputShape: declared,
      };
    }
    case 'layer_normalization': {
      const axis = a(undefined, 'axis', 'axis');
      if (axis && num(axis) !== -1) throw new Unsupported(`axis=${ctx.text.slice(axis.start, axis.end)}: only the last axis is built`);
      return { layer: { kind, ...common, epsilon: num(a(undefined, 'epsilon', 'epsilon')) ?? 1e-3 }, inputShape: declared };
    }
    case 'activation':
      return { layer: { kind, ...common, activation: activationOf(a(0, 'activation', 'activation')) }, inputShape: declared };
    case 'relu':
    case 'elu':
    case 'softmax':
      if (call.args.length > 0) throw new Unsupported('arguments to the activation layer are not built');
      return { layer: { kind: 'activation', ...common, activation: kind }, inputShape: declared };
    case 'leaky_relu': {
      const slope = num(a(0, 'negative_slope', 'alpha', 'alpha'));
      if (slope !== undefined && Math.abs(slope - 0.3) > 1e-9 && Math.abs(slope - 0.2) > 1e-9) throw new Unsupported(`slope ${slope} (the probe's leaky_relu has Keras' default slope)`);
      return { layer: { kind: 'activation', ...common, activation: 'leaky_relu' }, inputShape: declared };
    }
    case 'add':
    case 'concatenate':
      return { layer: { kind, ...common } };
    default:
      throw new Unsupported('the probe does not build this layer');
  }
}

/** PyTorch module constructor → graph layer. `inFeatures` is checked against the network's shape by the builder's caller. */
function torchLayer(ctx: Ctx, call: CallNode, def: LayerDef | undefined, name: string, module?: string): { layer: GraphLayer; inChannels?: number; written?: boolean } {
  const type = call.path[call.path.length - 1];
  const a = (pos: number | undefined, ...keys: string[]): SyntaxNode | undefined => argOf(call, true, pos, ...keys);
  const common = { name, line: lineAt(ctx, call.start) };
  switch (type) {
    case 'Linear': {
      const units = num(a(1, 'out_features'));
      if (units === undefined) throw new Unsupported(`its out_features can't be read`);
      const k = kernelOf(ctx, def, 'torch', call, module);
      return { layer: { kind: 'dense', ...common, units, activation: 'linear', useBias: bool(a(2, 'bias'), true), kernelInitializer: k.text }, inChannels: num(a(0, 'in_features')), written: k.written };
    }
    case 'Conv2d': {
      const filters = num(a(1, 'out_channels'));
      const kernelSize = ints(a(2, 'kernel_size'), 'kernel size');
      if (filters === undefined || !kernelSize) throw new Unsupported(`its out_channels or kernel_size can't be read`);
      if (a(6, 'groups') && num(a(6, 'groups')) !== 1) throw new Unsupported('grouped convolutions are not built');
      if (a(5, 'dilation') && ints(a(5, 'dilation'), 'dilation')!.some((d) => d !== 1)) throw new Unsupported('dilated convolutions are not built');
      const k = kernelOf(ctx, def, 'torch', call, module);
      return {
        layer: { kind: 'conv2d', ...common, filters, kernelSize, strides: ints(a(3, 'stride'), 'stride') ?? [1, 1], padding: paddingOf(a(4, 'padding'), true, true), activation: 'linear', useBias: bool(a(7, 'bias'), true), kernelInitializer: k.text },
        inChannels: num(a(0, 'in_channels')),
        written: k.written,
      };
    }
    case 'MaxPool2d':
    case 'AvgPool2d': {
      const poolSize = ints(a(0, 'kernel_size'), 'kernel size');
      if (!poolSize) throw new Unsupported(`its kernel_size can't be read`);
      const strideNode = a(1, 'stride');
      const strides = strideNode && str(strideNode) !== 'None' ? ints(strideNode, 'stride')! : poolSize;
      return { layer: { kind: type === 'MaxPool2d' ? 'max_pooling2d' : 'average_pooling2d', ...common, poolSize, strides, padding: paddingOf(a(2, 'padding'), true, true) } };
    }
    case 'AdaptiveAvgPool2d': {
      const out = ints(a(0, 'output_size'), 'output size');
      if (!out || out[0] !== 1 || out[1] !== 1) throw new Unsupported('only output size 1 (global average pooling) is built');
      return { layer: { kind: 'global_average_pooling2d', ...common } };
    }
    case 'Flatten':
      return { layer: { kind: 'flatten', ...common } };
    case 'Dropout':
      return { layer: { kind: 'dropout', ...common, rate: num(a(0, 'p')) ?? 0.5 } };
    case 'BatchNorm2d':
    case 'BatchNorm1d':
      return {
        layer: { kind: 'batch_normalization', ...common, momentum: 1 - (num(a(2, 'momentum')) ?? 0.1), epsilon: num(a(1, 'eps')) ?? 1e-5, gammaInitializer: 'ones', betaInitializer: 'zeros', unbiasedMovingVariance: true },
        inChannels: num(a(0, 'num_features')),
      };
    case 'LayerNorm': {
      const shape = numberShape(a(0, 'normalized_shape'));
      if (!shape || shape.length !== 1) throw new Unsupported('only a LayerNorm over the last axis is built');
      return { layer: { kind: 'layer_normalization', ...common, epsilon: num(a(1, 'eps')) ?? 1e-5 }, inChannels: shape[0] };
    }
    case 'ReLU':
    case 'Tanh':
    case 'Sigmoid':
    case 'ELU':
    case 'SELU':
    case 'GELU':
    case 'LeakyReLU':
    case 'Softmax':
    case 'LogSoftmax':
    case 'Identity': {
      const activation = normalizeActivation(type === 'Identity' ? 'linear' : type);
      if (type === 'LeakyReLU' && num(a(0, 'negative_slope')) !== undefined) throw new Unsupported(`a written slope (the probe's leaky_relu has Keras' default slope)`);
      // inplace and dim change nothing the probe computes; any other argument (ELU's alpha, GELU's approximate) would.
      const alpha = type === 'ELU' ? num(a(0, 'alpha')) : undefined;
      if (alpha !== undefined && alpha !== 1) throw new Unsupported(`alpha=${alpha} (the probe's elu has alpha 1)`);
      const other = call.args.find((arg) => (arg.key !== undefined && !['inplace', 'dim', 'negative_slope', 'alpha'].includes(arg.key)) || arg.spread);
      if (other && type !== 'Identity') throw new Unsupported(`argument '${other.key ?? '…'}' is not built`);
      return { layer: { kind: 'activation', ...common, activation: activation as GraphActivation } };
    }
    default:
      throw new Unsupported('the probe does not build this layer');
  }
}

/** Unique names: a module applied twice in forward() becomes pool, pool_2. */
class Names {
  private readonly used = new Map<string, number>();
  take(base: string): string {
    const n = (this.used.get(base) ?? 0) + 1;
    this.used.set(base, n);
    return n === 1 ? base : `${base}_${n}`;
  }
}

/** Keras' automatic layer names: the class in snake_case (Keras' to_snake_case), then _1, _2, …: conv2d, conv2d_1, re_lu. */
function kerasName(names: Names, type: string): string {
  const base = (/^[a-z]/.test(type) ? type.charAt(0).toUpperCase() + type.slice(1) : type)
    .replace(/(.)([A-Z][a-z]+)/g, '$1_$2')
    .replace(/([a-z])([A-Z])/g, '$1_$2')
    .toLowerCase();
  const n = names.take(base);
  return n === base ? n : `${base}_${Number(n.slice(base.length + 1)) - 1}`;
}

/** The input layer for a model that declares none: MNIST in the layout its first layer needs. */
function assumedInput(first: GraphLayer, framework: ModelFramework): { layer: GraphLayer; note: string } {
  const spatial = first.kind === 'conv2d' || first.kind === 'max_pooling2d' || first.kind === 'average_pooling2d' || first.kind === 'batch_normalization';
  const shape = spatial ? (framework === 'torch' ? [1, 28, 28] : [28, 28, 1]) : first.kind === 'flatten' ? (framework === 'torch' ? [1, 28, 28] : [28, 28]) : [784];
  return { layer: { kind: 'input', name: 'input', shape }, note: `no input shape written: MNIST's (${shape.join(', ')}) assumed` };
}

function sequentialGraphs(ctx: Ctx): SourceGraph[] {
  const out: SourceGraph[] = [];
  for (const model of ctx.source.models) {
    const framework = model.framework;
    const result: SourceGraph = { name: model.variable ?? model.functionName ?? 'Sequential model', framework, line: lineAt(ctx, model.start), writtenKernels: [], unsupported: [], notes: [] };
    out.push(result);
    if (model.problem) {
      result.problem = model.problem;
      continue;
    }
    const names = new Names();
    const layers: GraphLayer[] = [];
    let declared: number[] | undefined;
    for (const id of model.layers) {
      const def = ctx.source.layers[id];
      const call = ctx.calls.get(def.start);
      const line = lineAt(ctx, def.start);
      if (!call) {
        result.unsupported.push(`${def.type} (line ${line}): can't be read`);
        continue;
      }
      try {
        const t = kerasLayer(ctx, call, def, framework, kerasName(names, def.type));
        if (t.inputShape && layers.length === 0) declared = t.inputShape;
        if (t.layer) {
          if (t.layer.kind === 'input' && layers.length > 0) throw new Unsupported('an input after the first layer');
          if (t.layer.kind === 'add' || t.layer.kind === 'concatenate') throw new Unsupported('merging layers need the functional API');
          if (t.written) result.writtenKernels.push(t.layer.name);
          if (t.choices) (result.kernelChoices ??= []).push({ layer: t.layer.name, ...t.choices });
          layers.push(t.layer);
        }
      } catch (err) {
        if (!(err instanceof Unsupported)) throw err;
        result.unsupported.push(`${def.type} (line ${line}): ${err.message}`);
      }
    }
    if (result.unsupported.length > 0 || layers.length === 0) continue;
    if (layers[0].kind !== 'input') {
      if (declared) layers.unshift({ kind: 'input', name: 'input', shape: declared });
      else {
        const assumed = assumedInput(layers[0], framework);
        layers.unshift(assumed.layer);
        result.notes.push(assumed.note);
      }
    }
    result.graph = { layout: 'channels_last', layers };
  }
  return out;
}

/**
 * A functional model's graph (Keras, tfjs): the layers its output depends on, in source order,
 * the output last (the loss reads it); or why not. Nothing when a layer was refused: the list says why.
 */
function keepForOutput(result: SourceGraph, layers: GraphLayer[], outName: string | undefined, refused: boolean, inputCall: string): void {
  if (refused) return;
  if (!outName) {
    result.problem = `its outputs can't be followed to a layer`;
    return;
  }
  const needed = new Set<string>([outName]);
  for (let i = layers.length - 1; i >= 0; i--) if (needed.has(layers[i].name)) for (const inp of layers[i].inputs ?? []) needed.add(inp);
  const kept = layers.filter((l) => needed.has(l.name));
  if (kept[0]?.kind !== 'input') {
    result.problem = `no ${inputCall} feeds it`;
    return;
  }
  result.graph = { layout: 'channels_last', layers: [...kept.filter((l) => l.name !== outName), kept.find((l) => l.name === outName)!] };
}

/** A user function the file defines: its parameters (with literal numeric defaults) and body. */
interface PyFunction {
  name: string;
  params: { name: string; default?: number[] }[];
  body: PyStatement[];
  line: number;
  called: boolean;
}

/** A scope's values: tensors (the graph layer holding each) and literal numbers (loop variables, numeric arguments). */
interface Scope {
  tensors: Map<string, string>;
  numbers: Map<string, number[]>;
}

const MAX_UNROLLED = 10_000;
/** A tensor whose making was refused (its reason is listed once): what uses it is not refused again for it. */
const REFUSED = '';

/**
 * Keras functional API, followed as Python runs it: `x = layers.Conv2D(…)(x)`,
 * `y = layers.Add()([x, y])`, `model = keras.Model(inputs, outputs)`, through helper functions
 * that build a block (called with tensors and literal numbers: `x = block(x, 64)`) and `for` loops
 * over literal ranges or lists (`for i in range(3):`), unrolled. A branch (`if`) or a loop whose
 * bounds are not literals around layer calls is refused with its line.
 */
function functionalGraphs(ctx: Ctx): SourceGraph[] {
  if (!ctx.python) return [];
  const out: SourceGraph[] = [];
  const layers: GraphLayer[] = [];
  const written: string[] = [];
  const choices: NonNullable<SourceGraph['kernelChoices']> = [];
  const unsupported: string[] = [];
  const names = new Names();
  const functions = new Map<string, PyFunction>();
  /** Variables holding a layer object (`d = layers.Dense(64)`), with the line that made it. */
  const layerObjects = new Map<string, number>();
  const globals = constants;
  let unrolled = 0;
  let depth = 0;

  const refuse = (what: string, line: number, why: string): void => {
    const entry = `${what} (line ${line}): ${why}`;
    if (!unsupported.includes(entry)) unsupported.push(entry);
  };
  /** Layer calls (applied `L(…)(x)`), Input/Model, or calls of helper functions that make them, anywhere in these statements. */
  const buildsLayers = (stmts: PyStatement[], visiting: Set<string> = new Set()): boolean =>
    stmts.some(
      (st) =>
        /\)\s*\(/.test(st.code) ||
        /\b(?:Input|Model)\s*\(/.test(st.code) ||
        [...functions.values()].some((f) => !visiting.has(f.name) && new RegExp(`(?<![\\w.])${f.name}\\s*\\(`).test(st.code) && buildsLayers(f.body, new Set([...visiting, f.name]))) ||
        buildsLayers(st.body, visiting),
    );
  const numberValue = (node: SyntaxNode | undefined, scope: Scope): number[] | undefined => {
    if (!node) return undefined;
    if (node.type === 'number') return [node.value];
    if (node.type === 'name' && node.path.length === 1) return scope.numbers.get(node.path[0]) ?? globals.get(node.path[0]);
    if (node.type === 'tuple' || node.type === 'list') {
      const vs = node.items.map((i) => numberValue(i.value, scope));
      return vs.every((v) => v && v.length === 1) ? vs.map((v) => v![0]) : undefined;
    }
    return undefined;
  };
  const nodeAt = (code: string, offset: number): SyntaxNode | undefined => {
    const lead = code.length - code.trimStart().length;
    const text = code.trim();
    const at = offset + lead;
    const call = ctx.calls.get(at);
    if (call && call.end === at + text.length) return call;
    if (/^[A-Za-z_]\w*$/.test(text)) return { type: 'name', path: [text], start: at, end: at + text.length, first: 0, last: 0 };
    if (/^-?\d+(?:\.\d+)?(?:e-?\d+)?$/.test(text)) return { type: 'number', value: Number(text), start: at, end: at + text.length, first: 0, last: 0 };
    return undefined;
  };

  /** The tensor (graph layer name) an expression evaluates to; undefined when it makes none (a non-tensor call). */
  const tensorOf = (node: SyntaxNode, scope: Scope, variable: string | undefined): string | undefined => {
    const line = lineAt(ctx, node.start);
    if (node.type === 'name' && node.path.length === 1) {
      const t = scope.tensors.get(node.path[0]);
      if (t === undefined) refuse(node.path[0], line, 'not a tensor this file builds');
      return t ?? REFUSED;
    }
    if (node.type !== 'call') return undefined;
    const last = node.path[node.path.length - 1];
    if (last === 'Input' && (node.path.length === 1 || node.path.includes('keras') || node.path.includes('layers'))) {
      constants = new Map([...globals, ...scope.numbers]);
      const shape = numberShape(argOf(node, true, 0, 'shape'));
      if (!shape) {
        refuse('Input', line, `its shape can't be read`);
        return REFUSED;
      }
      const name = names.take(variable ?? 'input');
      layers.push({ kind: 'input', name, shape, line });
      return name;
    }
    const fn = node.path.length === 1 ? functions.get(last) : undefined;
    if (fn) return callFunction(fn, node, scope);
    const made = node.path.length === 1 ? layerObjects.get(last) : undefined;
    if (made !== undefined) {
      refuse(last, line, `a layer made on line ${made} and applied here: only a layer called where it is made (\`layers.Dense(…)(x)\`) is followed`);
      return REFUSED;
    }
    if (!node.isApplied) return undefined;
    const applied = node.applied?.[0]?.value;
    let inputs: (string | undefined)[] | undefined;
    if (applied && (applied.type === 'list' || applied.type === 'tuple')) inputs = applied.items.map((i) => tensorOf(i.value, scope, undefined));
    else if (applied) inputs = [tensorOf(applied, scope, undefined)];
    if (!inputs || inputs.length === 0) {
      refuse(last, line, `its input can't be followed`);
      return REFUSED;
    }
    // An input already refused (its line is listed): still check this layer's own arguments, without repeating the input's reason.
    const inputRefused = inputs.some((i) => i === REFUSED);
    if (!inputRefused && inputs.some((i) => i === undefined)) {
      refuse(last, line, 'its input is not a tensor this file builds');
      return REFUSED;
    }
    try {
      constants = new Map([...globals, ...scope.numbers]);
      const def = ctx.source.layers.find((l) => l.start === node.start);
      const t = kerasLayer(ctx, node, def, 'keras', kerasName(names, last));
      if (!t.layer || inputRefused) return REFUSED;
      const layer = { ...t.layer, inputs: inputs as string[] } as GraphLayer;
      if (t.written) written.push(layer.name);
      if (t.choices) choices.push({ layer: layer.name, ...t.choices });
      layers.push(layer);
      return layer.name;
    } catch (err) {
      if (!(err instanceof Unsupported)) throw err;
      refuse(last, line, err.message);
      return REFUSED;
    }
  };

  /** A helper function called with tensors and literal numbers: its body runs in a new scope. */
  const callFunction = (fn: PyFunction, call: CallNode, scope: Scope): string | undefined => {
    fn.called = true;
    const line = lineAt(ctx, call.start);
    if (depth > 20) {
      refuse(`${fn.name}()`, line, 'calls nested too deep (recursion is not followed)');
      return REFUSED;
    }
    const inner: Scope = { tensors: new Map(), numbers: new Map() };
    const positional = call.args.filter((a) => a.key === undefined && !a.spread);
    for (const [k, p] of fn.params.entries()) {
      const arg = call.args.find((a) => a.key === p.name)?.value ?? positional[k]?.value;
      if (!arg) {
        if (p.default) inner.numbers.set(p.name, p.default);
        continue;
      }
      const n = numberValue(arg, scope);
      if (n) {
        inner.numbers.set(p.name, n);
        continue;
      }
      const t = tensorOf(arg, scope, undefined);
      if (t !== undefined) inner.tensors.set(p.name, t);
    }
    depth++;
    try {
      return run(fn.body, inner);
    } finally {
      depth--;
    }
  };

  const modelResult = (call: CallNode, variable: string, scope: Scope): void => {
    const line = lineAt(ctx, call.start);
    const outputsNode = argOf(call, true, 1, 'outputs');
    const outputs = outputsNode?.type === 'list' && outputsNode.items.length === 1 ? outputsNode.items[0].value : outputsNode;
    const outName = outputs?.type === 'name' && outputs.path.length === 1 ? scope.tensors.get(outputs.path[0]) : outputs?.type === 'call' ? tensorOf(outputs, scope, undefined) : undefined;
    const result: SourceGraph = { name: variable, framework: 'keras', line, writtenKernels: [...written], unsupported: [...unsupported], notes: [] };
    if (choices.length > 0) result.kernelChoices = [...choices];
    out.push(result);
    keepForOutput(result, layers, outName, unsupported.length > 0, 'keras.Input');
  };

  const isModelCall = (node: SyntaxNode | undefined): boolean =>
    node?.type === 'call' && node.path[node.path.length - 1] === 'Model' && (node.path.includes('keras') || node.path.includes('models') || node.path.length === 1);

  /** Runs statements; returns the tensor a `return` gives. */
  const run = (stmts: PyStatement[], scope: Scope): string | undefined => {
    for (const st of stmts) {
      const code = st.code;
      const def = /^def\s+([A-Za-z_]\w*)\s*\(([\s\S]*)\)\s*(?:->[^:]*)?:$/.exec(code);
      if (def) {
        const params = def[2]
          .split(',')
          .map((p) => p.trim())
          .filter((p) => p && p !== '*' && p !== '/' && !p.startsWith('*'))
          .map((p) => {
            const m = /^([A-Za-z_]\w*)(?:\s*:[^=]*)?(?:\s*=\s*(.+))?$/.exec(p);
            const dflt = m?.[2]?.trim();
            return { name: m?.[1] ?? p, default: dflt !== undefined && /^-?\d+(?:\.\d+)?$/.test(dflt) ? [Number(dflt)] : undefined };
          });
        functions.set(def[1], { name: def[1], params, body: st.body, line: st.line, called: false });
        continue;
      }
      if (/^class\b/.test(code)) continue;
      const loop = /^for\s+([A-Za-z_]\w*)\s+in\s+([\s\S]+):$/.exec(code);
      if (loop && !buildsLayers(st.body)) continue; // a training or data loop: nothing of the network
      if (loop) {
        const iter = loop[2].trim();
        const rangeCall = /^range\s*\(([^()]*)\)$/.exec(iter);
        const lit = (t: string): number | undefined => {
          const x = t.trim();
          if (/^-?\d+$/.test(x)) return Number(x);
          const v = scope.numbers.get(x) ?? globals.get(x);
          return v && v.length === 1 && Number.isInteger(v[0]) ? v[0] : undefined;
        };
        let values: number[] | undefined;
        if (rangeCall) {
          const b = rangeCall[1].split(',').map(lit);
          if (b.length >= 1 && b.length <= 3 && b.every((x) => x !== undefined)) {
            const [from, to, step] = b.length === 1 ? [0, b[0]!, 1] : [b[0]!, b[1]!, b[2] ?? 1];
            if (step !== 0) {
              values = [];
              for (let v = from; step > 0 ? v < to : v > to; v += step) if (values.push(v) > MAX_UNROLLED) break;
            }
          }
        } else if (/^[[(][^[\]()]*[\])]$/.test(iter)) {
          const items = iter.slice(1, -1).split(',').filter((t) => t.trim() !== '').map(lit);
          if (items.every((x) => x !== undefined)) values = items as number[];
        }
        if (!values) {
          if (buildsLayers(st.body)) refuse('for loop', st.line, `its bounds (${iter.slice(0, 40)}) are not literals, so the layers it builds can't be counted`);
          continue;
        }
        unrolled += values.length;
        if (unrolled > MAX_UNROLLED) {
          refuse('for loop', st.line, `unrolls to over ${MAX_UNROLLED} iterations`);
          continue;
        }
        for (const v of values) {
          scope.numbers.set(loop[1], [v]);
          const r = run(st.body, scope);
          if (r !== undefined) return r;
        }
        continue;
      }
      if (/^(?:with|try|else|finally)\b[^:]*:$/.test(code) || /^if\s+__name__\s*==/.test(code)) {
        const r = run(st.body, scope);
        if (r !== undefined) return r;
        continue;
      }
      if (/^(?:if|elif|while|except)\b/.test(code)) {
        if (buildsLayers(st.body)) refuse(`'${code.split(/[\s(:]/)[0]}' block`, st.line, 'layers built under a condition or a while loop are not followed (only straight code, helper functions and literal for loops)');
        continue;
      }
      const ret = /^return\s+([\s\S]+)$/.exec(code);
      if (ret) {
        const offset = st.start + code.length - ret[1].length;
        const node = nodeAt(ret[1], offset);
        if (isModelCall(node)) {
          modelResult(node as CallNode, [...functions.values()].find((f) => f.body.includes(st))?.name ?? 'model', scope);
          return undefined;
        }
        return node ? tensorOf(node, scope, undefined) : undefined;
      }
      const assign = /^([A-Za-z_]\w*)\s*(?::[^=]+)?=(?!=)\s*([\s\S]+)$/.exec(code);
      if (!assign) {
        // A bare call of a helper that builds layers: run it for what it builds.
        const bare = nodeAt(code, st.start);
        if (bare?.type === 'call' && bare.path.length === 1 && functions.has(bare.path[0])) tensorOf(bare, scope, undefined);
        continue;
      }
      const variable = assign[1];
      const offset = st.start + code.length - assign[2].length;
      const node = nodeAt(assign[2], offset);
      if (!node) {
        scope.tensors.delete(variable);
        continue;
      }
      if (node.type === 'name') {
        // shortcut = x: the same tensor under another name (or a number).
        const held = scope.tensors.get(node.path[0]);
        if (held !== undefined) scope.tensors.set(variable, held);
        else scope.tensors.delete(variable);
        const n = scope.numbers.get(node.path[0]);
        if (n) scope.numbers.set(variable, n);
        continue;
      }
      if (node.type === 'number') {
        scope.numbers.set(variable, [node.value]);
        continue;
      }
      if (isModelCall(node)) {
        modelResult(node as CallNode, variable, scope);
        continue;
      }
      const t = tensorOf(node, scope, variable);
      if (t !== undefined) scope.tensors.set(variable, t);
      else scope.tensors.delete(variable);
      // `d = layers.Dense(64)`: a layer object, applied later (refused there).
      if (!t && node.type === 'call' && !node.isApplied && KERAS_KIND[node.path[node.path.length - 1]] !== undefined && KERAS_KIND[node.path[node.path.length - 1]] !== 'input') layerObjects.set(variable, st.line);
      else layerObjects.delete(variable);
    }
    return undefined;
  };

  try {
    run(pyBlocks(ctx.text), { tensors: new Map(), numbers: new Map() });
    // A function that builds a model but is never called in this file (the caller imports it): read it as if called without arguments.
    for (const fn of functions.values()) {
      if (fn.called || !fn.body.some(function hasModel(st: PyStatement): boolean {
        return /\bModel\s*\(/.test(st.code) || st.body.some(hasModel);
      })) continue;
      fn.called = true;
      const scope: Scope = { tensors: new Map(), numbers: new Map() };
      for (const p of fn.params) if (p.default) scope.numbers.set(p.name, p.default);
      run(fn.body, scope);
    }
  } finally {
    constants = globals;
  }
  return out;
}

/**
 * TensorFlow.js' functional API: `const input = tf.input({shape: […]})`,
 * `x = tf.layers.conv2d({…}).apply(x)`, `tf.layers.add().apply([a, b])`,
 * `tf.model({inputs: input, outputs: x})`, in source order (assignments anywhere in the file, as
 * the tfjs examples write them inside a create-model function).
 */
function tfjsFunctionalGraphs(ctx: Ctx): SourceGraph[] {
  if (ctx.python) return [];
  const out: SourceGraph[] = [];
  const layers: GraphLayer[] = [];
  const written: string[] = [];
  const unsupported: string[] = [];
  const names = new Names();
  const current = new Map<string, string>();
  const statement = /(?:\b(?:const|let|var)\s+)?\b([A-Za-z_$][\w$]*)\s*=(?![=>])\s*|\breturn\s+/g;
  const isTf = (call: CallNode, last: string): boolean => call.path[call.path.length - 1] === last && (call.path.length === 1 || call.path[0] === 'tf');
  const followed = (name: string): string | undefined => current.get(name);
  let m: RegExpExecArray | null;
  while ((m = statement.exec(ctx.text))) {
    const rhs = m.index + m[0].length;
    const call = ctx.calls.get(rhs);
    const variable = m[1];
    if (!call) {
      const alias = /^([A-Za-z_$][\w$]*)\s*[;\n]/.exec(ctx.text.slice(rhs, rhs + 200));
      if (variable && alias && current.has(alias[1])) current.set(variable, current.get(alias[1])!);
      continue;
    }
    const line = lineAt(ctx, rhs);
    if (isTf(call, 'input')) {
      const shape = numberShape(argOf(call, false, 0, 'shape', 'batchShape'));
      if (!shape) {
        unsupported.push(`tf.input (line ${line}): its shape can't be read`);
        continue;
      }
      const name = names.take(variable ?? 'input');
      layers.push({ kind: 'input', name, shape, line });
      if (variable) current.set(variable, name);
      continue;
    }
    if (isTf(call, 'model')) {
      const first = call.args[0]?.value;
      const item = (key: string): SyntaxNode | undefined => (first?.type === 'object' ? first.items.find((i) => i.key === key || (i.key === undefined && i.value.type === 'name' && i.value.path.join('.') === key))?.value : undefined);
      const outputs = item('outputs');
      const one = outputs?.type === 'list' && outputs.items.length === 1 ? outputs.items[0].value : outputs;
      const outName = one?.type === 'name' && one.path.length === 1 ? followed(one.path[0]) : undefined;
      const result: SourceGraph = { name: variable ?? 'model', framework: 'tfjs', line, writtenKernels: [...written], unsupported: [...unsupported], notes: [] };
      out.push(result);
      keepForOutput(result, layers, outName, unsupported.length > 0, 'tf.input');
      continue;
    }
    if (!call.path.includes('layers')) continue;
    const apply = /^\s*\.apply\(\s*([^()]*?)\s*\)/.exec(ctx.text.slice(call.end, call.end + 400));
    const type = call.path[call.path.length - 1];
    if (!apply) continue; // a layer made here and applied elsewhere, or a sequential model's layer
    const inputNames = apply[1].startsWith('[') ? apply[1].slice(1, -1).split(',').map((t) => t.trim()).filter(Boolean) : [apply[1]];
    const inputs = inputNames.map(followed);
    if (inputs.length === 0 || inputs.some((i) => i === undefined)) {
      unsupported.push(`${type} (line ${line}): its input (${apply[1]}) is not a tensor this file builds`);
      continue;
    }
    try {
      const def = ctx.source.layers.find((l) => l.start === call.start);
      const t = kerasLayer(ctx, call, def, 'tfjs', kerasName(names, type));
      if (!t.layer) continue;
      const layer = { ...t.layer, inputs: inputs as string[] } as GraphLayer;
      if (t.written) written.push(layer.name);
      layers.push(layer);
      if (variable) current.set(variable, layer.name);
    } catch (err) {
      if (!(err instanceof Unsupported)) throw err;
      unsupported.push(`${type} (line ${line}): ${err.message}`);
    }
  }
  return out;
}

/** `F.relu(x)`: layerKinds' table of functional activations, less those the probe has no layer for (silu). */
function torchFunction(name: string): GraphActivation | undefined {
  const activation = Object.hasOwn(TORCH_ACTIVATION_FUNCTIONS, name) ? TORCH_ACTIVATION_FUNCTIONS[name] : undefined;
  return activation !== undefined && (GRAPH_ACTIVATIONS as readonly string[]).includes(activation) ? (activation as GraphActivation) : undefined;
}
const TORCH_FUNCTION_PREFIXES = ['F', 'torch', 'nn.functional', 'torch.nn.functional'];

/** PyTorch `class Net(nn.Module)`: modules from __init__, dataflow from forward(). */
function torchGraphs(ctx: Ctx): SourceGraph[] {
  if (!ctx.python) return [];
  const out: SourceGraph[] = [];
  const classRe = /^class\s+(\w+)\s*\(\s*(?:torch\.)?nn\.Module\s*\)\s*:/gm;
  let m: RegExpExecArray | null;
  while ((m = classRe.exec(ctx.text))) {
    const start = m.index;
    const rest = ctx.text.slice(start + m[0].length);
    const end = /\n(?=\S)/.exec(rest);
    const body = end ? rest.slice(0, end.index) : rest;
    const bodyStart = start + m[0].length;
    const result: SourceGraph = { name: m[1], framework: 'torch', line: lineAt(ctx, start), writtenKernels: [], unsupported: [], notes: [] };
    out.push(result);
    // self.name = nn.Something(...) / nn.Sequential(...)
    const modules = new Map<string, CallNode>();
    const assign = /self\.(\w+)\s*=\s*/g;
    let a: RegExpExecArray | null;
    while ((a = assign.exec(body))) {
      const call = ctx.calls.get(bodyStart + a.index + a[0].length);
      if (call) modules.set(a[1], call);
    }
    const fwd = /def\s+forward\s*\(\s*self\s*,\s*(\w+)[^)]*\)[^:]*:/.exec(body);
    if (!fwd) {
      result.problem = 'it has no forward(self, x)';
      continue;
    }
    const fwdStart = bodyStart + fwd.index + fwd[0].length;
    const fwdBody = body.slice(fwd.index + fwd[0].length).split(/\n(?=[ \t]{0,4}(?:def|@)\b)/)[0];
    const names = new Names();
    const layers: GraphLayer[] = [];
    const current = new Map<string, string>();
    let firstKind: GraphLayer['kind'] | undefined;
    let output: string | undefined;
    const defsByStart = new Map(ctx.source.layers.map((l) => [l.start, l]));
    const push = (layer: GraphLayer, inputs: string[]): string => {
      layers.push({ ...layer, inputs } as GraphLayer);
      return layer.name;
    };
    const unsupportedAt = (offset: number, what: string, why: string): never => {
      throw new Unsupported(`${what} (line ${lineAt(ctx, offset)}): ${why}`);
    };
    /** Applies a module (or nn.Sequential of modules) to a tensor; returns the new tensor's layer. */
    const applyModule = (moduleName: string, call: CallNode, input: string): string => {
      const kind = call.path[call.path.length - 1];
      if (kind === 'Sequential') {
        let x = input;
        call.args.forEach((arg, i) => {
          if (arg.value.type !== 'call') unsupportedAt(arg.start, `${moduleName}[${i}]`, 'not a module call');
          x = applyModule(`${moduleName}.${i}`, arg.value as CallNode, x);
        });
        return x;
      }
      let t: ReturnType<typeof torchLayer>;
      try {
        t = torchLayer(ctx, call, defsByStart.get(call.start), names.take(moduleName), moduleName);
      } catch (err) {
        if (err instanceof Unsupported) unsupportedAt(call.start, `nn.${kind}`, err.message);
        throw err;
      }
      firstKind ??= t.layer.kind;
      if (t.written) result.writtenKernels.push(t.layer.name);
      return push(t.inChannels !== undefined ? { ...t.layer, inFeatures: t.inChannels } : t.layer, [input]);
    };
    const evaluate = (node: SyntaxNode, text: string): string => {
      if (node.type === 'name' && node.path.length === 1) {
        const v = current.get(node.path[0]);
        if (!v) unsupportedAt(node.start, node.path[0], 'not a tensor forward() builds');
        return v!;
      }
      if (node.type === 'call') {
        const path = node.path;
        const last = path[path.length - 1];
        const prefix = path.slice(0, -1).join('.');
        const firstArg = node.args[0]?.value;
        if (path[0] === 'self' && path.length === 2) {
          const mod = modules.get(path[1]);
          if (!mod) unsupportedAt(node.start, `self.${path[1]}`, 'not a module assigned in __init__');
          if (!firstArg) unsupportedAt(node.start, `self.${path[1]}`, 'called without an input');
          return applyModule(path[1], mod!, evaluate(firstArg!, text));
        }
        const activation = TORCH_FUNCTION_PREFIXES.includes(prefix) ? torchFunction(last) : undefined;
        if (activation) {
          const x = evaluate(firstArg!, text);
          firstKind ??= 'activation';
          return push({ kind: 'activation', name: names.take(last), line: lineAt(ctx, node.start), activation }, [x]);
        }
        if (TORCH_FUNCTION_PREFIXES.includes(prefix) && (last === 'max_pool2d' || last === 'avg_pool2d')) {
          const x = evaluate(firstArg!, text);
          const poolSize = ints(argOf(node, true, 1, 'kernel_size'), 'kernel size') ?? unsupportedAt(node.start, last, `its kernel_size can't be read`);
          const strideNode = argOf(node, true, 2, 'stride');
          const strides = strideNode && str(strideNode) !== 'None' ? ints(strideNode, 'stride')! : poolSize;
          firstKind ??= 'max_pooling2d';
          return push({ kind: last === 'max_pool2d' ? 'max_pooling2d' : 'average_pooling2d', name: names.take(last), line: lineAt(ctx, node.start), poolSize, strides, padding: paddingOf(argOf(node, true, 3, 'padding'), true, true) }, [x]);
        }
        if (TORCH_FUNCTION_PREFIXES.includes(prefix) && last === 'dropout') {
          const x = evaluate(firstArg!, text);
          const trainingArg = str(argOf(node, true, 2, 'training'));
          // F.dropout(x) is on by default; training=self.training follows the module's mode.
          if (trainingArg === 'False') return x;
          return push({ kind: 'dropout', name: names.take('dropout'), line: lineAt(ctx, node.start), rate: num(argOf(node, true, 1, 'p')) ?? 0.5 }, [x]);
        }
        if (prefix === 'torch' && last === 'flatten') {
          const startDim = num(argOf(node, true, 1, 'start_dim')) ?? 0;
          if (startDim !== 1) unsupportedAt(node.start, 'torch.flatten', 'only start_dim=1 (keep the batch axis) is built');
          firstKind ??= 'flatten';
          return push({ kind: 'flatten', name: names.take('flatten'), line: lineAt(ctx, node.start) }, [evaluate(firstArg!, text)]);
        }
        if (last === 'flatten' && path.length === 2 && current.has(path[0])) {
          // x.flatten(1): the tensor method, as torch.flatten(x, 1).
          if ((num(argOf(node, true, 0, 'start_dim')) ?? 0) !== 1) unsupportedAt(node.start, `${path[0]}.flatten`, 'only start_dim=1 (keep the batch axis) is built');
          firstKind ??= 'flatten';
          return push({ kind: 'flatten', name: names.take('flatten'), line: lineAt(ctx, node.start) }, [current.get(path[0])!]);
        }
        if ((last === 'view' || last === 'reshape') && path.length === 2) {
          const v = current.get(path[0]);
          if (!v) unsupportedAt(node.start, `${path[0]}.${last}`, 'not a tensor forward() builds');
          const dims = node.args.map((arg) => (arg.value.type === 'number' ? arg.value.value : arg.value.type === 'other' && /^-\s*1$/.test(ctx.text.slice(arg.start, arg.end)) ? -1 : NaN));
          if (dims.length === 0 || dims.some((d) => Number.isNaN(d)) || (dims[0] !== -1 && dims.length > 1)) unsupportedAt(node.start, `.${last}(…)`, 'only literal shapes with the batch axis first (-1) are built');
          const target = dims.length > 1 ? dims.slice(1) : dims;
          if (target.some((d) => d < 1)) unsupportedAt(node.start, `.${last}(…)`, 'only literal shapes with the batch axis first (-1) are built');
          firstKind ??= target.length === 1 ? 'flatten' : 'reshape';
          return push(target.length === 1 ? { kind: 'flatten', name: names.take('flatten'), line: lineAt(ctx, node.start) } : { kind: 'reshape', name: names.take('reshape'), line: lineAt(ctx, node.start), targetShape: target }, [v!]);
        }
        unsupportedAt(node.start, path.join('.'), 'the probe does not build this call');
      }
      // a + b (a residual connection)
      const raw = ctx.text.slice(node.start, node.end);
      const parts = splitTopLevelPlus(raw);
      if (parts.length > 1) {
        const ins = parts.map((p) => {
          const sub = subExpression(p.text, node.start + p.offset);
          if (!sub) unsupportedAt(node.start + p.offset, p.text.trim(), 'not an expression the probe follows');
          return evaluate(sub!, p.text);
        });
        return push({ kind: 'add', name: names.take('add'), line: lineAt(ctx, node.start) }, ins);
      }
      return unsupportedAt(node.start, raw.trim().slice(0, 40), 'not an expression the probe follows');
    };
    /** The syntax node for an expression at `offset` (a call, a name). */
    const subExpression = (text: string, offset: number): SyntaxNode | undefined => {
      const lead = text.length - text.trimStart().length;
      const at = offset + lead;
      const call = ctx.calls.get(at);
      if (call && call.end === offset + text.trimEnd().length) return call;
      const name = /^[A-Za-z_]\w*$/.exec(text.trim());
      if (name) return { type: 'name', path: [name[0]], start: at, end: at + name[0].length, first: 0, last: 0 };
      return undefined;
    };
    try {
      const input = fwd[1];
      layers.push({ kind: 'input', name: 'input', shape: [1] });
      current.set(input, 'input');
      // forward() must be a straight sequence of statements: anything else (a loop, a branch,
      // a statement the probe can't follow) is refused with its line rather than skipped.
      let indent: string | undefined;
      let lineOffset = 0;
      for (const raw of fwdBody.split('\n')) {
        const here = fwdStart + lineOffset;
        lineOffset += raw.length + 1;
        const code = raw.replace(/#.*$/, '');
        if (code.trim() === '') continue;
        const lead = /^[ \t]*/.exec(code)![0];
        indent ??= lead;
        const first = code.trim().split(/[\s(:]/)[0];
        if (lead !== indent) unsupportedAt(here, `line ${lineAt(ctx, here)}`, 'an indented block in forward() (only a straight sequence of statements is followed)');
        if (!/^(?:\w+\s*=[^=]|return\b)/.test(code.trim())) unsupportedAt(here, `'${first}' statement`, 'forward() must be a straight sequence of assignments and a return');
      }
      const stmt = /^[ \t]+(?:(\w+)\s*=\s*|return\s+)(.+)$/gm;
      let s: RegExpExecArray | null;
      while ((s = stmt.exec(fwdBody))) {
        const exprText = s[2].replace(/#.*$/, '').trimEnd();
        const exprOffset = fwdStart + s.index + s[0].length - s[2].length;
        const node = subExpression(exprText, exprOffset) ?? ({ type: 'other', start: exprOffset, end: exprOffset + exprText.length, first: 0, last: 0 } as SyntaxNode);
        const produced = evaluate(node, exprText);
        if (s[1]) current.set(s[1], produced);
        else {
          output = produced;
          break;
        }
      }
    } catch (err) {
      if (!(err instanceof Unsupported)) throw err;
      result.unsupported.push(err.message);
      continue;
    }
    if (!output) {
      result.problem = 'forward() returns nothing the probe can follow';
      continue;
    }
    const spatial = firstKind === 'conv2d' || firstKind === 'max_pooling2d' || firstKind === 'average_pooling2d' || firstKind === 'batch_normalization';
    layers[0] = { kind: 'input', name: 'input', shape: spatial ? [1, 28, 28] : firstKind === 'flatten' ? [1, 28, 28] : [784] };
    result.notes.push(`input: MNIST digits as (${(layers[0] as { shape: number[] }).shape.join(', ')})`);
    const outLayer = layers.find((l) => l.name === output)!;
    result.graph = { layout: 'channels_first', layers: [...layers.filter((l) => l !== outLayer), outLayer] };
  }
  return out;
}

/** PyTorch `net = nn.Sequential(…)` (or `return nn.Sequential(…)` from a function) outside a Module class: its modules in order. */
function torchSequentialGraphs(ctx: Ctx): SourceGraph[] {
  if (!ctx.python) return [];
  const out: SourceGraph[] = [];
  const classes: [number, number][] = [];
  for (const c of ctx.text.matchAll(/^class\b.*$/gm)) {
    const rest = /\n(?=\S)/.exec(ctx.text.slice(c.index! + c[0].length));
    classes.push([c.index!, rest ? c.index! + c[0].length + rest.index : ctx.text.length]);
  }
  const re = /^[ \t]*(?:([A-Za-z_]\w*)\s*=|return)\s*((?:torch\.)?nn\.Sequential)\s*\(/gm;
  let m: RegExpExecArray | null;
  while ((m = re.exec(ctx.text))) {
    const start = m.index + m[0].lastIndexOf(m[2]);
    if (classes.some(([a, b]) => start > a && start < b)) continue; // nn.Module classes: torchGraphs
    const call = ctx.calls.get(start);
    if (!call) continue;
    const fn = m[1] ? undefined : [...ctx.text.slice(0, m.index).matchAll(/^def\s+(\w+)/gm)].pop()?.[1];
    const name = m[1] ?? fn ?? 'model';
    const result: SourceGraph = { name, framework: 'torch', line: lineAt(ctx, start), writtenKernels: [], unsupported: [], notes: [] };
    out.push(result);
    const names = new Names();
    const layers: GraphLayer[] = [];
    const defsByStart = new Map(ctx.source.layers.map((l) => [l.start, l]));
    const add = (seq: CallNode, prefix: string): void => {
      seq.args.forEach((arg, i) => {
        const where = `${prefix}.${i}`;
        const line = lineAt(ctx, arg.start);
        if (arg.value.type !== 'call') {
          result.unsupported.push(`${where} (line ${line}): not a module call`);
          return;
        }
        const c = arg.value;
        const type = c.path[c.path.length - 1];
        if (type === 'Sequential') return add(c, where);
        try {
          const t = torchLayer(ctx, c, defsByStart.get(c.start), names.take(where));
          if (t.written) result.writtenKernels.push(t.layer.name);
          layers.push(t.inChannels !== undefined ? { ...t.layer, inFeatures: t.inChannels } : t.layer);
        } catch (err) {
          if (!(err instanceof Unsupported)) throw err;
          result.unsupported.push(`nn.${type} (line ${line}): ${err.message}`);
        }
      });
    };
    add(call, name);
    if (result.unsupported.length > 0) continue;
    if (layers.length === 0) {
      result.problem = 'it holds no module';
      continue;
    }
    const first = layers[0].kind;
    const spatial = first === 'conv2d' || first === 'max_pooling2d' || first === 'average_pooling2d' || first === 'batch_normalization' || first === 'flatten';
    const shape = spatial ? [1, 28, 28] : [784];
    result.notes.push(`input: MNIST digits as (${shape.join(', ')})`);
    result.graph = { layout: 'channels_first', layers: [{ kind: 'input', name: 'input', shape }, ...layers] };
  }
  return out;
}

function splitTopLevelPlus(text: string): { text: string; offset: number }[] {
  const parts: { text: string; offset: number }[] = [];
  let depth = 0;
  let from = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '(' || c === '[' || c === '{') depth++;
    else if (c === ')' || c === ']' || c === '}') depth--;
    else if (c === '+' && depth === 0) {
      parts.push({ text: text.slice(from, i), offset: from });
      from = i + 1;
    }
  }
  parts.push({ text: text.slice(from), offset: from });
  return parts;
}

/** Every model in a file the probe can be pointed at, built or with the reasons it can't be. Total: never throws. */
export function sourceGraphs(text: string, language: SourceLanguage, scanned?: SourceModel): SourceGraph[] {
  const stream = tokenize(text, language);
  const python = language === 'python';
  const reader = new SyntaxReader(stream, python);
  const calls = new Map<number, CallNode>();
  for (const c of reader.calls()) if (!calls.has(c.start)) calls.set(c.start, c);
  const source = scanned ?? scanSource(text, language);
  const ctx: Ctx = { text, source, lineStarts: source.lineStarts, python, calls };
  constants = python ? readConstants(text) : new Map();
  const found: SourceGraph[] = [];
  for (const f of [() => sequentialGraphs(ctx), () => functionalGraphs(ctx), () => tfjsFunctionalGraphs(ctx), () => torchGraphs(ctx), () => torchSequentialGraphs(ctx)]) {
    try {
      found.push(...f());
    } catch (err) {
      found.push({ name: '?', framework: python ? 'keras' : 'tfjs', line: 1, writtenKernels: [], unsupported: [], notes: [], problem: `InitLens could not read this file: ${firstLine(err)}` });
    }
  }
  return found.sort((a, b) => a.line - b.line);
}
