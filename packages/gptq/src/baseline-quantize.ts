import { noGrad } from "@shrinkray/tensor-cuda";
import {
  allBlockLinears,
  blockLinears,
  checkPackable,
  type DecoderModel,
  installQuantized,
} from "./block-linears.js";
import { int8AsGptq, int8Quantize } from "./int8.js";
import {
  type LayerProgress,
  type LayerResult,
  type ModelQuantizeConfig,
  type ModelQuantizeResult,
  planBlock,
  resolveConfig,
} from "./model-quantize.js";
import { rtnQuantize } from "./rtn.js";

export interface BaselineOptions {
  /** As quantizeModel: "packed" (default) swaps in QuantLinear, "fake" writes float weights. */
  mode?: "packed" | "fake";
  onProgress?: (p: LayerProgress) => void;
}

/**
 * Round-to-nearest on every block Linear, on the grid GPTQ would use (same bits, groups, sym,
 * dynamic overrides and skips): the baseline GPTQ is judged against. Needs no calibration data.
 * `descAct` has no meaning without a Hessian and is ignored.
 */
export function rtnQuantizeModel(
  model: DecoderModel,
  config: ModelQuantizeConfig = {},
  opts: BaselineOptions = {},
): ModelQuantizeResult {
  const start = performance.now();
  const { base, rules, resolved } = resolveConfig(config);
  const mode = opts.mode ?? "packed";
  const view = model.decoderView();
  const plans = view.blocks.map((_, i) => planBlock(blockLinears(view, i), base, rules, mode));
  const todo = plans.flatMap((p) => [...p.quantized.values()]);
  const layers: LayerResult[] = [];
  for (const { lin, cfg } of todo) {
    const t0 = performance.now();
    const q = rtnQuantize(lin.module.weight, { bits: cfg.bits, groupSize: cfg.groupSize, sym: cfg.sym });
    installQuantized(view, lin, q, mode);
    const layer: LayerResult = {
      name: lin.name,
      block: lin.block,
      method: "rtn",
      bits: cfg.bits,
      groupSize: cfg.groupSize,
      seconds: (performance.now() - t0) / 1000,
    };
    layers.push(layer);
    opts.onProgress?.(progress(layer, layers.length, todo.length, start));
  }
  const skipped = plans.flatMap((p) => p.skipped.map((name) => ({ name, reason: "dynamic" as const })));
  return {
    layers,
    skipped,
    config: { ...resolved, descAct: false },
    seconds: (performance.now() - start) / 1000,
  };
}

/**
 * int8 weight-only (absmax per output channel, optimum-quanto's recipe) on every block Linear.
 * "packed" (default) swaps in 8-bit QuantLinear layers on GPTQ's symmetric per-channel grid
 * (code q + 128, zero point 128, float16 scales chosen before rounding), so the model saves as a
 * GPTQ checkpoint (bits 8, group_size -1, sym) that transformers, vLLM and GPTQModel read, and
 * `result.config` is what to save it with; "fake" writes the dequantized weights back into the
 * float Linears (float32 scales). `skip` leaves matching layers float (regexes anchored at the
 * start of the dotted name, as `-:` rules, which `result.config.dynamic` lists).
 */
export function int8QuantizeModel(
  model: DecoderModel,
  opts: { skip?: RegExp[]; mode?: "packed" | "fake"; onProgress?: (p: LayerProgress) => void } = {},
): ModelQuantizeResult {
  const start = performance.now();
  const mode = opts.mode ?? "packed";
  const view = model.decoderView();
  const all = allBlockLinears(view);
  const skip = (name: string) => (opts.skip ?? []).some((re) => name.search(re) === 0);
  const todo = all.filter((l) => !skip(l.name));
  const layers: LayerResult[] = [];
  for (const lin of todo) {
    const t0 = performance.now();
    if (mode === "packed") {
      checkPackable(lin, 8);
      installQuantized(
        view,
        lin,
        int8AsGptq(int8Quantize(lin.module.weight, { scaleDtype: "float16" })),
        mode,
      );
    } else {
      const q = int8Quantize(lin.module.weight);
      noGrad(() => lin.module.weight.assign(q.dequantized));
    }
    const layer: LayerResult = {
      name: lin.name,
      block: lin.block,
      method: "int8",
      bits: 8,
      groupSize: -1,
      seconds: (performance.now() - t0) / 1000,
    };
    layers.push(layer);
    opts.onProgress?.(progress(layer, layers.length, todo.length, start));
  }
  const dynamic = opts.skip?.length
    ? Object.fromEntries(opts.skip.map((re) => [`-:${re.source}`, {}]))
    : null;
  const { resolved } = resolveConfig({ bits: 8, groupSize: -1, sym: true, descAct: false, dynamic });
  return {
    layers,
    skipped: all.filter((l) => skip(l.name)).map((l) => ({ name: l.name, reason: "dynamic" })),
    config: resolved,
    seconds: (performance.now() - start) / 1000,
  };
}

function progress(layer: LayerResult, done: number, total: number, start: number): LayerProgress {
  return { ...layer, done, total, elapsedSeconds: (performance.now() - start) / 1000 };
}
