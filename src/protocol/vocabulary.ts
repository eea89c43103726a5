/**
 * The words every layer shares: what a probe can build, run on and report, and the settings a
 * person sets. The bottom of the house: imports nothing (not even zod), so the engine, the
 * host, the CLI and both webviews can all take their enums and limits from here.
 */

/** Activations the probe can build. Names follow Keras. */
export const ACTIVATIONS = ['relu', 'tanh', 'sigmoid', 'elu', 'selu', 'leaky_relu', 'gelu', 'linear'] as const;
export type Activation = (typeof ACTIVATIONS)[number];

export const OPTIMIZERS = ['adam', 'sgd'] as const;
export type OptimizerName = (typeof OPTIMIZERS)[number];

/** What a person may ask for (`auto` picks one of BACKEND_NAMES). */
export const BACKENDS = ['auto', 'tensorflow', 'wasm', 'cpu'] as const;
export type BackendRequest = (typeof BACKENDS)[number];
/** What a probe actually ran on (pytorch: the user's own model in their Python). */
export const BACKEND_NAMES = ['tensorflow', 'wasm', 'cpu', 'pytorch'] as const;
export type BackendName = (typeof BACKEND_NAMES)[number];

/** user: watch() in the user's own training, on their own data. */
export const DATA_KINDS = ['bundled', 'npz', 'idx', 'user'] as const;
export type DataKind = (typeof DATA_KINDS)[number];

/**
 * The seed notebook's four initializers: `id` as the catalog (sidebar, CLI) names them, `written`
 * as the notebook's Keras code writes them (the palette's QuickPick, the model CodeLens).
 */
export const SEED_INITIALIZERS = [
  { id: 'zeros', written: 'Zeros' },
  { id: 'random_normal', written: 'RandomNormal(stddev=0.05)' },
  { id: 'glorot_normal', written: 'GlorotNormal' },
  { id: 'he_normal', written: 'HeNormal' },
] as const;
export const SEED_INITIALIZER_IDS: readonly string[] = SEED_INITIALIZERS.map((s) => s.id);
export const SEED_INITIALIZERS_WRITTEN: readonly string[] = SEED_INITIALIZERS.map((s) => s.written);

export const RUN_STATUSES = ['queued', 'running', 'finished', 'failed', 'cancelled'] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];

/** A run that will not change any more. */
export function isRunDone(status: RunStatus): boolean {
  return status === 'finished' || status === 'failed' || status === 'cancelled';
}

export const FLAG_KINDS = ['vanishing', 'exploding', 'symmetric', 'dead', 'saturated', 'diverged'] as const;
export type FlagKind = (typeof FLAG_KINDS)[number];

/** The probe settings, as keys under `initlens.` (package.json contributes.configuration). */
export const SETTING_KEYS = [
  'hiddenLayers',
  'activation',
  'optimizer',
  'learningRate',
  'batchSize',
  'steps',
  'statsInterval',
  'seed',
  'seeds',
  'dataSource',
  'backend',
  'parallelJobs',
] as const;
export type SettingKey = (typeof SETTING_KEYS)[number];

export function isSettingKey(key: string): key is SettingKey {
  return (SETTING_KEYS as readonly string[]).includes(key);
}

/**
 * The probe-config field each setting fills (parallelJobs and seeds are the host's, not a
 * probe's: how many probes run at once, and how many seeds of each initializer). The
 * one place the two spellings meet: settings reading, the form's checks and its problem routing
 * all go through it.
 */
export const SETTING_FIELDS = {
  hiddenLayers: 'hidden',
  activation: 'activation',
  optimizer: 'optimizer',
  learningRate: 'lr',
  batchSize: 'batch',
  steps: 'steps',
  statsInterval: 'every',
  seed: 'seed',
  seeds: undefined,
  dataSource: 'data',
  backend: 'backend',
  parallelJobs: undefined,
} as const satisfies Record<SettingKey, string | undefined>;

/** The setting a config field (or a setting key) belongs to; undefined for fields no setting fills. */
export function settingKeyFor(field: string): SettingKey | undefined {
  if (isSettingKey(field)) return field;
  return SETTING_KEYS.find((key) => SETTING_FIELDS[key] === field);
}

/** Ranges every front end enforces (package.json's minimum/maximum repeat them for the settings editor). */
export const LIMITS = {
  maxWidth: 8192,
  maxLayers: 200,
  maxBatch: 8192,
  maxSteps: 1_000_000,
  maxLr: 10,
  maxSeed: 2 ** 31 - 1,
  /** Seeds per initializer (CLI --seeds, initlens.seeds): beyond this the interval narrows slowly and the time grows linearly. */
  maxSeeds: 20,
  maxParallelJobs: 64,
  minDeepStackDepth: 2,
  maxDeepStackDepth: 1000,
  /**
   * Memory budget for one probe: parameters (×4 for weights, gradients and Adam's two moments)
   * plus activations of the largest batch kept for backprop, in float32. A probe process runs
   * one probe at a time; with two in parallel this stays well inside a 2–4 GB machine.
   */
  memoryBudgetBytes: 1024 * 1024 * 1024,
} as const;
