/**
 * Instruction data as prompt/response pairs: the Alpaca template (which Platypus also uses:
 * instruction, optional input, output) and chat-template formatting through any renderer with
 * the shape of Tokenizer.applyChatTemplate.
 */

/** An Alpaca / Platypus row. */
export interface InstructionRow {
  instruction: string;
  input?: string;
  output: string;
}

/** What the student is prompted with, and the response it learns. */
export interface PromptResponse {
  prompt: string;
  response: string;
}

// The templates of tatsu-lab/stanford_alpaca's train.py, which Platypus trains with as well.
export const ALPACA_PROMPT_WITH_INPUT =
  "Below is an instruction that describes a task, paired with an input that provides further context. " +
  "Write a response that appropriately completes the request.\n\n" +
  "### Instruction:\n{instruction}\n\n### Input:\n{input}\n\n### Response:\n";
export const ALPACA_PROMPT_NO_INPUT =
  "Below is an instruction that describes a task. Write a response that appropriately completes the request.\n\n" +
  "### Instruction:\n{instruction}\n\n### Response:\n";

export function alpacaFormat(row: InstructionRow): PromptResponse {
  const hasInput = typeof row.input === "string" && row.input.trim() !== "";
  const template = hasInput ? ALPACA_PROMPT_WITH_INPUT : ALPACA_PROMPT_NO_INPUT;
  // A function replacer: `$&` and friends in user text must not be interpreted.
  const prompt = template
    .replace("{instruction}", () => row.instruction)
    .replace("{input}", () => row.input ?? "");
  return { prompt, response: row.output };
}

export interface ChatTurn {
  role: string;
  content: string;
}

/** Tokenizer.applyChatTemplate's shape: messages in, the rendered prompt out. */
export type ChatRenderer = (messages: ChatTurn[], opts: { addGenerationPrompt?: boolean }) => string;

/**
 * The last assistant turn is the response; everything before it, rendered with the generation
 * prompt, is the prompt. Rendering the prompt alone (rather than splitting a full rendering)
 * is how TRL finds the boundary, and works for any template.
 */
export function chatFormat(messages: ChatTurn[], render: ChatRenderer): PromptResponse {
  const last = messages[messages.length - 1];
  if (last?.role !== "assistant") {
    throw new RangeError("chatFormat: the last message must be the assistant's response");
  }
  return { prompt: render(messages.slice(0, -1), { addGenerationPrompt: true }), response: last.content };
}
