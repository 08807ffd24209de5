import { DTYPES } from "../../../../dtype.js";
import { gelu, where } from "../../../../ops/index.js";
import { AdamW } from "../../../../optim/adamw.js";
import { Tensor } from "../../../../tensor.js";
import { type AddParityCase, input, ints, withGrads } from "../../../../testing/cuda/parity-case.js";

/*
 * Parity cases of elementwise.cu (test-only: testing/cuda/parity.ts runs each on the CPU and on "cuda"
 * and compares every output and gradient): unary and binary math with broadcasting, comparisons,
 * where, casts, fills, AdamW.
 */

const UNARY_FLOAT = [
  "neg",
  "exp",
  "abs",
  "tanh",
  "sigmoid",
  "relu",
  "silu",
  "sin",
  "cos",
  "square",
  "sign",
  "floor",
  "round",
] as const;

export function elementwiseParity(add: AddParityCase): void {
  for (const op of UNARY_FLOAT) {
    add(`unary ${op}`, (d) => [(input(d, [3, 70], 1, { scale: 3 }) as any)[op]()]);
  }
  add("unary log, sqrt, rsqrt, reciprocal on positives", (d) => {
    const x = input(d, [5, 9], 2).abs().add(0.1);
    return [x.log(), x.sqrt(), x.rsqrt(), x.reciprocal()];
  });
  add("logical_not of floats (NaN included), ints and bools", (d) => {
    const x = input(d, [40], 3).round();
    const nan = Tensor.from(Float32Array.of(Number.NaN, 0, 1), [3]).to(d);
    return [x.logicalNot(), x.gt(0).logicalNot(), nan.logicalNot(), x.cast("int32").logicalNot()];
  });
  add("gelu (erf and tanh) with gradients", (d) => {
    const x = input(d, [6, 33], 4, { grad: true, scale: 2 });
    const y = gelu(x).add(gelu(x, "tanh"));
    return withGrads([y], [x]);
  });
  add("silu, tanh, sigmoid gradients", (d) => {
    const x = input(d, [300], 5, { grad: true, scale: 2 });
    return withGrads([x.silu().add(x.tanh()).add(x.sigmoid())], [x]);
  });
  add("pow by scalars and clamp", (d) => {
    const x = input(d, [50], 6).abs().add(0.5);
    return [x.pow(2), x.pow(0.5), x.pow(-1.5), x.clamp(0.7, 1.3)];
  });

  add("broadcast binary ops [4,1,5] ∘ [3,1]", (d) => {
    const a = input(d, [4, 1, 5], 7);
    const b = input(d, [3, 1], 8).abs().add(0.5);
    return [a.add(b), a.sub(b), a.mul(b), a.div(b), b.pow(a), a.maximum(b), a.minimum(b)];
  });
  add("comparisons write bools", (d) => {
    const a = input(d, [6, 7], 9).round();
    const b = input(d, [7], 10).round();
    return [a.eq(b), a.ne(b), a.lt(b), a.le(b), a.gt(b), a.ge(b)];
  });
  add("binary ops on a transposed operand and with scalars", (d) => {
    const a = input(d, [5, 8], 11);
    const b = input(d, [8, 5], 12).transpose(0, 1);
    return [a.add(b), a.mul(2.5), Tensor.scalar(3, { device: d }).sub(a)];
  });
  add("int32 arithmetic (division truncates, by zero gives 0)", (d) => {
    const a = ints(d, [7, -7, 9, 0, 5, 100], [6]);
    const b = ints(d, [2, 2, -4, 3, 0, 7], [6]);
    return [a.add(b), a.sub(b), a.mul(b), a.div(b), a.maximum(b)];
  });
  add("broadcast gradients reduce back to the operand shapes", (d) => {
    const a = input(d, [4, 1, 5], 13, { grad: true });
    const b = input(d, [3, 1], 14, { grad: true });
    return withGrads([a.mul(b).add(a.div(b.abs().add(1)))], [a, b]);
  });
  add("where with a broadcast condition", (d) => {
    const c = input(d, [4, 1], 15).gt(0);
    const a = input(d, [4, 6], 16, { grad: true });
    const b = input(d, [6], 17, { grad: true });
    return withGrads([where(c, a, b)], [a, b]);
  });

  add("casts between every storage type", (d) => {
    const x = input(d, [64], 18, { scale: 100 });
    return [
      x.cast("float16").cast("float32"),
      x.cast("bfloat16").cast("float32"),
      x.cast("int32"),
      x.cast("int8").cast("int32"),
      x.cast("uint8").cast("int32"),
      x.cast("bool"),
      x.cast("float64"),
      x.cast("int64").cast("float32"),
      x.cast("int32").cast("float64"),
    ];
  });
  add("full and zeros of every dtype", (d) => {
    const out: Tensor[] = [];
    for (const dtype of DTYPES) {
      out.push(Tensor.full([3, 5], -2.75, { dtype, device: d }).cast("float64"));
      out.push(Tensor.zeros([7], { dtype, device: d }).cast("float64"));
    }
    return out;
  });

  add("AdamW: three steps with weight decay", (d) => {
    const p = input(d, [6, 5], 46, { grad: true });
    const opt = new AdamW([p], { lr: 0.01, weightDecay: 0.1 });
    for (let step = 0; step < 3; step++) {
      opt.zeroGrad();
      p.mul(p)
        .mul(input(d, [6, 5], 47 + step))
        .sum()
        .backward();
      opt.step();
    }
    return [p.detach()];
  });
}
