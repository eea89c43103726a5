/**
 * The second pass: every layer call, with what it declares itself — units, shape, activation,
 * kernel initializer (a site from sites.ts, a variable, or the library's default) and where a
 * fix would insert one. Containers (containers.ts) ask for the layers they hold through
 * `layerFor` too, so a call is one layer however it is met.
 */
import type { CallNode, SyntaxNode } from '../syntaxTree';
import { layerKind, normalizeActivation } from '../layerKinds';
import { product } from '../scopes';
import type { Assignment } from '../scopes';
import type { LayerDef } from '../sourceModel';
import { ACTIVATIONS } from '../../probe/initializers/spec';
import { argOf, configEntries } from './args';
import type { ScanState } from './state';

const KNOWN_ACTIVATION_NAMES = new Set([...ACTIVATIONS, 'softmax', 'swish', 'silu', 'softplus', 'softsign', 'relu6', 'hard_sigmoid', 'mish', 'exponential']);

const KERAS_DEFAULT_KERNEL = 'glorot_uniform';
const TFJS_DEFAULT_KERNEL = 'glorotNormal';
/** nn.Linear's own reset_parameters(): kaiming_uniform_ with a = √5, i.e. U(±1/√fan_in). */
const TORCH_DEFAULT_KERNEL = 'nn.init.kaiming_uniform_(w, a=math.sqrt(5))';

export function readLayers(s: ScanState): void {
  for (const call of s.calls) layerFor(s, call, false);
}

/** The layer for a call (created once per call), or undefined when the call is no layer. */
export function layerFor(s: ScanState, call: CallNode, inList: boolean): number | undefined {
  const known = s.layerByCall.get(call);
  if (known !== undefined) return known;
  const kind = layerKind(call.path, s.python, inList);
  if (!kind) return undefined;
  const type = call.path[call.path.length - 1];
  const tokens = s.stream.tokens;
  const end = call.close !== -1 ? tokens[call.close].end : call.end;
  const layer: LayerDef = {
    id: s.layers.length,
    framework: kind.framework,
    type,
    role: kind.role,
    start: call.start,
    end,
    nameStart: call.nameStart,
    nameEnd: call.nameEnd,
    activationFrom: 'unknown',
    kernel: { kind: 'default', text: '' },
    fans: [],
    nextDense: [],
    isOutput: false,
    reluRun: 0,
    inContainer: false,
  };
  if (kind.activation) {
    layer.activation = kind.activation;
    layer.activationFrom = 'argument';
  }
  if (kind.framework === 'tfjs') readTfjsLayer(s, call, layer);
  else if (kind.framework === 'keras') readKerasLayer(s, call, layer);
  else readTorchLayer(s, call, layer);
  s.layers.push(layer);
  s.layerByCall.set(call, layer.id);
  return layer.id;
}

function readActivation(s: ScanState, node: SyntaxNode | undefined, layer: LayerDef): void {
  if (!node) {
    if (layer.role === 'dense') {
      layer.activation = 'linear';
      layer.activationFrom = 'default';
    }
    return;
  }
  const v = s.scopes.resolve(node);
  if (v.type === 'string' && v.value !== undefined) layer.activation = normalizeActivation(v.value);
  else if (v.type === 'name') {
    // A bare name is a variable unless it is an activation function imported by name (relu).
    const bare = normalizeActivation(v.path[0]);
    layer.activation = v.path.length > 1 || KNOWN_ACTIVATION_NAMES.has(bare) ? normalizeActivation(v.path.join('.')) : undefined;
  }
  else if (v.type === 'call') layer.activation = normalizeActivation(v.path.join('.'));
  if (layer.activation === undefined) {
    layer.activationText = s.text.slice(node.start, node.end);
    layer.activationFrom = 'unknown';
  } else {
    layer.activationFrom = 'argument';
  }
}

function readKernel(s: ScanState, node: SyntaxNode | undefined, layer: LayerDef, fallback: string): void {
  if (!node) {
    layer.kernel = { kind: 'default', text: fallback };
    return;
  }
  const site = s.siteByStart.get(node.start);
  if (site !== undefined) {
    layer.kernel = { kind: 'site', site };
    return;
  }
  if (node.type === 'name') {
    layer.kernel = { kind: 'variable', name: node.path.join('.'), sites: [] };
    return;
  }
  layer.kernel = { kind: 'variable', name: s.text.slice(node.start, node.end), sites: [] };
}

function insertionPoint(s: ScanState, call: CallNode, objectStyle: boolean): LayerDef['insertAt'] {
  const tokens = s.stream.tokens;
  if (call.close === -1) return undefined;
  let closer = call.close;
  if (objectStyle) {
    const obj = call.args[0]?.value;
    if (!obj || obj.type !== 'object' || s.stream.partner[obj.first] !== obj.last) return undefined;
    closer = obj.last;
  }
  const last = tokens[closer - 1];
  const empty = s.stream.partner[closer] === closer - 1;
  // After the last argument; a trailing comma stays trailing.
  if (empty) return { offset: last.end, before: '', after: '', objectStyle };
  if (last.text === ',') return { offset: last.end, before: ' ', after: ',', objectStyle };
  return { offset: last.end, before: ', ', after: '', objectStyle };
}

/** PyTorch: after the statement that creates a layer: same indentation, the layer's own `nn` prefix. */
export function torchInsertAfter(s: ScanState, a: Assignment, module: string, layerCall: SyntaxNode): LayerDef['torchInsert'] {
  const lineStart = s.text.lastIndexOf('\n', a.offset) + 1;
  const indent = /^[ \t]*/.exec(s.text.slice(lineStart, a.offset))?.[0] ?? '';
  const newline = s.text.indexOf('\n', a.value.end);
  const offset = newline === -1 ? s.text.length : newline;
  const path = layerCall.type === 'call' ? layerCall.path.slice(0, -1) : [];
  const prefix = path.length > 0 ? `${path.join('.')}.init.` : 'nn.init.';
  return { offset, indent, prefix, module };
}

function readKerasLayer(s: ScanState, call: CallNode, layer: LayerDef): void {
  const shape =
    s.scopes.shapeOf(argOf(call, -1, 'input_shape')) ??
    s.scopes.shapeOf(argOf(call, -1, 'batch_input_shape'))?.slice(1) ??
    (argOf(call, -1, 'input_dim') ? [s.scopes.numberOf(argOf(call, -1, 'input_dim'))] : undefined);
  if (shape) layer.declaredShape = shape;
  switch (layer.role) {
    case 'dense': {
      const units = argOf(call, 0, 'units');
      layer.units = s.scopes.numberOf(units);
      if (units && layer.units === undefined) layer.unitsText = s.text.slice(units.start, units.end);
      readActivation(s, argOf(call, 1, 'activation'), layer);
      readKernel(s, argOf(call, 3, 'kernel_initializer'), layer, KERAS_DEFAULT_KERNEL);
      layer.insertAt = insertionPoint(s, call, false);
      break;
    }
    case 'input': {
      const declared = s.scopes.shapeOf(argOf(call, 0, 'shape')) ?? s.scopes.shapeOf(argOf(call, -1, 'input_shape')) ?? s.scopes.shapeOf(argOf(call, -1, 'batch_shape'))?.slice(1);
      if (declared) layer.declaredShape = declared;
      break;
    }
    case 'reshape': {
      const target = s.scopes.shapeOf(argOf(call, 0, 'target_shape'));
      if (target) layer.units = product(target);
      break;
    }
    case 'activation':
      if (!layer.activation) readActivation(s, argOf(call, 0, 'activation'), layer);
      break;
    default:
      break;
  }
}

function readTfjsLayer(s: ScanState, call: CallNode, layer: LayerDef): void {
  const config = configEntries(call);
  const shape = s.scopes.shapeOf(config.get('inputShape')) ?? s.scopes.shapeOf(config.get('batchInputShape'))?.slice(1) ?? (config.has('inputDim') ? [s.scopes.numberOf(config.get('inputDim'))] : undefined);
  if (shape) layer.declaredShape = shape;
  switch (layer.role) {
    case 'dense': {
      const units = config.get('units');
      layer.units = s.scopes.numberOf(units);
      if (units && layer.units === undefined) layer.unitsText = s.text.slice(units.start, units.end);
      readActivation(s, config.get('activation'), layer);
      readKernel(s, config.get('kernelInitializer'), layer, TFJS_DEFAULT_KERNEL);
      layer.insertAt = insertionPoint(s, call, true);
      break;
    }
    case 'input': {
      const declared = s.scopes.shapeOf(config.get('shape')) ?? s.scopes.shapeOf(config.get('batchShape'))?.slice(1);
      if (declared) layer.declaredShape = declared;
      break;
    }
    case 'reshape': {
      const target = s.scopes.shapeOf(config.get('targetShape'));
      if (target) layer.units = product(target);
      break;
    }
    case 'activation':
      if (!layer.activation) readActivation(s, config.get('activation'), layer);
      break;
    default:
      break;
  }
}

function readTorchLayer(s: ScanState, call: CallNode, layer: LayerDef): void {
  if (layer.role === 'dense') {
    const fanIn = s.scopes.numberOf(argOf(call, 0, 'in_features'));
    const fanOut = s.scopes.numberOf(argOf(call, 1, 'out_features'));
    layer.units = fanOut;
    layer.fans = [{ fanIn, fanOut }];
    layer.kernel = { kind: 'default', text: TORCH_DEFAULT_KERNEL };
    // PyTorch applies activations outside the layer; the forward pass or a Sequential tells.
    layer.activationFrom = 'unknown';
  }
}
