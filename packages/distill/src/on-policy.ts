/**
 * On-policy distillation (GKD, MiniLLM): the student continues each row's prompt itself and the
 * teacher scores the student's own tokens, so the student learns on the sequences it will
 * actually produce rather than only on the data's. The prompt is the row's tokens before its
 * first learned token; a prompted teacher keeps its own prompt.
 */
import { type CausalLM, generateTokens } from "@shrinkray/models";
import { alignOnResponse } from "./prompted.js";
import { generatorFor } from "./rng.js";
import type { Sequence } from "./sequence.js";

export interface OnPolicyOptions {
  /** Probability that a micro-batch is replaced by student samples (GKD's λ). */
  lambda: number;
  maxNewTokens: number;
  /** Sampling temperature (default 1: the student's own distribution). */
  temperature?: number;
  topK?: number;
  /** Tokens that end a sample (default: the student's generation config, else none). */
  eosTokenIds?: number[];
}

export function checkOnPolicy(o: OnPolicyOptions): void {
  if (!(o.lambda >= 0 && o.lambda <= 1))
    throw new RangeError(`onPolicy.lambda must be in [0, 1], got ${o.lambda}`);
  if (!(Number.isInteger(o.maxNewTokens) && o.maxNewTokens >= 1)) {
    throw new RangeError(`onPolicy.maxNewTokens must be an integer >= 1, got ${o.maxNewTokens}`);
  }
}

/** Whether this micro-batch goes on-policy: a draw seeded by (seed, step, micro-batch). */
export const takesOnPolicy = (o: OnPolicyOptions, seed: number, step: number, micro: number) =>
  o.lambda > 0 && generatorFor(seed, "on-policy", step, micro).uniform() < o.lambda;

export async function sampleSequences(
  student: CausalLM,
  rows: readonly Sequence[],
  o: OnPolicyOptions,
  seed: number,
  step: number,
  micro: number,
): Promise<Sequence[]> {
  const split = rows.map((s) => {
    const first = s.targets.indexOf(1);
    // A row with nothing learned, or learned from its second token: keep one token as prompt.
    return Math.max(1, first < 0 ? s.ids.length : first);
  });
  const prompts = rows.map((s, i) => s.ids.slice(0, split[i]));
  const res = await generateTokens(student, prompts, {
    maxNewTokens: o.maxNewTokens,
    doSample: true,
    temperature: o.temperature ?? 1,
    topK: o.topK,
    eosTokenIds: o.eosTokenIds,
    generator: generatorFor(seed, "generate", step, micro),
  });
  return rows.map((s, i) => {
    const gen = res.tokens[i];
    if (s.teacherIds && s.teacherIndex) {
      // The teacher's prompt ends where the student's does (its index of the first sampled slot).
      const cut = split[i] < s.ids.length ? s.teacherIndex[split[i]] : s.teacherIds.length;
      if (cut >= 1) return alignOnResponse(prompts[i], s.teacherIds.slice(0, cut), gen);
    }
    const ids = [...prompts[i], ...gen];
    return { ids, targets: ids.map((_, t) => (t >= split[i] ? 1 : 0)) };
  });
}
