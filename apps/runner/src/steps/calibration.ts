import type { Tokenizer } from "@shrinkray/models";
import { Generator, Tensor } from "@shrinkray/tensor-cuda";
import { RunnerError } from "../cli/errors.js";
import type { Dataset } from "./data.js";

/** The text of any dataset, for calibration and distillation: items joined as GPTQ joins text. */
export function datasetText(d: Dataset): string {
  switch (d.kind) {
    case "text":
      return d.text;
    case "gsm8k":
      return d.items.map((i) => `Question: ${i.question}\nAnswer: ${i.answer}`).join("\n\n");
    case "rupbench":
      return d.items.map((i) => i.original).join("\n\n");
    case "mmlu":
      return d.items.map((i) => i.question).join("\n\n");
    case "squad":
      return d.items.map((i) => `${i.context}\n${i.question}`).join("\n\n");
    case "instructions":
      return d.rows.map((r) => `${r.instruction}\n${r.input ?? ""}\n${r.output}`).join("\n\n");
  }
}

/**
 * GPTQ's calibration recipe: `nsamples` random windows of `seqLen` tokens from the tokenized text,
 * drawn with a seed, each an int32 [1, seqLen] batch.
 */
export function calibrationBatches(
  d: Dataset,
  tokenizer: Tokenizer,
  opts: { nsamples: number; seqLen: number; seed: number },
): Tensor[] {
  const ids = tokenizer.encode(datasetText(d));
  if (ids.length <= opts.seqLen) {
    throw new RunnerError(
      `calibration: the data hold ${ids.length} tokens, fewer than one window of ${opts.seqLen}`,
    );
  }
  const g = new Generator(opts.seed);
  return Array.from({ length: opts.nsamples }, () => {
    const start = g.int(ids.length - opts.seqLen);
    return Tensor.from(Int32Array.from(ids.slice(start, start + opts.seqLen)), [1, opts.seqLen]);
  });
}
