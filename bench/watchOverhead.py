#!/usr/bin/python3
"""Overhead of watch() (python/initlens_probe): the same model trained with and without it.

Rounds alternate (plain, watched, plain, watched, ...) so machine load hits both alike; prints
one JSON object: median seconds per training step either way, the overhead per step and in %,
and the time watch() itself spent on measured steps. Hooks run only on every `every`-th step.
  /usr/bin/python3 bench/watchOverhead.py --steps 200 --every 10 --rounds 3
"""
import argparse, json, os, statistics, sys, tempfile, time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), 'python'))


def train(steps, every, watched, seed):
    import torch
    from torch import nn
    import torch.nn.functional as F
    from initlens_probe import watch
    torch.manual_seed(seed)
    model = nn.Sequential(nn.Conv2d(1, 16, 3), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
                          nn.Linear(16 * 13 * 13, 128), nn.ReLU(), nn.Linear(128, 10))
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    x = torch.rand(32, 1, 28, 28)
    y = torch.randint(0, 10, (32,))
    w = watch(model, every=every, run_dir=tempfile.mkdtemp(prefix='initlens-bench-')) if watched else None
    t = time.perf_counter()
    for _ in range(steps):
        opt.zero_grad()
        F.cross_entropy(model(x), y).backward()
        opt.step()
    seconds = time.perf_counter() - t
    measured = 0.0
    if w is not None:
        w.close()
        measured = w.measured_seconds
    return seconds / steps, measured / steps


def main():
    p = argparse.ArgumentParser()
    p.add_argument('--steps', type=int, default=200)
    p.add_argument('--every', type=int, default=10)
    p.add_argument('--rounds', type=int, default=3)
    args = p.parse_args()
    import torch
    torch.set_num_threads(1)
    plain, watched, hooks = [], [], []
    train(20, args.every, True, 0)  # warm-up: first-call costs of torch and the hooks
    for r in range(args.rounds):
        plain.append(train(args.steps, args.every, False, r)[0])
        s, m = train(args.steps, args.every, True, r)
        watched.append(s)
        hooks.append(m)
    a, b = statistics.median(plain), statistics.median(watched)
    print(json.dumps({'torch': torch.__version__, 'model': 'conv 16 + dense 128 + dense 10, batch 32, Adam', 'steps': args.steps,
                      'every': args.every, 'rounds': args.rounds, 'plainStepMs': round(a * 1e3, 3), 'watchedStepMs': round(b * 1e3, 3),
                      'overheadMsPerStep': round((b - a) * 1e3, 3), 'overheadPercent': round(100 * (b - a) / a, 1),
                      'watchMsPerStepSpentMeasuring': round(statistics.median(hooks) * 1e3, 3)}))


if __name__ == '__main__':
    main()
