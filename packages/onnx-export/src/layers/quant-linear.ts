/**
 * A GPTQ/RTN QuantLinear as com.microsoft::MatMulNBits, in the block layout tensor-cuda's CPU
 * matmul also runs (quant.toMatMulNBits): 2/3/4-bit codes as 4-bit blocks, 8-bit as 8-bit,
 * act-order as a Gather of x's columns into group order (which every execution provider runs at
 * full speed; the op's own g_idx input is refused by WebGPU and DirectML and drops the CPU to a
 * per-call dequantization). Zero points are written unless every one is the op's default
 * (2^(bits−1), i.e. a symmetric grid at the stored width). A layout MatMulNBits cannot express
 * (groups that are not a power of two ≥ 16) is written as a float MatMul and reported.
 */
import type { QuantLinear } from "@shrinkray/gptq";
import { quant } from "@shrinkray/tensor-cuda";
import { MS_DOMAIN } from "../graph/builder.js";
import type { LinearLowering } from "./linear.js";
import { floats, int32s, transpose } from "./weights.js";

export async function quantLinear(
  low: LinearLowering,
  name: string,
  m: QuantLinear,
  x: string,
): Promise<{ y: string; kind: "matmulnbits" | "dequantized"; actOrder?: boolean; reason?: string }> {
  const { g } = low;
  const p = m.packed();
  const spec = quant.packedSpec(p, name);
  const { inFeatures: K, outFeatures: N, groups, bits } = spec;
  const qzeros = await int32s(p.qzeros, `${name}.qzeros`);
  // Zero points are written unless every one is the op's default (2^(bits−1)).
  const zeros = quant.unpackBits(qzeros, groups, N, bits, 1);
  const w = quant.toMatMulNBits(
    await int32s(p.qweight, `${name}.qweight`),
    qzeros,
    await floats(p.scales),
    await int32s(p.gIdx, `${name}.g_idx`),
    spec,
  );
  let y: string;
  let result: { kind: "matmulnbits" | "dequantized"; actOrder?: boolean; reason?: string };
  if ("reason" in w) {
    const deq = await floats(m.dequantizedWeight());
    y = g.op("MatMul", [x, g.weight(`${name}.weight_T`, transpose(deq, N, K), [K, N])]);
    result = { kind: "dequantized", reason: w.reason };
  } else {
    const a = w.order
      ? g.op("Gather", [x, g.weight(`${name}.input_order`, BigInt64Array.from(w.order, BigInt), [K])], {
          axis: { int: -1 },
        })
      : x;
    const blob = (w.blockSize * w.bits) / 8;
    const defaultZero = 2 ** (w.bits - 1);
    const inputs = [
      a,
      g.weight(`${name}.MatMulNBits.B`, w.B, [N, w.kBlocks, blob]),
      g.weight(`${name}.MatMulNBits.scales`, w.scales, [N * w.kBlocks]),
    ];
    if (zeros.some((z) => z !== defaultZero))
      inputs.push(g.weight(`${name}.MatMulNBits.zero_points`, w.zeroPoints, [w.zeroPoints.length]));
    y = g.op(
      "MatMulNBits",
      inputs,
      {
        K: { int: K },
        N: { int: N },
        bits: { int: w.bits },
        block_size: { int: w.blockSize },
        // Float activations: results equal dequantize-then-multiply to float rounding.
        accuracy_level: { int: 0 },
      },
      MS_DOMAIN,
    );
    result = { kind: "matmulnbits", actOrder: w.order !== null };
  }
  if (m.bias) y = g.op("Add", [y, g.weight(`${name}.bias`, await floats(m.bias), [N])]);
  return { y, ...result };
}
