import type { Schema } from "./validate.js";

/** What an experiment file may say. The types below mirror the schema. */
const str = (optional = false, e?: readonly string[]): Schema => ({ type: "string", optional, enum: e });
const num = (
  optional = false,
  extra: { min?: number; max?: number; integer?: boolean; enum?: number[] } = {},
): Schema => ({
  type: "number",
  optional,
  ...extra,
});
const bool: Schema = { type: "boolean", optional: true };
const obj = (properties: Record<string, Schema>, optional = false): Schema & { type: "object" } => ({
  type: "object",
  properties,
  optional,
});

const dataSchema: Schema = {
  type: "union",
  tag: "kind",
  variants: {
    gsm8k: obj({ kind: str(), path: str(), limit: num(true, { min: 1, integer: true }) }),
    "toy-gsm8k": obj({
      kind: str(),
      count: num(false, { min: 1, integer: true }),
      seed: num(true),
      split: str(true, ["train", "heldout"]),
    }),
    rupbench: obj({
      kind: str(),
      path: str(),
      files: { type: "array", items: str(), optional: true },
      limit: num(true, { min: 1 }),
    }),
    "toy-rupbench": obj({
      kind: str(),
      count: num(false, { min: 1, integer: true }),
      seed: num(true),
      split: str(true, ["train", "heldout"]),
      questions: str(true, ["choice", "word-problems"]),
    }),
    text: obj({ kind: str(), path: str(), maxChars: num(true, { min: 1 }) }),
    c4: obj({ kind: str(), path: str() }),
    mmlu: obj({
      kind: str(),
      path: str(),
      subjects: { type: "array", items: str(), optional: true },
      limit: num(true),
    }),
    squad: obj({ kind: str(), path: str(), limit: num(true) }),
    instructions: obj({ kind: str(), path: str(), limit: num(true) }),
  },
};

const quantizeSchema: Schema = {
  type: "union",
  tag: "method",
  optional: true,
  variants: {
    gptq: obj({
      method: str(),
      bits: num(false, { enum: [2, 3, 4, 8] }),
      groupSize: num(true, { integer: true }),
      actOrder: bool,
      sym: bool,
      calibration: str(),
      nsamples: num(true, { min: 1, integer: true }),
      seqLen: num(true, { min: 2, integer: true }),
      dynamic: { type: "object", properties: {}, additional: { type: "any" }, optional: true },
    }),
    rtn: obj({ method: str(), bits: num(false, { enum: [2, 3, 4, 8] }), groupSize: num(true), sym: bool }),
    int8: obj({ method: str() }),
  },
};

const teacherSchema: Schema = {
  type: "union",
  tag: "kind",
  optional: true,
  variants: {
    model: obj({ kind: str(), variant: str(true), path: str(true) }),
    cache: obj({ kind: str(), path: str() }),
    served: obj({
      kind: str(),
      endpoint: str(),
      model: str(),
      topK: num(false, { min: 1, integer: true }),
      apiKeyEnv: str(true),
    }),
  },
};

const variantSchema = obj({
  name: str(),
  from: str(true),
  quantize: quantizeSchema,
  sparsify: obj(
    {
      groups: num(false, { min: 1, integer: true }),
      rank: num(false, { min: 0, integer: true }),
      include: { type: "array", items: str(), optional: true },
      calibration: str(true),
      fitEpochs: num(true, { min: 0, integer: true }),
    },
    true,
  ),
  distill: obj(
    {
      teacher: teacherSchema,
      data: str(),
      loss: str(true, [
        "forward_kl",
        "reverse_kl",
        "symmetric_kl",
        "jsd",
        "skew_kl",
        "skew_reverse_kl",
        "tvd",
      ]),
      temperature: num(true, { min: 0 }),
      steps: num(false, { min: 1, integer: true }),
      lr: num(true, { min: 0 }),
      batchSize: num(true, { min: 1, integer: true }),
      seqLen: num(true, { min: 2, integer: true }),
    },
    true,
  ),
});

const evalSchema: Schema = {
  type: "union",
  tag: "task",
  variants: {
    gsm8k: obj({
      task: str(),
      data: str(),
      maxNewTokens: num(true, { min: 1 }),
      prompt: str(true, ["zero-shot", "cot"]),
      shots: num(true, { min: 0, max: 8, integer: true }),
      chatTemplate: bool,
      systemPrompt: str(true),
    }),
    rupbench: obj({
      task: str(),
      data: str(),
      mode: str(true, ["loglikelihood", "generate"]),
      continuation: str(true, ["text", "label", "label-text"]),
      prompt: str(true, ["rupbench", "plain"]),
      maxNewTokens: num(true, { min: 1, integer: true }),
      perturbations: { type: "array", items: str(), optional: true },
    }),
    perplexity: obj({
      task: str(),
      data: str(),
      seqLen: num(true, { min: 2 }),
      stride: num(true, { min: 1 }),
    }),
    mmlu: obj({
      task: str(),
      data: str(),
      shots: num(true, { min: 0, integer: true }),
      chatTemplate: bool,
      systemPrompt: str(true),
    }),
    squad: obj({ task: str(), data: str(), maxNewTokens: num(true, { min: 1 }) }),
  },
};

export const experimentSchema: Schema = obj({
  name: str(),
  description: str(true),
  model: str(),
  output: str(true),
  seed: num(true, { integer: true }),
  device: str(true, ["cpu", "cuda"]),
  data: { type: "object", properties: {}, additional: dataSchema },
  variants: { type: "array", items: variantSchema, minItems: 1 },
  evaluate: { type: "array", items: evalSchema },
  sensitivity: obj(
    {
      variant: str(true),
      eval: num(false, { min: 0, integer: true }),
      bits: num(false, { enum: [2, 3, 4, 8] }),
      granularity: str(true, ["layer", "module"]),
      budget: num(true, { min: 0, max: 1 }),
    },
    true,
  ),
  samples: { type: "array", items: str(), optional: true },
});

export type DataSpec =
  | { kind: "gsm8k"; path: string; limit?: number }
  | { kind: "toy-gsm8k"; count: number; seed?: number; split?: "train" | "heldout" }
  | { kind: "rupbench"; path: string; files?: string[]; limit?: number }
  | {
      kind: "toy-rupbench";
      count: number;
      seed?: number;
      split?: "train" | "heldout";
      /** "choice" (default): the toy multiple-choice items; "word-problems": the toy GSM8K problems, perturbed. */
      questions?: "choice" | "word-problems";
    }
  | { kind: "text"; path: string; maxChars?: number }
  | { kind: "c4"; path: string }
  | { kind: "mmlu"; path: string; subjects?: string[]; limit?: number }
  | { kind: "squad"; path: string; limit?: number }
  | { kind: "instructions"; path: string; limit?: number };

export type QuantizeSpec =
  | {
      method: "gptq";
      bits: 2 | 3 | 4 | 8;
      groupSize?: number;
      actOrder?: boolean;
      sym?: boolean;
      calibration: string;
      nsamples?: number;
      seqLen?: number;
      dynamic?: Record<string, unknown>;
    }
  | { method: "rtn"; bits: 2 | 3 | 4 | 8; groupSize?: number; sym?: boolean }
  | { method: "int8" };

export type TeacherSpec =
  | { kind: "model"; variant?: string; path?: string }
  /** A top-k cache written by `shrinkray cache-teacher` over the same data and seqLen. */
  | { kind: "cache"; path: string }
  | { kind: "served"; endpoint: string; model: string; topK: number; apiKeyEnv?: string };

export interface VariantSpec {
  name: string;
  from?: string;
  quantize?: QuantizeSpec;
  sparsify?: { groups: number; rank: number; include?: string[]; calibration?: string; fitEpochs?: number };
  distill?: {
    teacher?: TeacherSpec;
    data: string;
    loss?: string;
    temperature?: number;
    steps: number;
    lr?: number;
    batchSize?: number;
    seqLen?: number;
  };
}

export type EvalSpec =
  | {
      task: "gsm8k";
      data: string;
      maxNewTokens?: number;
      /** "few-shot" needs a train set the schema does not carry yet, so it is not offered. */
      prompt?: "zero-shot" | "cot";
      /** Chain-of-thought exemplars, the first `shots` of lm-eval's gsm8k_cot eight (default 8; 0: zero-shot). */
      shots?: number;
      /** Render prompts with the model's chat template, exemplars as turns (lm-eval's --apply_chat_template). */
      chatTemplate?: boolean;
      systemPrompt?: string;
    }
  | {
      task: "rupbench";
      data: string;
      mode?: "loglikelihood" | "generate";
      continuation?: "text" | "label" | "label-text";
      /** "rupbench" (default): the benchmark's system line and layout; "plain": "Question: ...\nAnswer:". */
      prompt?: "rupbench" | "plain";
      maxNewTokens?: number;
      perturbations?: string[];
    }
  | { task: "perplexity"; data: string; seqLen?: number; stride?: number }
  | {
      task: "mmlu";
      data: string;
      /** Exemplars per subject from the dev split beside the test one (default 0). */
      shots?: number;
      chatTemplate?: boolean;
      systemPrompt?: string;
    }
  | { task: "squad"; data: string; maxNewTokens?: number };

export interface Experiment {
  name: string;
  description?: string;
  model: string;
  output?: string;
  seed?: number;
  /**
   * Where evaluation, samples, layer-wise fitting, distillation and GPTQ run (RTN, int8 and the
   * sparse layers' initialisation stay on the CPU); default "cpu".
   */
  device?: "cpu" | "cuda";
  data: Record<string, DataSpec>;
  variants: VariantSpec[];
  evaluate: EvalSpec[];
  sensitivity?: {
    variant?: string;
    eval: number;
    bits: 2 | 3 | 4 | 8;
    granularity?: "layer" | "module";
    budget?: number;
  };
  samples?: string[];
}
