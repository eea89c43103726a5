/**
 * Every Keras built-in initializer (plus LSUV) with its names in Keras, TensorFlow.js and
 * PyTorch, its formula, the activations it was designed for and the note that explains it.
 * This is data only: the parser, the sampler and the theory read it, nobody copies it.
 */
import { ACTIVATIONS } from './spec';
import type { Activation, InitSpec, NoteId } from './spec';

export const CATALOG_IDS = [
  'zeros',
  'ones',
  'constant',
  'random_normal',
  'random_uniform',
  'truncated_normal',
  'variance_scaling',
  'glorot_normal',
  'glorot_uniform',
  'he_normal',
  'he_uniform',
  'lecun_normal',
  'lecun_uniform',
  'orthogonal',
  'identity',
  'lsuv',
] as const;
export type CatalogId = (typeof CATALOG_IDS)[number];

/** The VarianceScaling presets; `preset` on a spec is one of these. */
export const PRESET_IDS = ['glorot_normal', 'glorot_uniform', 'he_normal', 'he_uniform', 'lecun_normal', 'lecun_uniform'] as const;
export type PresetId = (typeof PRESET_IDS)[number];

export interface CatalogEntry {
  /** Keras snake_case name (`keras.initializers.get` accepts it). */
  id: CatalogId;
  /** Keras class name. LSUV is not in Keras; its class name is InitLens'. */
  className: string;
  /** `tf.initializers.<tfjsName>` in TensorFlow.js, where one exists. */
  tfjsName?: string;
  /** The nearest `torch.nn.init.<torchName>`, where one exists; see `torchDifference`. */
  torchName?: string;
  /** How the PyTorch function differs, when it is not the same distribution. */
  torchDifference?: string;
  /** One line, in terms of fan_in and fan_out. */
  formula: string;
  /** Activations this initializer was designed for (empty: not scaled to the layer at all). */
  suits: readonly Activation[];
  noteId: NoteId;
  /** The spec with Keras' default arguments. */
  defaults: InitSpec;
  summary: string;
  /** Published source of the scheme, for notes and hovers. */
  reference?: string;
}

const RELU_FAMILY: readonly Activation[] = ['relu', 'elu', 'leaky_relu', 'gelu'];
const UNIT_GAIN: readonly Activation[] = ['tanh', 'sigmoid', 'linear'];
const UNIT_GAIN_FAN_IN: readonly Activation[] = ['tanh', 'sigmoid', 'selu', 'linear'];

const TRUNCATION_NOTE = 'truncated at 2σ (std rescaled by 1/0.8796)';
const UNTRUNCATED_NOTE = 'untruncated normal: same variance, tails beyond 2σ kept';

export const INITIALIZER_CATALOG: readonly CatalogEntry[] = [
  {
    id: 'zeros',
    className: 'Zeros',
    tfjsName: 'zeros',
    torchName: 'zeros_',
    formula: 'W = 0',
    suits: [],
    noteId: 'zero-symmetry',
    defaults: { kind: 'zeros' },
    summary: 'Every unit computes the same thing and gets the same gradient: symmetry is never broken.',
  },
  {
    id: 'ones',
    className: 'Ones',
    tfjsName: 'ones',
    torchName: 'ones_',
    formula: 'W = 1',
    suits: [],
    noteId: 'zero-symmetry',
    defaults: { kind: 'ones' },
    summary: 'Identical units like zeros, and each layer multiplies the signal by about fan_in.',
  },
  {
    id: 'constant',
    className: 'Constant',
    tfjsName: 'constant',
    torchName: 'constant_',
    formula: 'W = value (default 0.0)',
    suits: [],
    noteId: 'zero-symmetry',
    defaults: { kind: 'constant', value: 0 },
    summary: 'One value everywhere: all units stay identical, whatever the value.',
  },
  {
    id: 'random_normal',
    className: 'RandomNormal',
    tfjsName: 'randomNormal',
    torchName: 'normal_',
    formula: 'W ~ N(mean, stddev²), default N(0, 0.05²), independent of fan_in and fan_out',
    suits: [],
    noteId: 'random-initialization',
    defaults: { kind: 'random_normal', mean: 0, stddev: 0.05 },
    summary: 'Breaks symmetry, but its fixed scale is right for one layer width only.',
  },
  {
    id: 'random_uniform',
    className: 'RandomUniform',
    tfjsName: 'randomUniform',
    torchName: 'uniform_',
    formula: 'W ~ U(minval, maxval), default U(-0.05, 0.05), independent of fan_in and fan_out',
    suits: [],
    noteId: 'random-initialization',
    defaults: { kind: 'random_uniform', minval: -0.05, maxval: 0.05 },
    summary: 'Breaks symmetry, but its fixed scale is right for one layer width only.',
  },
  {
    id: 'truncated_normal',
    className: 'TruncatedNormal',
    tfjsName: 'truncatedNormal',
    torchName: 'trunc_normal_',
    torchDifference: 'PyTorch truncates at absolute bounds a, b (default ±2), not at ±2·stddev',
    formula: 'W ~ N(mean, stddev²) redrawn beyond mean ± 2·stddev, no rescaling (std = 0.8796·stddev)',
    suits: [],
    noteId: 'random-initialization',
    defaults: { kind: 'truncated_normal', mean: 0, stddev: 0.05 },
    summary: 'A fixed-scale normal without outliers; its actual std is 12% below the stddev argument.',
  },
  {
    id: 'variance_scaling',
    className: 'VarianceScaling',
    tfjsName: 'varianceScaling',
    formula: `W ~ N(0, scale/n) ${TRUNCATION_NOTE}, or U(±√(3·scale/n)); n = fan_in | fan_out | (fan_in+fan_out)/2`,
    suits: UNIT_GAIN_FAN_IN,
    noteId: 'signal-propagation',
    defaults: { kind: 'variance_scaling', scale: 1, mode: 'fan_in', distribution: 'truncated_normal' },
    summary: 'The general form behind Glorot, He and LeCun: weight variance = scale / fan.',
  },
  {
    id: 'glorot_normal',
    className: 'GlorotNormal',
    tfjsName: 'glorotNormal',
    torchName: 'xavier_normal_',
    torchDifference: UNTRUNCATED_NOTE,
    formula: `W ~ N(0, 2/(fan_in+fan_out)), ${TRUNCATION_NOTE}`,
    suits: UNIT_GAIN,
    noteId: 'glorot',
    defaults: { kind: 'variance_scaling', scale: 1, mode: 'fan_avg', distribution: 'truncated_normal', preset: 'glorot_normal' },
    summary: 'Keeps forward and backward variance balanced for tanh-like units; halves a ReLU signal per layer.',
    reference: 'Glorot & Bengio 2010',
  },
  {
    id: 'glorot_uniform',
    className: 'GlorotUniform',
    tfjsName: 'glorotUniform',
    torchName: 'xavier_uniform_',
    formula: 'W ~ U(±√(6/(fan_in+fan_out)))',
    suits: UNIT_GAIN,
    noteId: 'glorot',
    defaults: { kind: 'variance_scaling', scale: 1, mode: 'fan_avg', distribution: 'uniform', preset: 'glorot_uniform' },
    summary: "Keras' default kernel initializer: Glorot's variance with a uniform distribution.",
    reference: 'Glorot & Bengio 2010',
  },
  {
    id: 'he_normal',
    className: 'HeNormal',
    tfjsName: 'heNormal',
    torchName: 'kaiming_normal_',
    torchDifference: UNTRUNCATED_NOTE,
    formula: `W ~ N(0, 2/fan_in), ${TRUNCATION_NOTE}`,
    suits: RELU_FAMILY,
    noteId: 'he',
    defaults: { kind: 'variance_scaling', scale: 2, mode: 'fan_in', distribution: 'truncated_normal', preset: 'he_normal' },
    summary: 'Doubles the variance to make up for ReLU zeroing half the signal: gain 1 per ReLU layer.',
    reference: 'He et al. 2015',
  },
  {
    id: 'he_uniform',
    className: 'HeUniform',
    tfjsName: 'heUniform',
    torchName: 'kaiming_uniform_',
    formula: 'W ~ U(±√(6/fan_in))',
    suits: RELU_FAMILY,
    noteId: 'he',
    defaults: { kind: 'variance_scaling', scale: 2, mode: 'fan_in', distribution: 'uniform', preset: 'he_uniform' },
    summary: "He's variance with a uniform distribution (PyTorch's kaiming_uniform_ with its defaults).",
    reference: 'He et al. 2015',
  },
  {
    id: 'lecun_normal',
    className: 'LecunNormal',
    tfjsName: 'leCunNormal',
    torchName: 'kaiming_normal_',
    torchDifference: "with nonlinearity='linear' (gain 1); untruncated normal",
    formula: `W ~ N(0, 1/fan_in), ${TRUNCATION_NOTE}`,
    suits: UNIT_GAIN_FAN_IN,
    noteId: 'lecun-selu',
    defaults: { kind: 'variance_scaling', scale: 1, mode: 'fan_in', distribution: 'truncated_normal', preset: 'lecun_normal' },
    summary: 'Unit gain per layer for linear-like units; the one SELU needs to self-normalize.',
    reference: 'LeCun et al. 1998; Klambauer et al. 2017',
  },
  {
    id: 'lecun_uniform',
    className: 'LecunUniform',
    tfjsName: 'leCunUniform',
    torchName: 'kaiming_uniform_',
    torchDifference: "with nonlinearity='linear' (gain 1)",
    formula: 'W ~ U(±√(3/fan_in))',
    suits: UNIT_GAIN_FAN_IN,
    noteId: 'lecun-selu',
    defaults: { kind: 'variance_scaling', scale: 1, mode: 'fan_in', distribution: 'uniform', preset: 'lecun_uniform' },
    summary: "LeCun's variance with a uniform distribution.",
    reference: 'LeCun et al. 1998',
  },
  {
    id: 'orthogonal',
    className: 'Orthogonal',
    tfjsName: 'orthogonal',
    torchName: 'orthogonal_',
    formula: 'W = gain·Q, Q from the QR of a N(0, 1) matrix (orthonormal columns if fan_in ≥ fan_out, else rows); E[w²] = gain²/max(fan_in, fan_out)',
    suits: UNIT_GAIN,
    noteId: 'orthogonal',
    defaults: { kind: 'orthogonal', gain: 1 },
    summary: 'Preserves every direction of the signal exactly in linear layers (dynamical isometry).',
    reference: 'Saxe et al. 2014',
  },
  {
    id: 'identity',
    className: 'Identity',
    tfjsName: 'identity',
    torchName: 'eye_',
    formula: 'W = gain·I (fan_in × fan_out, ones on the main diagonal)',
    suits: [],
    noteId: 'orthogonal',
    defaults: { kind: 'identity', gain: 1 },
    summary: 'Passes input i to unit i: a layer narrower than its input drops the rest, a wider one has dead units.',
  },
  {
    id: 'lsuv',
    className: 'LSUV',
    formula: 'W = orthogonal, then each layer scaled by 1/√Var(output) on one batch until |Var − 1| < 0.1 (at most 10 rounds)',
    suits: ACTIVATIONS,
    noteId: 'lsuv',
    defaults: { kind: 'lsuv', tolerance: 0.1, maxIterations: 10 },
    summary: 'Data-driven: measures each layer on a real batch and rescales it to unit output variance.',
    reference: 'Mishkin & Matas 2016',
  },
];

const BY_ID = new Map<string, CatalogEntry>(INITIALIZER_CATALOG.map((e) => [e.id, e]));

export function isPresetId(id: string): id is PresetId {
  return (PRESET_IDS as readonly string[]).includes(id);
}

export function catalogEntry(id: CatalogId): CatalogEntry {
  const entry = BY_ID.get(id);
  if (!entry) throw new Error(`no catalog entry '${id}'`);
  return entry;
}

/**
 * The VarianceScaling preset whose arguments this spec has, whether or not it was written by
 * that name: `VarianceScaling(scale=2.0)` is he_normal. Ignores the seed and tfjs' missing correction.
 */
export function matchingPreset(spec: InitSpec): PresetId | undefined {
  if (spec.kind !== 'variance_scaling') return undefined;
  return PRESET_IDS.find((id) => {
    const d = catalogEntry(id).defaults;
    return d.kind === 'variance_scaling' && d.scale === spec.scale && d.mode === spec.mode && d.distribution === spec.distribution;
  });
}

/** The entry describing a spec: its preset if it has one, else its kind. */
export function catalogEntryForSpec(spec: InitSpec): CatalogEntry {
  if (spec.kind === 'variance_scaling' && spec.preset !== undefined && isPresetId(spec.preset) && matchingPreset(spec) === spec.preset) {
    return catalogEntry(spec.preset);
  }
  return catalogEntry(spec.kind);
}
