"""
test/fixtures/models/keras_residual.py rebuilt in PyTorch (Keras' BatchNormalization: momentum 0.99
→ PyTorch momentum=0.01, eps=1e-3; glorot_uniform kernels, he_normal on the middle convolution,
zero γ on the branch's last BatchNormalization), trained as `initlens compare --model` trains it:
300 Adam steps (lr 0.001) of batch 32 on the bundled digits, then the 2,000 held-out digits on
the moving averages. What such a model reaches in 300 steps, independent of InitLens' engine.
Run: /usr/bin/python3 scripts/residualTorchReference.py [pytorch momentum, default 0.01]
"""
import gzip, struct, sys, numpy as np, torch, torch.nn as nn, torch.nn.functional as F
torch.set_num_threads(1)
raw = gzip.open('__import__('os').path.join(__import__('os').path.dirname(__file__), '..', 'media', 'data', 'mnist-10k.bin.gz')').read()
_, ver, ntr, nte, r, c = struct.unpack('<4sIIIII', raw[:24])
at = 24
ytr = np.frombuffer(raw, np.uint8, ntr, at); at += ntr
yte = np.frombuffer(raw, np.uint8, nte, at); at += nte
xtr = np.frombuffer(raw, np.uint8, ntr*r*c, at).reshape(ntr,1,r,c).astype(np.float32)/255; at += ntr*r*c
xte = np.frombuffer(raw, np.uint8, nte*r*c, at).reshape(nte,1,r,c).astype(np.float32)/255
xtr, ytr, xte, yte = map(torch.tensor, (xtr, ytr.astype(np.int64), xte, yte.astype(np.int64)))
momentum = float(sys.argv[1]) if len(sys.argv) > 1 else 0.01
class Res(nn.Module):
    def __init__(s):
        super().__init__()
        s.c0 = nn.Conv2d(1,16,3,padding=1,bias=False); s.b0 = nn.BatchNorm2d(16, eps=1e-3, momentum=momentum)
        s.c1 = nn.Conv2d(16,16,3,padding=1,bias=False); s.b1 = nn.BatchNorm2d(16, eps=1e-3, momentum=momentum)
        s.c2 = nn.Conv2d(16,16,3,padding=1,bias=False); s.b2 = nn.BatchNorm2d(16, eps=1e-3, momentum=momentum)
        s.fc = nn.Linear(16,10)
        for m in (s.c0, s.c2, s.fc): nn.init.xavier_uniform_(m.weight)
        nn.init.kaiming_normal_(s.c1.weight, nonlinearity='relu'); nn.init.zeros_(s.b2.weight); nn.init.zeros_(s.fc.bias)
    def forward(s, x):
        x = F.relu(s.b0(s.c0(x)))
        y = F.relu(s.b1(s.c1(x)))
        y = s.b2(s.c2(y))
        x = F.relu(x + y)
        x = F.max_pool2d(x, 2)
        return s.fc(x.mean((2,3)))
for seed in (42, 43):
    torch.manual_seed(seed); g = torch.Generator().manual_seed(seed)
    m = Res(); opt = torch.optim.Adam(m.parameters(), 1e-3)
    for step in range(300):
        idx = torch.randint(0, ntr, (32,), generator=g)
        m.train(); loss = F.cross_entropy(m(xtr[idx]), ytr[idx]); opt.zero_grad(); loss.backward(); opt.step()
    m.eval()
    with torch.no_grad(): acc_eval = (m(xte).argmax(1) == yte).float().mean().item()
    m.train()
    with torch.no_grad(): acc_batchstats = (m(xte[:500]).argmax(1) == yte[:500]).float().mean().item()
    print(f'momentum(keras)={1-momentum} seed {seed}: held-out (moving averages) {acc_eval:.3f}, with batch statistics {acc_batchstats:.3f}')
