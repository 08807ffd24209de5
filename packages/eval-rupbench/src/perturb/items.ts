import type { AnswerKind, RupItem, RupOption } from "../item.js";
import { detectDefects } from "../load/defects.js";
import { LETTERS } from "../load/fields.js";
import { type PerturbOptions, perturbAll } from "./generate.js";

/** A question from any multiple-choice or GSM8K-style set, before perturbation. */
export interface SourceQuestion {
  id: string;
  dataset: string;
  category?: string;
  /** The text to perturb. */
  text: string;
  /** Shown unperturbed after the text (e.g. the question under a perturbed passage). */
  question?: string;
  /** Option texts (labelled A, B, ... in order), or labelled options. Absent: a numeric answer. */
  options?: (string | RupOption)[];
  /** Gold option label, or the numeric answer for sets without options. */
  gold: string;
  answerKind?: AnswerKind;
}

/** Turns questions from any set (GSM8K, MMLU, ...) into RUPBench items with nine perturbations. */
export function perturbQuestions(
  questions: readonly SourceQuestion[],
  options: PerturbOptions & { redHerringsFor?: (q: SourceQuestion) => readonly string[] },
): RupItem[] {
  return questions.map((q) => {
    const opts = (q.options ?? []).map((o, i) =>
      typeof o === "string" ? { label: LETTERS[i], text: o } : o,
    );
    const redHerrings = options.redHerringsFor?.(q) ?? options.redHerrings;
    const perturbed = perturbAll(q.text, q.id, { seed: options.seed, redHerrings });
    return {
      id: q.id,
      dataset: q.dataset,
      category: q.category ?? "unknown",
      original: q.text,
      perturbed,
      ...(q.question !== undefined ? { question: q.question } : {}),
      answerKind: q.answerKind ?? (opts.length > 0 ? "choice" : "number"),
      options: opts,
      gold: q.gold,
      defects: detectDefects(q.text, perturbed),
    };
  });
}
