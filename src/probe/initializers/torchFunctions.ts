/**
 * PyTorch's `torch.nn.init` functions, mapped to the equivalent Keras-shaped spec. PyTorch's
 * normals are untruncated and its gains multiply the std, so the kaiming and xavier functions become
 * VarianceScaling(scale = gain², distribution 'untruncated_normal' | 'uniform'). Its fan_in of a
 * Linear weight [out, in] is `in`, the same number as Keras' fan_in of a kernel [in, out].
 * The first argument (the tensor) is accepted as any expression and ignored; so is `generator=`.
 * The names without the trailing underscore are PyTorch's deprecated aliases.
 */
import type { FanMode } from './spec';
import type { BuiltSpec, InitializerFunction, UnsupportedFunction } from './initializerFunction';
import { cleanScale, withSeed } from './initializerFunction';
import type { BoundArgs, ParamDef } from './signature';
import { torchGainSquared } from './torchGain';
import { truncatedStandardMoments } from './normal';

const TENSOR: ParamDef = { name: 'tensor', type: 'tensor' };
const GENERATOR: ParamDef = { name: 'generator', type: 'ignored' };
const TORCH_MODES: readonly FanMode[] = ['fan_in', 'fan_out'];

function kaiming(names: string[], distribution: 'untruncated_normal' | 'uniform'): InitializerFunction {
  return {
    dialect: 'pytorch',
    names,
    params: [TENSOR, { name: 'a', type: 'number' }, { name: 'mode', type: 'string' }, { name: 'nonlinearity', type: 'string' }, GENERATOR],
    style: 'python',
    build: (args) => {
      const a = args.number('a', 0);
      // PyTorch lower-cases the mode before checking it.
      const mode = args.choice('mode', args.string('mode', 'fan_in').toLowerCase(), TORCH_MODES);
      const nonlinearity = args.string('nonlinearity', 'leaky_relu');
      const scale = cleanScale(torchGainSquared(nonlinearity, a, args.label));
      return { spec: { kind: 'variance_scaling', scale, mode, distribution } };
    },
  };
}

function xavier(names: string[], distribution: 'untruncated_normal' | 'uniform'): InitializerFunction {
  return {
    dialect: 'pytorch',
    names,
    params: [TENSOR, { name: 'gain', type: 'number' }, GENERATOR],
    style: 'python',
    build: (args) => {
      const gain = args.number('gain', 1);
      args.require(gain !== 0, 'gain', 'non-zero', gain);
      return { spec: { kind: 'variance_scaling', scale: cleanScale(gain * gain), mode: 'fan_avg', distribution } };
    },
  };
}

function truncNormal(args: BoundArgs): BuiltSpec {
  const mean = args.number('mean', 0);
  const stddev = args.number('std', 1);
  args.require(stddev > 0, 'std', '> 0', stddev);
  const lower = args.bound('a', -2);
  const upper = args.bound('b', 2);
  if (!(lower < upper)) args.reject(`a must be < b, got a=${lower}, b=${upper}`, 'a');
  // So far out in the tail (≈ 37σ) that a double holds no probability mass: nothing to sample.
  if (!(truncatedStandardMoments((lower - mean) / stddev, (upper - mean) / stddev).mass > 0)) {
    args.reject(`[a, b] = [${lower}, ${upper}] lies too far from mean=${mean} (std=${stddev}) to hold any probability`, 'a');
  }
  return { spec: withSeed({ kind: 'truncated_normal', mean, stddev, lower, upper }, args.seed()) };
}

export const TORCH_FUNCTIONS: readonly InitializerFunction[] = [
  kaiming(['kaiming_normal_', 'kaiming_normal'], 'untruncated_normal'),
  kaiming(['kaiming_uniform_', 'kaiming_uniform'], 'uniform'),
  xavier(['xavier_normal_', 'xavier_normal'], 'untruncated_normal'),
  xavier(['xavier_uniform_', 'xavier_uniform'], 'uniform'),
  {
    dialect: 'pytorch',
    names: ['normal_', 'normal'],
    params: [TENSOR, { name: 'mean', type: 'number' }, { name: 'std', type: 'number' }, GENERATOR],
    style: 'python',
    build: (args) => {
      const mean = args.number('mean', 0);
      const stddev = args.number('std', 1);
      args.require(stddev > 0, 'std', '> 0', stddev);
      return { spec: { kind: 'random_normal', mean, stddev } };
    },
  },
  {
    dialect: 'pytorch',
    names: ['uniform_', 'uniform'],
    params: [TENSOR, { name: 'a', type: 'number' }, { name: 'b', type: 'number' }, GENERATOR],
    style: 'python',
    build: (args) => {
      const minval = args.number('a', 0);
      const maxval = args.number('b', 1);
      if (!(minval < maxval)) args.reject(`a must be < b, got a=${minval}, b=${maxval}`, 'a');
      return { spec: { kind: 'random_uniform', minval, maxval } };
    },
  },
  {
    dialect: 'pytorch',
    names: ['trunc_normal_'],
    // `seed` is InitLens' own addition (PyTorch seeds through a generator), so that a seeded
    // spec with absolute bounds has a canonical text that parses back to itself.
    params: [TENSOR, { name: 'mean', type: 'number' }, { name: 'std', type: 'number' }, { name: 'a', type: 'bound' }, { name: 'b', type: 'bound' }, GENERATOR, { name: 'seed', type: 'seed' }],
    style: 'python',
    build: truncNormal,
  },
  {
    dialect: 'pytorch',
    names: ['orthogonal_', 'orthogonal'],
    params: [TENSOR, { name: 'gain', type: 'number' }, GENERATOR],
    style: 'python',
    build: (args) => ({ spec: { kind: 'orthogonal', gain: args.number('gain', 1) } }),
  },
  {
    dialect: 'pytorch',
    names: ['constant_', 'constant'],
    params: [TENSOR, { name: 'val', type: 'number' }],
    style: 'python',
    build: (args) => ({ spec: { kind: 'constant', value: args.number('val') } }),
  },
  { dialect: 'pytorch', names: ['zeros_'], params: [TENSOR], style: 'python', build: () => ({ spec: { kind: 'zeros' } }) },
  { dialect: 'pytorch', names: ['ones_'], params: [TENSOR], style: 'python', build: () => ({ spec: { kind: 'ones' } }) },
  // eye_ on a Linear weight [out, in] is eye(in, out) in Keras' [in, out] layout: the same matrix.
  { dialect: 'pytorch', names: ['eye_', 'eye'], params: [TENSOR], style: 'python', build: () => ({ spec: { kind: 'identity', gain: 1 } }) },
];

export const TORCH_UNSUPPORTED: readonly UnsupportedFunction[] = [
  { dialect: 'pytorch', names: ['sparse_', 'sparse'], reason: 'sparse_ (Martens 2010) is not modelled by InitLens' },
  { dialect: 'pytorch', names: ['dirac_', 'dirac'], reason: 'dirac_ initializes convolution kernels; InitLens probes dense layers' },
  { dialect: 'pytorch', names: ['calculate_gain'], reason: 'calculate_gain returns a gain, not an initializer: pass it as gain= to xavier_*_ or orthogonal_' },
];
