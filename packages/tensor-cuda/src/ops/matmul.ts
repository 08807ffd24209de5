import { isGradEnabled } from "../autograd/grad-mode.js";
import { broadcastShapes, DTypeError, fmt, numel, ShapeError } from "../shape.js";
import { recordOp, type Tensor, wrap } from "../tensor.js";
import { backendOf, computeType, sameDevice, sumToShape } from "./util.js";

/**
 * a @ b on the last two axes, with the leading (batch) axes broadcast. A transposed operand is
 * described to the kernel rather than copied. No autograd here: the public ops below add it.
 */
export function matmulRaw(
  a: Tensor,
  b: Tensor,
  transA: boolean,
  transB: boolean,
  op = "matmul",
  bias: Tensor | null = null,
): Tensor {
  sameDevice(op, a, b);
  if (a.dtype !== b.dtype) {
    throw new DTypeError(
      `${op}: operands have different dtypes: a is ${a.dtype} ${fmt(a.shape)}, b is ${b.dtype} ${fmt(b.shape)}`,
    );
  }
  computeType(op, a.dtype);
  if (a.rank < 2 || b.rank < 2)
    throw new ShapeError(`${op}: operands need rank >= 2, got ${fmt(a.shape)} and ${fmt(b.shape)}`);
  const [ar, ac] = a.shape.slice(-2);
  const [br, bc] = b.shape.slice(-2);
  const m = transA ? ac : ar;
  const k = transA ? ar : ac;
  const kb = transB ? bc : br;
  const n = transB ? br : bc;
  if (k !== kb) {
    throw new ShapeError(
      `${op}: inner dimensions differ: ${fmt(a.shape)}${transA ? "ᵀ" : ""} @ ${fmt(b.shape)}${transB ? "ᵀ" : ""} (${k} vs ${kb})`,
    );
  }
  const batchShape = broadcastShapes(op, a.shape.slice(0, -2), b.shape.slice(0, -2));
  const batch = numel(batchShape);
  // The kernel takes each operand either with one matrix per batch entry or as one matrix shared
  // by all. Anything in between (e.g. [2,1,m,k] @ [1,3,k,n]) is materialised to the full batch
  // first; the spec then says "batched" for the expanded operand (it used to describe the
  // original, so the kernel read the expanded A as one shared matrix).
  const fit = (t: Tensor): { t: Tensor; batched: boolean } => {
    const own = numel(t.shape.slice(0, -2));
    if (own === 1) return { t, batched: false };
    if (own === batch) return { t, batched: true };
    return { t: t.expand([...batchShape, ...t.shape.slice(-2)]), batched: true };
  };
  const A = fit(a);
  const B = fit(b);
  const s = backendOf(a).matmul(
    A.t.storage,
    B.t.storage,
    {
      batch,
      m,
      k,
      n,
      transA,
      transB,
      aBatched: A.batched,
      bBatched: B.batched,
    },
    bias?.storage ?? null,
  );
  return wrap(s, [...batchShape, m, n]);
}

/** Gradient of a broadcast operand: sum over the batch axes it was broadcast along. */
function reduceBatch(g: Tensor, shape: readonly number[]): Tensor {
  return sumToShape(g, shape);
}

/** Matrix product with NumPy semantics (1-D operands are promoted and the axis dropped). */
export function matmul(a: Tensor, b: Tensor): Tensor {
  if (a.rank === 1 && b.rank === 1) return matmul(a.unsqueeze(0), b.unsqueeze(-1)).reshape([]);
  if (a.rank === 1) return matmul(a.unsqueeze(0), b).squeeze(-2);
  if (b.rank === 1) return matmul(a, b.unsqueeze(-1)).squeeze(-1);
  const y = matmulRaw(a, b, false, false);
  return recordOp("matmul", [a, b], y, (g) => {
    let ga: Tensor | null = null;
    let gb: Tensor | null = null;
    if (a.requiresGrad) ga = reduceBatch(matmulRaw(g, b, false, true), a.shape);
    if (b.requiresGrad) {
      if (b.rank === 2 && a.rank > 2) {
        // Shared weight: one tall GEMM instead of a batch of products summed afterwards.
        gb = matmulRaw(
          a.reshape([-1, a.shape[a.rank - 1]]),
          g.reshape([-1, g.shape[g.rank - 1]]),
          true,
          false,
        );
      } else gb = reduceBatch(matmulRaw(a, g, true, false), b.shape);
    }
    return [ga, gb];
  });
}

/** a @ bᵀ over the last two axes (attention scores), without materialising bᵀ. */
export function matmulNT(a: Tensor, b: Tensor): Tensor {
  const y = matmulRaw(a, b, false, true, "matmulNT");
  return recordOp("matmulNT", [a, b], y, (g) => [
    a.requiresGrad ? reduceBatch(matmulRaw(g, b, false, false), a.shape) : null,
    b.requiresGrad ? reduceBatch(matmulRaw(g, a, true, false), b.shape) : null,
  ]);
}

/**
 * y = x Wᵀ + b with W stored [out, in] as Hugging Face and PyTorch store it. The GEMM reads W
 * transposed in place; the backward is two GEMMs and a column sum.
 */
export function linear(x: Tensor, weight: Tensor, bias?: Tensor | null): Tensor {
  if (weight.dtype === "bfloat16" || weight.dtype === "float16") return halfWeightLinear(x, weight, bias);
  if (weight.rank !== 2) throw new ShapeError(`linear: weight must be [out, in], got ${fmt(weight.shape)}`);
  const inF = weight.shape[1];
  if (x.shape[x.rank - 1] !== inF) {
    throw new ShapeError(
      `linear: input ${fmt(x.shape)} has ${x.shape[x.rank - 1]} features, weight ${fmt(weight.shape)} expects ${inF}`,
    );
  }
  if (bias) {
    if (bias.rank !== 1 || bias.shape[0] !== weight.shape[0]) {
      throw new ShapeError(`linear: bias ${fmt(bias.shape)} does not match weight ${fmt(weight.shape)}`);
    }
    if (bias.dtype !== weight.dtype || bias.device !== weight.device) {
      throw new DTypeError(
        `linear: bias is ${bias.dtype} on ${bias.device}, weight ${weight.dtype} on ${weight.device}`,
      );
    }
  }
  const x2 = x.rank === 2 ? x : x.detach().reshape([-1, inF]);
  const y = matmulRaw(x2, weight, false, true, "linear", bias ?? null);
  const out = y.reshape([...x.shape.slice(0, -1), weight.shape[0]]).detach();
  const inputs = bias ? [x, weight, bias] : [x, weight];
  return recordOp("linear", inputs, out, (g) => {
    const g2 = g.reshape([-1, weight.shape[0]]);
    const gx = x.requiresGrad ? matmulRaw(g2, weight, false, false).reshape(x.shape) : null;
    // x2 is rebuilt from x, which the graph holds: tidy() may have disposed the forward's x2.
    const gw = weight.requiresGrad ? matmulRaw(g2, x.reshape([-1, inF]), true, false) : null;
    const gb = bias?.requiresGrad ? g2.sum(0) : null;
    return bias ? [gx, gw, gb] : [gx, gw];
  });
}

/**
 * A weight kept at its checkpoint's width (bfloat16/float16) is widened for this one product and
 * freed again, so the model holds half the bytes a float32 copy would. The widened copy stays
 * only while an autograd graph needs it for the backward.
 */
function halfWeightLinear(x: Tensor, weight: Tensor, bias?: Tensor | null): Tensor {
  const backend = backendOf(weight);
  const inF = weight.shape[1];
  const recording = isGradEnabled() && (x.requiresGrad || weight.requiresGrad || !!bias?.requiresGrad);
  if (
    backend.halfWeightMatmul &&
    !recording &&
    weight.rank === 2 &&
    x.device === weight.device &&
    x.dtype === "float32" &&
    x.shape[x.rank - 1] === inF &&
    (!bias || (bias.dtype === "float32" && bias.rank === 1 && bias.shape[0] === weight.shape[0]))
  ) {
    // Forward only: the device multiplies by the half-width weight without widening all of it.
    const rows = x.size / inF;
    const flat = x.contiguous();
    const y = wrap(
      backend.halfWeightMatmul(
        flat.storage,
        weight.storage,
        rows,
        inF,
        weight.shape[0],
        bias?.storage ?? null,
      ),
      [...x.shape.slice(0, -1), weight.shape[0]],
    );
    if (flat !== x) flat.dispose();
    return y;
  }
  const w = weight.cast("float32");
  const y = linear(x, w, bias?.dtype === "float32" || !bias ? bias : bias.cast("float32"));
  if (!w.heldByGraph) w.dispose();
  return y;
}
