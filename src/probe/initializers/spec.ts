/**
 * The resolved form of any written initializer. Every front end (CLI flag, hover, CodeLens,
 * panel) goes through the one parser in `parse.ts` and ends up with one of these.
 */
import type { InitSpec } from '../../protocol';

// The shapes live in the protocol (written once, as zod schemas); the engine's modules keep
// importing them from here.
export { ACTIVATIONS } from '../../protocol/vocabulary';
export type { Activation } from '../../protocol/vocabulary';
export type { Distribution, FanMode, InitSpec } from '../../protocol';

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
  'normalization',
] as const;
export type NoteId = (typeof NOTE_IDS)[number];
