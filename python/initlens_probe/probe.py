"""One probe run of the user's own model: the same schedule as the tfjs probe (src/probe/train.ts):
statistics on a fixed probe batch at step 0, every `every` steps and the last step; gradients on
the step's training batch; Adam (Keras' epsilon) or SGD with momentum; batches in the order
mulberry32(seed) shuffles them, so both probes see the same digits in the same order."""
import math
import os
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from . import measure
from .data import load_bundled
from .inits import PYTORCH_DEFAULT_NAME, apply_spec, describe_as_written
from .usercode import Refusal, build_model, import_file, wrap

ADAM_EPSILON = 1e-7  # Keras' and tfjs' epsilon (src/probe/optimizer.ts)


def mulberry32(seed):
    """The tfjs probe's PRNG (src/probe/random.ts), bit for bit."""
    a = seed & 0xFFFFFFFF

    def nxt():
        nonlocal a
        a = (a + 0x6D2B79F5) & 0xFFFFFFFF
        t = a
        t = ((t ^ (t >> 15)) * (t | 1)) & 0xFFFFFFFF
        t = (t ^ ((t + ((t ^ (t >> 7)) * (t | 61))) & 0xFFFFFFFF)) & 0xFFFFFFFF
        return ((t ^ (t >> 14)) & 0xFFFFFFFF) / 4294967296.0
    return nxt


class BatchOrder:
    def __init__(self, count, batch, seed):
        self.count, self.batch, self.random = count, batch, mulberry32(seed)
        self.order, self.cursor = [], 0

    def next(self):
        if self.cursor + self.batch > len(self.order):
            order = list(range(self.count))
            for k in range(len(order) - 1, 0, -1):
                j = int(math.floor(self.random() * (k + 1)))
                order[k], order[j] = order[j], order[k]
            self.order, self.cursor = order, 0
        self.cursor += self.batch
        return self.order[self.cursor - self.batch:self.cursor]


def pick_device(choice):
    cuda = torch.cuda.is_available()
    if choice == 'cuda' and not cuda:
        raise Refusal('device cuda was asked for, but torch %s sees no CUDA device' % torch.__version__)
    if choice == 'cuda' or (choice in (None, 'auto') and cuda):
        name = torch.cuda.get_device_name(0)
        return torch.device('cuda'), 'cuda (%s)' % name, 'CUDA is available' if choice != 'cuda' else 'initlens.device = cuda'
    why = 'initlens.device = cpu' if choice == 'cpu' else 'no CUDA device visible to torch'
    return torch.device('cpu'), 'cpu', why


def input_layout(model):
    """'flat' (N×784) or 'image' (N×1×28×28) from the first layer with parameters, or a refusal."""
    for name, m in model.named_modules():
        if not measure.own_params(m):
            continue
        if isinstance(m, nn.Conv2d):
            if m.in_channels != 1:
                raise Refusal('the first layer %s expects N×%d×H×W input; InitLens feeds MNIST digits as N×1×28×28 or N×784' % (name, m.in_channels))
            return 'image'
        if isinstance(m, nn.Linear):
            if m.in_features != 784:
                raise Refusal('the first layer %s expects N×%d input; InitLens feeds MNIST digits as N×784 or N×1×28×28' % (name, m.in_features))
            return 'flat'
        if isinstance(m, nn.modules.conv._ConvNd):
            raise Refusal('the first layer %s is a %s; InitLens feeds MNIST digits as N×1×28×28 (Conv2d) or N×784 (Linear)' % (name, type(m).__name__))
        return 'flat'
    raise Refusal('the model has no trainable parameters')


def shaped(x_u8, layout, device):
    x = torch.from_numpy(x_u8.astype(np.float32) / 255.0)
    if layout == 'image':
        x = x.reshape(-1, 1, 28, 28)
    return x.to(device)


def output_kind(out):
    """'probs' (softmax output), 'logprobs' (log_softmax) or 'logits', from the first forward."""
    with torch.no_grad():
        o = out.detach().double()
        if bool((o >= 0).all()) and bool(torch.allclose(o.sum(1), torch.ones_like(o[:, 0]), atol=1e-3)):
            return 'probs'
        if bool(torch.allclose(torch.exp(o).sum(1), torch.ones_like(o[:, 0]), atol=1e-3)):
            return 'logprobs'
    return 'logits'


def loss_of(out, y, kind):
    if kind == 'probs':
        return F.nll_loss(torch.log(out.clamp_min(1e-12)), y)
    if kind == 'logprobs':
        return F.nll_loss(out, y)
    return F.cross_entropy(out, y)


class ProbeMode:
    """Model in train mode (batch norm on batch statistics), dropout off, running statistics kept."""

    def __init__(self, model):
        self.model = model

    def __enter__(self):
        self.was = self.model.training
        self.model.train()
        self.saved = []
        for m in self.model.modules():
            if isinstance(m, measure.DROPOUTS):
                m.eval()
            if isinstance(m, measure.NORMS) and m.track_running_stats:
                self.saved.append((m, {k: v.clone() for k, v in m.state_dict().items() if k.startswith('running') or k == 'num_batches_tracked'}))
        return self

    def __exit__(self, *exc):
        for m, state in self.saved:
            for k, v in state.items():
                getattr(m, k).copy_(v)
        self.model.train(self.was)


def run(command, emit, started_at):
    request = command['request']
    config = request['config']
    run_id = request['runId']
    model_ref = command['model']
    spec = command.get('spec')
    torch.manual_seed(config['seed'])
    np.random.seed(config['seed'])
    torch.set_num_threads(max(1, int(os.environ.get('INITLENS_TORCH_THREADS', '1'))))
    device, device_name, device_reason = pick_device(command.get('device'))

    xtr, ytr, xte, yte, rows, cols = load_bundled(command['dataPath'])
    if rows * cols != 784:
        raise Refusal('the bundled digits are %d×%d; this runner feeds 28×28' % (rows, cols))
    module, folder = import_file(model_ref['file'])
    model, name = build_model(module, folder, model_ref.get('name'), model_ref.get('args'))
    try:
        model = model.to(device)
    except Exception as err:
        raise wrap('moving the model to %s' % device_name, err, folder)
    measure.disable_inplace(model)
    layout = input_layout(model)
    batch = config['batch']
    probe_x = shaped(xtr[:config['probeBatch']], layout, device)
    val_x = shaped(xte[:config['validationSubset']], layout, device)
    val_y = torch.from_numpy(yte[:config['validationSubset']].astype(np.int64)).to(device)
    test_x = shaped(xte, layout, device)
    test_y = torch.from_numpy(yte.astype(np.int64)).to(device)
    train_y_all = torch.from_numpy(ytr.astype(np.int64))

    recorder = measure.Recorder(model)
    layers = recorder.layers

    def forward_probe():
        recorder.attach(forward=True)
        try:
            with ProbeMode(model), torch.no_grad():
                out = model(probe_x)
        except Exception as err:
            raise wrap('forward', err, folder)
        finally:
            recorder.detach()
        return out, recorder.paired()

    out, pairs = forward_probe()
    if not isinstance(out, torch.Tensor) or out.dim() != 2 or out.shape[1] != 10:
        shape = tuple(out.shape) if isinstance(out, torch.Tensor) else type(out).__name__
        raise Refusal('the model returns %s for a batch of %d digits; InitLens trains a 10-class classifier (N×10 output)' % (shape, probe_x.shape[0]))
    kind = output_kind(out)

    # Initializers: as written, or every Linear/Conv kernel drawn from the candidate.
    written = {}
    if spec is not None:
        gen = torch.Generator().manual_seed(config['seed'])
        for lname, m in layers:
            if measure.is_kernel_layer(m):
                with torch.no_grad():
                    w = measure.kernel_of(m)
                    draw = torch.empty(w.shape, dtype=torch.float32)
                    apply_spec(draw, spec, gen)
                    w.copy_(draw.to(w.device, w.dtype))
                    b = measure.bias_of(m)
                    if b is not None:
                        b.zero_()
        if spec['kind'] == 'lsuv':
            lsuv(model, layers, forward_probe, spec)
        out, pairs = forward_probe()
    order = sorted(pairs)  # layers in the order of their first call
    unused = [lname for i, (lname, _) in enumerate(layers) if i not in pairs]
    if not order:
        raise Refusal('no layer with parameters ran in the forward pass')
    infos = []
    for pos, i in enumerate(sorted(order, key=lambda i: pairs_index(recorder, i))):
        lname, m = layers[i]
        w = measure.kernel_of(m)
        fan_in, fan_out = measure.fans(m, w)
        if spec is not None and measure.is_kernel_layer(m):
            init_name, init_spec = request['label'], spec
        else:
            init_name, init_spec = describe_as_written(w)
        info = {
            'name': lname,
            'fanIn': int(fan_in), 'fanOut': int(fan_out),
            'activation': pairs[i][2],
            'initializer': init_name,
            'spec': init_spec,
            'weightStd': float(w.detach().double().std(unbiased=False)) if w.numel() > 1 else 0.0,
            'theoryWeightStd': 0.0,  # filled in by the host from the spec (src/probe/pytorch/bridge.ts)
            'predictedGain': None,
            'isOutput': False,
            'kind': measure.kind_of(m),
            'outputShape': list(pairs[i][3][1:]),
            'params': int(sum(p.numel() for p in measure.own_params(m))),
        }
        if isinstance(m, nn.modules.conv._ConvNd):
            info['kernelSize'] = [int(k) for k in m.kernel_size]
            info['channels'] = [int(m.in_channels), int(m.out_channels)]
        infos.append((i, info))
    infos[-1][1]['isOutput'] = True
    ordered = [i for i, _ in infos]
    total_params = int(sum(p.numel() for p in model.parameters()))
    train_params = int(sum(p.numel() for p in model.parameters() if p.requires_grad))
    input_second = float(torch.mean(probe_x.double() ** 2))
    emit({
        'type': 'started', 'runId': run_id, 'backend': 'pytorch',
        'backendReason': 'torch %s on %s (%s)' % (torch.__version__, device_name, device_reason),
        'data': {'source': command['dataPath'], 'kind': 'bundled',
                 'description': 'bundled MNIST digits: %d train / %d held-out, fed as %s' % (len(ytr), len(yte), 'N×1×28×28' if layout == 'image' else 'N×784'),
                 'train': int(len(ytr)), 'test': int(len(yte))},
        'layers': [info for _, info in infos],
        'inputSecondMoment': input_second,
        'runtime': {'python': sys.version.split()[0], 'torch': torch.__version__, 'device': device_name,
                    'deviceReason': device_reason, 'executable': sys.executable},
        'model': {'file': os.path.abspath(model_ref['file']), 'name': name, 'parameters': total_params,
                  'trainableParameters': train_params, 'output': kind, 'input': 'N×1×28×28' if layout == 'image' else 'N×784',
                  'unusedLayers': unused},
    })

    params = [p for p in model.parameters() if p.requires_grad]
    if config['optimizer'] == 'adam':
        opt = torch.optim.Adam(params, lr=config['lr'], eps=ADAM_EPSILON)
    else:
        opt = torch.optim.SGD(params, lr=config['lr'], momentum=config['momentum'])
    batches = BatchOrder(len(ytr), batch, config['seed'])
    loss_sum, loss_count, steps_done, first_metric = 0.0, 0, 0, 0.0
    train_start = time.time()
    diverged = False
    for step in range(config['steps'] + 1):
        is_stats = step % config['every'] == 0 or step == config['steps']
        applies = step < config['steps']
        fpairs = None
        if is_stats:
            fpairs = pairs if step == 0 else forward_probe()[1]
        idx = batches.next()
        xb = shaped(xtr[idx], layout, device)
        yb = train_y_all[idx].to(device)
        model.train()
        if is_stats:
            recorder.attach(forward=False, backward=True, batch=batch)
        try:
            out = model(xb)
            loss = loss_of(out, yb, kind)
            opt.zero_grad(set_to_none=False)
            loss.backward()
        except Exception as err:
            raise wrap('training step %d' % step, err, folder)
        finally:
            recorder.detach()
        loss_value = float(loss.detach())
        loss_finite = math.isfinite(loss_value)
        batch_acc = float((out.detach().argmax(1) == yb).double().mean()) if is_stats else None
        grads = {}
        if is_stats or not loss_finite:
            for i in ordered:
                m = layers[i][1]
                w, b = measure.kernel_of(m), measure.bias_of(m)
                grads[i] = (float(w.grad.double().norm()) if w.grad is not None else 0.0,
                            float(b.grad.double().norm()) if b is not None and b.grad is not None else None)
        ratios = {}
        if applies and loss_finite:
            before = {i: measure.kernel_of(layers[i][1]).detach().clone() for i in ordered} if is_stats else None
            opt.step()
            steps_done = step + 1
            if before is not None:
                for i in ordered:
                    w = measure.kernel_of(layers[i][1]).detach()
                    denom = float(before[i].double().norm())
                    ratios[i] = float((w.double() - before[i].double()).norm()) / denom if denom > 0 else None
        loss_sum += loss_value
        loss_count += 1
        if is_stats or not loss_finite:
            if fpairs is None:
                fpairs = forward_probe()[1]
            layer_stats = []
            for i in ordered:
                m = layers[i][1]
                g, bg = grads.get(i, (None, None))
                rec = measure.layer_step_stats(m, fpairs[i], g, bg, recorder.backward.get(i) if is_stats else None, ratios.get(i))
                if rec['distinctUnits'] is None:
                    info = infos[ordered.index(i)][1]
                    rec['distinctUnits'] = info['channels'][1] if 'channels' in info else info['fanOut']
                layer_stats.append(rec)
            val_acc = None
            if loss_finite:
                val_acc = evaluate(model, val_x, val_y)[1]
            metrics = {
                'step': step,
                'loss': measure.finite(loss_sum / loss_count),
                'accuracy': measure.finite(batch_acc),
                'validationAccuracy': measure.finite(val_acc),
                'layers': layer_stats,
            }
            loss_sum, loss_count = 0.0, 0
            if step == 0:
                first_metric = time.time() - started_at
            emit({'type': 'step', 'runId': run_id, 'metrics': metrics})
            if not loss_finite or any(r['gradNorm'] is None or r['activationSecondMoment'] is None for r in layer_stats):
                diverged = True
                break
    seconds = time.time() - train_start
    final_loss, final_acc = (None, None) if diverged else evaluate(model, test_x, test_y, kind)
    emit({
        'type': 'finished', 'runId': run_id,
        'final': {'validationAccuracy': measure.finite(final_acc), 'loss': measure.finite(final_loss), 'steps': steps_done},
        'timing': {'seconds': seconds, 'samplesPerSecond': steps_done * batch / seconds if seconds > 0 else 0.0, 'firstMetricSeconds': first_metric},
        'numTensorsBefore': 0, 'numTensorsAfter': 0,
    })


def pairs_index(recorder, i):
    for k, call in enumerate(recorder.calls):
        if call[0] == 'layer' and call[1] == i:
            return k
    return i


def evaluate(model, x, y, kind='logits', chunk=2048):
    was = model.training
    model.eval()
    loss_sum, correct = 0.0, 0
    with torch.no_grad():
        for s in range(0, x.shape[0], chunk):
            out = model(x[s:s + chunk])
            loss_sum += float(loss_of(out, y[s:s + chunk], kind)) * out.shape[0]
            correct += int((out.argmax(1) == y[s:s + chunk]).sum())
    model.train(was)
    return loss_sum / x.shape[0], correct / x.shape[0]


def lsuv(model, layers, forward_probe, spec):
    """Mishkin & Matas: after the orthogonal draw, rescale each kernel layer in forward order
    until its output variance on the probe batch is 1 (within `tolerance`)."""
    for i, (_, m) in enumerate(layers):
        if not measure.is_kernel_layer(m):
            continue
        for _ in range(int(spec.get('maxIterations', 10))):
            _, pairs = forward_probe()
            if i not in pairs:
                break
            var = pairs[i][0]['variance']
            if not math.isfinite(var) or var <= 0 or abs(var - 1.0) < spec.get('tolerance', 0.1):
                break
            with torch.no_grad():
                measure.kernel_of(m).div_(math.sqrt(var))
