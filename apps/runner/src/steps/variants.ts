import { join } from "node:path";
import { distill, openTeacherCache, topkTeacher } from "@shrinkray/distill";
import {
  dequantizeModel,
  gptqCheckpoint,
  int8QuantizeModel,
  type ModelQuantizeConfig,
  QuantLinear,
  quantizeModelAsync,
  rtnQuantizeModel,
} from "@shrinkray/gptq";
import { type CausalLM, configDtype, type ModelCard, saveModel } from "@shrinkray/models";
import { createRemoteTeacher } from "@shrinkray/openai-lm";
import {
  fitLayerwiseAsync,
  mergeSparse,
  sparseCheckpoint,
  sparsify,
  sparsityConfigOf,
} from "@shrinkray/sparse-layers";
import { Generator, nn } from "@shrinkray/tensor-cuda";
import { RunnerError } from "../cli/errors.js";
import { resolvePath } from "../experiment/load.js";
import type { Experiment, VariantSpec } from "../experiment/schema.js";
import { calibrationBatches, datasetText } from "./calibration.js";
import type { Dataset } from "./data.js";
import { withModelsAndBatchesOn, withModelsOn } from "./device.js";
import { loadModelDir, type StoredModel, weightBytes } from "./model-store.js";
import { textSequences } from "./sequences.js";

export interface VariantInfo {
  method: string;
  bitsPerWeight?: number;
  parameters: number;
  sizeOnDiskBytes: number;
  stored: StoredModel;
  curves?: Record<string, [number, number][]>;
  extra?: Record<string, unknown>;
  /** The model card written with the directory (metrics are added once measured). */
  card?: ModelCard;
}

export interface VariantContext {
  experiment: Experiment;
  baseDir: string;
  modelDir: string;
  /** Where the variant's complete model directory goes (replaced whole when written). */
  variantDir: string;
  /** Scratch space for the variant's own checkpoints (distillation); never inside variantDir. */
  workDir: string;
  parent: CausalLM | null;
  /** The parent variant's model directory (the source model's for a variant without `from`). */
  parentDir: string | null;
  /** The model card's heading (default: the variant's name). */
  title?: string;
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
 * Builds one variant: starts from the source model (or the variant named by `from`), applies
 * sparsify → distill → quantize in that order when given, and writes the result to its folder as
 * a complete model directory (config, weights, tokenizer, generation config, model card). A
 * variant that changes nothing is not copied: it points at its parent's directory.
 */
export async function buildVariant(
  v: VariantSpec,
  ctx: VariantContext,
): Promise<{ model: CausalLM; info: VariantInfo }> {
  // A fresh copy: variants never share weights, whatever the order they are built in.
  const model = ctx.parent ? await reload(ctx.parent, ctx) : await loadModelDir(ctx.modelDir);
  const sourceDir = ctx.parentDir ?? ctx.modelDir;
  const quantizedAlready = model.modules().some((m) => m instanceof QuantLinear);
  const methods: string[] = [];
  if (quantizedAlready && (v.sparsify || v.distill || v.quantize)) {
    // Sparsifying, training or re-quantizing work on float Linear layers: the packed layers
    // become the float weights they compute (the result is saved as what the methods make it).
    const n = dequantizeModel(model).length;
    ctx.log(`${v.name}: ${sourceDir} is GPTQ-quantized; ${n} layers dequantized to float first`);
    methods.push("dequantized GPTQ");
  }
  let sparse = sparsityConfigOf(model).layers.length > 0;
  let bits: number | undefined = 32;
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
      const batches = calibrationBatches(await ctx.data(s.calibration), tokenizerOf(model, sourceDir), {
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
    const tok = tokenizerOf(model, sourceDir);
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
    } else if (teacherSpec.path) teacher = await loadModelDir(resolvePath(ctx.baseDir, teacherSpec.path));
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
        checkpointDir: join(ctx.workDir, "distill-checkpoints"),
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

  let packed: ModelQuantizeConfig | null = null;
  const settings: Record<string, string | number | boolean | null> = {};
  if (v.sparsify) Object.assign(settings, { groups: v.sparsify.groups, rank: v.sparsify.rank });
  if (v.distill)
    Object.assign(settings, {
      "distill steps": v.distill.steps,
      "distill loss": v.distill.loss ?? "forward_kl",
    });
  if (v.quantize) {
    const q = v.quantize;
    if (sparse) {
      // GPTQ, RTN and int8 work on Linear layers: a sparse layer is merged into the dense
      // weight it computes first, so the result is a plain GPTQ directory every loader reads.
      const merged = mergeSparse(model);
      ctx.log(`quantize: merged ${merged.length} grouped/low-rank layers into dense Linears first`);
      methods.push("merged dense");
      sparse = false;
    }
    if (q.method === "int8") {
      const r = int8QuantizeModel(model, { mode: "packed" });
      packed = r.config;
      // Per weight: the code, plus an fp16 scale per output channel (a whole row's cost, negligible).
      bits = 8;
      methods.push("int8 (absmax per channel)");
      Object.assign(settings, {
        method: "int8 (absmax per channel)",
        bits: 8,
        "stored as": "GPTQ 8-bit, group_size -1, sym",
      });
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
        const batches = calibrationBatches(await ctx.data(q.calibration), tokenizerOf(model, sourceDir), {
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
        Object.assign(settings, {
          calibration: q.calibration,
          nsamples: q.nsamples ?? 32,
          "seq len": q.seqLen ?? 128,
        });
      } else {
        r = rtnQuantizeModel(model, config, { mode: "packed", onProgress });
      }
      packed = r.config;
      // Per weight: the code, plus an fp16 scale and a packed zero shared by each group.
      bits = q.bits + (config.groupSize > 0 ? (16 + q.bits) / config.groupSize : 0);
      methods.push(`${q.method} ${q.bits}-bit g${config.groupSize}`);
      Object.assign(settings, {
        method: q.method,
        bits: q.bits,
        group_size: config.groupSize,
        sym: config.sym,
        desc_act: config.descAct,
        checkpoint_format: r.config.checkpointFormat,
      });
    }
  }

  const method = methods.length ? methods.join(" + ") : "unchanged";
  const card: ModelCard = {
    title: ctx.title ?? v.name,
    baseModel: (model.config._name_or_path as string | undefined) ?? sourceDir,
    method,
    settings,
    tags: methods.length ? methods.map((m) => m.split(" ")[0]) : [],
    notes: [
      packed
        ? "Load with transformers, vLLM or GPTQModel (quantization_config is GPTQModel's), or with `shrinkray eval --model <this directory>`."
        : sparse
          ? "Grouped + low-rank layers (sparsity_config.json): load with `shrinkray eval --model <this directory>` or @shrinkray/sparse-layers' sparseWeightFormat; transformers does not read them."
          : "A float Hugging Face model directory.",
    ],
  };
  let stored: StoredModel;
  let written = model;
  const dtype = configDtype(model.config) ?? "float32";
  if (!methods.length) {
    stored = { dir: sourceDir };
    if (!quantizedAlready) bits = storageBits(dtype);
  } else {
    const checkpoint = packed
      ? gptqCheckpoint(model, { quantizeConfig: packed, hfConfig: model.config })
      : sparse
        ? sparseCheckpoint(model, { dtype })
        : undefined;
    await saveModel(model, ctx.variantDir, { checkpoint, card });
    stored = { dir: ctx.variantDir };
    const storedDtype = (checkpoint?.config?.torch_dtype as string | undefined) ?? dtype;
    if (!packed) bits = storageBits(storedDtype);
    // Float weights stored narrower than the float32 they were computed in are rounded on disk:
    // the variant evaluated (and built on) is the directory as written, so its model card, a
    // resumed run and a later `eval` of the directory report the same numbers.
    if (storedDtype !== "float32") written = await loadModelDir(ctx.variantDir);
  }
  return {
    model: written,
    info: {
      method: methods.length
        ? method
        : quantizedAlready
          ? "as given (GPTQ)"
          : sparse
            ? "as given (grouped + low-rank)"
            : "baseline (float32)",
      bitsPerWeight: quantizedAlready && !methods.length ? quantizedBits(model) : bits,
      parameters: parameterCount(model),
      sizeOnDiskBytes: weightBytes(stored.dir),
      stored,
      curves: Object.keys(curves).length ? curves : undefined,
      extra: { ...extra, linearWeights: linearWeights(model) },
      card,
    },
  };
}

/** Bits per weight of float weights stored as `dtype` (a config's torch_dtype). */
const storageBits = (dtype: string) => (dtype === "float32" ? 32 : 16);

/**
 * Average bits per weight of the block Linear layers of a model that is GPTQ-quantized already:
 * each packed layer at its bits plus a float16 scale and a packed zero per group, float ones at 32.
 */
function quantizedBits(model: CausalLM): number {
  let bits = 0;
  let weights = 0;
  for (const [name, m] of model.namedModules()) {
    if (/lm_head/.test(name)) continue;
    if (m instanceof QuantLinear) {
      const n = m.inFeatures * m.outFeatures;
      bits += n * (m.bits + (m.groupSize > 0 ? (16 + m.bits) / m.groupSize : 0));
      weights += n;
    } else if (m instanceof nn.Linear) {
      bits += m.weight.size * 32;
      weights += m.weight.size;
    }
  }
  return weights ? bits / weights : 32;
}

/** Parameters, counting a quantized layer's weights as the elements they stand for. */
function parameterCount(model: CausalLM): number {
  let n = model.numParameters();
  for (const m of model.modules()) if (m instanceof QuantLinear) n += m.inFeatures * m.outFeatures;
  return n;
}

function tokenizerOf(model: CausalLM, dir: string) {
  if (!model.tokenizer)
    throw new RunnerError(
      `${dir}: the model directory has no tokenizer.json (calibration and distillation data are text)`,
    );
  return model.tokenizer;
}

/**
 * A copy of the parent variant to build on: its own directory loaded (so every layer has the
 * parent's structure, quantized or sparse), then its in-memory state copied over it, exactly.
 */
async function reload(parent: CausalLM, ctx: VariantContext): Promise<CausalLM> {
  const copy = await loadModelDir(ctx.parentDir ?? ctx.modelDir);
  copy.loadStateDict(parent.stateDict());
  return copy;
}
