import { type Sequence, textSequence } from "@shrinkray/distill";
import type { Tokenizer } from "@shrinkray/models";
import { RunnerError } from "../cli/errors.js";

/**
 * Training rows for distillation: the dataset's text tokenized once and cut into windows of
 * `seqLen` tokens. Deterministic, so `cache-teacher` and a later `distill` see the same rows.
 */
export function textSequences(tokenizer: Tokenizer, text: string, seqLen: number, what: string): Sequence[] {
  const ids = tokenizer.encode(text);
  const seqs: Sequence[] = [];
  for (let i = 0; i + seqLen <= ids.length; i += seqLen) seqs.push(textSequence(ids.slice(i, i + seqLen)));
  if (seqs.length === 0)
    throw new RunnerError(`${what}: the data hold ${ids.length} tokens, fewer than one window of ${seqLen}`);
  return seqs;
}
