/**
 * Keras 3 initializers (`keras.initializers.*`, also reached as `tf.keras.initializers.*`),
 * with their constructor signatures and Keras' own argument checks, plus InitLens' LSUV.
 * Spellings are those `keras.initializers.get` accepts: class name, snake_case, and the aliases
 * normal, uniform, one, zero.
 */
import type { Distribution } from './spec';
import type { InitializerFunction } from './initializerFunction';
import { FAN_MODES, withSeed } from './initializerFunction';
import type { BoundArgs, ParamDef } from './signature';
import { catalogEntry } from './catalog';
import type { PresetId } from './catalog';

const SEED: ParamDef = { name: 'seed', type: 'seed' };

function normalArgs(args: BoundArgs): { mean: number; stddev: number; seed?: number } {
  const mean = args.number('mean', 0);
  const stddev = args.number('stddev', 0.05);
  args.require(stddev > 0, 'stddev', '> 0', stddev);
  return withSeed({ mean, stddev }, args.seed());
}

/** Keras lower-cases the distribution and reads the legacy 'normal' as 'truncated_normal'. */
function kerasDistribution(args: BoundArgs): Distribution {
  const written = args.string('distribution', 'truncated_normal').toLowerCase();
  const value = written === 'normal' ? 'truncated_normal' : written;
  return args.choice<Distribution>('distribution', value, ['truncated_normal', 'untruncated_normal', 'uniform']);
}

function preset(id: PresetId, className: string): InitializerFunction {
  return {
    dialect: 'keras',
    names: [className, id],
    params: [SEED],
    style: 'python',
    build: (args) => ({ spec: withSeed({ ...catalogEntry(id).defaults }, args.seed()) }),
  };
}

export const KERAS_FUNCTIONS: readonly InitializerFunction[] = [
  { dialect: 'keras', names: ['Zeros', 'zeros', 'zero'], params: [], style: 'python', build: () => ({ spec: { kind: 'zeros' } }) },
  { dialect: 'keras', names: ['Ones', 'ones', 'one'], params: [], style: 'python', build: () => ({ spec: { kind: 'ones' } }) },
  {
    dialect: 'keras',
    names: ['Constant', 'constant'],
    params: [{ name: 'value', type: 'number' }],
    style: 'python',
    build: (args) => ({ spec: { kind: 'constant', value: args.number('value', 0) } }),
  },
  {
    dialect: 'keras',
    names: ['RandomNormal', 'random_normal', 'normal'],
    params: [{ name: 'mean', type: 'number' }, { name: 'stddev', type: 'number' }, SEED],
    style: 'python',
    build: (args) => ({ spec: { kind: 'random_normal', ...normalArgs(args) } }),
  },
  {
    dialect: 'keras',
    names: ['RandomUniform', 'random_uniform', 'uniform'],
    params: [{ name: 'minval', type: 'number' }, { name: 'maxval', type: 'number' }, SEED],
    style: 'python',
    build: (args) => {
      const minval = args.number('minval', -0.05);
      const maxval = args.number('maxval', 0.05);
      if (!(minval < maxval)) args.reject(`minval must be < maxval, got minval=${minval}, maxval=${maxval}`, 'minval');
      return { spec: withSeed({ kind: 'random_uniform', minval, maxval }, args.seed()) };
    },
  },
  {
    dialect: 'keras',
    names: ['TruncatedNormal', 'truncated_normal'],
    params: [{ name: 'mean', type: 'number' }, { name: 'stddev', type: 'number' }, SEED],
    style: 'python',
    build: (args) => ({ spec: { kind: 'truncated_normal', ...normalArgs(args) } }),
  },
  {
    dialect: 'keras',
    names: ['VarianceScaling', 'variance_scaling'],
    params: [{ name: 'scale', type: 'number' }, { name: 'mode', type: 'string' }, { name: 'distribution', type: 'string' }, SEED],
    style: 'python',
    build: (args) => {
      const scale = args.number('scale', 1);
      args.require(scale > 0, 'scale', '> 0', scale);
      const mode = args.choice('mode', args.string('mode', 'fan_in'), FAN_MODES);
      const distribution = kerasDistribution(args);
      return { spec: withSeed({ kind: 'variance_scaling', scale, mode, distribution }, args.seed()) };
    },
  },
  preset('glorot_normal', 'GlorotNormal'),
  preset('glorot_uniform', 'GlorotUniform'),
  preset('he_normal', 'HeNormal'),
  preset('he_uniform', 'HeUniform'),
  preset('lecun_normal', 'LecunNormal'),
  preset('lecun_uniform', 'LecunUniform'),
  {
    dialect: 'keras',
    names: ['Orthogonal', 'orthogonal', 'OrthogonalInitializer', 'orthogonal_initializer'],
    params: [{ name: 'gain', type: 'number' }, SEED],
    style: 'python',
    build: (args) => ({ spec: withSeed({ kind: 'orthogonal', gain: args.number('gain', 1) }, args.seed()) }),
  },
  {
    dialect: 'keras',
    names: ['Identity', 'identity', 'IdentityInitializer', 'identity_initializer'],
    params: [{ name: 'gain', type: 'number' }],
    style: 'python',
    build: (args) => ({ spec: { kind: 'identity', gain: args.number('gain', 1) } }),
  },
  {
    dialect: 'initlens',
    names: ['LSUV', 'lsuv'],
    params: [{ name: 'tolerance', type: 'number' }, { name: 'max_iterations', type: 'integer' }, SEED],
    style: 'python',
    build: (args) => {
      const tolerance = args.number('tolerance', 0.1);
      args.require(tolerance > 0, 'tolerance', '> 0', tolerance);
      const maxIterations = args.integer('max_iterations', 10);
      args.require(maxIterations >= 1 && maxIterations <= 1000, 'max_iterations', 'from 1 to 1000', maxIterations);
      return { spec: withSeed({ kind: 'lsuv', tolerance, maxIterations }, args.seed()) };
    },
  },
];
