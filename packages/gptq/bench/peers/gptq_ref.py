"""PyTorch port of the reference GPTQ algorithm (Frantar et al., 2022; the IST-DASLab code's
`add_batch` and `fasterquant`), written from the paper's Algorithm 1 and the reference's described
behaviour for the per-layer benchmark of @shrinkray/gptq (bench/gptq-layer.ts).

  H = 2/n * sum x x^T, accumulated one calibration sequence at a time as a running mean;
  dead columns (H_ii = 0) get H_ii = 1 and W[:, i] = 0; damp = percdamp * mean(diag H);
  U = chol(cholesky_inverse(chol(H)), upper): the upper factor of H^-1;
  columns in blocks of `blocksize`: quantize column i (min-max grid per row, a new grid every
  `groupsize` columns from the weights as they stand), err = (w - q) / U_ii, spread err over the
  block's later columns (rank-1), then the block's errors over all later columns as one GEMM.

Usage: /usr/bin/python3 gptq_ref.py ROWS COLS [NSEQ SEQLEN BITS GROUP BLOCK PERCDAMP]
Prints one JSON line: hessian_s, factor_s, columns_s, total_s (seconds). 2 threads, as ours.
"""
import json, math, sys, time
import torch

torch.set_num_threads(2)


class Hessian:
    def __init__(self, cols):
        self.H = torch.zeros(cols, cols)
        self.nsamples = 0

    def add_batch(self, inp):  # [batch, tokens, cols]
        tmp = inp.shape[0]
        inp = inp.reshape(-1, inp.shape[-1]).t().float()
        self.H *= self.nsamples / (self.nsamples + tmp)
        self.nsamples += tmp
        inp = math.sqrt(2 / self.nsamples) * inp
        self.H += inp.matmul(inp.t())


def grid(x, maxq):
    """Asymmetric min-max grid per row of x [rows, cols]."""
    zero = torch.zeros(x.shape[0])
    xmin = torch.minimum(x.min(1)[0], zero)
    xmax = torch.maximum(x.max(1)[0], zero)
    flat = (xmin == 0) & (xmax == 0)
    xmin[flat] = -1
    xmax[flat] = +1
    scale = (xmax - xmin) / maxq
    return scale, torch.round(-xmin / scale)


def quantize(x, scale, zero, maxq):
    q = torch.clamp(torch.round(x / scale) + zero, 0, maxq)
    return scale * (q - zero)


def fasterquant(W, H, bits, groupsize, blocksize, percdamp):
    """Returns (Q, factor_s, columns_s)."""
    W = W.clone().float()
    H = H.clone()
    rows, cols = W.shape
    maxq = 2**bits - 1
    scale, zero = grid(W, maxq)
    t0 = time.perf_counter()
    dead = torch.diag(H) == 0
    H[dead, dead] = 1
    W[:, dead] = 0
    damp = percdamp * torch.mean(torch.diag(H))
    diag = torch.arange(cols)
    H[diag, diag] += damp
    H = torch.linalg.cholesky(H)
    H = torch.cholesky_inverse(H)
    Hinv = torch.linalg.cholesky(H, upper=True)
    t1 = time.perf_counter()
    Q = torch.zeros_like(W)
    Losses = torch.zeros_like(W)
    for i1 in range(0, cols, blocksize):
        i2 = min(i1 + blocksize, cols)
        count = i2 - i1
        W1 = W[:, i1:i2].clone()
        Q1 = torch.zeros_like(W1)
        Err1 = torch.zeros_like(W1)
        Losses1 = torch.zeros_like(W1)
        Hinv1 = Hinv[i1:i2, i1:i2]
        for i in range(count):
            w = W1[:, i]
            d = Hinv1[i, i]
            if groupsize != -1 and (i1 + i) % groupsize == 0:
                scale, zero = grid(W[:, (i1 + i):(i1 + i + groupsize)], maxq)
            q = quantize(w.unsqueeze(1), scale.unsqueeze(1), zero.unsqueeze(1), maxq).flatten()
            Q1[:, i] = q
            Losses1[:, i] = (w - q) ** 2 / d**2
            err1 = (w - q) / d
            W1[:, i:] -= err1.unsqueeze(1).matmul(Hinv1[i, i:].unsqueeze(0))
            Err1[:, i] = err1
        Q[:, i1:i2] = Q1
        Losses[:, i1:i2] = Losses1 / 2
        W[:, i2:] -= Err1.matmul(Hinv[i1:i2, i2:])
    t2 = time.perf_counter()
    return Q, t1 - t0, t2 - t1


def main():
    a = sys.argv[1:]
    rows, cols = int(a[0]), int(a[1])
    nseq, seqlen, bits, group, block = (int(x) for x in (a[2:7] if len(a) >= 7 else (16, 512, 4, 128, 128)))
    percdamp = float(a[7]) if len(a) >= 8 else 0.01
    torch.manual_seed(0)
    W = torch.randn(rows, cols) * 0.02
    X = torch.randn(nseq, seqlen, cols)
    t0 = time.perf_counter()
    h = Hessian(cols)
    for s in range(nseq):
        h.add_batch(X[s:s + 1])
    t1 = time.perf_counter()
    _, factor_s, columns_s = fasterquant(W, h.H, bits, group, block, percdamp)
    t2 = time.perf_counter()
    print(json.dumps({"hessian_s": t1 - t0, "factor_s": factor_s, "columns_s": columns_s, "total_s": t2 - t0}))


if __name__ == "__main__":
    main()
