/**
 * Prompt/response text to a training row: the two are encoded separately and concatenated, so
 * the boundary is exact whatever the tokenizer merges, and only response tokens are learned.
 */
import type { PromptResponse } from "./instruction.js";
import type { TextEncoder } from "./prompted.js";
import type { Sequence } from "./sequence.js";

export interface EncodeOptions {
  /** Appended to the response (and learned), so the student learns to stop. */
  eos?: number;
  /** Prepended to the prompt (not learned). */
  bos?: number;
  /** Learn the prompt tokens too (plain language modelling). Default false. */
  learnPrompt?: boolean;
}

export function encodeExample(
  ex: PromptResponse,
  tokenizer: TextEncoder,
  opts: EncodeOptions = {},
): Sequence {
  const enc = (s: string) => tokenizer.encode(s, { addSpecialTokens: false });
  const prompt = [...(opts.bos !== undefined ? [opts.bos] : []), ...enc(ex.prompt)];
  const response = enc(ex.response);
  if (opts.eos !== undefined) response.push(opts.eos);
  const ids = [...prompt, ...response];
  const learned = (i: number) => i > 0 && (opts.learnPrompt || i >= prompt.length);
  return { ids, targets: ids.map((_, i) => (learned(i) ? 1 : 0)) };
}

/** A plain token stream (pretraining-style text): every token but the first is learned. */
export function textSequence(ids: number[]): Sequence {
  return { ids: [...ids], targets: ids.map((_, i) => (i > 0 ? 1 : 0)) };
}
