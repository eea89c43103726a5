"""Re-initializes a kernel from an InitLens InitSpec (the JSON of src/probe/initializers/spec.ts).

Keras names are Keras-exact (VarianceScaling's truncated normal with the 1/0.8796 correction,
Keras' fans for convolutions: receptive field × channels), PyTorch names as torch.nn.init does
(the parser already turned them into these specs: kaiming_normal_ = untruncated normal,
trunc_normal_ = absolute bounds, ...).
"""
import math

import torch

KERAS_TRUNCATION_STD_FACTOR = 0.87962566103423978


def fans(weight):
    """PyTorch's (= Keras') fans: in/out features times the receptive field."""
    if weight.dim() < 2:
        n = weight.numel()
        return n, n
    receptive = 1
    for s in weight.shape[2:]:
        receptive *= int(s)
    return int(weight.shape[1]) * receptive, int(weight.shape[0]) * receptive


def _fan_for_mode(mode, fan_in, fan_out):
    if mode == 'fan_in':
        return max(1.0, fan_in)
    if mode == 'fan_out':
        return max(1.0, fan_out)
    return max(1.0, (fan_in + fan_out) / 2.0)


def _trunc(weight, mean, std, lower, upper, gen):
    # Inverse-CDF sampling as torch.nn.init.trunc_normal_ does, with our generator.
    def cdf(x):
        return (1.0 + math.erf(x / math.sqrt(2.0))) / 2.0
    lo, hi = cdf((lower - mean) / std), cdf((upper - mean) / std)
    u = torch.rand(weight.shape, generator=gen, dtype=torch.float64) * (hi - lo) + lo
    u = u.clamp(1e-12, 1 - 1e-12) * 2 - 1
    z = torch.erfinv(u) * (std * math.sqrt(2.0)) + mean
    weight.copy_(z.clamp(lower, upper).to(weight.dtype))


def _orthogonal(weight, gain, gen):
    rows = int(weight.shape[0])
    cols = weight.numel() // rows
    flat = torch.randn((max(rows, cols), min(rows, cols)), generator=gen, dtype=torch.float64)
    q, r = torch.linalg.qr(flat)
    q = q * torch.sign(torch.diagonal(r)).unsqueeze(0)
    if rows < cols:
        q = q.t()
    weight.copy_((gain * q).reshape(weight.shape).to(weight.dtype))


def apply_spec(weight, spec, gen):
    """Draws `weight` (PyTorch layout [out, in, *kernel]) in place from `spec`."""
    kind = spec['kind']
    if 'seed' in spec and spec['seed'] is not None:
        gen = torch.Generator().manual_seed(int(spec['seed']))
    fan_in, fan_out = fans(weight)
    shape = weight.shape
    with torch.no_grad():
        if kind == 'zeros':
            weight.zero_()
        elif kind == 'ones':
            weight.fill_(1.0)
        elif kind == 'constant':
            weight.fill_(float(spec['value']))
        elif kind == 'random_normal':
            weight.copy_(torch.randn(shape, generator=gen) * spec['stddev'] + spec['mean'])
        elif kind == 'random_uniform':
            weight.copy_(torch.rand(shape, generator=gen) * (spec['maxval'] - spec['minval']) + spec['minval'])
        elif kind == 'truncated_normal':
            mean, std = spec['mean'], spec['stddev']
            lower = spec.get('lower', mean - 2 * std)
            upper = spec.get('upper', mean + 2 * std)
            _trunc(weight, mean, std, lower, upper, gen)
        elif kind == 'variance_scaling':
            n = _fan_for_mode(spec['mode'], fan_in, fan_out)
            base = math.sqrt(spec['scale'] / n)
            dist = spec['distribution']
            if dist == 'uniform':
                limit = math.sqrt(3.0 * spec['scale'] / n)
                weight.copy_(torch.rand(shape, generator=gen) * (2 * limit) - limit)
            elif dist == 'untruncated_normal':
                weight.copy_(torch.randn(shape, generator=gen) * base)
            else:
                sigma = base if spec.get('uncorrected') else base / KERAS_TRUNCATION_STD_FACTOR
                _trunc(weight, 0.0, sigma, -2 * sigma, 2 * sigma, gen)
        elif kind == 'orthogonal':
            _orthogonal(weight, float(spec['gain']), gen)
        elif kind == 'identity':
            if weight.dim() != 2:
                raise ValueError('identity needs a 2-D kernel; %s has shape %s' % ('this layer', tuple(shape)))
            weight.copy_(torch.eye(shape[0], shape[1]) * spec['gain'])
        elif kind == 'lsuv':
            _orthogonal(weight, 1.0, gen)  # the rescaling is done by the runner on the probe batch
        else:
            raise ValueError('unknown initializer kind %r' % kind)


def pytorch_default_spec():
    """nn.Linear/nn.Conv*'s reset_parameters: kaiming_uniform_(a=sqrt(5)) = U(±1/sqrt(fan_in))."""
    return {'kind': 'variance_scaling', 'scale': 1.0 / 3.0, 'mode': 'fan_in', 'distribution': 'uniform'}


PYTORCH_DEFAULT_NAME = 'PyTorch default: kaiming_uniform_(a=√5) = U(±1/√fan_in)'


def describe_as_written(weight):
    """(name, spec) for a kernel the model set itself: PyTorch's default when it looks like it."""
    fan_in, _ = fans(weight)
    w = weight.detach().double()
    bound = 1.0 / math.sqrt(max(1, fan_in))
    std = float(w.std(unbiased=False)) if w.numel() > 1 else 0.0
    mean = float(w.mean())
    expected = bound / math.sqrt(3.0)
    n = w.numel()
    # The sample std of n uniforms is within a few % of bound/√3 once n is in the hundreds.
    tolerance = 0.05 + 3.0 / math.sqrt(max(1, n))
    if weight.dim() >= 2 and float(w.abs().max()) <= bound * (1 + 1e-6) and abs(std - expected) <= tolerance * expected:
        return PYTORCH_DEFAULT_NAME, pytorch_default_spec()
    return ('as written (measured mean %.3g, std %.3g)' % (mean, std),
            {'kind': 'random_normal', 'mean': mean, 'stddev': std})
