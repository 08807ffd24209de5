"""PyTorch peer of @shrinkray/gptq's benchmark: the same GPTQ algorithm, written from its description
(Frantar et al., 2022: Hessian H = 2/n sum x x^T, damped Cholesky of H^-1, column-by-column
quantization with error feedback, lazy block updates), timed on the same problem.

Usage: /usr/bin/python3 gptq_torch.py bench ROWS COLS NSEQ SEQLEN BITS GROUP ACTORDER
       /usr/bin/python3 gptq_torch.py check FIXTURE_DIR   (agreement with the stored fixtures)
Prints one JSON object. Threads follow SHRINKRAY_THREADS (default: all cores). PEER_DEVICE=cuda runs it
on the GPU (TF32 off, timings after a synchronize): the peer of packages/gptq/bench/gptq-cuda.ts.
"""
import json, math, os, sys, time
import torch

torch.set_num_threads(int(os.environ.get("SHRINKRAY_THREADS") or os.cpu_count()))
DEV = os.environ.get("PEER_DEVICE", "cpu")
torch.backends.cuda.matmul.allow_tf32 = False


def sync():
    if DEV != "cpu":
        torch.cuda.synchronize()


class Hessian:
    def __init__(self, cols):
        self.h = torch.zeros(cols, cols, device=DEV)
        self.n = 0

    def add(self, x):  # x: [batch, tokens, cols]; each batch entry counts as one sample
        b = x.shape[0]
        x = x.reshape(-1, x.shape[-1]).float()
        self.h *= self.n / (self.n + b)
        self.n += b
        x = math.sqrt(2 / self.n) * x
        self.h += x.t() @ x


def params(x, maxq, sym):
    """Per-row scale and zero of an asymmetric (or symmetric) min-max grid."""
    zero = torch.zeros(x.shape[0], device=x.device)
    lo = torch.minimum(x.min(1)[0], zero)
    hi = torch.maximum(x.max(1)[0], zero)
    if sym:
        hi = torch.maximum(lo.abs(), hi)
        neg = lo < 0
        lo[neg] = -hi[neg]
    flat = (lo == 0) & (hi == 0)
    lo[flat] = -1
    hi[flat] = 1
    scale = (hi - lo) / maxq
    z = torch.full_like(scale, (maxq + 1) / 2) if sym else torch.round(-lo / scale)
    return scale, z


def fake(x, scale, zero, maxq):
    q = torch.clamp(torch.round(x / scale) + zero, 0, maxq)
    return scale * (q - zero)


def gptq(W, H, bits, group, actorder, sym=False, static=False, block=128, damp=0.01):
    W = W.clone().float()
    H = H.clone()
    rows, cols = W.shape
    maxq = 2**bits - 1
    scale, zero = params(W, maxq, sym)
    dead = torch.diag(H) == 0
    H[dead, dead] = 1
    W[:, dead] = 0
    statics = [params(W[:, g:g + group], maxq, sym) for g in range(0, cols, group)] if static else None
    if actorder:
        perm = torch.argsort(torch.diag(H), descending=True)
        W, H = W[:, perm], H[perm][:, perm]
    Q = torch.zeros_like(W)
    loss = torch.zeros_like(W)
    idx = torch.arange(cols, device=W.device)
    H[idx, idx] += damp * torch.mean(torch.diag(H))
    U = torch.linalg.cholesky(torch.cholesky_inverse(torch.linalg.cholesky(H)), upper=True)
    for a in range(0, cols, block):
        b = min(a + block, cols)
        W1 = W[:, a:b].clone()
        E1 = torch.zeros_like(W1)
        U1 = U[a:b, a:b]
        for i in range(b - a):
            c = a + i
            if group != -1:
                if static:
                    scale, zero = statics[(perm[c].item() if actorder else c) // group]
                elif c % group == 0:
                    # parameters of a new group come from W as it stood when this block began
                    scale, zero = params(W[:, c:c + group], maxq, sym)
            w = W1[:, i]
            d = U1[i, i]
            q = fake(w.unsqueeze(1), scale.unsqueeze(1), zero.unsqueeze(1), maxq).flatten()
            Q[:, c] = q
            loss[:, c] = (w - q) ** 2 / d**2 / 2
            e = (w - q) / d
            W1[:, i:] -= e.unsqueeze(1).matmul(U1[i, i:].unsqueeze(0))
            E1[:, i] = e
        W[:, b:] -= E1.matmul(U[a:b, b:])
    if actorder:
        Q = Q[:, torch.argsort(perm)]
    return Q, loss.sum().item()


def load_file(path):
    """Minimal safetensors reader (F32 only, all the fixtures hold), to need nothing beyond torch."""
    import struct
    raw = open(path, "rb").read()
    n = struct.unpack("<Q", raw[:8])[0]
    head = json.loads(raw[8:8 + n])
    out = {}
    for k, v in head.items():
        if k == "__metadata__":
            continue
        a, b = v["data_offsets"]
        out[k] = torch.frombuffer(bytearray(raw[8 + n + a:8 + n + b]), dtype=torch.float32).reshape(v["shape"])
    return out


def check(d):
    inp = load_file(os.path.join(d, "inputs.safetensors"))
    for cfg in json.load(open(os.path.join(d, "index.json"))):
        ref = load_file(os.path.join(d, cfg["name"] + ".safetensors"))
        h = Hessian(inp["weight"].shape[1])
        for s in inp["calibration"]:
            h.add(s.unsqueeze(0))
        Q, _ = gptq(inp["weight"], ref["hessian"], cfg["bits"], cfg["groupsize"], cfg["actorder"],
                    cfg["sym"], cfg["static_groups"], cfg["blocksize"], cfg["percdamp"])
        X = inp["calibration"].reshape(-1, inp["weight"].shape[1])
        err = ((X @ (Q - inp["weight"]).t()) ** 2).sum().item()
        print(json.dumps({"name": cfg["name"],
                          "hessian_rel": ((h.h - ref["hessian"]).abs().max() / ref["hessian"].abs().max()).item(),
                          "q_maxdiff": (Q - ref["dequantized"]).abs().max().item(),
                          "q_ndiff": int((Q != ref["dequantized"]).sum()),
                          "err": err, "err_ref": cfg["output_error_gptq"]}))


def bench(rows, cols, nseq, seqlen, bits, group, actorder):
    g = torch.Generator().manual_seed(0)
    W = (torch.randn(rows, cols, generator=g) * 0.02).to(DEV)
    X = torch.randn(nseq, seqlen, cols, generator=g).to(DEV)
    if DEV != "cpu":  # a warm-up run: cuBLAS/cuSOLVER handles and kernel loads are not GPTQ's cost
        h = Hessian(cols)
        h.add(X[:1])
        gptq(W, h.h, bits, group, actorder)
    sync()
    t0 = time.perf_counter()
    h = Hessian(cols)
    for s in range(nseq):
        h.add(X[s:s + 1])
    sync()
    t1 = time.perf_counter()
    gptq(W, h.h, bits, group, actorder)
    sync()
    t2 = time.perf_counter()
    print(json.dumps({"hessian_ms": (t1 - t0) * 1e3, "quantize_ms": (t2 - t1) * 1e3, "total_ms": (t2 - t0) * 1e3,
                      "threads": torch.get_num_threads(), "device": DEV}), flush=True)


if __name__ == "__main__":
    if sys.argv[1] == "check":
        check(sys.argv[2])
    else:
        r, c, n, s, b, gr, act = (int(v) for v in sys.argv[2:9])
        bench(r, c, n, s, b, gr, bool(act))
