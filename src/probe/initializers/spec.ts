/**
 * The resolved form of any written initializer. Every front end (CLI flag, hover, CodeLens,
 * panel) goes through the one parser in `parse.ts` and ends up with one of these.
 */
export type FanMode = 'fan_in' | 'fan_out' | 'fan_avg';
export type Distribution = 'truncated_normal' | 'untruncated_normal' | 'uniform';

/** Activations the probe can build. Names follow Keras. */
export const ACTIVATIONS = ['relu', 'tanh', 'sigmoid', 'elu', 'selu', 'leaky_relu', 'gelu', 'linear'] as const;
export type Activation = (typeof ACTIVATIONS)[number];

export type InitSpec =
  | { kind: 'zeros' }
  | { kind: 'ones' }
  | { kind: 'constant'; value: number }
  | { kind: 'random_normal'; mean: number; stddev: number; seed?: number }
  | { kind: 'random_uniform'; minval: number; maxval: number; seed?: number }
  /**
   * Keras: redraw values beyond mean ± 2·stddev, no rescaling (`lower`/`upper` absent).
   * PyTorch `trunc_normal_`: redraw outside the absolute bounds [lower, upper].
   */
  | { kind: 'truncated_normal'; mean: number; stddev: number; lower?: number; upper?: number; seed?: number }
  /**
   * Keras VarianceScaling. `preset` remembers the named case (`he_normal`, …) for display.
   * `uncorrected` = TensorFlow.js' truncated normal, which skips Keras' 1/0.87962566103423978
   * rescaling, so its sampled variance is about 0.774 × scale/n.
   */
  | {
      kind: 'variance_scaling';
      scale: number;
      mode: FanMode;
      distribution: Distribution;
      preset?: string;
      uncorrected?: boolean;
      seed?: number;
    }
  | { kind: 'orthogonal'; gain: number; seed?: number }
  | { kind: 'identity'; gain: number }
  /** Mishkin & Matas 2016: orthogonal, then rescale each layer on one batch to unit output variance. */
  | { kind: 'lsuv'; tolerance: number; maxIterations: number; seed?: number };

export type InitKind = InitSpec['kind'];

/** Where a written initializer came from: decides how a quick fix writes its replacement. */
export type InitDialect = 'keras' | 'tfjs' | 'pytorch' | 'plain';

export interface ParsedInitializer {
  spec: InitSpec;
  /** Canonical Keras-style text, e.g. `he_normal` or `RandomNormal(mean=0.0, stddev=0.05)`. */
  canonical: string;
  dialect: InitDialect;
  /** The text as written. */
  written: string;
  /**
   * Where the written library does something other than its name suggests (tfjs skipping the
   * truncation correction, tfjs replacing a 0 argument by its default, …). Absent when none.
   */
  notes?: string[];
}

/** Ids of the explanatory notes under media/notes/ that initializer entries and flags link to. */
export const NOTE_IDS = [
  'why-initialization',
  'vanishing-gradients',
  'exploding-gradients',
  'signal-propagation',
  'zero-symmetry',
  'random-initialization',
  'glorot',
  'he',
  'lecun-selu',
  'orthogonal',
  'lsuv',
  'dead-relu',
  'saturation',
  'choosing-initializer',
] as const;
export type NoteId = (typeof NOTE_IDS)[number];
