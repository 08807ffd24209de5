import type { RupItem } from "./item.js";

/** Where the item's text comes from and how it is laid out for the model. */
export interface PromptFormat {
  /** First line; null for none. A function lets it name the item's category. */
  system: string | null | ((item: RupItem) => string | null);
  questionPrefix: string;
  /** Whether options are listed in the prompt (lm-eval's PIQA/ARC tasks do not; MMLU does). */
  showOptions: boolean;
  optionLine: (label: string, text: string) => string;
  answerPrefix: string;
  separator: string;
}

/** The benchmark's own layout: a system line, "Question: ...", options as "A: ...", "Answer:". */
export const RUPBENCH_PROMPT: PromptFormat = {
  system: (item) =>
    item.answerKind === "choice"
      ? `You are an expert in ${item.category} reasoning. Answer the following multiple-choice question with the letter of the correct option.`
      : item.answerKind === "open"
        ? `You are an expert in ${item.category} reasoning. Fill in the <mask> with a number word.`
        : `You are an expert in ${item.category} reasoning. Solve the problem and give the final number.`,
  questionPrefix: "Question: ",
  showOptions: true,
  optionLine: (label, text) => `${label}: ${text}`,
  answerPrefix: "Answer:",
  separator: "\n",
};

export function promptFormat(overrides: Partial<PromptFormat> = {}): PromptFormat {
  return { ...RUPBENCH_PROMPT, ...overrides };
}

/**
 * The prompt for one item, with `text` standing in for its perturbable text (the original or a
 * perturbed version); an unperturbed question (ReClor, Social IQA) follows it. Ends with the
 * answer prefix and no trailing space, so continuations start with a space as lm-eval's do.
 */
export function buildPrompt(item: RupItem, text: string, format: PromptFormat = RUPBENCH_PROMPT): string {
  const lines: string[] = [];
  const system = typeof format.system === "function" ? format.system(item) : format.system;
  if (system) lines.push(system);
  lines.push(
    format.questionPrefix + text.trim() + (item.question ? format.separator + item.question.trim() : ""),
  );
  if (format.showOptions && item.answerKind === "choice") {
    for (const o of item.options) lines.push(format.optionLine(o.label, o.text));
  }
  lines.push(format.answerPrefix);
  return lines.join(format.separator);
}
