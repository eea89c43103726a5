"""Per-layer measurements on a live torch model, by hooks: the fields of the tfjs probe's
LayerStepStats (src/protocol.ts), so both probes feed the same diagnosis and views.

A "layer" is a module with parameters of its own (Linear, Conv, BatchNorm, a custom layer);
its output is the pre-activation z. The activation called next in the same forward (before the
next layer) gives the activation a; with none, a = z and the activation is 'linear'. Activations
are modules (nn.ReLU) or functions (F.relu(x), torch.tanh(x), x.relu()): while a forward is
recorded, the functions below are wrapped by a recorder that notes their output the way a
module's forward hook does. Calls made inside an activation module or inside a leaf layer's own
forward belong to that module and are not counted again.
"""
import math
import threading

import torch
from torch import nn
import torch.nn.functional as F

# Subclasses before their base classes: nn.ReLU6 is an nn.Hardtanh.
ACTIVATION_NAMES = [
    (nn.ReLU, 'relu'), (nn.Tanh, 'tanh'), (nn.Sigmoid, 'sigmoid'), (nn.SELU, 'selu'), (nn.ELU, 'elu'),
    (nn.LeakyReLU, 'leaky_relu'), (nn.GELU, 'gelu'), (nn.SiLU, 'silu'), (nn.Softplus, 'softplus'),
    (nn.ReLU6, 'relu6'), (nn.Hardtanh, 'hardtanh'), (nn.Mish, 'mish'), (nn.PReLU, 'prelu'),
]
DROPOUTS = (nn.Dropout, nn.Dropout1d if hasattr(nn, 'Dropout1d') else nn.Dropout, nn.Dropout2d, nn.Dropout3d, nn.AlphaDropout)
NORMS = (nn.modules.batchnorm._BatchNorm,)
SATURATION_LEVEL = 0.99

# (owner, attribute, activation name, position of an `inplace` argument or None). Functions taken
# by name at import time (`from torch.nn.functional import relu`) are not seen.
FUNCTIONAL_ACTIVATIONS = [
    (F, 'relu', 'relu', 1), (F, 'relu6', 'relu6', 1), (F, 'elu', 'elu', 2), (F, 'selu', 'selu', 1),
    (F, 'leaky_relu', 'leaky_relu', 2), (F, 'gelu', 'gelu', None), (F, 'silu', 'silu', 1),
    (F, 'softplus', 'softplus', None), (F, 'hardtanh', 'hardtanh', 3), (F, 'mish', 'mish', 1),
    (F, 'tanh', 'tanh', None), (F, 'sigmoid', 'sigmoid', None),
    (torch, 'relu', 'relu', None), (torch, 'tanh', 'tanh', None), (torch, 'sigmoid', 'sigmoid', None),
    (torch, 'selu', 'selu', None),
    (torch.Tensor, 'relu', 'relu', None), (torch.Tensor, 'tanh', 'tanh', None), (torch.Tensor, 'sigmoid', 'sigmoid', None),
]
FUNCTIONAL_ACTIVATIONS = [f for f in FUNCTIONAL_ACTIVATIONS if hasattr(f[0], f[1])]

_functional = threading.local()
_functional_lock = threading.Lock()
_functional_installed = False


def _recording():
    """The Recorder listening to activation functions on this thread, if any."""
    return getattr(_functional, 'recorder', None)


def _wrap_activation(original, name, inplace_at):
    def activation(*args, **kwargs):
        recorder = _recording()
        if recorder is None or recorder.inside:
            return original(*args, **kwargs)
        # In place, the output of a layer with a full backward hook cannot be modified (torch
        # raises); out of place gives the same numbers to a caller that uses the return value.
        if kwargs.get('inplace'):
            kwargs['inplace'] = False
        if inplace_at is not None and len(args) > inplace_at and args[inplace_at] is True:
            args = args[:inplace_at] + (False,) + args[inplace_at + 1:]
        if not recorder.want_forward:
            return original(*args, **kwargs)
        recorder.inside += 1
        try:
            out = original(*args, **kwargs)
        finally:
            recorder.inside -= 1
        recorder._on_function(name, out)
        return out
    activation.__wrapped__ = original
    activation.__name__ = getattr(original, '__name__', name)
    activation.__doc__ = getattr(original, '__doc__', None)
    return activation


def install_functional_recorders():
    """Wrap the activation functions once per process; unrecorded calls pass straight through."""
    global _functional_installed
    with _functional_lock:
        if _functional_installed:
            return
        for owner, attr, name, inplace_at in FUNCTIONAL_ACTIVATIONS:
            setattr(owner, attr, _wrap_activation(getattr(owner, attr), name, inplace_at))
        _functional_installed = True


def activation_name(module):
    for cls, name in ACTIVATION_NAMES:
        if isinstance(module, cls):
            return name
    return None


def own_params(module):
    return [p for p in module.parameters(recurse=False) if p.requires_grad]


def kernel_of(module):
    """The parameter whose scale the initializer sets: `weight`, else the largest one."""
    w = getattr(module, 'weight', None)
    if isinstance(w, torch.Tensor) and w.requires_grad:
        return w
    params = own_params(module)
    return max(params, key=lambda p: p.numel()) if params else None


def bias_of(module):
    b = getattr(module, 'bias', None)
    return b if isinstance(b, torch.Tensor) and b.requires_grad else None


def is_kernel_layer(module):
    """Linear and convolutions: the layers an initializer draws and whose units can be compared."""
    return isinstance(module, (nn.Linear, nn.modules.conv._ConvNd, nn.Bilinear))


def kind_of(module):
    if isinstance(module, nn.Linear):
        return 'dense'
    if isinstance(module, nn.modules.conv._ConvNd):
        return 'conv%dd' % len(module.kernel_size)
    if isinstance(module, NORMS):
        return 'batchnorm'
    if isinstance(module, nn.LayerNorm):
        return 'layernorm'
    if isinstance(module, nn.Embedding):
        return 'embedding'
    return type(module).__name__.lower()


def unit_dim(module, t):
    """Which axis holds the units: features for Linear (last axis), channels otherwise."""
    if isinstance(module, (nn.Linear, nn.Bilinear, nn.LayerNorm, nn.Embedding)) or t.dim() < 2:
        return t.dim() - 1
    return 1


def fans(module, kernel):
    from .inits import fans as kernel_fans
    if isinstance(module, nn.Linear):
        return module.in_features, module.out_features
    return kernel_fans(kernel)


def _first_tensor(out):
    if isinstance(out, torch.Tensor):
        return out
    if isinstance(out, (list, tuple)):
        for o in out:
            t = _first_tensor(o)
            if t is not None:
                return t
    return None


def disable_inplace(model):
    """In-place activations break full backward hooks; out-of-place gives the same numbers."""
    for m in model.modules():
        if getattr(m, 'inplace', False) is True:
            m.inplace = False


class Recorder:
    """Hooks that record, for one forward, the order of layer and activation calls with
    statistics computed on the spot (no activations are kept)."""

    def __init__(self, model):
        self.model = model
        self.layers = []  # (name, module)
        self.activations = {}  # id(module) -> name
        for name, m in model.named_modules():
            if own_params(m):
                # 'fc1 (Linear)', '3 (Linear)' in a Sequential: the attribute path and the class.
                self.layers.append(('%s (%s)' % (name, type(m).__name__) if name else type(m).__name__, m))
            elif activation_name(m) is not None:
                self.activations[id(m)] = activation_name(m)
        self.index = {id(m): i for i, (_, m) in enumerate(self.layers)}
        self.handles = []
        self.calls = []
        self.backward = {}
        self.want_forward = False
        self.want_backward = False
        self.batch = 1
        # > 0 while an activation module or a leaf layer runs: functions called there are its own.
        self.inside = 0
        self.leaves = {id(m) for _, m in self.layers if not any(True for _ in m.children())}

    # -- forward -----------------------------------------------------------------------
    def attach(self, forward=True, backward=False, batch=1):
        self.detach()
        self.calls = []
        self.backward = {}
        self.batch = batch
        self.inside = 0
        for _, m in self.layers:
            if forward:
                if id(m) in self.leaves:
                    self.handles.append(m.register_forward_pre_hook(self._enter))
                self.handles.append(m.register_forward_hook(self._on_layer))
            if backward:
                self.handles.append(m.register_full_backward_hook(self._on_layer_backward))
        if forward:
            for m in self.model.modules():
                if id(m) in self.activations:
                    self.handles.append(m.register_forward_pre_hook(self._enter))
                    self.handles.append(m.register_forward_hook(self._on_activation))
        self.want_forward = forward
        self.want_backward = backward
        if forward or backward:
            install_functional_recorders()
            _functional.recorder = self

    def detach(self):
        for h in self.handles:
            h.remove()
        self.handles = []
        if _recording() is self:
            _functional.recorder = None
        self.inside = 0

    def _enter(self, module, inputs):
        self.inside += 1

    def _leave(self, module):
        if id(module) in self.leaves or id(module) in self.activations:
            self.inside = max(0, self.inside - 1)

    def _on_layer(self, module, inputs, output):
        self._leave(module)
        z = _first_tensor(output)
        if z is None or not z.is_floating_point():
            return
        with torch.no_grad():
            self.calls.append(('layer', self.index[id(module)], tensor_stats(z.detach(), unit_dim(module, z)), tuple(z.shape)))

    def _on_function(self, name, output):
        a = _first_tensor(output)
        if a is None or not a.is_floating_point():
            return
        with torch.no_grad():
            self.calls.append(('act', name, tensor_stats(a.detach(), 1 if a.dim() > 2 else a.dim() - 1), tuple(a.shape)))

    def _on_activation(self, module, inputs, output):
        self._leave(module)
        a = _first_tensor(output)
        if a is None or not a.is_floating_point():
            return
        with torch.no_grad():
            self.calls.append(('act', self.activations[id(module)], tensor_stats(a.detach(), 1 if a.dim() > 2 else a.dim() - 1), tuple(a.shape)))

    def _on_layer_backward(self, module, grad_input, grad_output):
        g = _first_tensor(grad_output)
        if g is None:
            return
        i = self.index[id(module)]
        if i in self.backward:
            return
        with torch.no_grad():
            # δ is of the batch-mean loss; ×batch makes E[δ²] per example (as the tfjs probe).
            self.backward[i] = float(torch.mean(torch.square(g.detach().double() * self.batch)))

    def paired(self):
        """{layer index: (z stats, a stats or None, activation name, output shape)} for this forward."""
        out = {}
        for k, call in enumerate(self.calls):
            if call[0] != 'layer' or call[1] in out:
                continue
            act = None
            for later in self.calls[k + 1:]:
                if later[0] == 'layer':
                    break
                if later[0] == 'act':
                    act = later
                    break
            out[call[1]] = (call[2], act[2] if act else None, act[1] if act else 'linear', call[3])
        return out


def tensor_stats(t, udim):
    """Moments, dead units (never positive on the batch) and per-unit moments of one output."""
    x = t.double()
    mean = float(x.mean())
    var = float(x.var(unbiased=False)) if x.numel() > 1 else 0.0
    second = float(torch.mean(x * x))
    units = x.transpose(0, udim).reshape(x.shape[udim], -1) if x.dim() > 1 else x.reshape(1, -1)
    dead = float((units.max(dim=1).values <= 0).double().mean())
    tanh_sat = float((x.abs() > SATURATION_LEVEL).double().mean())
    sig_sat = float(((x < 1 - SATURATION_LEVEL) | (x > SATURATION_LEVEL)).double().mean())
    per_unit = None
    if t.dim() > 2 and udim == 1:
        per_unit = {'mean': [float(v) for v in units.mean(dim=1)], 'variance': [float(v) for v in units.var(dim=1, unbiased=False)]}
    return {'mean': mean, 'variance': var, 'second': second, 'dead': dead, 'tanhSat': tanh_sat, 'sigSat': sig_sat, 'perUnit': per_unit}


def saturated_fraction(a_stats, activation):
    if activation == 'tanh':
        return a_stats['tanhSat']
    if activation == 'sigmoid':
        return a_stats['sigSat']
    return 0.0


def distinct_units(module):
    """Units (output rows of the kernel, with their bias) that differ from every other one."""
    w = kernel_of(module)
    if w is None or not is_kernel_layer(module) or w.dim() < 2:
        return None
    with torch.no_grad():
        rows = w.detach().reshape(w.shape[0], -1).double()
        b = bias_of(module)
        if b is not None and b.numel() == rows.shape[0]:
            rows = torch.cat([rows, b.detach().double().reshape(-1, 1)], dim=1)
        scale = float(rows.abs().max()) if rows.numel() else 0.0
        if scale == 0.0:
            return 1
        tol = 1e-6 * scale
        return int(torch.unique(torch.round(rows / tol), dim=0).shape[0])


def finite(x):
    if x is None:
        return None
    x = float(x)
    return x if math.isfinite(x) else None


def layer_step_stats(layer_module, pair, grad, bias_grad, backward, update_ratio):
    """One LayerStepStats record (protocol.ts) from one forward's pair and the step's gradients."""
    z, a, activation, _shape = pair
    a = a or z
    w = kernel_of(layer_module)
    distinct = distinct_units(layer_module)
    units = distinct if distinct is not None else None
    record = {
        'preActivationMean': finite(z['mean']),
        'preActivationVariance': finite(z['variance']),
        'activationMean': finite(a['mean']),
        'activationVariance': finite(a['variance']),
        'activationSecondMoment': finite(a['second']),
        'gradNorm': finite(grad),
        'biasGradNorm': finite(bias_grad),
        'backwardSecondMoment': finite(backward),
        'weightStd': finite(w.detach().double().std(unbiased=False)) if w is not None and w.numel() > 1 else 0.0,
        'updateRatio': finite(update_ratio),
        'deadFraction': z['dead'] if math.isfinite(z['dead']) else 0.0,
        'saturatedFraction': saturated_fraction(a, activation),
        'distinctUnits': units,
    }
    if a.get('perUnit') is not None:
        record['channels'] = {'activationMean': [finite(v) for v in a['perUnit']['mean']],
                              'activationVariance': [finite(v) for v in a['perUnit']['variance']]}
    return record
