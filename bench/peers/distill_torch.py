"""PyTorch peer for packages/distill/bench/distill.ts: one distillation step of a GPT-2-shaped
student (L layers, d=768, 12 heads, vocab 50257, tied head) from a teacher twice as deep, in plain
torch modules the way transformers' GPT-2 computes it (pre-LayerNorm blocks, fused c_attn, tanh
GELU, causal attention). Step: teacher forward under no_grad, student forward, forward KL
(teacher || student) over all positions, backward, clip_grad_norm_(1.0), AdamW. Prints one JSON
line. Run with Debian's /usr/bin/python3 (torch 1.13); threads match ours (SHRINKRAY_THREADS).

usage: distill_torch.py LAYERS TOKENS BATCH STEPS
"""
import json, math, os, sys, time
import torch
import torch.nn as nn
import torch.nn.functional as F

threads = int(os.environ.get("SHRINKRAY_THREADS") or os.cpu_count())
torch.set_num_threads(threads)
torch.manual_seed(0)
L, T, B, STEPS = (int(a) for a in sys.argv[1:5])
V, D, H = 50257, 768, 12


class Block(nn.Module):
    def __init__(self):
        super().__init__()
        self.ln_1, self.ln_2 = nn.LayerNorm(D), nn.LayerNorm(D)
        self.c_attn, self.c_proj = nn.Linear(D, 3 * D), nn.Linear(D, D)
        self.c_fc, self.mlp_proj = nn.Linear(D, 4 * D), nn.Linear(4 * D, D)

    def forward(self, x):
        b, t, c = x.shape
        q, k, v = self.c_attn(self.ln_1(x)).split(c, -1)
        q, k, v = (z.view(b, t, H, c // H).transpose(1, 2) for z in (q, k, v))
        att = (q @ k.transpose(-2, -1)) / math.sqrt(c // H)
        att = att.masked_fill(torch.ones(t, t, dtype=torch.bool).triu(1), float("-inf")).softmax(-1)
        x = x + self.c_proj((att @ v).transpose(1, 2).reshape(b, t, c))
        return x + self.mlp_proj(F.gelu(self.c_fc(self.ln_2(x)), approximate="tanh"))


class GPT2(nn.Module):
    def __init__(self, layers):
        super().__init__()
        self.wte, self.wpe = nn.Embedding(V, D), nn.Embedding(1024, D)
        self.h = nn.ModuleList(Block() for _ in range(layers))
        self.ln_f = nn.LayerNorm(D)
        for p in self.parameters():
            if p.dim() > 1:
                nn.init.normal_(p, std=0.02)

    def forward(self, ids):
        x = self.wte(ids) + self.wpe(torch.arange(ids.shape[1]))
        for blk in self.h:
            x = blk(x)
        return self.ln_f(x) @ self.wte.weight.t()  # tied head


teacher, student = GPT2(2 * L).eval(), GPT2(L)
opt = torch.optim.AdamW(student.parameters(), lr=1e-4, weight_decay=0.0)
ids = torch.randint(0, V, (B, T))


def step():
    with torch.no_grad():
        t_logp = teacher(ids).log_softmax(-1)
    s_logp = student(ids).log_softmax(-1)
    loss = (t_logp.exp() * (t_logp - s_logp)).sum(-1).mean()
    loss.backward()
    torch.nn.utils.clip_grad_norm_(student.parameters(), 1.0)
    opt.step()
    opt.zero_grad(set_to_none=True)


step()  # warm-up: allocates optimizer state
times = []
for _ in range(STEPS):
    t0 = time.perf_counter()
    step()
    times.append(time.perf_counter() - t0)
times.sort()
print(json.dumps({"name": "distill_step", "tok_per_s": B * T / times[len(times) // 2], "threads": threads}))
