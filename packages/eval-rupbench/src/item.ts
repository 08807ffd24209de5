import type { Perturbation } from "./perturbation-kinds.js";

/**
 * How an item is answered: `choice` picks a labelled option; `open` names one of a closed set of
 * candidate words (NumerSense's number words); `number` is a free numeric answer (GSM8K style).
 */
export type AnswerKind = "choice" | "open" | "number";

export interface RupOption {
  /** The letter shown to the model (A, B, ...): every file's labels are normalised to letters. */
  label: string;
  text: string;
}

/** Known defects of one item's released data; the report can exclude items that carry them. */
export interface ItemDefects {
  /** Perturbations whose text equals the original (after trimming): the perturbation did nothing. */
  noOp: Perturbation[];
  /** The red-herring cell is empty. */
  redHerringEmpty: boolean;
  /** The red-herring cell holds the generation prompt or a refusal instead of a perturbed text. */
  redHerringPolluted: boolean;
  /** The red-herring cell is wrapped in quotes (cosmetic; not excluded by default). */
  redHerringQuoted: boolean;
  /** The original text itself is empty (one TRAM ordering row). */
  emptyOriginal: boolean;
}

/** One question with its original text and nine perturbed versions, whatever file it came from. */
export interface RupItem {
  id: string;
  dataset: string;
  /** The benchmark's task category (commonsense, arithmetic, logical, temporal, ...). */
  category: string;
  /** The perturbed text (question, context or observations, depending on the file). */
  original: string;
  perturbed: Record<Perturbation, string>;
  /** An unperturbed question shown after the perturbed context (ReClor, Social IQA). */
  question?: string;
  answerKind: AnswerKind;
  /** Labelled options for `choice`; candidate words for `open`; empty for `number`. */
  options: RupOption[];
  /** The gold option label for `choice`; the gold word or number otherwise. */
  gold: string;
  defects: ItemDefects;
  /** Where the item came from, for error messages and audits. */
  source?: { file: string; row: number };
}

/** True when a defect makes this item's `perturbation` comparison meaningless. */
export function isDefective(item: RupItem, perturbation: Perturbation): boolean {
  const d = item.defects;
  if (d.emptyOriginal || d.noOp.includes(perturbation)) return true;
  return perturbation === "redHerrings" && (d.redHerringEmpty || d.redHerringPolluted);
}
