"""PyTorch peer of @shrinkray/sparse-layers' grouped + low-rank initialisation (bench/init-layer.ts):
a block copy of W's diagonal blocks, then the truncated SVD of the remainder, split as
B = U·sqrt(S), A = sqrt(S)·Vh; activation-aware (SVD-LLM's whitening): the remainder times L with
G + damp·mean(diag G)·I = L·L^T (Cholesky in float64, as SVD-LLM), SVD in float32, and A mapped
back through L^-1 by a triangular solve.

Usage: /usr/bin/python3 init_torch.py ROWS COLS GROUPS RANK plain|aware [TOKENS]
Prints one JSON line: seconds (the initialisation alone; the Gram is built before the clock
starts) and rel_error (||R - BA||/||W||, or ||(R - BA)L||/||WL|| when aware). 2 threads, as ours.
"""
import json, sys, time
import torch

torch.set_num_threads(2)


def main():
    rows, cols, groups, rank = (int(x) for x in sys.argv[1:5])
    mode = sys.argv[5]
    tokens = int(sys.argv[6]) if len(sys.argv) > 6 else 8192
    torch.manual_seed(0)
    W = torch.randn(rows, cols) * 0.02
    G = None
    if mode == "aware":
        X = torch.randn(tokens, cols)
        G = (X.t() @ X).double()
    op, ip = rows // groups, cols // groups

    t0 = time.perf_counter()
    D = torch.zeros_like(W)
    for b in range(groups):
        D[b * op:(b + 1) * op, b * ip:(b + 1) * ip] = W[b * op:(b + 1) * op, b * ip:(b + 1) * ip]
    R = W - D
    if G is not None:
        Gr = G + 0.01 * torch.mean(torch.diag(G)) * torch.eye(cols, dtype=torch.float64)
        L = torch.linalg.cholesky(Gr).float()
        U, S, Vh = torch.linalg.svd(R @ L, full_matrices=False)
    else:
        U, S, Vh = torch.linalg.svd(R, full_matrices=False)
    root = S[:rank].sqrt()
    B = U[:, :rank] * root
    A = root.unsqueeze(1) * Vh[:rank]
    if G is not None:
        A = torch.linalg.solve_triangular(L, A, upper=False, left=False)
    seconds = time.perf_counter() - t0

    E = R - B @ A
    if G is not None:
        err = (E @ L).norm() / (W @ L).norm()
    else:
        err = E.norm() / W.norm()
    print(json.dumps({"seconds": seconds, "rel_error": err.item()}))


if __name__ == "__main__":
    main()
