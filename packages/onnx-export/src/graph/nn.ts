/**
 * The transformer pieces as ONNX ops, each the same arithmetic as tensor-cuda's op of the same
 * name (so exported logits match our forward to float rounding). Standard opset-17 ops only:
 * they run on every onnxruntime execution provider, web included.
 */
import type { GraphBuilder } from "./builder.js";

const ints = (v: number[]) => ({ ints: v });
const int = (v: number) => ({ int: v });

/** x / sqrt(mean(x², -1) + eps) · weight (tensor-cuda's rmsNorm). */
export function rmsNorm(g: GraphBuilder, x: string, weight: string, eps: number): string {
  const meanSq = g.op("ReduceMean", [g.op("Mul", [x, x])], { axes: ints([-1]), keepdims: int(1) });
  const rms = g.op("Sqrt", [g.op("Add", [meanSq, g.scalar(eps)])]);
  return g.op("Mul", [g.op("Div", [x, rms]), weight]);
}

export function layerNorm(g: GraphBuilder, x: string, weight: string, bias: string, eps: number): string {
  return g.op("LayerNormalization", [x, weight, bias], { axis: int(-1), epsilon: { float: eps } });
}

export function silu(g: GraphBuilder, x: string): string {
  return g.op("Mul", [x, g.op("Sigmoid", [x])]);
}

/** GELU, exact (erf) or the tanh approximation GPT-2 calls gelu_new. */
export function gelu(g: GraphBuilder, x: string, approximate: "none" | "tanh"): string {
  let inner: string;
  if (approximate === "tanh") {
    const cube = g.op("Mul", [g.op("Mul", [x, x]), x]);
    const u = g.op("Add", [x, g.op("Mul", [cube, g.scalar(0.044715)])]);
    inner = g.op("Tanh", [g.op("Mul", [u, g.scalar(Math.sqrt(2 / Math.PI))])]);
  } else {
    inner = g.op("Erf", [g.op("Mul", [x, g.scalar(Math.SQRT1_2)])]);
  }
  return g.op("Mul", [g.op("Mul", [x, g.scalar(0.5)]), g.op("Add", [inner, g.scalar(1)])]);
}

/** [..., n] → [..., n/2] halves: x1, x2. */
function halves(g: GraphBuilder, x: string, dim: number): [string, string] {
  const h = dim / 2;
  const axis = g.int64s([-1]);
  return [
    g.op("Slice", [x, g.int64s([0]), g.int64s([h]), axis]),
    g.op("Slice", [x, g.int64s([h]), g.int64s([dim]), axis]),
  ];
}

/** x·cos + rotate_half(x)·sin in the rotate-half layout; cos/sin broadcast over heads. */
export function rope(g: GraphBuilder, x: string, cos: string, sin: string, headDim: number): string {
  const [x1, x2] = halves(g, x, headDim);
  const rotated = g.op("Concat", [g.op("Neg", [x2]), x1], { axis: int(-1) });
  return g.op("Add", [g.op("Mul", [x, cos]), g.op("Mul", [rotated, sin])]);
}

/**
 * cos/sin tables [B, 1, T, headDim] for int64 positions [B, T] and the model's inv_freq: the
 * angle is position · inv_freq in float32, as models' rotaryTables computes it.
 */
export function rotaryTables(
  g: GraphBuilder,
  positionIds: string,
  invFreq: string,
): { cos: string; sin: string } {
  const pos = g.op("Unsqueeze", [g.op("Cast", [positionIds], { to: int(1) }), g.int64s([-1])]);
  const angles = g.op("Mul", [pos, invFreq]);
  const table = (op: "Cos" | "Sin") => {
    const half = g.op(op, [angles]);
    return g.op("Unsqueeze", [g.op("Concat", [half, half], { axis: int(-1) }), g.int64s([1])]);
  };
  return { cos: table("Cos"), sin: table("Sin") };
}

/** [B, T, heads·dim] → [B, heads, T, dim]. */
export function splitHeads(g: GraphBuilder, x: string, heads: number, dim: number): string {
  return g.op("Transpose", [g.op("Reshape", [x, g.int64s([0, 0, heads, dim])])], {
    perm: ints([0, 2, 1, 3]),
  });
}

/** [B, heads, T, dim] → [B, T, heads·dim]. */
export function mergeHeads(g: GraphBuilder, x: string, heads: number, dim: number): string {
  return g.op("Reshape", [
    g.op("Transpose", [x], { perm: ints([0, 2, 1, 3]) }),
    g.int64s([0, 0, heads * dim]),
  ]);
}
