import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { distill, openTeacherCache, topkTeacher } from "@shrinkray/distill";
import {
  int8QuantizeModel,
  QuantLinear,
  quantizeModelAsync,
  rtnQuantizeModel,
  saveQuantized,
} from "@shrinkray/gptq";
import { type CausalLM, loadPretrained } from "@shrinkray/models";
import { createRemoteTeacher } from "@shrinkray/openai-lm";
import { applySparsityConfig, fitLayerwiseAsync, sparsify, sparsityConfigOf } from "@shrinkray/sparse-layers";
import { Generator, nn } from "@shrinkray/tensor-cuda";
import { RunnerError } from "../cli/errors.js";
import { resolvePath } from "../experiment/load.js";
import type { Experiment, VariantSpec } from "../experiment/schema.js";
import { calibrationBatches, datasetText } from "./calibration.js";
import type { Dataset } from "./data.js";
import { withModelsAndBatchesOn, withModelsOn } from "./device.js";
import { type StoredModel, storeModel } from "./model-store.js";
import { textSequences } from "./sequences.js";

export interface VariantInfo {
  method: string;
  bitsPerWeight?: number;
  parameters: number;
  sizeOnDiskBytes: number;
  stored: StoredModel;
  curves?: Record<string, [number, number][]>;
  extra?: Record<string, unknown>;
}

export interface VariantContext {
  experiment: Experiment;
  baseDir: string;
  modelDir: string;
  variantDir: string;
  parent: CausalLM | null;
  getModel(name: string): Promise<CausalLM>;
  data(name: string): Promise<Dataset>;
  log(line: string): void;
}

/** Weights in the decoder blocks' Linear layers: what quantization and sparsity act on. */
function linearWeights(model: CausalLM): number {
  let n = 0;
  for (const [name, m] of model.namedModules())
    if (m instanceof nn.Linear && !/lm_head/.test(name)) n += m.weight.size;
  return n;
}

/**
 * Builds one variant: starts from the base model (or the variant named by `from`), applies
 * sparsify → distill → quantize in that order when given, and writes the result to its folder.
 */
export async function buildVariant(
  v: VariantSpec,
  ctx: VariantContext,
): Promise<{ model: CausalLM; info: VariantInfo }> {
  // A fresh copy: variants never share weights, whatever the order they are built in.
  const model = ctx.parent ? await reload(ctx.parent, ctx) : await loadPretrained(ctx.modelDir);
  const methods: string[] = [];
  let bits: number | undefined = 32;
  let sparse = false;
  const extra: Record<string, unknown> = {};
  const curves: Record<string, [number, number][]> = {};
  const seed = ctx.experiment.seed ?? 0;

  if (v.sparsify) {
    const s = v.sparsify;
    const include = s.include ?? [
      "(q|k|v|o)_proj$",
      "(gate|up|down)_proj$",
      "c_attn$",
      "c_proj$",
      "c_fc$",
      "fc1$",
      "fc2$",
      "out_proj$",
    ];
    const { report, replaced } = sparsify(model, {
      rules: include.map((pattern) => ({ pattern, groups: s.groups, rank: s.rank })),
      exclude: ["lm_head"],
    });
    ctx.log(
      `sparsify: ${report.modelParamsBefore.toLocaleString()} → ${report.modelParamsAfter.toLocaleString()} parameters`,
    );
    extra.sparsify = { paramsBefore: report.modelParamsBefore, paramsAfter: report.modelParamsAfter };
    if (s.calibration && (s.fitEpochs ?? 10) > 0) {
      const batches = calibrationBatches(await ctx.data(s.calibration), tokenizerOf(model), {
        nsamples: 16,
        seqLen: 64,
        seed,
      });
      // Layer-wise fitting runs where the experiment runs: on "cuda" the captured activations,
      // the training and the optimizer state stay on the device (fitLayerwiseAsync).
      const device = ctx.experiment.device ?? "cpu";
      const fits = await withModelsAndBatchesOn(device, [model], batches, (onDevice) =>
        fitLayerwiseAsync(
          model,
          replaced,
          { batches: onDevice, run: (m, b) => (m as CausalLM).call(b) },
          { epochs: s.fitEpochs ?? 10, generator: new Generator(seed) },
        ),
      );
      extra.fit = fits.map((f) => ({
        layer: f.name,
        relErrorBefore: f.relErrorBefore,
        relErrorAfter: f.relErrorAfter,
      }));
    }
    methods.push(`grouped(g=${s.groups})+lowrank(r=${s.rank})`);
    sparse = true;
  }

  if (v.distill) {
    const d = v.distill;
    const tok = tokenizerOf(model);
    const text = datasetText(await ctx.data(d.data));
    const seqLen = d.seqLen ?? 64;
    const seqs = textSequences(tok, text, seqLen, `distill: dataset "${d.data}"`);
    const teacherSpec = d.teacher ?? { kind: "model" as const };
    let teacher: Parameters<typeof distill>[0]["teacher"];
    if (teacherSpec.kind === "served") {
      const remote = createRemoteTeacher({
        endpoint: teacherSpec.endpoint,
        model: teacherSpec.model,
        topK: teacherSpec.topK,
        apiKeyEnv: teacherSpec.apiKeyEnv,
      });
      teacher = topkTeacher(remote as never, { vocabSize: model.vocabSize, k: teacherSpec.topK });
    } else if (teacherSpec.kind === "cache") {
      teacher = await openTeacherCache(resolvePath(ctx.baseDir, teacherSpec.path), { data: seqs });
    } else if (teacherSpec.path) teacher = await loadPretrained(resolvePath(ctx.baseDir, teacherSpec.path));
    else teacher = await ctx.getModel(teacherSpec.variant ?? ctx.experiment.variants[0].name);
    // Student and an in-process teacher go to the experiment's device for the run, and back.
    const onDevice = teacher instanceof nn.Module ? [model, teacher] : [model];
    const result = await withModelsOn(ctx.experiment.device ?? "cpu", onDevice, () =>
      distill({
        teacher,
        student: model,
        data: seqs,
        loss: { kind: (d.loss ?? "forward_kl") as never, temperature: d.temperature ?? 1 },
        optimizer: { lr: d.lr ?? 1e-3 },
        steps: d.steps,
        batchSize: d.batchSize ?? 8,
        seed,
        checkpointDir: join(ctx.variantDir, "distill-checkpoints"),
        checkpointEvery: Math.max(1, Math.floor(d.steps / 4)),
        resume: true,
        onProgress: (p) => {
          if (p.step % 10 === 0 || p.step === d.steps) {
            ctx.log(
              `distill: step ${p.step}/${p.totalSteps} loss ${p.loss.toFixed(4)} ${p.tokensPerSecond.toFixed(0)} tok/s eta ${p.etaSeconds === null ? "?" : p.etaSeconds.toFixed(0)} s`,
            );
          }
        },
      }),
    );
    curves["distill loss"] = result.lossCurve.map((p) => [p.step, p.loss]);
    extra.distill = {
      steps: result.steps,
      tokensPerSecond: result.tokensPerSecond,
      finalEval: result.finalEval,
    };
    methods.push(`distill(${result.loss})`);
  }

  let packed: Parameters<typeof saveQuantized>[2]["quantizeConfig"] | null = null;
  if (v.quantize) {
    const q = v.quantize;
    if (sparse)
      throw new RunnerError(
        `variant "${v.name}": quantizing a sparsified model is not supported; quantize a dense variant`,
      );
    if (q.method === "int8") {
      int8QuantizeModel(model);
      bits = 8;
      methods.push("int8 (absmax per channel)");
    } else {
      const config = {
        bits: q.bits,
        groupSize: q.groupSize ?? 128,
        sym: q.sym ?? true,
        descAct: q.method === "gptq" ? (q.actOrder ?? false) : false,
        dynamic: q.method === "gptq" ? (q.dynamic as never) : undefined,
      };
      const onProgress = (p: { done: number; total: number; name: string }) =>
        ctx.log(`${q.method}: ${p.done}/${p.total} ${p.name}`);
      // Packed: the Linear layers become QuantLinear and the variant is stored as a real
      // AutoGPTQ-format checkpoint, so its size on disk is measured, not estimated.
      let r: ReturnType<typeof rtnQuantizeModel>;
      if (q.method === "gptq") {
        const batches = calibrationBatches(await ctx.data(q.calibration), tokenizerOf(model), {
          nsamples: q.nsamples ?? 32,
          seqLen: q.seqLen ?? 128,
          seed,
        });
        // GPTQ runs where the experiment runs: on "cuda" the calibration passes, Hessians and
        // the solver stay on the device (quantizeModelAsync), and the model comes back packed.
        const device = ctx.experiment.device ?? "cpu";
        r = await withModelsAndBatchesOn(device, [model], batches, (onDevice) =>
          quantizeModelAsync(model, onDevice, config, { mode: "packed", onProgress, compareRtn: true }),
        );
        extra.layers = r.layers.map((l) => ({ name: l.name, error: l.error, rtnError: l.rtnError }));
      } else {
        r = rtnQuantizeModel(model, config, { mode: "packed", onProgress });
      }
      packed = r.config;
      // Per weight: the code, plus an fp16 scale and a packed zero shared by each group.
      bits = q.bits + (config.groupSize > 0 ? (16 + q.bits) / config.groupSize : 0);
      methods.push(`${q.method} ${q.bits}-bit g${config.groupSize}`);
    }
  }

  let stored: StoredModel;
  if (packed) {
    await saveQuantized(ctx.variantDir, model, {
      hfConfig: model.config as Record<string, unknown>,
      quantizeConfig: packed,
    });
    stored = { format: "gptq", dir: ctx.variantDir, baseDir: ctx.modelDir };
  } else stored = await storeModel(model, ctx.variantDir, ctx.modelDir, sparse);
  return {
    model,
    info: {
      method: methods.length ? methods.join(" + ") : "baseline (float32)",
      bitsPerWeight: bits,
      parameters: parameterCount(model),
      sizeOnDiskBytes: packed ? weightBytes(ctx.variantDir) : estimatedSize(model, bits),
      stored,
      curves: Object.keys(curves).length ? curves : undefined,
      extra: { ...extra, linearWeights: linearWeights(model) },
    },
  };
}

/**
 * Bytes the weights take at their bit-width: quantized linears at `bits` (scales included in
 * `bits`), everything else at 16 bits, as a checkpoint of the quantized model stores them.
 */
function estimatedSize(model: CausalLM, bits: number | undefined): number {
  const lin = linearWeights(model);
  const rest = model.numParameters() - lin;
  return Math.round((lin * (bits ?? 32)) / 8 + rest * (bits === 32 || bits === undefined ? 4 : 2));
}

/** Parameters, counting a quantized layer's weights as the elements they stand for. */
function parameterCount(model: CausalLM): number {
  let n = model.numParameters();
  for (const m of model.modules()) if (m instanceof QuantLinear) n += m.inFeatures * m.outFeatures;
  return n;
}

/** Bytes of the weight files in a checkpoint folder. */
function weightBytes(dir: string): number {
  return readdirSync(dir)
    .filter((f) => f.endsWith(".safetensors"))
    .reduce((sum, f) => sum + statSync(join(dir, f)).size, 0);
}

function tokenizerOf(model: CausalLM) {
  if (!model.tokenizer) throw new RunnerError("the model directory has no tokenizer.json");
  return model.tokenizer;
}

async function reload(parent: CausalLM, ctx: VariantContext): Promise<CausalLM> {
  if (parent.modules().some((m) => m instanceof QuantLinear)) {
    throw new RunnerError(
      "a variant cannot start from a GPTQ/RTN-quantized one; start from a float variant and quantize last",
    );
  }
  const copy = await loadPretrained(ctx.modelDir);
  // A sparsified parent has other modules: give the copy the same structure before loading.
  applySparsityConfig(copy, sparsityConfigOf(parent));
  copy.loadStateDict(parent.stateDict());
  return copy;
}
