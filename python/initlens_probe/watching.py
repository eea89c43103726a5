"""watch(model): the probe's measurements on the user's own training loop.

Every `every`-th training forward (model.training and gradients on) is a measured step: forward
and full backward hooks are attached for that step only, the kernels' gradients are read by
tensor hooks, and the step's record is written when the next training forward begins (by then
the optimizer has applied the update, so the update ratio is known). Between measured steps
the only cost is one pre-forward hook that counts. Records are the probe's JSON-lines events
(src/protocol.ts), one file per run under .initlens/runs/ (or $INITLENS_RUN_DIR); the
extension watches that folder and adds the theory and the diagnosis.
"""
import atexit
import datetime
import os
import sys
import threading
import time
import weakref

import torch

from . import measure
from .events import EventWriter
from .inits import describe_as_written

_active = weakref.WeakSet()
_patch_lock = threading.Lock()
_patched = False


def _patch_backward():
    """Remember the scalar each .backward() starts from: the loss, for every active watcher."""
    global _patched
    with _patch_lock:
        if _patched:
            return
        original = torch.Tensor.backward

        def backward(self, *args, **kwargs):
            if self.dim() == 0 and _active:
                value = float(self.detach())
                for w in list(_active):
                    w._seen_loss(value)
            return original(self, *args, **kwargs)

        torch.Tensor.backward = backward
        _patched = True


def default_run_dir():
    return os.environ.get('INITLENS_RUN_DIR') or os.path.join(os.getcwd(), '.initlens', 'runs')


class Watcher:
    def __init__(self, model, every=10, run_dir=None, name=None):
        if not isinstance(model, torch.nn.Module):
            raise TypeError('watch() needs an nn.Module, got %s' % type(model).__name__)
        if not isinstance(every, int) or every < 1:
            raise ValueError('every must be a whole number ≥ 1, got %r' % (every,))
        self.model = model
        self.every = every
        self.name = name or type(model).__name__
        self.run_dir = run_dir or default_run_dir()
        os.makedirs(self.run_dir, exist_ok=True)
        stamp = datetime.datetime.now().strftime('%Y%m%d-%H%M%S')
        self.run_id = 'watch-%s-%s-%d' % (self.name, stamp, os.getpid())
        self.path = os.path.join(self.run_dir, self.run_id + '.jsonl')
        self._file = open(self.path, 'w', encoding='utf-8', buffering=1)
        self._writer = EventWriter(self._file)
        measure.disable_inplace(model)
        self.recorder = measure.Recorder(model)
        # What the weights were drawn from is read now, before the optimizer's first step moves them.
        self._as_written = {}
        for i, (_, m) in enumerate(self.recorder.layers):
            w = measure.kernel_of(m)
            std = float(w.detach().double().std(unbiased=False)) if w.numel() > 1 else 0.0
            self._as_written[i] = describe_as_written(w) + (std,)
        self.step = 0
        self.started = False
        self.closed = False
        self._pending = None
        self._grad_handles = []
        self._losses = []
        self._reported_loss = None
        self._t0 = time.time()
        self._samples = 0
        self._first_metric = 0.0
        self.measured_seconds = 0.0
        self._pre = model.register_forward_pre_hook(self._before_forward)
        self._post = model.register_forward_hook(self._after_forward)
        _patch_backward()
        _active.add(self)
        atexit.register(self.close)

    # -- public ------------------------------------------------------------------------
    def loss(self, value):
        """Report this step's loss yourself (otherwise the scalar .backward() starts from is used)."""
        self._reported_loss = float(value.detach() if isinstance(value, torch.Tensor) else value)

    def close(self):
        if self.closed:
            return
        self._flush_pending()
        self.closed = True
        self._pre.remove()
        self._post.remove()
        self.recorder.detach()
        self._remove_grad_hooks()
        _active.discard(self)
        seconds = time.time() - self._t0
        if self.started:
            last = self._losses[-1] if self._losses else None
            self._writer.emit({
                'type': 'finished', 'runId': self.run_id,
                'final': {'validationAccuracy': None, 'loss': last, 'steps': self.step},
                'timing': {'seconds': seconds, 'samplesPerSecond': self._samples / seconds if seconds > 0 else 0.0, 'firstMetricSeconds': self._first_metric},
                'numTensorsBefore': 0, 'numTensorsAfter': 0,
            })
        self._file.close()

    # -- hooks -------------------------------------------------------------------------
    def _seen_loss(self, value):
        if self._reported_loss is None:
            self._losses.append(value)

    def _training(self):
        return self.model.training and torch.is_grad_enabled()

    def _before_forward(self, module, inputs):
        if self.closed or not self._training():
            return
        self._flush_pending()
        x = measure._first_tensor(inputs)
        n = int(x.shape[0]) if x is not None and x.dim() > 0 else 1
        self._samples += n
        if self.step % self.every == 0:
            t = time.time()
            self.recorder.attach(forward=True, backward=True, batch=n)
            self._grads = {}
            self._add_grad_hooks()
            self._pending = {
                'step': self.step,
                'before': {i: measure.kernel_of(m).detach().clone() for i, (_, m) in enumerate(self.recorder.layers)},
                'inputSecond': float(torch.mean(x.detach().double() ** 2)) if x is not None and x.is_floating_point() else 0.0,
                'input': x,
            }
            self._losses = []
            self.measured_seconds += time.time() - t
        self.step += 1

    def _after_forward(self, module, inputs, output):
        if self._pending is not None and 'pairs' not in self._pending:
            t = time.time()
            self._pending['pairs'] = self.recorder.paired()
            self._pending.pop('input', None)
            # Forward hooks off again; the backward hooks stay for this step's backward.
            self.recorder.attach(forward=False, backward=True, batch=self.recorder.batch)
            self.measured_seconds += time.time() - t

    def _add_grad_hooks(self):
        self._remove_grad_hooks()
        for i, (_, m) in enumerate(self.recorder.layers):
            for key, p in (('w', measure.kernel_of(m)), ('b', measure.bias_of(m))):
                if p is not None:
                    self._grad_handles.append(p.register_hook(self._grad_hook(i, key)))

    def _grad_hook(self, i, key):
        def hook(grad):
            self._grads[(i, key)] = float(grad.detach().double().norm())
        return hook

    def _remove_grad_hooks(self):
        for h in self._grad_handles:
            h.remove()
        self._grad_handles = []

    def _flush_pending(self):
        pending, self._pending = self._pending, None
        if pending is None or 'pairs' not in pending:
            self.recorder.detach()
            self._remove_grad_hooks()
            return
        t = time.time()
        self.recorder.detach()
        self._remove_grad_hooks()
        pairs = pending['pairs']
        order = [i for i in range(len(self.recorder.layers)) if i in pairs]
        if not order:
            return
        order.sort(key=lambda i: self._call_position(i))
        if not self.started:
            self._start(order, pairs, pending['inputSecond'])
        layers = []
        for i in order:
            _, m = self.recorder.layers[i]
            w = measure.kernel_of(m).detach()
            before = pending['before'][i]
            denom = float(before.double().norm())
            ratio = float((w.double() - before.double()).norm()) / denom if denom > 0 else None
            if ratio == 0.0:
                ratio = None  # no optimizer step between the two forwards
            rec = measure.layer_step_stats(m, pairs[i], self._grads.get((i, 'w')), self._grads.get((i, 'b')),
                                           self.recorder.backward.get(i), ratio)
            if rec['distinctUnits'] is None:
                info = self._infos[i]
                rec['distinctUnits'] = info['channels'][1] if 'channels' in info else info['fanOut']
            if rec['gradNorm'] is None and (i, 'w') not in self._grads:
                rec['gradNorm'] = 0.0  # no backward reached this layer (frozen or not in the loss)
            layers.append(rec)
        loss = self._reported_loss if self._reported_loss is not None else (self._losses[-1] if self._losses else None)
        self._reported_loss = None
        metrics = {'step': pending['step'], 'loss': measure.finite(loss), 'accuracy': None, 'validationAccuracy': None, 'layers': layers}
        if loss is None:
            metrics['lossUnknown'] = True
        if pending['step'] == 0 or not self._first_metric:
            self._first_metric = time.time() - self._t0
        self._writer.emit({'type': 'step', 'runId': self.run_id, 'metrics': metrics})
        self.measured_seconds += time.time() - t

    def _call_position(self, i):
        return self._positions.get(i, i) if hasattr(self, '_positions') else i

    def _start(self, order, pairs, input_second):
        self._infos = {}
        self._positions = {i: k for k, i in enumerate(order)}
        infos = []
        for k, i in enumerate(order):
            lname, m = self.recorder.layers[i]
            w = measure.kernel_of(m)
            fan_in, fan_out = measure.fans(m, w)
            init_name, spec, std = self._as_written[i]
            info = {
                'name': lname, 'fanIn': int(fan_in), 'fanOut': int(fan_out), 'activation': pairs[i][2],
                'initializer': init_name, 'spec': spec,
                'weightStd': std,
                'theoryWeightStd': 0.0, 'predictedGain': None, 'isOutput': k == len(order) - 1,
                'kind': measure.kind_of(m), 'outputShape': list(pairs[i][3][1:]),
                'params': int(sum(p.numel() for p in measure.own_params(m))),
            }
            if isinstance(m, torch.nn.modules.conv._ConvNd):
                info['kernelSize'] = [int(s) for s in m.kernel_size]
                info['channels'] = [int(m.in_channels), int(m.out_channels)]
            self._infos[i] = info
            infos.append(info)
        device = next(self.model.parameters()).device
        self._writer.emit({
            'type': 'started', 'runId': self.run_id, 'backend': 'pytorch',
            'backendReason': 'watch() in your training: torch %s on %s' % (torch.__version__, device),
            'data': {'source': os.path.abspath(sys.argv[0]) if sys.argv and sys.argv[0] else 'interactive', 'kind': 'user',
                     'description': 'your own training data (watch() in %s)' % (os.path.basename(sys.argv[0]) if sys.argv and sys.argv[0] else 'a notebook'),
                     'train': 0, 'test': 0},
            'layers': infos,
            'inputSecondMoment': input_second,
            'runtime': {'python': sys.version.split()[0], 'torch': torch.__version__, 'device': str(device),
                        'deviceReason': 'where your model is', 'executable': sys.executable},
            'model': {'file': os.path.abspath(sys.argv[0]) if sys.argv and sys.argv[0] else '', 'name': self.name,
                      'parameters': int(sum(p.numel() for p in self.model.parameters())),
                      'trainableParameters': int(sum(p.numel() for p in self.model.parameters() if p.requires_grad)),
                      'output': 'logits', 'input': 'your batches', 'unusedLayers': []},
        })
        self.started = True


def watch(model, every=10, run_dir=None, name=None):
    """Measure `model` every `every` training steps; returns the Watcher (call .close() when done,
    or let the interpreter's exit do it)."""
    return Watcher(model, every=every, run_dir=run_dir, name=name)
