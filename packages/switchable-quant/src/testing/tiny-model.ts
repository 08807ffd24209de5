/*
 * Test-only (not exported): a small transformer-shaped classifier with GPT-2's module names
 * (h.<i>.attn.c_attn, attn.c_proj, mlp.c_fc, mlp.c_proj), a synthetic task it learns in a few
 * hundred AdamW steps, and an R² metric. Every number is seeded.
 */
import { Generator, manualSeed, nn, noGrad, optim, Tensor } from "@shrinkray/tensor-cuda";

const D = 32;

class Attn extends nn.Module {
  c_attn: nn.Linear = this.child("c_attn", new nn.Linear(D, D));
  c_proj: nn.Linear = this.child("c_proj", new nn.Linear(D, D));
  forward(x: Tensor): Tensor {
    return this.c_proj.call(this.c_attn.call(x).tanh());
  }
}

class Mlp extends nn.Module {
  c_fc: nn.Linear = this.child("c_fc", new nn.Linear(D, 2 * D));
  c_proj: nn.Linear = this.child("c_proj", new nn.Linear(2 * D, D));
  forward(x: Tensor): Tensor {
    return this.c_proj.call(this.c_fc.call(x).gelu());
  }
}

class Block extends nn.Module {
  ln_1: nn.LayerNorm = this.child("ln_1", new nn.LayerNorm(D));
  attn: Attn = this.child("attn", new Attn());
  ln_2: nn.LayerNorm = this.child("ln_2", new nn.LayerNorm(D));
  mlp: Mlp = this.child("mlp", new Mlp());
  forward(x: Tensor): Tensor {
    const h = x.add(this.attn.call(this.ln_1.call(x)));
    return h.add(this.mlp.call(this.ln_2.call(h)));
  }
}

export const INPUTS = 16;
export const OUTPUTS = 4;

export class TinyNet extends nn.Module {
  embed: nn.Linear = this.child("embed", new nn.Linear(INPUTS, D));
  h: nn.ModuleList = this.child("h", new nn.ModuleList([new Block(), new Block()]));
  ln_f: nn.LayerNorm = this.child("ln_f", new nn.LayerNorm(D));
  head: nn.Linear = this.child("head", new nn.Linear(D, OUTPUTS));
  forward(x: Tensor): Tensor {
    let z = this.embed.call(x);
    for (const b of this.h) z = b.call(z);
    return this.head.call(this.ln_f.call(z));
  }
}

export interface Dataset {
  x: Tensor;
  y: Tensor;
}

/** Targets from a fixed random two-layer teacher: smooth, learnable, not linear. */
export function makeTask(seed = 0): { train: Dataset; test: Dataset } {
  const g = new Generator(seed);
  const w1 = Tensor.randn([24, INPUTS], { generator: g }).mul(0.5);
  const w2 = Tensor.randn([OUTPUTS, 24], { generator: g });
  const sample = (n: number): Dataset => {
    const x = Tensor.randn([n, INPUTS], { generator: g });
    const logits = x.matmul(w1.transpose()).tanh().matmul(w2.transpose());
    return { x, y: logits };
  };
  return { train: sample(4096), test: sample(1024) };
}

export function batchOf(d: Dataset, size: number, g: Generator): Dataset {
  const n = d.x.shape[0];
  const idx = Int32Array.from({ length: size }, () => g.int(n));
  const i = Tensor.from(idx, [size]);
  return { x: d.x.indexSelect(0, i), y: d.y.indexSelect(0, i) };
}

export function mse(pred: Tensor, y: Tensor): Tensor {
  return pred.sub(y).square().mean();
}

/** R² = 1 − SSE/SST on `d` (1: perfect; higher is better), the task metric of the tests. */
export function rSquared(model: nn.AnyModule, d: Dataset): number {
  return noGrad(() => {
    const sse = model.call(d.x).sub(d.y).square().sum().item();
    const sst = d.y.sub(d.y.mean(0, true)).square().sum().item();
    return 1 - sse / sst;
  });
}

/** A TinyNet trained on the task with AdamW (seeded init, seeded batches). */
export function trainedTinyNet(steps = 300, seed = 0): { model: TinyNet; task: ReturnType<typeof makeTask> } {
  manualSeed(seed);
  const model = new TinyNet();
  const task = makeTask(seed);
  const opt = new optim.AdamW(model.parameters(), { lr: 1e-2, weightDecay: 0 });
  const g = new Generator(seed + 1);
  for (let s = 0; s < steps; s++) {
    const b = batchOf(task.train, 128, g);
    const loss = mse(model.call(b.x), b.y);
    loss.backward();
    opt.step();
    model.zeroGrad();
  }
  return { model, task };
}
