"""PyTorch eager peer of tensor-cuda's GPU benchmarks (scripts/gpu/check.ts, bench mode).

Same shapes, same GPT-2-small as bench/gpt2-small.ts (pre-LN, fused qkv, tanh GELU, tied head),
fp32 with TF32 off as our default. Prints one line per figure and writes torch-gpu.json to --out.
Usage: python3 cuda_peer.py [bench|all] [--out DIR]
"""
import json
import math
import os
import sys
import time

import torch
import torch.nn.functional as F

torch.backends.cuda.matmul.allow_tf32 = False
torch.backends.cudnn.allow_tf32 = False
dev = "cuda"


def time_it(fn, reps, warmup=2):
    for _ in range(warmup):
        fn()
    torch.cuda.synchronize()
    t = time.perf_counter()
    for _ in range(reps):
        fn()
    torch.cuda.synchronize()
    return (time.perf_counter() - t) / reps * 1e3


def gpt2_small(L=12, V=50257, d=768):
    p = lambda *s, std=0.02: (torch.randn(*s, device=dev) * std).requires_grad_()
    ones = lambda n: torch.ones(n, device=dev, requires_grad=True)
    zeros = lambda n: torch.zeros(n, device=dev, requires_grad=True)
    blocks = [
        dict(ln1w=ones(d), ln1b=zeros(d), qkvW=p(3 * d, d), qkvB=zeros(3 * d), projW=p(d, d), projB=zeros(d),
             ln2w=ones(d), ln2b=zeros(d), fcW=p(4 * d, d), fcB=zeros(4 * d), outW=p(d, 4 * d), outB=zeros(d))
        for _ in range(L)
    ]
    wte, wpe, lnfw, lnfb = p(V, d), p(1024, d, std=0.01), ones(d), zeros(d)
    params = [wte, wpe, lnfw, lnfb] + [t for b in blocks for t in b.values()]

    def loss(ids, targets, pos, h=12):
        B, T = ids.shape
        x = F.embedding(ids, wte) + F.embedding(pos, wpe)
        for b in blocks:
            qkv = F.linear(F.layer_norm(x, (d,), b["ln1w"], b["ln1b"]), b["qkvW"], b["qkvB"])
            q, k, v = (z.reshape(B, T, h, d // h).transpose(1, 2) for z in qkv.split(d, -1))
            att = F.scaled_dot_product_attention(q, k, v, is_causal=True)
            x = x + F.linear(att.transpose(1, 2).reshape(B, T, d), b["projW"], b["projB"])
            m = F.linear(F.gelu(F.linear(F.layer_norm(x, (d,), b["ln2w"], b["ln2b"]), b["fcW"], b["fcB"]), approximate="tanh"),
                         b["outW"], b["outB"])
            x = x + m
        logits = F.linear(F.layer_norm(x, (d,), lnfw, lnfb), wte)
        return F.cross_entropy(logits.reshape(-1, V), targets.reshape(-1))

    return params, loss, V


def main():
    args = sys.argv[1:]
    out = args[args.index("--out") + 1] if "--out" in args else None
    rows = {}
    for n, dtype in ((8192, torch.bfloat16), (4096, torch.float32)):
        a = torch.randn(n, n, device=dev).to(dtype)
        b = torch.randn(n, n, device=dev).to(dtype)
        ms = time_it(lambda: a @ b, 10, 3)
        name = str(dtype).replace("torch.", "")
        rows[f"matmul {name} {n}^3 ms"] = ms
        rows[f"matmul {name} {n}^3 TFLOP/s"] = 2 * n ** 3 / (ms * 1e-3) / 1e12
        print(f"torch matmul {name} {n}^3: {ms:.3f} ms, {rows[f'matmul {name} {n}^3 TFLOP/s']:.1f} TFLOP/s", flush=True)
    B, T = 8, 512
    params, loss, V = gpt2_small()
    i = torch.arange(B * T, device=dev)
    ids = ((i * 7919) % V).reshape(B, T)
    targets = ((i * 104729 + 1) % V).reshape(B, T)
    pos = torch.arange(T, device=dev)

    def step():
        loss(ids, targets, pos).backward()
        for p in params:
            p.grad = None

    ms = time_it(step, 5, 2)
    rows[f"gpt2-small fwd+bwd {B}x{T} fp32 ms"] = ms
    print(f"torch gpt2-small fwd+bwd ({B}x{T}, fp32): {ms:.1f} ms", flush=True)
    rows["peak allocated MiB"] = torch.cuda.max_memory_allocated() / 2 ** 20
    if out:
        os.makedirs(out, exist_ok=True)
        with open(os.path.join(out, "torch-gpu.json"), "w") as f:
            json.dump({"torch": torch.__version__, "device": torch.cuda.get_device_name(), "bench": rows}, f, indent=2)


if __name__ == "__main__":
    if any(a in ("bench", "all") for a in sys.argv[1:]) or len(sys.argv) == 1:
        main()
