/** PyTorch's `torch.nn.init.calculate_gain` table, squared as well so that √2² stays exactly 2. */
import { InitializerParseError } from './parseError';
import { suggest } from './suggest';

export const TORCH_NONLINEARITIES = [
  'linear',
  'conv1d',
  'conv2d',
  'conv3d',
  'conv_transpose1d',
  'conv_transpose2d',
  'conv_transpose3d',
  'sigmoid',
  'tanh',
  'relu',
  'leaky_relu',
  'selu',
] as const;

/**
 * gain² for a nonlinearity: 1 for linear/conv/sigmoid, (5/3)² for tanh, 2 for relu,
 * 2/(1 + slope²) for leaky_relu (slope defaults to 0.01 when `param` is absent, as in
 * calculate_gain; kaiming_* always passes its `a`, default 0), (3/4)² for selu.
 */
export function torchGainSquared(nonlinearity: string, param: number | undefined, label: string): number {
  switch (nonlinearity) {
    case 'linear':
    case 'conv1d':
    case 'conv2d':
    case 'conv3d':
    case 'conv_transpose1d':
    case 'conv_transpose2d':
    case 'conv_transpose3d':
    case 'sigmoid':
      return 1;
    case 'tanh':
      return 25 / 9;
    case 'relu':
      return 2;
    case 'leaky_relu': {
      const slope = param ?? 0.01;
      return 2 / (1 + slope * slope);
    }
    case 'selu':
      return 9 / 16;
    default:
      throw new InitializerParseError(
        'bad-argument',
        `${label}: unsupported nonlinearity '${nonlinearity}' (one of ${TORCH_NONLINEARITIES.join(', ')})`,
        suggest(nonlinearity, TORCH_NONLINEARITIES),
      );
  }
}

/** calculate_gain itself: √(gain²), except where PyTorch's own value is exact (5/3, 3/4, 1). */
export function torchGain(nonlinearity: string, param: number | undefined, label: string): number {
  if (nonlinearity === 'tanh') return 5 / 3;
  if (nonlinearity === 'selu') return 3 / 4;
  return Math.sqrt(torchGainSquared(nonlinearity, param, label));
}
