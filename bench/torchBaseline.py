#!/usr/bin/python3
"""PyTorch baseline for InitLens' default comparison (same models, same measurements).

Needs Debian's python3-torch, libopenblas0-pthread and python3-numpy; run with /usr/bin/python3:
  /usr/bin/python3 bench/torchBaseline.py --hidden 128 --batch 32 --steps 300 --jobs 2
Prints one JSON object on stdout. Times are wall-clock seconds; "process start" is the kernel's
start time of this (parent) process, so interpreter start-up and `import torch` are included.
"""
import argparse, gzip, json, math, os, struct, sys, time


def process_start():
    """Epoch time at which this process was started (from /proc), falling back to now."""
    try:
        with open('/proc/self/stat') as f:
            ticks = int(f.read().rsplit(')', 1)[1].split()[19])  # start, in ticks since boot
        age = time.clock_gettime(time.CLOCK_BOOTTIME) - ticks / os.sysconf('SC_CLK_TCK')
        return time.time() - age
    except (OSError, ValueError, AttributeError):
        return time.time()


T0 = process_start()
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
INITIALIZERS = ['zeros', 'random_normal', 'glorot_normal', 'he_normal']
TRUNC = 0.8796256610342398  # std of a unit normal truncated at ±2σ (Keras' correction)


def load_mnist(path):
    import numpy as np
    raw = gzip.open(path, 'rb').read()
    magic, version, n_train, n_test, rows, cols = struct.unpack_from('<4s5I', raw, 0)
    assert magic == b'ILMN' and version == 1, 'not an ILMN v1 file: %s' % path
    px = rows * cols
    buf = np.frombuffer(raw, np.uint8, offset=24)
    ytr, yte = buf[:n_train], buf[n_train:n_train + n_test]
    o = n_train + n_test
    xtr = buf[o:o + n_train * px].reshape(n_train, px)
    xte = buf[o + n_train * px:o + (n_train + n_test) * px].reshape(n_test, px)
    return xtr, ytr, xte, yte


def init_hidden(w, name, torch):
    fan_out, fan_in = w.shape  # torch Linear weight is [out, in]
    if name == 'zeros':
        torch.nn.init.zeros_(w)
    elif name == 'random_normal':
        torch.nn.init.normal_(w, 0.0, 0.05)
    else:
        var = 2.0 / (fan_in + fan_out) if name == 'glorot_normal' else 2.0 / fan_in
        std = math.sqrt(var) / TRUNC
        torch.nn.init.trunc_normal_(w, 0.0, std, -2 * std, 2 * std)


def run(args, init_name):
    """Train one model; returns its timing record. Runs in a worker process when --jobs > 1."""
    import torch
    import torch.nn.functional as F
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    t_start, cpu_start = time.time(), time.process_time()
    xtr, ytr, xte, yte = load_mnist(args.data)
    xtr = torch.from_numpy(xtr.astype('float32') / 255.0)
    xte = torch.from_numpy(xte.astype('float32') / 255.0)
    ytr, yte = torch.from_numpy(ytr.astype('int64')), torch.from_numpy(yte.astype('int64'))

    widths = [784] + args.widths + [10]
    layers = [torch.nn.Linear(a, b) for a, b in zip(widths[:-1], widths[1:])]
    with torch.no_grad():
        for i, lin in enumerate(layers):
            torch.nn.init.zeros_(lin.bias)
            if i < len(layers) - 1:
                init_hidden(lin.weight, init_name, torch)
            else:
                torch.nn.init.xavier_uniform_(lin.weight)  # glorot_uniform
    params = [p for lin in layers for p in lin.parameters()]
    opt = torch.optim.Adam(params, lr=0.001, eps=1e-7)  # Keras / TF.js epsilon

    def forward(x, record=None):
        for i, lin in enumerate(layers):
            z = lin(x)
            x = F.relu(z) if i < len(layers) - 1 else torch.softmax(z, 1)
            if record is not None:
                record.append((z, x))
        return z  # logits; softmax is folded into the loss

    probe_x = xtr[:256]
    val_x, val_y = xte[:500], yte[:500]
    metrics, first_metric = [], None
    order = torch.randperm(len(xtr))
    pos = 0
    t_train, cpu_train = time.time(), time.process_time()  # as InitLens' timing: the training loop with its measurements
    for step in range(args.steps):
        if pos + args.batch > len(order):
            order, pos = torch.randperm(len(xtr)), 0
        idx = order[pos:pos + args.batch]
        pos += args.batch
        opt.zero_grad()
        loss = F.cross_entropy(forward(xtr[idx]), ytr[idx])  # categorical cross-entropy
        loss.backward()
        if step % args.every == 0 or step == args.steps - 1:
            with torch.no_grad():
                rec = []
                forward(probe_x, rec)
                stats = []
                for lin, (z, a) in zip(layers, rec):
                    stats.append({
                        'preMean': z.mean().item(), 'preVar': z.var(unbiased=False).item(),
                        'actMean': a.mean().item(), 'actVar': a.var(unbiased=False).item(),
                        'dead': (a <= 0).all(0).float().mean().item(),
                        'kernelGrad': lin.weight.grad.norm().item(),
                        'biasGrad': lin.bias.grad.norm().item(),
                        'weightStd': lin.weight.std(unbiased=False).item(),
                        'distinct': torch.unique(lin.weight, dim=0).shape[0],
                    })
                acc = (forward(val_x).argmax(1) == val_y).float().mean().item()
            metrics.append({'step': step, 'loss': loss.item(), 'layers': stats, 'accuracy': acc})
            if first_metric is None:
                first_metric = time.time() - args.t0  # parent's start
        opt.step()
    train_seconds, train_cpu = time.time() - t_train, time.process_time() - cpu_train
    with torch.no_grad():
        final = (forward(xte).argmax(1) == yte).float().mean().item()
    seconds, cpu = time.time() - t_start, time.process_time() - cpu_start
    blas = 'unknown'
    try:  # the BLAS library this process loaded (Debian's torch uses whatever libblas.so.3 points to)
        with open('/proc/self/maps') as f:
            libs = {line.split()[-1] for line in f if 'blas' in line.lower() and '/' in line}
        blas = ', '.join(sorted({os.path.basename(os.path.dirname(p)) + '/' + os.path.basename(p) for p in libs})) or 'none'
    except OSError:
        pass
    return {'initializer': init_name, 'torch': torch.__version__, 'blas': blas, 'seconds': round(seconds, 3),
            'trainSeconds': round(train_seconds, 3), 'trainCpuSeconds': round(train_cpu, 3),
            'samplesPerSecond': round(args.steps * args.batch / seconds, 1),
            'finalAccuracy': round(final, 4), 'firstMetricSeconds': round(first_metric, 3),
            'metricPoints': len(metrics),
            'cpuSeconds': round(cpu, 3)}  # ≪ seconds means the CPU was contended


def run_conv(args):
    """The two-convolution MNIST classifier (Keras' "Simple MNIST convnet"): conv 32 3×3 relu,
    max-pool 2, conv 64 3×3 relu, max-pool 2, flatten, dropout 0.5, dense 10. Keras' defaults
    (glorot_uniform kernels, zero biases), Adam 0.001. The same measurements as InitLens every
    `every` steps: per-layer statistics on a 256-image probe batch, accuracy on 500 held-out.
    Returns the training steps' time alone and the whole run's."""
    import torch
    import torch.nn as nn
    import torch.nn.functional as F
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    t_start = time.time()
    xtr, ytr, xte, yte = load_mnist(args.data)
    xtr = torch.from_numpy(xtr.astype('float32') / 255.0).reshape(-1, 1, 28, 28)
    xte = torch.from_numpy(xte.astype('float32') / 255.0).reshape(-1, 1, 28, 28)
    ytr, yte = torch.from_numpy(ytr.astype('int64')), torch.from_numpy(yte.astype('int64'))
    conv1, conv2, fc = nn.Conv2d(1, 32, 3), nn.Conv2d(32, 64, 3), nn.Linear(1600, 10)
    with torch.no_grad():
        for m in (conv1, conv2, fc):
            nn.init.xavier_uniform_(m.weight)  # glorot_uniform: receptive-field fans for convolutions
            nn.init.zeros_(m.bias)
    params = [p for m in (conv1, conv2, fc) for p in m.parameters()]
    opt = torch.optim.Adam(params, lr=0.001, eps=1e-7)

    def forward(x, training, record=None):
        z1 = conv1(x); a1 = F.relu(z1)
        z2 = conv2(F.max_pool2d(a1, 2)); a2 = F.relu(z2)
        h = torch.flatten(F.max_pool2d(a2, 2), 1)
        z3 = fc(F.dropout(h, 0.5, training))
        if record is not None:
            record.extend([(z1, a1), (z2, a2), (z3, torch.softmax(z3, 1))])
        return z3

    probe_x = xtr[:256]
    val_x, val_y = xte[:500], yte[:500]
    order, pos, train_seconds, train_cpu = torch.randperm(len(xtr)), 0, 0.0, 0.0
    loop_start, loop_cpu_start = time.time(), time.process_time()
    for step in range(args.steps):
        if pos + args.batch > len(order):
            order, pos = torch.randperm(len(xtr)), 0
        idx = order[pos:pos + args.batch]
        pos += args.batch
        t, c = time.time(), time.process_time()
        opt.zero_grad()
        loss = F.cross_entropy(forward(xtr[idx], True), ytr[idx])
        loss.backward()
        opt.step()
        train_seconds += time.time() - t
        train_cpu += time.process_time() - c
        if step % args.every == 0 or step == args.steps - 1:
            with torch.no_grad():
                rec = []
                forward(probe_x, False, rec)
                for z, a in rec:
                    [z.mean().item(), z.var(unbiased=False).item(), a.mean().item(), a.var(unbiased=False).item(),
                     (a.transpose(0, 1).reshape(a.shape[1], -1) <= 0).all(1).float().mean().item()]
                (forward(val_x, False).argmax(1) == val_y).float().mean().item()
    loop_seconds, loop_cpu = time.time() - loop_start, time.process_time() - loop_cpu_start
    with torch.no_grad():
        final = (forward(xte, False).argmax(1) == yte).float().mean().item()
    seconds = time.time() - t_start
    # trainSeconds: the steps alone; loopSeconds: the training loop with its measurements (what
    # InitLens' timing.seconds counts); seconds: from loading the data to the final accuracy.
    return {'torch': torch.__version__, 'trainSeconds': round(train_seconds, 3), 'trainCpuSeconds': round(train_cpu, 3),
            'loopSeconds': round(loop_seconds, 3), 'loopCpuSeconds': round(loop_cpu, 3), 'seconds': round(seconds, 3),
            'finalAccuracy': round(final, 4)}


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--hidden', default='128', help='"128", or "256x8" for 8 layers of 256')
    p.add_argument('--batch', type=int, default=32)
    p.add_argument('--steps', type=int, default=300)
    p.add_argument('--every', type=int, default=10)
    p.add_argument('--threads', type=int, default=1, help='torch threads per run')
    p.add_argument('--jobs', type=int, default=2, help='runs in parallel processes')
    p.add_argument('--seed', type=int, default=0)
    p.add_argument('--init', default=','.join(INITIALIZERS), help='comma-separated subset')
    p.add_argument('--data', default=os.path.join(ROOT, 'media/data/mnist-10k.bin.gz'))
    p.add_argument('--model', default='dense', choices=['dense', 'conv'], help='conv: the two-convolution MNIST classifier, one run')
    args = p.parse_args()
    width, _, depth = args.hidden.partition('x')
    args.widths = [int(width)] * int(depth or 1)
    args.t0 = T0
    # Pin the BLAS/OpenMP pools before torch loads (inherited by spawned workers).
    for var in ('OMP_NUM_THREADS', 'OPENBLAS_NUM_THREADS', 'MKL_NUM_THREADS'):
        os.environ[var] = str(args.threads)
    if not os.path.exists(args.data):
        sys.exit('missing %s (run `node scripts/buildMnist.mjs`)' % args.data)
    inits = args.init.split(',')
    if args.model == 'conv':
        print(json.dumps(run_conv(args), indent=2))
        return

    if args.jobs > 1:
        import multiprocessing as mp
        # spawn, not fork: every worker starts its own interpreter and imports torch (counted).
        with mp.get_context('spawn').Pool(args.jobs) as pool:
            runs = pool.starmap(run, [(args, name) for name in inits])
    else:
        runs = [run(args, name) for name in inits]
    # Timed as soon as the last run is back (the parent never imports torch itself: that would
    # add an import the work does not need; the workers report the version).
    wall = time.time() - T0
    out = {'torch': runs[0].pop('torch'), 'blas': runs[0]['blas'], 'threads': args.threads, 'jobs': args.jobs,
           'model': 'dense 784-%s-10 relu/softmax, adam 0.001, batch %d, %d steps, stats every %d'
                    % ('-'.join(map(str, args.widths)), args.batch, args.steps, args.every),
           'runs': runs, 'wallSeconds': round(wall, 3)}
    for r in runs:
        r.pop('torch', None)
        r.pop('blas', None)
    print(json.dumps(out, indent=2))


if __name__ == '__main__':
    main()
