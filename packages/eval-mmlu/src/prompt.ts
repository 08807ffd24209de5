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
export function buildPrompt(
  item: MmluItem,
  exemplars: readonly MmluItem[] = [],
  opts: { systemPrompt?: string } = {},
): string {
  const system = opts.systemPrompt ? `${opts.systemPrompt}\n\n` : "";
  const shots = exemplars.map((e) => `${formatQuestion(e)} ${LETTERS[e.answer]}\n\n`).join("");
  return system + description(item) + shots + formatQuestion(item);
}

const description = (item: MmluItem) =>
  `The following are multiple choice questions (with answers) about ${subjectTitle(item.subject)}.\n\n`;

export interface ChatMessage {
  role: "system" | "user" | "assistant";
  content: string;
}

/** Renders messages into a prompt (a model's chat template), ending with the assistant cue. */
export type ChatTemplate = (messages: ChatMessage[]) => string;

/**
 * The prompt as lm-eval renders it with `--apply_chat_template --fewshot_as_multiturn`: the
 * system prompt and the subject description as the system turn, each exemplar a user question
 * and an assistant letter, then the question as the last user turn.
 */
export function buildChatPrompt(
  item: MmluItem,
  exemplars: readonly MmluItem[],
  template: ChatTemplate,
  opts: { systemPrompt?: string } = {},
): string {
  const system = (opts.systemPrompt ? `${opts.systemPrompt}\n\n` : "") + description(item);
  const messages: ChatMessage[] = [{ role: "system", content: system }];
  for (const e of exemplars)
    messages.push(
      { role: "user", content: formatQuestion(e) },
      { role: "assistant", content: LETTERS[e.answer] },
    );
  messages.push({ role: "user", content: formatQuestion(item) });
  return template(messages);
}

/** The scored continuations, with the leading space the prompt leaves out. */
export const CONTINUATIONS = LETTERS.map((l) => ` ${l}`);
