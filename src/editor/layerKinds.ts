/**
 * Which calls are layers, in Keras, TensorFlow.js and PyTorch, and what each does to the shape
 * of the signal: the vocabulary the scanner needs to follow a dense stack through a model.
 */
import { ACTIVATIONS } from '../probe/initializers/spec';
import type { Activation } from '../probe/initializers/spec';

export type Framework = 'keras' | 'tfjs' | 'torch';

/**
 * dense: has a kernel and units; input/flatten/reshape: set the shape; activation: applies an
 * activation to the previous layer's output; preserve: leaves shape and activation alone
 * (dropout, normalization); other: anything the probe cannot build (convolutions, pooling, …).
 */
export type LayerRole = 'dense' | 'input' | 'flatten' | 'reshape' | 'activation' | 'preserve' | 'other';

const KERAS_ROLES: Record<string, LayerRole> = {
  Dense: 'dense',
  Input: 'input',
  InputLayer: 'input',
  Flatten: 'flatten',
  Reshape: 'reshape',
  Activation: 'activation',
  ReLU: 'activation',
  LeakyReLU: 'activation',
  ELU: 'activation',
  Softmax: 'activation',
  Dropout: 'preserve',
  AlphaDropout: 'preserve',
  GaussianDropout: 'preserve',
  GaussianNoise: 'preserve',
  ActivityRegularization: 'preserve',
  BatchNormalization: 'preserve',
  LayerNormalization: 'preserve',
  UnitNormalization: 'preserve',
};

const TFJS_ROLES: Record<string, LayerRole> = {
  dense: 'dense',
  inputLayer: 'input',
  flatten: 'flatten',
  reshape: 'reshape',
  activation: 'activation',
  reLU: 'activation',
  leakyReLU: 'activation',
  elu: 'activation',
  softmax: 'activation',
  dropout: 'preserve',
  alphaDropout: 'preserve',
  gaussianDropout: 'preserve',
  gaussianNoise: 'preserve',
  batchNormalization: 'preserve',
  layerNormalization: 'preserve',
};

/** PyTorch activation modules and what they are in Keras' words. */
const TORCH_ACTIVATION_MODULES: Record<string, string> = {
  ReLU: 'relu',
  Tanh: 'tanh',
  Sigmoid: 'sigmoid',
  ELU: 'elu',
  SELU: 'selu',
  LeakyReLU: 'leaky_relu',
  GELU: 'gelu',
  Softmax: 'softmax',
  LogSoftmax: 'softmax',
  Identity: 'linear',
  SiLU: 'silu',
  Mish: 'mish',
  Softplus: 'softplus',
};
const TORCH_PRESERVE = new Set(['Dropout', 'AlphaDropout', 'BatchNorm1d', 'LayerNorm', 'Flatten']);

/** `F.relu`, `torch.tanh`, `torch.nn.functional.selu`: functional activations (also the model graph's, src/editor/modelGraph.ts). */
export const TORCH_ACTIVATION_FUNCTIONS: Record<string, string> = {
  relu: 'relu',
  relu_: 'relu',
  tanh: 'tanh',
  sigmoid: 'sigmoid',
  elu: 'elu',
  selu: 'selu',
  leaky_relu: 'leaky_relu',
  gelu: 'gelu',
  softmax: 'softmax',
  log_softmax: 'softmax',
  silu: 'silu',
};

export interface LayerKind {
  framework: Framework;
  role: LayerRole;
  /** Activation of an activation layer (`ReLU()` → relu); undefined when read from its arguments. */
  activation?: string;
}

/**
 * The layer a call path names, if any. `inList` accepts unknown CamelCase calls as layers
 * (`Conv2D(…)` inside a Sequential list) even without a `layers.` prefix.
 */
export function layerKind(path: readonly string[], python: boolean, inList = false): LayerKind | undefined {
  const name = path[path.length - 1];
  // Runs for every call in a file: first letters and the parent decide most cases without allocating.
  const first = name.charCodeAt(0);
  const upper = first >= 65 && first <= 90;
  if (python ? !upper : path.length < 2) return undefined;
  const parent = path.length > 1 ? path[path.length - 2] : undefined;
  const prefix = path.slice(0, -1);
  if (python) {
    if (parent === 'nn' || (prefix.length === 0 && name === 'Linear')) {
      if (name === 'Linear') return { framework: 'torch', role: 'dense' };
      if (name in TORCH_ACTIVATION_MODULES) return { framework: 'torch', role: 'activation', activation: TORCH_ACTIVATION_MODULES[name] };
      if (TORCH_PRESERVE.has(name)) return { framework: 'torch', role: 'preserve' };
      if (parent === 'nn' && /^[A-Z]/.test(name) && name !== 'Sequential' && name !== 'Module' && name !== 'ModuleList') return { framework: 'torch', role: 'other' };
      return undefined;
    }
    const kerasPrefix = prefix.length === 0 || prefix.includes('layers') || prefix.includes('keras');
    if (!kerasPrefix) return undefined;
    const role = KERAS_ROLES[name];
    if (role) {
      const activation = name === 'ReLU' ? 'relu' : name === 'LeakyReLU' ? 'leaky_relu' : name === 'ELU' ? 'elu' : name === 'Softmax' ? 'softmax' : undefined;
      // keras.Input is the functional API's input; a bare `Input` must come from keras too.
      return { framework: 'keras', role, activation };
    }
    if (/^[A-Z][A-Za-z0-9]*$/.test(name) && (prefix.includes('layers') || inList) && name !== 'Sequential' && name !== 'Model') {
      return { framework: 'keras', role: 'other' };
    }
    return undefined;
  }
  if (path.length === 2 && path[0] === 'tf' && name === 'input') return { framework: 'tfjs', role: 'input' };
  if (parent !== 'layers') return undefined;
  const role = TFJS_ROLES[name];
  if (role) {
    const activation = name === 'reLU' ? 'relu' : name === 'leakyReLU' ? 'leaky_relu' : name === 'elu' ? 'elu' : name === 'softmax' ? 'softmax' : undefined;
    return { framework: 'tfjs', role, activation };
  }
  if (/^[a-z][A-Za-z0-9]*$/.test(name)) return { framework: 'tfjs', role: 'other' };
  return undefined;
}

/** `nn.Sequential` (PyTorch) vs `keras.Sequential` / `tf.sequential` (a model to probe). */
export function containerKind(path: readonly string[], python: boolean): 'torch-sequential' | 'keras-sequential' | 'tfjs-sequential' | undefined {
  const name = path[path.length - 1];
  const parent = path[path.length - 2];
  if (python && name === 'Sequential') return parent === 'nn' ? 'torch-sequential' : 'keras-sequential';
  if (!python && name === 'sequential' && (path.length === 1 || parent === 'tf')) return 'tfjs-sequential';
  return undefined;
}

/** A functional activation applied to a layer's output in a PyTorch forward(): `F.relu(self.fc1(x))`. */
export function torchActivationFunction(path: readonly string[]): string | undefined {
  if (path.length < 2) return undefined;
  const name = path[path.length - 1];
  const prefix = path.slice(0, -1).join('.');
  if (!['F', 'torch', 'nn.functional', 'torch.nn.functional', 'functional'].includes(prefix)) return undefined;
  return TORCH_ACTIVATION_FUNCTIONS[name];
}

const ALIASES: Record<string, string> = {
  leakyrelu: 'leaky_relu',
  leaky_relu: 'leaky_relu',
  none: 'linear',
  null: 'linear',
  undefined: 'linear',
  identity: 'linear',
  hardsigmoid: 'hard_sigmoid',
  logsoftmax: 'softmax',
};

/** An activation as written (`'relu'`, `tf.nn.relu`, `None`, `'leakyReLU'`) in Keras' lower-case words. */
export function normalizeActivation(written: string): string {
  const last = written.split('.').pop() ?? written;
  const lower = last.toLowerCase();
  return ALIASES[lower] ?? lower;
}

/** Whether the probe can build this activation in a hidden layer. */
export function isProbeActivation(name: string | undefined): name is Activation {
  return name !== undefined && (ACTIVATIONS as readonly string[]).includes(name);
}

export const RELU_FAMILY: readonly string[] = ['relu', 'elu', 'leaky_relu', 'gelu'];
