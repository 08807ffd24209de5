/**
 * The distillation loop: per micro-batch, the teacher scores the rows (no gradients) and the
 * student learns to match it on the learned positions; gradients accumulate over micro-batches,
 * are clipped, and one optimizer + scheduler step follows. Evaluation, checkpoints and progress
 * happen between optimizer steps, so a checkpoint never holds half an accumulation.
 */
import type { CausalLM } from "@shrinkray/models";
import { writeJsonAtomic } from "./atomic.js";
import { BatchOrder, collate } from "./batches.js";
import { dataFingerprint } from "./cache-format.js";
import { findCheckpoint, loadCheckpoint, saveCheckpoint, type TrainState } from "./checkpoint.js";
import { DistillConfigError } from "./errors.js";
import { type EvalResult, evaluate } from "./evaluate.js";
import { type LossSpec, resolveLoss } from "./loss.js";
import { microStep } from "./micro-step.js";
import { type LogitsModel, modelTeacher } from "./model-teacher.js";
import { checkOnPolicy, type OnPolicyOptions, sampleSequences, takesOnPolicy } from "./on-policy.js";
import {
  clipGradNormIfAny,
  makeOptimizer,
  makeScheduler,
  type OptimizerSpec,
  type ScheduleSpec,
  stepOptimizer,
} from "./optimizer-setup.js";
import { type Progress, Throughput } from "./progress.js";
import { checkSequence, type Sequence } from "./sequence.js";
import { checkVocabularies, type TeacherSource } from "./teacher-source.js";

export interface DistillOptions {
  /** A TeacherSource, or a model (used as a dense in-process teacher). */
  teacher: TeacherSource | LogitsModel;
  student: CausalLM;
  data: readonly Sequence[];
  /** Default forward KL. */
  loss?: LossSpec;
  /** An optimizer over the student's parameters, or AdamW hyperparameters (default lr 1e-3). */
  optimizer?: OptimizerSpec;
  /** LR multiplier per step; default cosine decay after a 5% warmup. */
  schedule?: ScheduleSpec;
  /** Optimizer steps; or `epochs` (default 1) over the data. */
  steps?: number;
  epochs?: number;
  /** Rows per micro-batch (default 8). */
  batchSize?: number;
  /** Micro-batches per optimizer step (default 1). */
  gradAccumulation?: number;
  /** Global gradient-norm limit (default 1; null: no clipping). */
  clipNorm?: number | null;
  /** Evaluate every n steps (and before the first and after the last) on evalData. */
  evalEvery?: number;
  evalData?: readonly Sequence[];
  /** Teacher for evalData when `teacher` cannot score it (a cache of the training rows). */
  evalTeacher?: TeacherSource;
  checkpointDir?: string;
  /** Checkpoint every n steps (and at the end) when checkpointDir is set. */
  checkpointEvery?: number;
  /** Checkpoints kept (default 2; 0 keeps all). */
  keepCheckpoints?: number;
  /** Continue from checkpointDir's latest checkpoint (true) or from the one given (a path). */
  resume?: boolean | string;
  onProgress?: (p: Progress) => void;
  /** Seeds shuffling and on-policy sampling (default 0). */
  seed?: number;
  /** Shuffle rows each epoch (default true). */
  shuffle?: boolean;
  /** GKD / MiniLLM: with probability λ a micro-batch is the student's own samples. */
  onPolicy?: OnPolicyOptions;
  /** Where results.json goes (default: checkpointDir/results.json when checkpointing). */
  resultsPath?: string;
  padTokenId?: number;
}

export interface DistillResult {
  steps: number;
  epochs: number;
  tokens: number;
  lossCurve: TrainState["lossCurve"];
  evals: TrainState["evals"];
  finalEval: EvalResult | null;
  tokensPerSecond: number;
  trainSeconds: number;
  resumedFrom: number | null;
  teacher: string;
  loss: string;
}

const isSource = (t: TeacherSource | LogitsModel): t is TeacherSource =>
  typeof (t as TeacherSource).score === "function";

export async function distill(opts: DistillOptions): Promise<DistillResult> {
  const { student, data } = opts;
  const teacher = isSource(opts.teacher) ? opts.teacher : modelTeacher(opts.teacher);
  checkVocabularies(teacher.vocabSize, student.vocabSize);
  const evalTeacher = opts.evalTeacher ?? teacher;
  checkVocabularies(evalTeacher.vocabSize, student.vocabSize);
  if (data.length === 0) throw new DistillConfigError("distill: no training rows");
  data.forEach((s, i) => {
    checkSequence(s, `data[${i}]`);
  });
  opts.evalData?.forEach((s, i) => {
    checkSequence(s, `evalData[${i}]`);
  });
  if (opts.evalData && !opts.evalTeacher && !teacher.scoresNewSequences) {
    throw new DistillConfigError(
      `distill: the teacher (${teacher.description}) only covers the training rows; pass evalTeacher for evalData`,
    );
  }
  if (opts.onPolicy) {
    checkOnPolicy(opts.onPolicy);
    if (!teacher.scoresNewSequences) {
      throw new DistillConfigError(
        `distill: on-policy samples need a live teacher, not ${teacher.description}`,
      );
    }
  }
  const batchSize = positiveInt("batchSize", opts.batchSize ?? 8);
  const accum = positiveInt("gradAccumulation", opts.gradAccumulation ?? 1);
  const seed = opts.seed ?? 0;
  const shuffle = opts.shuffle ?? true;
  const order = new BatchOrder(data.length, batchSize, seed, shuffle);
  const totalSteps =
    opts.steps !== undefined
      ? positiveInt("steps", opts.steps)
      : Math.max(1, Math.ceil(((opts.epochs ?? 1) * order.batchesPerEpoch) / accum));
  const params = student.parameters();
  const optimizer = makeOptimizer(opts.optimizer, params);
  // An optimizer made here is freed here (its moments are twice the student's size, and on a
  // device they should not wait for the GC); one the caller passed stays the caller's.
  const ownsOptimizer = optimizer !== opts.optimizer;
  try {
    return await trainLoop();
  } finally {
    if (ownsOptimizer) optimizer.dispose();
  }

  async function trainLoop(): Promise<DistillResult> {
    const scheduler = makeScheduler(opts.schedule, optimizer, totalSteps);
    const loss = resolveLoss(opts.loss);
    const runKey = `${dataFingerprint(data)}:${data.length}:${batchSize}x${accum}:seed${seed}:${shuffle ? "shuffled" : "ordered"}`;
    const parts = { student, optimizer, scheduler };

    let state: TrainState = {
      step: 0,
      cursor: { epoch: 0, offset: 0 },
      rng: { seed },
      tokensSeen: 0,
      lossCurve: [],
      evals: [],
      runKey,
    };
    let resumedFrom: number | null = null;
    if (opts.resume) {
      const where = typeof opts.resume === "string" ? opts.resume : opts.checkpointDir;
      if (!where) throw new DistillConfigError("distill: resume: true needs checkpointDir");
      const ckpt = await findCheckpoint(where);
      if (ckpt) {
        state = await loadCheckpoint(ckpt, parts, runKey);
        resumedFrom = state.step;
      } else if (typeof opts.resume === "string") {
        throw new DistillConfigError(`distill: no checkpoint at ${opts.resume}`);
      }
    }

    const evalEvery = opts.evalEvery ?? 0;
    const runEval = async () => {
      if (!opts.evalData?.length) return undefined;
      const r = await evaluate(student, evalTeacher, opts.evalData, { batchSize });
      state.evals.push({ step: state.step, ...r });
      return r;
    };
    if (state.step === 0 && state.evals.length === 0) await runEval();

    const speed = new Throughput();
    student.train(true);
    while (state.step < totalSteps) {
      const t0 = performance.now();
      let lossSum = 0;
      let tokens = 0;
      const lr = optimizer.lr;
      for (let micro = 0; micro < accum; micro++) {
        const rows = order.next(state.cursor);
        let seqs = rows.map((r) => data[r]);
        let indices: number[] | null = rows;
        if (opts.onPolicy && takesOnPolicy(opts.onPolicy, seed, state.step, micro)) {
          seqs = await sampleSequences(student, seqs, opts.onPolicy, seed, state.step, micro);
          indices = null;
        }
        const batch = collate(seqs, indices, opts.padTokenId ?? 0);
        const teacherOut = await teacher.score(batch);
        lossSum += await microStep(student, params, batch, teacherOut, loss.fn, accum);
        tokens += batch.inputTokens;
      }
      if (opts.clipNorm !== null) clipGradNormIfAny(params, opts.clipNorm ?? 1);
      stepOptimizer(optimizer, scheduler);
      state.step++;
      state.tokensSeen += tokens;
      state.lossCurve.push({ step: state.step, loss: lossSum / accum, lr, tokens: state.tokensSeen });
      speed.add((performance.now() - t0) / 1000, tokens);

      const last = state.step === totalSteps;
      const evalNow = evalEvery > 0 && (state.step % evalEvery === 0 || last) ? await runEval() : undefined;
      let checkpoint: string | undefined;
      const every = opts.checkpointEvery ?? 0;
      if (opts.checkpointDir && ((every > 0 && state.step % every === 0) || last)) {
        checkpoint = await saveCheckpoint(opts.checkpointDir, parts, state, opts.keepCheckpoints ?? 2);
      }
      opts.onProgress?.({
        step: state.step,
        totalSteps,
        epoch: state.cursor.epoch + state.cursor.offset / data.length,
        loss: lossSum / accum,
        lr,
        tokens: state.tokensSeen,
        tokensPerSecond: speed.tokensPerSecond,
        etaSeconds: speed.eta(totalSteps - state.step),
        eval: evalNow,
        checkpoint,
      });
    }
    // Without evalEvery, evaluate once at the end so every run reports where it got to.
    if (evalEvery === 0 && state.evals.at(-1)?.step !== state.step) await runEval();

    const ev = state.evals.at(-1);
    const result: DistillResult = {
      steps: state.step,
      epochs: state.cursor.epoch + state.cursor.offset / data.length,
      tokens: state.tokensSeen,
      lossCurve: state.lossCurve,
      evals: state.evals,
      finalEval: ev ? { kl: ev.kl, ce: ev.ce, tokens: ev.tokens } : null,
      tokensPerSecond: speed.tokensPerSecond,
      trainSeconds: speed.trainSeconds,
      resumedFrom,
      teacher: teacher.description,
      loss: loss.name,
    };
    const resultsPath =
      opts.resultsPath ?? (opts.checkpointDir ? `${opts.checkpointDir}/results.json` : undefined);
    if (resultsPath) {
      await writeJsonAtomic(resultsPath, {
        ...result,
        config: {
          batchSize,
          gradAccumulation: accum,
          totalSteps,
          seed,
          shuffle,
          clipNorm: opts.clipNorm ?? 1,
          onPolicy: opts.onPolicy ?? null,
        },
        versions: { node: process.version },
      });
    }
    return result;
  }
}

function positiveInt(name: string, v: number): number {
  if (!Number.isInteger(v) || v < 1)
    throw new DistillConfigError(`distill: ${name} must be an integer >= 1, got ${v}`);
  return v;
}
