/**
 * TensorFlow.js initializers (`tf.initializers.*` and the string identifiers of
 * `kernelInitializer`), read as tfjs-layers 4.22 actually behaves, which differs from Keras:
 * - its truncated-normal VarianceScaling (heNormal, glorotNormal, leCunNormal, and
 *   varianceScaling with distribution 'normal') draws N(0, scale/n) truncated at 2σ WITHOUT
 *   Keras' 1/0.8796 rescaling, so the variance is 0.774·scale/n: `uncorrected: true`;
 * - varianceScaling treats every distribution but 'normal' as uniform, so the allowed
 *   'truncatedNormal' gives a uniform distribution;
 * - randomNormal, randomUniform and truncatedNormal read `args.x || default`, so a 0 minval,
 *   maxval or stddev silently becomes the default;
 * - identity accepts square kernels only, and orthogonal rejects a seed.
 */
import type { Distribution, FanMode } from './spec';
import type { BuiltSpec, InitializerFunction } from './initializerFunction';
import { withSeed } from './initializerFunction';
import type { BoundArgs, ParamDef } from './signature';
import { catalogEntry } from './catalog';
import type { PresetId } from './catalog';

const SEED: ParamDef = { name: 'seed', type: 'seed' };
const TFJS_MODES = ['fanIn', 'fanOut', 'fanAvg'] as const;
const TFJS_DISTRIBUTIONS = ['normal', 'uniform', 'truncatedNormal'] as const;
const MODE: Record<(typeof TFJS_MODES)[number], FanMode> = { fanIn: 'fan_in', fanOut: 'fan_out', fanAvg: 'fan_avg' };
const UNCORRECTED_NOTE = "tfjs draws this truncated normal without Keras' 1/0.8796 correction: its variance is 0.774 × the nominal scale/n";

/** tfjs' `args.name || DEFAULT`: 0 (and a missing value) become the default. */
function orDefault(args: BoundArgs, name: string, fallback: number, notes: string[]): number {
  const value = args.number(name, fallback);
  if (value === 0 && fallback !== 0) {
    notes.push(`tfjs replaces ${name}: 0 by its default ${fallback} (it reads args.${name} || ${fallback})`);
    return fallback;
  }
  return value;
}

function normalArgs(args: BoundArgs, notes: string[]): { mean: number; stddev: number; seed?: number } {
  const mean = orDefault(args, 'mean', 0, notes);
  const stddev = orDefault(args, 'stddev', 0.05, notes);
  args.require(stddev > 0, 'stddev', '> 0', stddev);
  return withSeed({ mean, stddev }, args.seed());
}

function built(spec: BuiltSpec['spec'], notes: string[]): BuiltSpec {
  return notes.length > 0 ? { spec, notes } : { spec };
}

function preset(id: PresetId, identifier: string, className: string): InitializerFunction {
  return {
    dialect: 'tfjs',
    names: [identifier, className],
    params: [SEED],
    style: 'object',
    build: (args) => {
      const defaults = catalogEntry(id).defaults;
      if (defaults.kind !== 'variance_scaling' || defaults.distribution !== 'truncated_normal') {
        return { spec: withSeed({ ...defaults }, args.seed()) };
      }
      return { spec: withSeed({ ...defaults, uncorrected: true }, args.seed()), notes: [UNCORRECTED_NOTE] };
    },
  };
}

export const TFJS_FUNCTIONS: readonly InitializerFunction[] = [
  { dialect: 'tfjs', names: ['zeros', 'Zeros'], params: [], style: 'object', build: () => ({ spec: { kind: 'zeros' } }) },
  { dialect: 'tfjs', names: ['ones', 'Ones'], params: [], style: 'object', build: () => ({ spec: { kind: 'ones' } }) },
  {
    dialect: 'tfjs',
    names: ['constant', 'Constant'],
    params: [{ name: 'value', type: 'number' }],
    style: 'object',
    // tfjs throws when value is missing; there is no default.
    build: (args) => ({ spec: { kind: 'constant', value: args.number('value') } }),
  },
  {
    dialect: 'tfjs',
    names: ['randomNormal', 'RandomNormal'],
    params: [{ name: 'mean', type: 'number' }, { name: 'stddev', type: 'number' }, SEED],
    style: 'object',
    build: (args) => {
      const notes: string[] = [];
      return built({ kind: 'random_normal', ...normalArgs(args, notes) }, notes);
    },
  },
  {
    dialect: 'tfjs',
    names: ['randomUniform', 'RandomUniform'],
    params: [{ name: 'minval', type: 'number' }, { name: 'maxval', type: 'number' }, SEED],
    style: 'object',
    build: (args) => {
      const notes: string[] = [];
      const minval = orDefault(args, 'minval', -0.05, notes);
      const maxval = orDefault(args, 'maxval', 0.05, notes);
      if (!(minval < maxval)) args.reject(`minval must be < maxval, got minval=${minval}, maxval=${maxval}`, 'minval');
      return built(withSeed({ kind: 'random_uniform', minval, maxval }, args.seed()), notes);
    },
  },
  {
    dialect: 'tfjs',
    names: ['truncatedNormal', 'TruncatedNormal'],
    params: [{ name: 'mean', type: 'number' }, { name: 'stddev', type: 'number' }, SEED],
    style: 'object',
    build: (args) => {
      const notes: string[] = [];
      return built({ kind: 'truncated_normal', ...normalArgs(args, notes) }, notes);
    },
  },
  {
    dialect: 'tfjs',
    names: ['varianceScaling', 'VarianceScaling'],
    params: [{ name: 'scale', type: 'number' }, { name: 'mode', type: 'string' }, { name: 'distribution', type: 'string' }, SEED],
    style: 'object',
    build: (args) => {
      const scale = args.number('scale', 1);
      args.require(scale > 0, 'scale', '> 0', scale);
      const mode = MODE[args.choice('mode', args.string('mode', 'fanIn'), TFJS_MODES)];
      const written = args.choice('distribution', args.string('distribution', 'normal'), TFJS_DISTRIBUTIONS);
      const seed = args.seed();
      if (written === 'normal') {
        return { spec: withSeed({ kind: 'variance_scaling', scale, mode, distribution: 'truncated_normal', uncorrected: true }, seed), notes: [UNCORRECTED_NOTE] };
      }
      const distribution: Distribution = 'uniform';
      const notes = written === 'truncatedNormal' ? ["tfjs-layers samples distribution: 'truncatedNormal' from a uniform distribution (only 'normal' gives a normal)"] : [];
      return built(withSeed({ kind: 'variance_scaling', scale, mode, distribution }, seed), notes);
    },
  },
  preset('glorot_normal', 'glorotNormal', 'GlorotNormal'),
  preset('glorot_uniform', 'glorotUniform', 'GlorotUniform'),
  preset('he_normal', 'heNormal', 'HeNormal'),
  preset('he_uniform', 'heUniform', 'HeUniform'),
  preset('lecun_normal', 'leCunNormal', 'LeCunNormal'),
  preset('lecun_uniform', 'leCunUniform', 'LeCunUniform'),
  {
    dialect: 'tfjs',
    names: ['orthogonal', 'Orthogonal'],
    params: [{ name: 'gain', type: 'number' }, SEED],
    style: 'object',
    build: (args) => {
      const seed = args.seed();
      const notes = seed === undefined ? [] : ['tfjs-layers throws "Random seed is not implemented for Orthogonal Initializer yet"; InitLens uses the seed'];
      return built(withSeed({ kind: 'orthogonal', gain: args.number('gain', 1) }, seed), notes);
    },
  },
  {
    dialect: 'tfjs',
    names: ['identity', 'Identity'],
    params: [{ name: 'gain', type: 'number' }],
    style: 'object',
    build: (args) => built({ kind: 'identity', gain: args.number('gain', 1) }, ['tfjs-layers accepts identity for square kernels only (fan_in = fan_out)']),
  },
];
