"""PyTorch peer for packages/models/bench/prefill.ts: a Qwen2-shaped decoder with random weights,
written out in plain torch (no transformers) the way transformers' Qwen2 computes it: RMSNorm,
rotate-half RoPE, grouped-query attention with q/k/v biases, SwiGLU, tied LM head over the whole
prefill. Prints one JSON object per line. Run with Debian's /usr/bin/python3 (torch 1.13);
threads match ours (SHRINKRAY_THREADS, default: all cores).

usage: models_prefill_torch.py LAYERS TOKENS DECODE_STEPS REPS
"""
import json, math, os, sys, time
import torch
import torch.nn.functional as F

threads = int(os.environ.get("SHRINKRAY_THREADS") or os.cpu_count())
torch.set_num_threads(threads)
torch.manual_seed(0)
L, T, STEPS, REPS = (int(a) for a in sys.argv[1:5])
V, D, F_, H, KV, HD, THETA, EPS = 151936, 896, 4864, 14, 2, 64, 1e6, 1e-6


def w(*shape):
    return torch.randn(*shape) * 0.02


emb = w(V, D)
layers = [dict(
    ln1=torch.ones(D), ln2=torch.ones(D),
    q=w(H * HD, D), qb=w(H * HD), k=w(KV * HD, D), kb=w(KV * HD), v=w(KV * HD, D), vb=w(KV * HD),
    o=w(D, H * HD), gate=w(F_, D), up=w(F_, D), down=w(D, F_),
) for _ in range(L)]
norm = torch.ones(D)
inv_freq = 1.0 / (THETA ** (torch.arange(0, HD, 2, dtype=torch.int64).float() / HD))


def rms(x, g):
    return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + EPS) * g


def rot(x, cos, sin):
    x1, x2 = x[..., : HD // 2], x[..., HD // 2:]
    return x * cos + torch.cat((-x2, x1), -1) * sin


def forward(ids, cache, past):
    B, t = ids.shape
    pos = torch.arange(past, past + t).float()
    f = torch.outer(pos, inv_freq)
    e = torch.cat((f, f), -1)
    cos, sin = e.cos(), e.sin()
    h = emb[ids]
    for i, p in enumerate(layers):
        x = rms(h, p["ln1"])
        q = F.linear(x, p["q"], p["qb"]).view(B, t, H, HD).transpose(1, 2)
        k = F.linear(x, p["k"], p["kb"]).view(B, t, KV, HD).transpose(1, 2)
        v = F.linear(x, p["v"], p["vb"]).view(B, t, KV, HD).transpose(1, 2)
        q, k = rot(q, cos, sin), rot(k, cos, sin)
        if cache is not None:
            if i in cache:
                k = torch.cat((cache[i][0], k), 2)
                v = torch.cat((cache[i][1], v), 2)
            cache[i] = (k, v)
        k = k.repeat_interleave(H // KV, 1)
        v = v.repeat_interleave(H // KV, 1)
        s = (q @ k.transpose(-1, -2)) / math.sqrt(HD)
        S = k.shape[2]
        if t > 1:
            s = s.masked_fill(torch.ones(t, S, dtype=torch.bool).triu(S - t + 1), float("-inf"))
        a = (s.softmax(-1) @ v).transpose(1, 2).reshape(B, t, H * HD)
        h = h + F.linear(a, p["o"])
        x = rms(h, p["ln2"])
        h = h + F.linear(F.silu(F.linear(x, p["gate"])) * F.linear(x, p["up"]), p["down"])
    return F.linear(rms(h, norm), emb)


def median(fn, reps):
    fn()
    ts = []
    for _ in range(reps):
        t0 = time.perf_counter(); fn(); ts.append(time.perf_counter() - t0)
    ts.sort()
    return ts[len(ts) // 2]


with torch.no_grad():
    ids = torch.randint(0, V, (1, T))
    s = median(lambda: forward(ids, None, 0), REPS)
    print(json.dumps({"name": "prefill", "tokens": T, "s": s, "tok_per_s": T / s}), flush=True)

    def decode():
        cache = {}
        forward(ids, cache, 0)
        nxt = torch.zeros(1, 1, dtype=torch.long)
        t0 = time.perf_counter()
        for i in range(STEPS):
            forward(nxt, cache, T + i)
        return time.perf_counter() - t0

    d = min(decode() for _ in range(2))
    print(json.dumps({"name": "decode", "tokens": STEPS, "s": d, "tok_per_s": STEPS / d}), flush=True)
