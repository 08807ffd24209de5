import { type BlockContext, type nn, noGrad, type Tensor, tidy } from "@shrinkray/tensor-cuda";
import {
  type BlockLinear,
  blockLinears,
  checkPackable,
  type DecoderModel,
  installQuantized,
} from "./block-linears.js";
import { type DynamicConfig, DynamicRules } from "./dynamic-config.js";
import { gptqQuantize } from "./gptq.js";
import { gptqQuantizeAsync } from "./gptq-device.js";
import { HessianAccumulator } from "./hessian.js";
import { relativeOutputError, relativeOutputErrorAsync } from "./output-error.js";
import { DEFAULT_GPTQ_CONFIG, defaultFormat, type GptqConfig, validate } from "./quant-config.js";
import { QuantLinear } from "./quant-linear.js";
import { rtnQuantize } from "./rtn.js";
import { linearCallOrder, sequentialSteps } from "./sequential-order.js";

/** A model's GPTQ settings (defaults: DEFAULT_GPTQ_CONFIG) and GPTQModel-style overrides. */
export type ModelQuantizeConfig = Partial<GptqConfig> & { dynamic?: DynamicConfig | null };

/** The settings a model was quantized with, as saveQuantized writes them. */
export type ResolvedModelConfig = GptqConfig & { dynamic: DynamicConfig | null };

export interface LayerResult {
  /** Dotted name in the model, e.g. "model.layers.3.mlp.down_proj". */
  name: string;
  block: number;
  method: "gptq" | "rtn" | "int8";
  bits: number;
  groupSize: number;
  /** GPTQ's objective Σ(w − q)²/(2[H⁻¹]ᵢᵢ) (GPTQ only). */
  loss?: number;
  /** Relative output error on the calibration inputs (see relativeOutputError); GPTQ only. */
  error?: number;
  /** The same error for round-to-nearest on the same grid (with `compareRtn`). */
  rtnError?: number;
  seconds: number;
}

export interface LayerProgress extends LayerResult {
  /** Layers done so far, including this one, out of `total`. */
  done: number;
  total: number;
  elapsedSeconds: number;
}

export interface ModelQuantizeResult {
  layers: LayerResult[];
  /** Layers left float: matched by a "-:" rule, or never called by their block's forward. */
  skipped: { name: string; reason: "dynamic" | "uncalled" }[];
  config: ResolvedModelConfig;
  seconds: number;
}

export interface QuantizeModelOptions {
  /** "packed" (default): Linear → QuantLinear; "fake": float weights set to their dequantized values. */
  mode?: "packed" | "fake";
  onProgress?: (p: LayerProgress) => void;
  /** Also measure round-to-nearest's output error on each layer's Hessian (cheap; for reports). */
  compareRtn?: boolean;
}

/** Thrown by a capture hook once every layer of a step has seen its input: the rest of the block is not needed. */
class StopForward extends Error {}

/**
 * GPTQ over a whole decoder (Frantar et al.'s sequential recipe, as AutoGPTQ / GPTQModel run
 * it): the calibration batches (int32 [B, T] each) are embedded once, then block by block each
 * Linear's inputs are captured with forward hooks into one Hessian per group of layers sharing
 * an input, the layers are quantized in true-sequential order (a group is calibrated on the
 * outputs of groups already quantized), and the block is re-run with its quantized weights to
 * produce the next block's inputs. Memory: the calibration activations of one block and the
 * Hessians of one group. Embeddings and the LM head stay float.
 */
export function quantizeModel(
  model: DecoderModel,
  calibration: Tensor[],
  config: ModelQuantizeConfig = {},
  opts: QuantizeModelOptions = {},
): ModelQuantizeResult {
  const steps = modelSteps(model, calibration, config, opts);
  try {
    let step = noGrad(() => steps.next());
    while (!step.done) {
      const layer = quantizeLayer(step.value);
      step = noGrad(() => steps.next(layer));
    }
    return step.value;
  } finally {
    steps.return(undefined as never);
  }
}

/**
 * quantizeModel for a model on any device: on a CUDA device the calibration passes, the
 * Hessians and GPTQ itself (gptqQuantizeAsync) all stay there, and the QuantLinears it installs
 * are on the model's device. On the CPU it computes what quantizeModel does.
 */
export async function quantizeModelAsync(
  model: DecoderModel,
  calibration: Tensor[],
  config: ModelQuantizeConfig = {},
  opts: QuantizeModelOptions = {},
): Promise<ModelQuantizeResult> {
  const steps = modelSteps(model, calibration, config, opts);
  try {
    let step = noGrad(() => steps.next());
    while (!step.done) {
      const layer = await quantizeLayerAsync(step.value);
      step = noGrad(() => steps.next(layer));
    }
    return step.value;
  } finally {
    steps.return(undefined as never);
  }
}

/** One layer to quantize, handed out by modelSteps; its LayerResult is sent back. */
interface LayerJob {
  view: ReturnType<DecoderModel["decoderView"]>;
  lin: BlockLinear;
  cfg: GptqConfig;
  hessian: Tensor;
  mode: "packed" | "fake";
  compareRtn: boolean;
}

/**
 * The sequential recipe with the quantization of each layer left to the caller: it yields a
 * LayerJob whenever a layer's Hessian is ready and resumes with its result, so one walk serves
 * the synchronous host driver and the asynchronous device one. The drivers run each step under
 * noGrad (calibration passes record no tape).
 */
function* modelSteps(
  model: DecoderModel,
  calibration: Tensor[],
  config: ModelQuantizeConfig,
  opts: QuantizeModelOptions,
): Generator<LayerJob, ModelQuantizeResult, LayerResult> {
  const start = performance.now();
  const { base, rules, resolved } = resolveConfig(config);
  checkCalibration(calibration);
  const mode = opts.mode ?? "packed";
  const view = model.decoderView();
  const plans = view.blocks.map((_, i) => planBlock(blockLinears(view, i), base, rules, mode));
  const total = plans.reduce((n, p) => n + p.quantized.size, 0);
  const layers: LayerResult[] = [];
  const skipped: ModelQuantizeResult["skipped"] = plans.flatMap((p) =>
    p.skipped.map((name) => ({ name, reason: "dynamic" as const })),
  );

  let states = calibration.map((ids) => tidy(() => view.embed(ids)));
  try {
    for (let i = 0; i < view.blocks.length; i++) {
      const plan = plans[i];
      const run = (s: { hidden: Tensor; context: BlockContext }) => view.runBlock(i, s.hidden, s.context);
      const names = new Map<nn.AnyModule, string>(
        [...plan.quantized.values()].map((p) => [p.lin.module, p.lin.name]),
      );
      const order = linearCallOrder(names, () => tidy(() => void run(states[0])));
      for (const name of order.uncalled) skipped.push({ name, reason: "uncalled" });
      for (const step of sequentialSteps(order.buckets, base.trueSequential)) {
        const hessians = captureHessians(step, plan.quantized, states, run);
        for (const [k, bucket] of step.entries()) {
          const hessian = hessians[k].hessian();
          try {
            for (const name of bucket) {
              const { lin, cfg } = plan.quantized.get(name)!;
              const layer = yield { view, lin, cfg, hessian, mode, compareRtn: opts.compareRtn ?? false };
              layers.push(layer);
              opts.onProgress?.({
                ...layer,
                done: layers.length,
                total,
                elapsedSeconds: (performance.now() - start) / 1000,
              });
            }
          } finally {
            hessian.dispose();
            hessians[k].dispose();
          }
        }
      }
      // The quantized block's outputs are the next block's inputs.
      const next = states.map((s) => ({ hidden: tidy(() => run(s)), context: s.context }));
      for (const s of states) s.hidden.dispose();
      states = next;
      // The block's QuantLinears cached float weights for these passes; the walk is done with them.
      for (const m of view.blocks[i].modules()) if (m instanceof QuantLinear) m.releaseCache();
    }
  } finally {
    for (const s of states) {
      s.hidden.dispose();
      releaseDeviceTensors(s.context);
    }
  }
  return { layers, skipped, config: resolved, seconds: (performance.now() - start) / 1000 };
}

export function resolveConfig(config: ModelQuantizeConfig): {
  base: GptqConfig;
  rules: DynamicRules;
  resolved: ResolvedModelConfig;
} {
  const { dynamic = null, ...rest } = config;
  const checkpointFormat = defaultFormat(rest);
  const given = Object.fromEntries(Object.entries(rest).filter(([, v]) => v !== undefined));
  const base: GptqConfig = { ...DEFAULT_GPTQ_CONFIG, checkpointFormat, ...given };
  validate(base, "config"); // QuantizeConfigError naming the field
  const rules = new DynamicRules(dynamic, { source: "config.dynamic", strict: true });
  return { base, rules, resolved: { ...base, dynamic: rules.size ? dynamic : null } };
}

interface BlockPlan {
  quantized: Map<string, { lin: BlockLinear; cfg: GptqConfig }>;
  skipped: string[];
}

export function planBlock(
  lins: BlockLinear[],
  base: GptqConfig,
  rules: DynamicRules,
  mode: "packed" | "fake",
): BlockPlan {
  const plan: BlockPlan = { quantized: new Map(), skipped: [] };
  for (const lin of lins) {
    const cfg = rules.resolve(lin.name, base);
    if (!cfg) {
      plan.skipped.push(lin.name);
      continue;
    }
    if (mode === "packed") checkPackable(lin, cfg.bits);
    plan.quantized.set(lin.name, { lin, cfg });
  }
  return plan;
}

function checkCalibration(calibration: Tensor[]): void {
  if (!Array.isArray(calibration) || calibration.length === 0)
    throw new TypeError("quantizeModel: calibration must be a non-empty array of int32 [B, T] tensors");
  calibration.forEach((t, i) => {
    if (t?.rank !== 2 || t.dtype !== "int32")
      throw new TypeError(
        `quantizeModel: calibration[${i}] must be int32 [B, T], got ${t?.dtype} [${t?.shape?.join(", ")}]`,
      );
  });
}

/**
 * One pass of the calibration set through the block with a hook on the first layer of each
 * bucket (its siblings see the same input, so one Hessian serves them all). The pass stops as
 * soon as every hooked layer has been called: attention and MLP after the last hooked layer
 * would be computed for nothing.
 */
function captureHessians(
  step: string[][],
  layers: BlockPlan["quantized"],
  states: { hidden: Tensor; context: BlockContext }[],
  run: (s: { hidden: Tensor; context: BlockContext }) => Tensor,
): HessianAccumulator[] {
  const accs = step.map((b) => new HessianAccumulator(layers.get(b[0])!.lin.module.inFeatures));
  let seen = 0;
  const removers = step.map((b, k) =>
    layers.get(b[0])!.lin.module.registerForwardHook((_m, args) => {
      accs[k].add(args[0]);
      if (++seen === step.length) throw new StopForward();
    }),
  );
  try {
    for (const s of states) {
      seen = 0;
      tidy(() => {
        try {
          run(s);
        } catch (e) {
          if (!(e instanceof StopForward)) throw e;
        }
      });
    }
  } finally {
    for (const remove of removers) remove();
  }
  return accs;
}

/**
 * Frees the device tensors an embed step put in a block context (rotary tables, masks): they are
 * per-forward copies there, which nothing else holds. Host tensors are left to the garbage
 * collector, since a model may hand out a cached table on the host.
 */
function releaseDeviceTensors(value: unknown, seen = new Set<unknown>()): void {
  if (!value || typeof value !== "object" || seen.has(value)) return;
  seen.add(value);
  if ((value as Tensor).isTensor === true) {
    const t = value as Tensor;
    if (t.device !== "cpu" && !t.persistent) t.dispose();
    return;
  }
  if (Array.isArray(value)) for (const v of value) releaseDeviceTensors(v, seen);
  else if (Object.getPrototypeOf(value) === Object.prototype)
    for (const v of Object.values(value)) releaseDeviceTensors(v, seen);
}

function gptqOptions(cfg: GptqConfig) {
  return {
    bits: cfg.bits,
    groupSize: cfg.groupSize,
    sym: cfg.sym,
    actOrder: cfg.descAct,
    staticGroups: cfg.staticGroups,
    percDamp: cfg.dampPercent,
  };
}

function layerResult(
  job: LayerJob,
  loss: number,
  error: number,
  rtnError: number | undefined,
  t0: number,
): LayerResult {
  return {
    name: job.lin.name,
    block: job.lin.block,
    method: "gptq",
    bits: job.cfg.bits,
    groupSize: job.cfg.groupSize,
    loss,
    error,
    ...(rtnError === undefined ? {} : { rtnError }),
    seconds: (performance.now() - t0) / 1000,
  };
}

function quantizeLayer(job: LayerJob): LayerResult {
  const t0 = performance.now();
  const { lin, cfg, hessian: h } = job;
  const w = lin.module.weight;
  const q = gptqQuantize(w, h, gptqOptions(cfg));
  const error = relativeOutputError(w, q.dequantized, h);
  const rtnError = job.compareRtn ? relativeOutputError(w, rtnQuantize(w, cfg).dequantized, h) : undefined;
  installQuantized(job.view, lin, q, job.mode);
  return layerResult(job, q.loss, error, rtnError, t0);
}

/** quantizeLayer where the weight and Hessian may be on a device: GPTQ and the errors run there. */
async function quantizeLayerAsync(job: LayerJob): Promise<LayerResult> {
  if (job.lin.module.weight.device === "cpu" && job.hessian.device === "cpu") return quantizeLayer(job);
  const t0 = performance.now();
  const { lin, cfg, hessian: h } = job;
  const w = lin.module.weight;
  const q = await gptqQuantizeAsync(w, h, gptqOptions(cfg));
  try {
    const error = await relativeOutputErrorAsync(w, q.dequantized, h);
    let rtnError: number | undefined;
    if (job.compareRtn) {
      // Round-to-nearest is a host routine; the comparison is a report figure, so the weight
      // makes one trip.
      const rtn = rtnQuantize(await w.toAsync("cpu"), cfg).dequantized.to(w.device);
      rtnError = await relativeOutputErrorAsync(w, rtn, h);
      rtn.dispose();
    }
    if (job.mode === "fake") installQuantized(job.view, lin, q, "fake");
    else {
      // Packing is bit work on the host; the QuantLinear goes back to the weight's device.
      // Packing reads codes and grids only: the float weight (the largest tensor) stays put.
      const onHost = {
        ...q,
        codes: await q.codes.toAsync("cpu"),
        scale: await q.scale.toAsync("cpu"),
        zero: await q.zero.toAsync("cpu"),
        gIdx: await q.gIdx.toAsync("cpu"),
      };
      installQuantized(job.view, lin, onHost, "packed");
      // The replaced Linear's float weight would otherwise hold device memory until exit.
      w.dispose();
    }
    return layerResult(job, q.loss, error, rtnError, t0);
  } finally {
    for (const t of [q.dequantized, q.codes, q.scale, q.zero, q.gIdx]) t.dispose();
  }
}
