"""PyTorch peer of bench/real-scale.ts: the same measurements on the same random-weight Hugging Face
directory, in plain torch (no transformers): a Llama/Qwen2 decoder written out as transformers
computes it (RMSNorm, rotate-half RoPE with llama3 scaling, grouped-query attention, q/k/v biases
for Qwen2, SwiGLU, tied head), weights read from model.safetensors and widened to float32 (what
transformers does without torch_dtype), KV-cache decoding, and GPTQ with the port in
bench/peers/gptq_torch.py (the sequential, true-sequential recipe of the reference for the whole
model). One measurement per process; prints one JSON line.

usage: real_scale_torch.py MEASURE DIR     (MEASURE as in bench/real-scale/worker.ts)
Run with Debian's /usr/bin/python3 (python3-torch); threads: SHRINKRAY_THREADS (default all cores).
"""
import json, math, os, struct, sys, time
import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "..", "..", "bench", "peers"))
import gptq_torch  # noqa: E402  (the repository's GPTQ port)

torch.set_num_threads(int(os.environ.get("SHRINKRAY_THREADS") or os.cpu_count()))
MEASURE, DIR = sys.argv[1], sys.argv[2]


def status(field):
    for line in open("/proc/self/status"):
        if line.startswith(field + ":"):
            return int(line.split()[1]) * 1024
    return 0


def emit(**kw):
    print(json.dumps({"measure": MEASURE, "rss": status("VmRSS"), "hwm": status("VmHWM"), **kw}), flush=True)


def read_safetensors(path):
    """float32 tensors of a safetensors file (BF16/F16/F32), read tensor by tensor from a memory map."""
    with open(path, "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        head = json.loads(f.read(n))
    mm = np.memmap(path, dtype=np.uint8, mode="r", offset=8 + n)
    out = {}
    for k, v in head.items():
        if k == "__metadata__":
            continue
        a, b = v["data_offsets"]
        raw = mm[a:b]
        if v["dtype"] == "BF16":
            t = torch.from_numpy(np.array(raw).view(np.int16)).view(torch.bfloat16).float()
        elif v["dtype"] == "F16":
            t = torch.from_numpy(np.array(raw).view(np.float16)).float()
        else:
            t = torch.from_numpy(np.array(raw).view(np.float32)).clone()
        out[k] = t.reshape(v["shape"])
    return out


class Model:
    def __init__(self, d):
        c = json.load(open(os.path.join(d, "config.json")))
        self.c = c
        self.D, self.H, self.KV = c["hidden_size"], c["num_attention_heads"], c["num_key_value_heads"]
        self.HD = c.get("head_dim") or self.D // self.H
        self.eps = c["rms_norm_eps"]
        w = read_safetensors(os.path.join(d, "model.safetensors"))
        self.emb = w["model.embed_tokens.weight"]
        self.head = w.get("lm_head.weight", self.emb)
        self.norm = w["model.norm.weight"]
        self.layers = []
        for i in range(c["num_hidden_layers"]):
            p = f"model.layers.{i}."
            g = lambda k: w.get(p + k)  # noqa: E731
            self.layers.append(dict(
                ln1=g("input_layernorm.weight"), ln2=g("post_attention_layernorm.weight"),
                q=g("self_attn.q_proj.weight"), qb=g("self_attn.q_proj.bias"),
                k=g("self_attn.k_proj.weight"), kb=g("self_attn.k_proj.bias"),
                v=g("self_attn.v_proj.weight"), vb=g("self_attn.v_proj.bias"),
                o=g("self_attn.o_proj.weight"),
                gate=g("mlp.gate_proj.weight"), up=g("mlp.up_proj.weight"), down=g("mlp.down_proj.weight")))
        self.inv_freq = self.rope_inv_freq(c)

    def rope_inv_freq(self, c):
        inv = 1.0 / (c.get("rope_theta", 10000.0) ** (torch.arange(0, self.HD, 2, dtype=torch.int64).float() / self.HD))
        s = c.get("rope_scaling") or {}
        if s.get("rope_type") == "llama3":
            factor, lo, hi, old = s["factor"], s["low_freq_factor"], s["high_freq_factor"], s["original_max_position_embeddings"]
            wavelen = 2 * math.pi / inv
            scaled = torch.where(wavelen > old / lo, inv / factor, inv)
            smooth = (old / wavelen - lo) / (hi - lo)
            smoothed = (1 - smooth) * scaled / factor + smooth * scaled
            medium = ~(wavelen < old / hi) & ~(wavelen > old / lo)
            inv = torch.where(medium, smoothed, scaled)
        return inv

    def rms(self, x, g):
        return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + self.eps) * g

    def rot(self, x, cos, sin):
        h = self.HD // 2
        return x * cos + torch.cat((-x[..., h:], x[..., :h]), -1) * sin

    def tables(self, past, t):
        f = torch.outer(torch.arange(past, past + t).float(), self.inv_freq)
        e = torch.cat((f, f), -1)
        return e.cos(), e.sin()

    def block(self, i, h, cos, sin, cache=None, lin=F.linear):
        p, (B, t, _) = self.layers[i], h.shape
        H, KV, HD = self.H, self.KV, self.HD
        x = self.rms(h, p["ln1"])
        q = lin(x, p["q"], p["qb"]).view(B, t, H, HD).transpose(1, 2)
        k = lin(x, p["k"], p["kb"]).view(B, t, KV, HD).transpose(1, 2)
        v = lin(x, p["v"], p["vb"]).view(B, t, KV, HD).transpose(1, 2)
        q, k = self.rot(q, cos, sin), self.rot(k, cos, sin)
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
        h = h + lin(a, p["o"], None)
        x = self.rms(h, p["ln2"])
        return h + lin(F.silu(lin(x, p["gate"], None)) * lin(x, p["up"], None), p["down"], None)

    def forward(self, ids, cache=None, past=0):
        cos, sin = self.tables(past, ids.shape[1])
        h = self.emb[ids]
        for i in range(len(self.layers)):
            h = self.block(i, h, cos, sin, cache)
        return F.linear(self.rms(h, self.norm), self.head)


def rand_ids(b, t, vocab, seed):
    return torch.randint(0, vocab, (b, t), generator=torch.Generator().manual_seed(seed))


def decode_rate(m, steps):
    cache = {}
    m.forward(rand_ids(1, 16, m.c["vocab_size"], 7), cache, 0)[:, -1]
    nxt = torch.ones(1, 1, dtype=torch.long)
    t0 = time.perf_counter()
    for i in range(steps):
        nxt = m.forward(nxt, cache, 16 + i)[:, -1].argmax(-1, keepdim=True)
    return steps / (time.perf_counter() - t0)


def layer_shapes(c):
    D, F_, H, KV = c["hidden_size"], c["intermediate_size"], c["num_attention_heads"], c["num_key_value_heads"]
    HD = c.get("head_dim") or D // H
    return {"q": (H * HD, D), "k": (KV * HD, D), "v": (KV * HD, D), "o": (D, H * HD),
            "gate": (F_, D), "up": (F_, D), "down": (D, F_)}


def gptq_model(m, calib):
    """The reference's sequential recipe: embed once; per block, capture each group's inputs
    (q/k/v, o, gate/up, down: true-sequential), quantize, then re-run the block for the next."""
    hs = [m.emb[x] for x in calib]
    cos, sin = m.tables(0, calib[0].shape[1])
    groups = [["q", "k", "v"], ["o"], ["gate", "up"], ["down"]]
    for i, p in enumerate(m.layers):
        for group in groups:
            hess = {}

            def lin(x, w, b):
                for name in group:
                    if p[name] is w:
                        hess.setdefault(name, gptq_torch.Hessian(w.shape[1])).add(x)
                return F.linear(x, w, b)
            for h in hs:
                m.block(i, h, cos, sin, None, lin)
            for name in group:
                q, _ = gptq_torch.gptq(p[name], hess[name].h, 4, 128, False)
                p[name] = q
        hs = [m.block(i, h, cos, sin) for h in hs]


with torch.no_grad():
    if MEASURE.startswith("gptq-layer:"):
        c = json.load(open(os.path.join(DIR, "config.json")))
        rows, cols = layer_shapes(c)[MEASURE.split(":")[1]]
        g = torch.Generator().manual_seed(0)
        W = torch.randn(rows, cols, generator=g) * 0.02
        X = torch.randn(16, 512, cols, generator=g)
        t0 = time.perf_counter()
        h = gptq_torch.Hessian(cols)
        for s in range(16):
            h.add(X[s:s + 1])
        t1 = time.perf_counter()
        gptq_torch.gptq(W, h.h, 4, 128, False)
        t2 = time.perf_counter()
        emit(rows=rows, cols=cols, hessianSeconds=t1 - t0, quantizeSeconds=t2 - t1, seconds=t2 - t0)
        sys.exit(0)
    t0 = time.perf_counter()
    m = Model(DIR)
    load_s = time.perf_counter() - t0
    V = m.c["vocab_size"]
    if MEASURE == "load":
        emit(seconds=load_s)
    elif MEASURE.startswith("prefill-"):
        b, t = (int(x) for x in MEASURE[len("prefill-"):].split("x"))
        ids = rand_ids(b, t, V, 3)
        times = []
        for _ in range(2):
            t0 = time.perf_counter(); m.forward(ids); times.append(time.perf_counter() - t0)
        emit(seconds=sorted(times)[len(times) // 2], times=times)
    elif MEASURE == "decode":
        decode_rate(m, 4)
        emit(tokPerS=decode_rate(m, 64))
    elif MEASURE == "generate":
        ids = torch.cat([rand_ids(1, 32, V, 20 + i) for i in range(8)])
        cache = {}
        t0 = time.perf_counter()
        nxt = m.forward(ids, cache, 0)[:, -1].argmax(-1, keepdim=True)
        for i in range(63):
            nxt = m.forward(nxt, cache, 32 + i)[:, -1].argmax(-1, keepdim=True)
        s = time.perf_counter() - t0
        emit(seconds=s, tokens=8 * 64, tokPerS=8 * 64 / s)
    elif MEASURE == "gptq-model":
        calib = [rand_ids(1, 512, V, 100 + i) for i in range(16)]
        t0 = time.perf_counter()
        gptq_model(m, calib)
        emit(seconds=time.perf_counter() - t0)
    else:
        raise SystemExit(f"unknown measure {MEASURE}")
