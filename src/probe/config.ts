import { ACTIVATIONS, BACKENDS, LIMITS, OPTIMIZERS } from '../protocol/vocabulary';
import type { Activation } from '../protocol/vocabulary';
import type { ProbeConfig } from '../protocol';

// The vocabulary and the config's shape live in the protocol; re-exported for the engine's modules.
export { BACKENDS, LIMITS, OPTIMIZERS } from '../protocol/vocabulary';
export type { BackendRequest, OptimizerName } from '../protocol/vocabulary';
export type { ProbeConfig } from '../protocol';

/** Defaults = the seed notebook's model. */
export const DEFAULT_CONFIG: ProbeConfig = {
  hidden: [128],
  activation: 'relu',
  optimizer: 'adam',
  lr: 0.001,
  momentum: 0.9,
  batch: 32,
  steps: 300,
  every: 10,
  seed: 42,
  data: 'auto',
  backend: 'auto',
  probeBatch: 256,
  validationSubset: 500,
};

/** A user's bad value: one line, shown as-is by the CLI, a notification or the sidebar form. */
export class ConfigError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
    this.name = 'ConfigError';
  }
}

/** `128`, `256x8` (8 layers of 256), `512,256,128`, or a mix: `512,256x3`. */
export function parseHidden(text: string): number[] {
  const trimmed = text.trim();
  if (trimmed === '') throw new ConfigError('hidden', 'hidden layers: empty; write e.g. 128, 256x8 or 512,256,128');
  const widths: number[] = [];
  for (const part of trimmed.split(',')) {
    const m = /^\s*(-?\d+(?:\.\d+)?)\s*(?:[x×*]\s*(-?\d+(?:\.\d+)?))?\s*$/i.exec(part);
    if (!m) throw new ConfigError('hidden', `hidden layers: cannot read '${part.trim()}'; write e.g. 128, 256x8 or 512,256,128`);
    const width = Number(m[1]);
    const count = m[2] === undefined ? 1 : Number(m[2]);
    checkInt('hidden', 'layer width', width, 1, LIMITS.maxWidth);
    checkInt('hidden', 'layer count', count, 1, LIMITS.maxLayers);
    for (let i = 0; i < count; i++) widths.push(width);
  }
  if (widths.length > LIMITS.maxLayers) {
    throw new ConfigError('hidden', `hidden layers: ${widths.length} layers is more than the limit of ${LIMITS.maxLayers}`);
  }
  return widths;
}

function checkInt(field: string, what: string, value: number, min: number, max: number): void {
  if (!Number.isInteger(value)) throw new ConfigError(field, `${what} must be a whole number, got ${value}`);
  if (value < min) throw new ConfigError(field, `${what} must be at least ${min}, got ${value}`);
  if (value > max) throw new ConfigError(field, `${what} must be at most ${max}, got ${value}`);
}

function checkNumber(field: string, what: string, value: number, minExclusive: number, max: number): void {
  if (!Number.isFinite(value)) throw new ConfigError(field, `${what} must be a number, got ${value}`);
  if (value <= minExclusive) throw new ConfigError(field, `${what} must be greater than ${minExclusive}, got ${value}`);
  if (value > max) throw new ConfigError(field, `${what} must be at most ${max}, got ${value}`);
}

export function isActivation(name: string): name is Activation {
  return (ACTIVATIONS as readonly string[]).includes(name);
}

/** Validates a whole config (values from settings, flags or a webview are all untrusted). */
export function validateConfig(config: ProbeConfig): ProbeConfig {
  if (!Array.isArray(config.hidden) || config.hidden.length === 0) {
    throw new ConfigError('hidden', 'hidden layers: at least one hidden layer is needed');
  }
  if (config.hidden.length > LIMITS.maxLayers) {
    throw new ConfigError('hidden', `hidden layers: ${config.hidden.length} layers is more than the limit of ${LIMITS.maxLayers}`);
  }
  for (const w of config.hidden) checkInt('hidden', 'layer width', w, 1, LIMITS.maxWidth);
  if (!isActivation(config.activation)) {
    throw new ConfigError('activation', `unknown activation '${String(config.activation)}'; use one of ${ACTIVATIONS.join(', ')}`);
  }
  if (!(OPTIMIZERS as readonly string[]).includes(config.optimizer)) {
    throw new ConfigError('optimizer', `unknown optimizer '${String(config.optimizer)}'; use adam or sgd`);
  }
  if (!(BACKENDS as readonly string[]).includes(config.backend)) {
    throw new ConfigError('backend', `unknown backend '${String(config.backend)}'; use ${BACKENDS.join(', ')}`);
  }
  checkNumber('lr', 'learning rate', config.lr, 0, LIMITS.maxLr);
  if (!Number.isFinite(config.momentum) || config.momentum < 0 || config.momentum >= 1) {
    throw new ConfigError('momentum', `momentum must be in [0, 1), got ${config.momentum}`);
  }
  checkInt('batch', 'batch size', config.batch, 1, LIMITS.maxBatch);
  checkInt('steps', 'steps', config.steps, 1, LIMITS.maxSteps);
  checkInt('every', 'stats interval', config.every, 1, LIMITS.maxSteps);
  checkInt('seed', 'seed', config.seed, 0, LIMITS.maxSeed);
  checkInt('probeBatch', 'probe batch', config.probeBatch, 1, LIMITS.maxBatch);
  checkInt('validationSubset', 'validation subset', config.validationSubset, 1, 1_000_000);
  if (typeof config.data !== 'string' || config.data.trim() === '') {
    throw new ConfigError('data', 'data source: empty; use mnist, auto, a .npz file or an IDX folder');
  }
  checkMemory(config, 784, 10);
  return config;
}

/** Float32 bytes one probe would need; refuses networks beyond the budget before anything is allocated. */
export function estimateMemoryBytes(config: Pick<ProbeConfig, 'hidden' | 'batch' | 'probeBatch'>, inputSize: number, classes: number): number {
  const widths = [inputSize, ...config.hidden, classes];
  let params = 0;
  let activations = 0;
  for (let i = 1; i < widths.length; i++) {
    params += widths[i - 1] * widths[i] + widths[i];
    activations += 2 * widths[i];
  }
  const rows = Math.max(config.batch, config.probeBatch);
  // weights, gradients, two Adam moments, one copy for the update ratio
  return 4 * (5 * params + 3 * rows * activations);
}

export function checkMemory(config: Pick<ProbeConfig, 'hidden' | 'batch' | 'probeBatch'>, inputSize: number, classes: number): void {
  const bytes = estimateMemoryBytes(config, inputSize, classes);
  if (bytes > LIMITS.memoryBudgetBytes) {
    throw new ConfigError(
      'hidden',
      `network too large: about ${(bytes / 2 ** 20).toFixed(0)} MiB for parameters and activations, over the ${(LIMITS.memoryBudgetBytes / 2 ** 20).toFixed(0)} MiB budget per probe`,
    );
  }
}
