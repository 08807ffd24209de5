/**
 * The train-toy recipe: generate the corpus from a seed, learn the tokenizer's merges on it,
 * build the teacher, and train it with AdamW, a cosine schedule and gradient clipping. The
 * loss is next-token cross-entropy on the completions (worked answers, option letters) and,
 * at a small weight, on the prompts.
 */

import { createRng, PERTURBATIONS } from "@shrinkray/eval-rupbench";
import type { CausalLM } from "@shrinkray/models";
import { crossEntropy, optim, Tensor, tidy } from "@shrinkray/tensor-cuda";
import { choiceExample, type Example, gsmExample } from "./format.js";
import { wordProblems } from "./tasks/arithmetic.js";
import { choiceItems } from "./tasks/choice.js";
import {
  createTeacher,
  DEFAULT_SHAPE,
  type TeacherShape,
  type ToyTokenizerFiles,
  toyTokenizer,
} from "./teacher.js";
import { trainBpe } from "./tokenizer.js";

export interface ToyRecipe {
  seed: number;
  shape: TeacherShape;
  /** BPE merges learnt on the corpus. */
  merges: number;
  /** Training items: word problems and multiple-choice questions. */
  wordProblems: number;
  choiceQuestions: number;
  /** Share of multiple-choice examples shown with a random RUPBench perturbation. */
  perturbedShare: number;
  steps: number;
  batchSize: number;
  lr: number;
  minLrRatio: number;
  warmupSteps: number;
  weightDecay: number;
  clipNorm: number;
  /** Loss weight of prompt tokens relative to completion tokens. */
  promptWeight: number;
}

export const DEFAULT_RECIPE: ToyRecipe = {
  seed: 1,
  shape: DEFAULT_SHAPE,
  merges: 400,
  wordProblems: 40_000,
  choiceQuestions: 8_000,
  perturbedShare: 0.3,
  steps: 1000,
  batchSize: 32,
  lr: 3e-3,
  minLrRatio: 0.05,
  warmupSteps: 50,
  weightDecay: 0.05,
  clipNorm: 1,
  promptWeight: 0.1,
};

/** The training examples of a recipe, in a fixed order. */
export function trainingExamples(r: ToyRecipe): Example[] {
  const gsm = wordProblems({ split: "train", seed: r.seed, count: r.wordProblems }).map(gsmExample);
  const rng = createRng("toy-perturbed-training", r.seed);
  const choice = choiceItems({ split: "train", seed: r.seed, count: r.choiceQuestions }).map((item) =>
    choiceExample(
      item,
      rng.next() < r.perturbedShare ? item.perturbed[rng.pick(PERTURBATIONS)] : item.original,
    ),
  );
  return [...gsm, ...choice];
}

/** The tokenizer, with merges learnt on a slice of the examples. */
export function learnTokenizer(examples: readonly Example[], r: ToyRecipe): ToyTokenizerFiles {
  const step = Math.max(1, Math.floor(examples.length / 6000));
  const texts = examples.filter((_, i) => i % step === 0).map((e) => e.prompt + e.completion);
  return toyTokenizer(trainBpe(texts, { merges: r.merges }), r.shape.maxPositions);
}

interface Encoded {
  ids: Int32Array;
  /** Loss weight of predicting ids[t + 1] from ids[..t]. */
  weights: Float32Array;
}

export function encodeExamples(
  tok: ToyTokenizerFiles,
  examples: readonly Example[],
  maxLength: number,
): Encoded[] {
  const eos = tok.tokenizer.specialTokenId("eos")!;
  const out: Encoded[] = [];
  for (const e of examples) {
    const prompt = tok.tokenizer.encode(e.prompt);
    const completion = [...tok.tokenizer.encode(e.completion, { addSpecialTokens: false }), eos];
    const ids = Int32Array.from([...prompt, ...completion]);
    if (ids.length > maxLength) continue;
    const weights = new Float32Array(ids.length - 1);
    weights.fill(1);
    // Target t+1 is a prompt token for t + 1 < prompt.length.
    for (let t = 0; t + 1 < prompt.length; t++) weights[t] = 0;
    out.push({ ids, weights });
  }
  return out;
}

export interface TrainProgress {
  step: number;
  steps: number;
  loss: number;
  lr: number;
  tokensPerSecond: number;
  elapsedSeconds: number;
  etaSeconds: number;
}

/** Trains in place; returns the loss of every step. */
export function trainTeacher(
  model: CausalLM,
  data: readonly Encoded[],
  r: ToyRecipe,
  onProgress?: (p: TrainProgress) => void,
): number[] {
  model.train();
  const decay = model.parameters().filter((p) => p.rank >= 2);
  const keep = model.parameters().filter((p) => p.rank < 2);
  const opt = new optim.AdamW(
    [
      { params: decay, weightDecay: r.weightDecay },
      { params: keep, weightDecay: 0 },
    ],
    { lr: r.lr, betas: [0.9, 0.98], eps: 1e-8 },
  );
  const sched = new optim.LRScheduler(
    opt,
    optim.cosineWithWarmup({ warmupSteps: r.warmupSteps, totalSteps: r.steps, minLrRatio: r.minLrRatio }),
  );
  const rng = createRng("toy-batches", r.seed);
  const losses: number[] = [];
  const start = performance.now();
  let tokens = 0;
  for (let step = 0; step < r.steps; step++) {
    const batch = Array.from({ length: r.batchSize }, () => data[rng.int(data.length)]);
    const T = Math.max(...batch.map((e) => e.ids.length)) - 1;
    const input = new Int32Array(batch.length * T);
    const target = new Int32Array(batch.length * T);
    const weight = new Float32Array(batch.length * T);
    batch.forEach((e, b) => {
      const n = e.ids.length - 1;
      input.set(e.ids.subarray(0, n), b * T);
      target.set(e.ids.subarray(1), b * T);
      for (let t = 0; t < n; t++) weight[b * T + t] = e.weights[t] === 0 ? r.promptWeight : 1;
      tokens += n;
    });
    // The position after <|bos|> is unpredictable (the prompt's first word): no loss there.
    batch.forEach((_, b) => {
      weight[b * T] = 0;
    });
    const loss = tidy(() => {
      const logits = model.forward(Tensor.from(input, [batch.length, T]));
      const nll = crossEntropy(logits, Tensor.from(target, [batch.length, T]), { reduction: "none" });
      const w = Tensor.from(weight, [batch.length, T]);
      return nll
        .mul(w)
        .sum()
        .div(weight.reduce((a, x) => a + x, 0));
    });
    loss.backward();
    optim.clipGradNorm(model.parameters(), r.clipNorm).dispose();
    opt.step();
    opt.zeroGrad();
    sched.step();
    losses.push(loss.item());
    loss.dispose();
    const elapsed = (performance.now() - start) / 1000;
    onProgress?.({
      step: step + 1,
      steps: r.steps,
      loss: losses[losses.length - 1],
      lr: sched.lastLr()[0],
      tokensPerSecond: tokens / elapsed,
      elapsedSeconds: elapsed,
      etaSeconds: (elapsed / (step + 1)) * (r.steps - step - 1),
    });
  }
  return losses;
}

/** The whole recipe: corpus, tokenizer, teacher, training. */
export function runRecipe(r: ToyRecipe, onProgress?: (p: TrainProgress) => void, log = (_: string) => {}) {
  const examples = trainingExamples(r);
  log(`corpus: ${examples.length} examples`);
  const tok = learnTokenizer(examples, r);
  log(`tokenizer: ${tok.vocabSize} tokens`);
  const data = encodeExamples(tok, examples, r.shape.maxPositions);
  const mean = data.reduce((a, e) => a + e.ids.length, 0) / data.length;
  log(`encoded: ${data.length} examples, ${mean.toFixed(1)} tokens on average`);
  const model = createTeacher(r.shape, tok, r.seed);
  log(`teacher: ${model.numParameters()} parameters`);
  const losses = trainTeacher(model, data, r, onProgress);
  return { model: model.eval(), losses, tokenizer: tok };
}
