import { mkdir, rename, writeFile } from "node:fs/promises";
import { join } from "node:path";
import {
  type Bits,
  dequantizeCode,
  gptqCheckpointTensors,
  packGptq,
  type QuantizeConfigJson,
  type QuantizedWeight,
  quantizeCode,
  SUPPORTED_BITS,
  toQuantizeConfigJson,
} from "@shrinkray/gptq";
import { io, nn, Tensor } from "@shrinkray/tensor-cuda";
import { BitWidthError, isQuantized } from "./bits.js";
import { type Assignment, assignmentToConfig } from "./config.js";
import { groupLength, minMaxGrid } from "./grid.js";
import { switchableLayers } from "./make-switchable.js";
import type { SwitchableLinear } from "./switchable-linear.js";

/**
 * The layer's current width as gptq's QuantizedWeight: the same grid the forward pass uses (the
 * learned step when the width has one, else the min-max grid) and the same rounding, so the
 * checkpoint's codes are exactly the codes fake quantization computed with.
 */
export function toQuantizedWeight(layer: SwitchableLinear): QuantizedWeight {
  const spec = layer.spec;
  if (!SUPPORTED_BITS.includes(spec.bits as Bits)) {
    throw new BitWidthError(
      `toQuantizedWeight: GPTQ checkpoints hold ${SUPPORTED_BITS.join(", ")}-bit weights; this layer is at ${spec.bits} bits`,
    );
  }
  const out = layer.outFeatures;
  const inF = layer.inFeatures;
  const w = layer.weight.dataSync() as Float32Array;
  const step = layer.stepSize(spec.bits);
  const grid = step
    ? { scale: step.scale.dataSync() as Float32Array, zero: step.zero }
    : minMaxGrid(w, out, inF, spec);
  const groupLen = groupLength(inF, spec.groupSize);
  const groups = Math.ceil(inF / groupLen);
  const maxq = 2 ** spec.bits - 1;
  const codes = new Int32Array(out * inF);
  const deq = new Float32Array(out * inF);
  const gIdx = new Int32Array(inF);
  for (let i = 0; i < inF; i++) gIdx[i] = Math.floor(i / groupLen);
  for (let o = 0; o < out; o++) {
    for (let i = 0; i < inF; i++) {
      const k = gIdx[i] * out + o;
      const s = Math.max(grid.scale[k], 1e-12);
      const q = quantizeCode(w[o * inF + i], s, grid.zero[k], maxq);
      codes[o * inF + i] = q;
      deq[o * inF + i] = dequantizeCode(q, s, grid.zero[k]);
    }
  }
  return {
    dequantized: Tensor.from(deq, [out, inF]),
    codes: Tensor.from(codes, [out, inF]),
    scale: Tensor.from(Float32Array.from(grid.scale), [groups, out]),
    zero: Tensor.from(Float32Array.from(grid.zero), [groups, out]),
    gIdx: Tensor.from(gIdx, [inF]),
    bits: spec.bits as Bits,
    groupSize: spec.groupSize,
    sym: spec.sym,
  };
}

export interface GptqExport {
  /** Checkpoint tensors: `<layer>.qweight/.qzeros/.scales/.g_idx` for quantized layers, the rest as is. */
  tensors: Map<string, Tensor>;
  /** `quantize_config.json`, with GPTQModel's `dynamic` holding the per-layer widths. */
  quantizeConfig: QuantizeConfigJson;
  /** The active width's LoRA adapters, PEFT-named (`<layer>.lora_A.weight`), to ship beside it. */
  adapters: Map<string, Tensor>;
  /** What each layer was exported at (null: left unquantized). */
  assignment: Assignment;
}

export interface ExportOptions {
  /** dtype of tensors left in float (default float16, as GPTQ checkpoints ship them). */
  floatDtype?: "float16" | "float32";
}

/**
 * Exports the model's current configuration as a GPTQ checkpoint with mixed bits: each
 * SwitchableLinear at 2, 3, 4 or 8 bits is packed through gptq (qweight, v1 qzeros, fp16 scales,
 * g_idx); layers at 16/32 bits and plain Linears are written in float and listed as `-:` in
 * `dynamic`. The most common spec becomes the file's default, every other layer gets an exact-name
 * `+:` override. Widths 5–7 have no GPTQ packing and raise a BitWidthError.
 */
export function exportGptq(model: nn.AnyModule, opts: ExportOptions = {}): GptqExport {
  const floatDtype = opts.floatDtype ?? "float16";
  const layers = switchableLayers(model);
  const assignment: Assignment = new Map();
  const tensors = new Map<string, Tensor>();
  // Asymmetric zero points are stored as they are (gptq_v2): a zero of 0 has no v1 form every
  // loader reads alike. A file with any asymmetric layer is v2 throughout.
  const format = [...layers.values()].some((l) => isQuantized(l.spec.bits) && !l.spec.sym)
    ? "gptq_v2"
    : "gptq";
  const adapters = new Map<string, Tensor>();
  const owned = new Set<string>();
  for (const [name, layer] of layers) {
    owned.add(name);
    const spec = layer.spec;
    if (isQuantized(spec.bits)) {
      for (const [k, t] of gptqCheckpointTensors(name, packGptq(toQuantizedWeight(layer)), format))
        tensors.set(k, t);
      assignment.set(name, spec);
    } else {
      tensors.set(`${name}.weight`, layer.weight.detach().cast(floatDtype));
      assignment.set(name, null);
    }
    if (layer.bias) tensors.set(`${name}.bias`, layer.bias.detach().cast(floatDtype));
    const a = layer.adapter();
    if (a) {
      adapters.set(`${name}.lora_A.weight`, a.loraA.detach().mul(a.scaling).cast(floatDtype));
      adapters.set(`${name}.lora_B.weight`, a.loraB.detach().cast(floatDtype));
    }
  }
  for (const [name, m] of model.namedModules()) if (m instanceof nn.Linear) assignment.set(name, null);
  if (![...assignment.values()].some((s) => s !== null)) {
    throw new BitWidthError("exportGptq: no layer is quantized (every switchable layer is at 16 or 32 bits)");
  }
  for (const [k, t] of model.stateDict()) {
    const layer = [...owned].find((n) => k.startsWith(`${n}.`));
    if (layer === undefined) tensors.set(k, t.detach().cast(floatDtype));
  }
  const config = assignmentToConfig(assignment);
  const quantizeConfig = toQuantizeConfigJson({
    bits: config.bits as Bits,
    groupSize: config.groupSize ?? -1,
    sym: config.sym ?? false,
    descAct: false,
    checkpointFormat: format,
  });
  if (config.dynamic && Object.keys(config.dynamic).length) quantizeConfig.dynamic = config.dynamic;
  return { tensors, quantizeConfig, adapters, assignment };
}

/**
 * Writes `model.safetensors`, `quantize_config.json` and, when there are adapters,
 * `adapter_model.safetensors` into `dir` (created if missing), each atomically (temp file, then
 * rename).
 */
export async function writeGptqCheckpoint(dir: string, exp: GptqExport): Promise<void> {
  await mkdir(dir, { recursive: true });
  await io.saveSafetensors(join(dir, "model.safetensors"), exp.tensors, { format: "pt" });
  if (exp.adapters.size)
    await io.saveSafetensors(join(dir, "adapter_model.safetensors"), exp.adapters, { format: "pt" });
  const path = join(dir, "quantize_config.json");
  const tmp = `${path}.tmp-${process.pid}`;
  await writeFile(tmp, `${JSON.stringify(exp.quantizeConfig, null, 2)}\n`);
  await rename(tmp, path);
}
