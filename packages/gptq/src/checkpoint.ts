import { ShapeError, Tensor } from "@shrinkray/tensor-cuda";
import { groupCount } from "./options.js";
import { type PackedGptq, type V1ZeroRule, zeroPointsFromV1, zeroPointsToV1 } from "./pack.js";
import type { Bits } from "./quantizer.js";

/**
 * The tensors of one quantized linear as a GPTQ checkpoint names them (`<prefix>.qweight`,
 * `.qzeros`, `.scales`, `.g_idx`). `format` "gptq" (default) stores zero points the v1 way
 * (zero − 1; a zero point of 0 is refused, see zeroPointsToV1), "gptq_v2" as they are.
 */
export function gptqCheckpointTensors(
  prefix: string,
  p: PackedGptq,
  format: "gptq" | "gptq_v2" = "gptq",
): Map<string, Tensor> {
  const dot = prefix ? `${prefix}.` : "";
  const qzeros = format === "gptq" ? zeroPointsToV1(p.qzeros, p.bits, `${dot}qzeros`) : p.qzeros;
  return new Map([
    [`${dot}qweight`, p.qweight],
    [`${dot}qzeros`, qzeros],
    [`${dot}scales`, p.scales],
    [`${dot}g_idx`, p.gIdx],
  ]);
}

export interface ReadGptqOptions {
  bits: Bits;
  groupSize: number;
  /** How the file stores zero points (default "gptq", v1). */
  checkpointFormat?: "gptq" | "gptq_v2";
  /** How v1 zero fields are read (default "autogptq"; see V1ZeroRule). */
  v1Rule?: V1ZeroRule;
  /**
   * Input features, needed only when the file has no `g_idx` (some writers drop it without
   * act-order): it is then i // group_size, as vLLM builds it.
   */
  inFeatures?: number;
}

/**
 * Reads one quantized linear back from checkpoint tensors into the in-memory form (v2 zero
 * points, float16 scales). `get` looks a name up in whatever holds the file (a Map, a
 * safetensors reader's loaded tensors). Dtypes, shapes and g_idx's range are checked, so a
 * file that does not match its config is an error naming the tensor, never a wrong weight.
 */
export function readGptqCheckpoint(
  get: (name: string) => Tensor | undefined,
  prefix: string,
  config: ReadGptqOptions,
): PackedGptq {
  const dot = prefix ? `${prefix}.` : "";
  const need = (name: string, dtypes: string[]): Tensor => {
    const t = get(`${dot}${name}`);
    if (!t) throw new Error(`GPTQ checkpoint: missing tensor ${dot}${name}`);
    if (!dtypes.includes(t.dtype))
      throw new TypeError(`GPTQ checkpoint: ${dot}${name} is ${t.dtype}, expected ${dtypes.join(" or ")}`);
    return t;
  };
  const qweight = need("qweight", ["int32"]);
  const qzeros = need("qzeros", ["int32"]);
  // GPTQModel keeps bfloat16 scales for some models; they convert to float16 exactly.
  const rawScales = need("scales", ["float16", "bfloat16"]);
  const scales = rawScales.dtype === "float16" ? rawScales : rawScales.cast("float16");
  const { bits } = config;
  const expect = (what: string, t: Tensor, shape: number[]) => {
    if (t.shape.length !== shape.length || t.shape.some((d, i) => d !== shape[i])) {
      throw new ShapeError(
        `GPTQ checkpoint: ${dot}${what} is [${t.shape.join(", ")}], expected [${shape.join(", ")}]`,
      );
    }
  };
  if (qweight.rank !== 2 || scales.rank !== 2)
    throw new ShapeError(`GPTQ checkpoint: ${dot}qweight and ${dot}scales must be matrices`);
  const out = qweight.shape[1];
  const inF = (qweight.shape[0] * 32) / bits;
  const groups = scales.shape[0];
  const gIdx = get(`${dot}g_idx`) ? need("g_idx", ["int32"]) : defaultGIdx(config, inF, dot);
  expect("g_idx", gIdx, [inF]);
  expect("qzeros", qzeros, [groups, (out * bits) / 32]);
  expect("scales", scales, [groups, out]);
  const g = gIdx.dataSync() as Int32Array;
  for (let i = 0; i < g.length; i++) {
    if (g[i] < 0 || g[i] >= groups)
      throw new RangeError(`GPTQ checkpoint: ${dot}g_idx[${i}] = ${g[i]} is outside [0, ${groups})`);
  }
  const v2 =
    (config.checkpointFormat ?? "gptq") === "gptq_v2"
      ? qzeros
      : zeroPointsFromV1(qzeros, bits, config.v1Rule ?? "autogptq", `${dot}qzeros`);
  return { qweight, qzeros: v2, scales, gIdx, bits, groupSize: config.groupSize };
}

function defaultGIdx(config: ReadGptqOptions, inF: number, dot: string): Tensor {
  const size = config.groupSize === -1 ? inF : config.groupSize;
  if (config.inFeatures !== undefined && config.inFeatures !== inF)
    throw new ShapeError(
      `GPTQ checkpoint: ${dot}qweight holds ${inF} inputs, the layer has ${config.inFeatures}`,
    );
  const g = new Int32Array(inF);
  for (let i = 0; i < inF; i++) g[i] = Math.floor(i / size);
  if (groupCount(inF, config.groupSize) < 1) throw new ShapeError(`GPTQ checkpoint: ${dot}qweight is empty`);
  return Tensor.from(g, [inF]);
}
