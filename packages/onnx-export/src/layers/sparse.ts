/**
 * sparse-layers' grouped (block-diagonal) and low-rank layers, recognised by their structure:
 * DESIGN keeps sparse-layers off this package's arrows, so the shapes its layers are known by
 * (fields `weight` [g, out/g, in/g] + `groups` + `perm`; `A` [r, in] + `B` [out, r] + `scale`;
 * a sum of two such children) are stated here, and tested against the real classes.
 */
import { type nn, Tensor } from "@shrinkray/tensor-cuda";
import type { LinearLowering } from "./linear.js";
import { floats, transpose } from "./weights.js";

interface GroupedLike extends nn.AnyModule {
  weight: Tensor;
  bias: Tensor | null;
  perm: Tensor | null;
  groups: number;
  inFeatures: number;
  outFeatures: number;
}

interface LowRankLike extends nn.AnyModule {
  A: Tensor;
  B: Tensor;
  scale: number;
}

const tensorOrNull = (v: unknown) => v === null || v instanceof Tensor;

export function isGrouped(m: nn.AnyModule): m is GroupedLike {
  const o = m as unknown as Partial<GroupedLike>;
  return (
    o.weight instanceof Tensor &&
    o.weight.rank === 3 &&
    typeof o.groups === "number" &&
    o.weight.shape[0] === o.groups &&
    tensorOrNull(o.perm) &&
    tensorOrNull(o.bias)
  );
}

export function isLowRank(m: nn.AnyModule): m is LowRankLike {
  const o = m as unknown as Partial<LowRankLike>;
  return (
    o.A instanceof Tensor &&
    o.B instanceof Tensor &&
    o.A.rank === 2 &&
    o.B.rank === 2 &&
    o.B.shape[1] === o.A.shape[0] &&
    typeof o.scale === "number"
  );
}

/** GroupedLoRALinear (grouped + lora) and LoRALinear (base_layer + lora): y = Σ child(x). */
export function sumOfChildren(m: nn.AnyModule): [string, nn.AnyModule][] | null {
  const children = m.namedChildren().filter(([n]) => n !== "dropout");
  const names = children.map(([n]) => n).sort();
  const known = [
    ["grouped", "lora"],
    ["base_layer", "lora"],
  ];
  if (!known.some((k) => k.length === names.length && k.every((n, i) => n === names[i]))) return null;
  if (m.namedParameters().some(([n]) => !n.includes("."))) return null; // own weights: not a plain sum
  return children;
}

/**
 * blockdiag(W)·x[perm] + b: x [B, T, in] → (gather) → [N, g, in/g] → [g, N, in/g] · Wᵀ
 * [g, in/g, out/g] (one batched MatMul) → [N, g, out/g] → [B, T, out].
 */
export async function groupedLinear(
  low: LinearLowering,
  name: string,
  m: GroupedLike,
  x: string,
): Promise<string> {
  const { g } = low;
  const [groups, outPer, inPer] = m.weight.shape;
  const w = await floats(m.weight);
  const wT = new Float32Array(w.length);
  const block = outPer * inPer;
  for (let b = 0; b < groups; b++)
    wT.set(transpose(w.subarray(b * block, (b + 1) * block), outPer, inPer), b * block);
  let h = x;
  if (m.perm) {
    const perm = BigInt64Array.from((await m.perm.data()) as Int32Array, BigInt);
    h = g.op("Gather", [h, g.weight(`${name}.perm`, perm, [perm.length])], { axis: { int: -1 } });
  }
  const lead = g.op("Slice", [g.op("Shape", [x]), g.int64s([0]), g.int64s([-1])]);
  h = g.op("Transpose", [g.op("Reshape", [h, g.int64s([-1, groups, inPer])])], { perm: { ints: [1, 0, 2] } });
  h = g.op("MatMul", [h, g.weight(`${name}.weight_T`, wT, [groups, inPer, outPer])]);
  h = g.op("Transpose", [h], { perm: { ints: [1, 0, 2] } });
  const shape = g.op("Concat", [lead, g.int64s([groups * outPer])], { axis: { int: 0 } });
  const y = g.op("Reshape", [h, shape]);
  if (!m.bias) return y;
  return g.op("Add", [y, g.weight(`${name}.bias`, await floats(m.bias), [groups * outPer])]);
}

/** scale · (x·Aᵀ)·Bᵀ, the scale on the r-wide intermediate as sparse-layers computes it. */
export async function lowRank(low: LinearLowering, name: string, m: LowRankLike, x: string): Promise<string> {
  const { g } = low;
  const [r, inF] = m.A.shape;
  const out = m.B.shape[0];
  let h = g.op("MatMul", [x, g.weight(`${name}.A_T`, transpose(await floats(m.A), r, inF), [inF, r])]);
  if (m.scale !== 1) h = g.op("Mul", [h, g.scalar(m.scale)]);
  return g.op("MatMul", [h, g.weight(`${name}.B_T`, transpose(await floats(m.B), out, r), [r, out])]);
}
