import { LETTERS, type MmluItem } from "./dataset.js";

/** "abstract_algebra" → "abstract algebra". */
export const subjectTitle = (subject: string) => subject.replaceAll("_", " ");

/**
 * The question block: "<question>\nA. …\nB. …\nC. …\nD. …\nAnswer:". Text is used as it stands in
 * the CSV (hendrycks' evaluate.py; lm-eval additionally strips the question).
 */
export function formatQuestion(item: MmluItem): string {
  return item.question + item.choices.map((c, i) => `\n${LETTERS[i]}. ${c}`).join("") + "\nAnswer:";
}

/**
 * The MMLU prompt: the subject header, then up to `shots` exemplars (each answered " X\n\n"), then
 * the question. The header has one space before the subject, as lm-eval writes it; hendrycks'
 * `format_subject` leaves two, a difference of one whitespace token in the header.
 */
export function buildPrompt(item: MmluItem, exemplars: readonly MmluItem[] = []): string {
  const header = `The following are multiple choice questions (with answers) about ${subjectTitle(item.subject)}.\n\n`;
  const shots = exemplars.map((e) => `${formatQuestion(e)} ${LETTERS[e.answer]}\n\n`).join("");
  return header + shots + formatQuestion(item);
}

/** The scored continuations, with the leading space the prompt leaves out. */
export const CONTINUATIONS = LETTERS.map((l) => ` ${l}`);
