import { ShapeError, type Tensor } from "@shrinkray/tensor-cuda";
import { convertZeros, type PackedGptq } from "./pack.js";
import type { Bits } from "./quantizer.js";

/**
 * The tensors of one quantized linear as a GPTQ checkpoint names them (`<prefix>.qweight`,
 * `.qzeros`, `.scales`, `.g_idx`), with zero points in the v1 convention the files use.
 */
export function gptqCheckpointTensors(prefix: string, p: PackedGptq): Map<string, Tensor> {
  const dot = prefix ? `${prefix}.` : "";
  return new Map([
    [`${dot}qweight`, p.qweight],
    [`${dot}qzeros`, convertZeros(p.qzeros, p.bits, "v1")],
    [`${dot}scales`, p.scales],
    [`${dot}g_idx`, p.gIdx],
  ]);
}

/**
 * Reads one quantized linear back from checkpoint tensors (v1 zero points, as AutoGPTQ and
 * GPTQModel's "gptq" format write them) into the in-memory v2 form. `get` looks a name up in
 * whatever holds the file (a Map, a safetensors reader's loaded tensors).
 */
export function readGptqCheckpoint(
  get: (name: string) => Tensor | undefined,
  prefix: string,
  config: { bits: Bits; groupSize: number },
): PackedGptq {
  const dot = prefix ? `${prefix}.` : "";
  const need = (name: string, dtype: string): Tensor => {
    const t = get(`${dot}${name}`);
    if (!t) throw new Error(`GPTQ checkpoint: missing tensor ${dot}${name}`);
    if (t.dtype !== dtype)
      throw new TypeError(`GPTQ checkpoint: ${dot}${name} is ${t.dtype}, expected ${dtype}`);
    return t;
  };
  const qweight = need("qweight", "int32");
  const qzeros = need("qzeros", "int32");
  const scales = need("scales", "float16");
  const gIdx = need("g_idx", "int32");
  const out = qweight.shape[1];
  const inF = gIdx.shape[0];
  const { bits } = config;
  const expect = (what: string, t: Tensor, shape: number[]) => {
    if (t.shape.length !== shape.length || t.shape.some((d, i) => d !== shape[i])) {
      throw new ShapeError(
        `GPTQ checkpoint: ${dot}${what} is [${t.shape.join(", ")}], expected [${shape.join(", ")}]`,
      );
    }
  };
  expect("qweight", qweight, [(inF * bits) / 32, out]);
  expect("qzeros", qzeros, [scales.shape[0], (out * bits) / 32]);
  expect("scales", scales, [scales.shape[0], out]);
  return {
    qweight,
    qzeros: convertZeros(qzeros, bits, "v2"),
    scales,
    gIdx,
    bits,
    groupSize: config.groupSize,
  };
}
