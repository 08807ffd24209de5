/*
 * Helpers shared by the tests (not exported from the package): seeded inputs, a
 * finite-difference gradient check, and a small model of Linear layers to sparsify.
 */
import { add, Generator, gelu, mul, nn, noGrad, sum, Tensor } from "@shrinkray/tensor-cuda";

export function randn64(shape: readonly number[], seed: number): Tensor {
  return Tensor.randn(shape, { dtype: "float64", generator: new Generator(seed) });
}

/**
 * Central differences against backward() for loss = Σ fn(inputs)·w (w fixed random), float64.
 * Returns the worst |analytic − numeric| relative to the gradient's scale.
 */
export function gradcheck(fn: (...xs: Tensor[]) => Tensor, inputs: Tensor[], eps = 1e-6): number {
  const leaves = inputs.map((t) =>
    Tensor.from(t.dataSync().slice(), t.shape, { dtype: "float64" }).requiresGrad_(),
  );
  const out = fn(...leaves);
  const w = randn64(out.shape, 99);
  sum(mul(out, w)).backward();
  const loss = (xs: Tensor[]) => noGrad(() => sum(mul(fn(...xs), w)).item());
  let worst = 0;
  inputs.forEach((x, i) => {
    const data = x.dataSync() as Float64Array;
    const an = leaves[i].grad!.dataSync() as Float64Array;
    for (let j = 0; j < data.length; j++) {
      const probe = (d: number) => {
        const v = data.slice();
        v[j] += d;
        const xs = inputs.slice();
        xs[i] = Tensor.from(v, x.shape, { dtype: "float64" });
        return loss(xs);
      };
      const numeric = (probe(eps) - probe(-eps)) / (2 * eps);
      worst = Math.max(worst, Math.abs(an[j] - numeric) / (1 + Math.abs(numeric)));
    }
  });
  return worst;
}

/** Max |a − b| over two tensors of the same shape. */
export function maxAbsDiff(a: Tensor, b: Tensor): number {
  const x = a.cast("float64").dataSync() as Float64Array;
  const y = b.cast("float64").dataSync() as Float64Array;
  let m = 0;
  for (let i = 0; i < x.length; i++) m = Math.max(m, Math.abs(x[i] - y[i]));
  return m;
}

/**
 * A weight with the structure that makes grouped + low-rank worthwhile: a strong block diagonal
 * (local mixing) plus a decaying-spectrum low-rank coupling across groups plus a little noise.
 */
export function structuredWeight(out: number, inF: number, groups: number, seed: number): Tensor {
  const g = new Generator(seed);
  const w = new Float32Array(out * inF);
  const outPer = out / groups;
  const inPer = inF / groups;
  for (let o = 0; o < out; o++) {
    for (let i = 0; i < inF; i++) {
      const inBlock = Math.floor(o / outPer) === Math.floor(i / inPer);
      w[o * inF + i] = ((inBlock ? 1 : 0.1) * g.normal()) / Math.sqrt(inPer);
    }
  }
  const rank = 6;
  for (let r = 0; r < rank; r++) {
    const s = 0.8 / (r + 1);
    const u = Array.from({ length: out }, () => g.normal());
    const v = Array.from({ length: inF }, () => g.normal() / Math.sqrt(inF));
    for (let o = 0; o < out; o++) for (let i = 0; i < inF; i++) w[o * inF + i] += s * u[o] * v[i];
  }
  return Tensor.from(w, [out, inF]);
}

/**
 * Correlated calibration inputs [n, d]: a few latent factors mixed into every channel plus
 * per-channel noise, as real hidden states are (which is what activation-aware init exploits).
 */
export function correlatedInputs(n: number, d: number, seed: number): Tensor {
  const g = new Generator(seed);
  const k = 4;
  const mix = Array.from({ length: k * d }, () => g.normal());
  const scale = Array.from({ length: d }, () => 0.2 + 2 * g.uniform());
  const x = new Float32Array(n * d);
  for (let r = 0; r < n; r++) {
    const z = Array.from({ length: k }, () => g.normal());
    for (let c = 0; c < d; c++) {
      let v = 0.3 * g.normal();
      for (let j = 0; j < k; j++) v += z[j] * mix[j * d + c];
      x[r * d + c] = v * scale[c];
    }
  }
  return Tensor.from(x, [n, d]);
}

/** A small transformer-like MLP stack: per block up/down Linear with a GELU between and a residual. */
export class TinyStack extends nn.Module {
  blocks: nn.ModuleList<TinyBlock>;
  constructor(d: number, hidden: number, layers: number, seed: number) {
    super();
    this.blocks = this.child(
      "blocks",
      new nn.ModuleList(Array.from({ length: layers }, (_, i) => new TinyBlock(d, hidden, seed + 10 * i))),
    );
  }
  forward(x: Tensor): Tensor {
    let h = x;
    for (const b of this.blocks) h = b.call(h);
    return h;
  }
}

export class TinyBlock extends nn.Module {
  up: nn.Linear;
  down: nn.Linear;
  constructor(d: number, hidden: number, seed: number) {
    super();
    this.up = this.child("up_proj", new nn.Linear(d, hidden, { generator: new Generator(seed) }));
    this.down = this.child(
      "down_proj",
      new nn.Linear(hidden, d, { bias: false, generator: new Generator(seed + 1) }),
    );
    this.up.weight.assign(structuredWeight(hidden, d, 4, seed + 2));
    this.down.weight.assign(mul(structuredWeight(d, hidden, 4, seed + 3), 0.5));
  }
  forward(x: Tensor): Tensor {
    return add(x, this.down.call(gelu(this.up.call(x))));
  }
}
