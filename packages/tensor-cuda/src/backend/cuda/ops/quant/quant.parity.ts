import { packBits } from "../../../../quantized/bitstream.js";
import { fakeQuantize } from "../../../../quantized/fake-quant.js";
import { type GridSpec, quantGrid } from "../../../../quantized/grid.js";
import { dequantizePacked, type PackedWeight, packedLinear } from "../../../../quantized/packed.js";
import { Generator } from "../../../../random.js";
import { Tensor } from "../../../../tensor.js";
import { type AddParityCase, input, withGrads } from "../../../../testing/cuda/parity-case.js";
import type { Device } from "../../../backend.js";

/*
 * Parity cases of quant.cu (test-only: testing/cuda/parity.ts runs each on the CPU and on "cuda"
 * and compares every output and gradient): the min-max grid, fake quantization with its STE and
 * LSQ gradients, GPTQ dequantization, and packed matmuls through the decoding GEMV (≤ 8 rows)
 * and through dequantize + GEMM (more rows). gptq.cu and linalg.cu have no CPU twin to compare
 * with: @shrinkray/gptq's gptq-device.cuda.test.ts checks them against its host GPTQ.
 */

/** Packed GPTQ buffers of random codes, zeros and float16 scales (as checkpoints hold them). */
function packed(
  device: Device,
  c: { out: number; inF: number; bits: number; groupSize: number; actOrder?: boolean },
  seed: number,
): PackedWeight {
  const g = new Generator(seed);
  const { out, inF, bits, groupSize } = c;
  const maxq = 2 ** bits - 1;
  const groups = Math.ceil(inF / groupSize);
  // Act-order: groups follow a permutation of the input columns, as GPTQ's desc_act leaves them.
  const perm = Int32Array.from({ length: inF }, (_, i) => i);
  if (c.actOrder)
    for (let i = inF - 1; i > 0; i--) {
      const j = g.int(i + 1);
      [perm[i], perm[j]] = [perm[j], perm[i]];
    }
  const gIdx = new Int32Array(inF);
  perm.forEach((col, rank) => {
    gIdx[col] = Math.floor(rank / groupSize);
  });
  const codes = Int32Array.from({ length: inF * out }, () => g.int(maxq + 1));
  const zeros = Int32Array.from({ length: groups * out }, () => g.int(maxq + 1));
  const scales = Float32Array.from({ length: groups * out }, () => 0.001 + g.uniform() * 0.02);
  return {
    qweight: Tensor.from(packBits(codes, inF, out, bits, 0), [(inF * bits) / 32, out]).to(device),
    qzeros: Tensor.from(packBits(zeros, groups, out, bits, 1), [groups, (out * bits) / 32]).to(device),
    scales: Tensor.from(scales, [groups, out]).cast("float16").to(device),
    gIdx: Tensor.from(gIdx, [inF]).to(device),
    bits,
    groupSize,
  };
}

export function quantParity(add: AddParityCase): void {
  const grids: [string, GridSpec][] = [
    ["4-bit groups of 32, asymmetric", { bits: 4, groupSize: 32, sym: false }],
    ["3-bit per channel, symmetric", { bits: 3, groupSize: -1, sym: true }],
  ];
  for (const [name, spec] of grids) {
    add(`min-max grid and fake quantization with STE and LSQ gradients, ${name}`, (d) => {
      // 80 input columns: groups of 32 leave a shorter last group.
      const w = input(d, [12, 80], 70, { grad: true });
      const { scale, zero } = quantGrid(w.detach(), spec);
      // Smaller steps than the grid's, so some weights fall outside the clip range.
      const step = scale.mul(0.8).requiresGrad_();
      const y = fakeQuantize(w, step, zero, spec, { gradScale: 0.25 });
      return withGrads([y], [w, step]).concat([scale, zero]);
    });
  }
  add("4-bit act-order weights: dequantize, decoding GEMV over two input chunks, prefill matmul", (d) => {
    const p = packed(d, { out: 40, inF: 320, bits: 4, groupSize: 64, actOrder: true }, 71);
    return [
      dequantizePacked(p),
      packedLinear(input(d, [3, 320], 72), p),
      packedLinear(input(d, [12, 320], 73), p),
    ];
  });
  add("3-bit groups of 24: decoding GEMV with a bias, and its input gradient", (d) => {
    const p = packed(d, { out: 32, inF: 96, bits: 3, groupSize: 24 }, 74);
    const x = input(d, [2, 96], 75, { grad: true });
    const bias = input(d, [32], 76, { grad: true });
    return withGrads([packedLinear(x, p, bias)], [x, bias]).concat([dequantizePacked(p)]);
  });
}
