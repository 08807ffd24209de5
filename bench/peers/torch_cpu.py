"""PyTorch CPU peer for tensor-cuda's benchmarks: prints one JSON object per line.

Needs Debian's packages (apt-get install -y python3-torch libopenblas0-pthread) and runs with
/usr/bin/python3. Threads match ours (SHRINKRAY_THREADS, default: all cores).
"""
import json, math, os, sys, time
import torch
import torch.nn.functional as F

threads = int(os.environ.get("SHRINKRAY_THREADS") or os.cpu_count())
torch.set_num_threads(threads)
torch.manual_seed(0)


def bench(fn, reps):
    fn()
    ts = []
    for _ in range(reps):
        t = time.perf_counter(); fn(); ts.append(time.perf_counter() - t)
    ts.sort()
    return ts[len(ts) // 2] * 1e3


def emit(name, ms):
    print(json.dumps({"name": name, "ms": ms}), flush=True)


for n in (256, 1024, 2048):
    a, b = torch.randn(n, n), torch.randn(n, n)
    emit(f"matmul {n}^3", bench(lambda: a @ b, 20 if n < 2048 else 5))
x, w = torch.randn(4096, 768), torch.randn(3072, 768)
emit("linear [4096x768]x[768x3072]", bench(lambda: F.linear(x, w), 5))


class Block(torch.nn.Module):
    def __init__(s, d=768, h=12):
        super().__init__(); s.h = h
        s.ln1, s.ln2 = torch.nn.LayerNorm(d), torch.nn.LayerNorm(d)
        s.qkv, s.proj = torch.nn.Linear(d, 3 * d), torch.nn.Linear(d, d)
        s.fc, s.out = torch.nn.Linear(d, 4 * d), torch.nn.Linear(4 * d, d)

    def forward(s, x):
        B, T, C = x.shape
        q, k, v = s.qkv(s.ln1(x)).split(C, -1)
        q, k, v = [z.view(B, T, s.h, C // s.h).transpose(1, 2) for z in (q, k, v)]
        a = (q @ k.transpose(-1, -2)) / math.sqrt(C // s.h)
        a = a.masked_fill(torch.triu(torch.ones(T, T, dtype=torch.bool), 1), float("-inf")).softmax(-1)
        x = x + s.proj((a @ v).transpose(1, 2).reshape(B, T, C))
        return x + s.out(F.gelu(s.fc(s.ln2(x)), approximate="tanh"))


blk = Block()
xb = torch.randn(4, 256, 768, requires_grad=True)


def step():
    blk.zero_grad(); y = blk(xb); y.square().mean().backward()


emit("gpt2-block fwd+bwd (4x256, d=768)", bench(step, 5))
with torch.no_grad():
    emit("gpt2-block fwd (4x256, d=768)", bench(lambda: blk(xb), 5))
a64, b64 = torch.randn(64), torch.randn(64)
emit("add [64]+[64] (per-op overhead)", bench(lambda: [a64 + b64 for _ in range(1000)], 5) / 1000)
