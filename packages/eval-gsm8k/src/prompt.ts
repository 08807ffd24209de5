import { COT_EXEMPLARS } from "./cot-exemplars.js";
import type { Gsm8kItem } from "./dataset.js";
import { sample } from "./rng.js";

/**
 * - "zero-shot": "Question: ...\nAnswer:".
 * - "few-shot": `shots` worked examples from `train` ("Question: ...\nAnswer: ... #### N"), drawn
 *   once with `seed` so every item sees the same exemplars (comparable across runs and models).
 * - "cot": the 8 Wei et al. exemplars in lm-evaluation-harness's gsm8k-cot format ("Q:/A:"); with
 *   `shots`, the first `shots` of them, as lm-eval's `--num_fewshot` does for that task (first_n).
 */
export type PromptFormat =
  | { kind: "zero-shot" }
  | { kind: "few-shot"; shots: number; train: readonly Gsm8kItem[]; seed?: number }
  | { kind: "cot"; shots?: number };

export interface ChatMessage {
  role: "system" | "user" | "assistant";
  content: string;
}

/** Renders messages into a prompt (e.g. a model's chat template), ending with the assistant cue. */
export type ChatTemplate = (messages: ChatMessage[]) => string;

export interface PromptOptions {
  format: PromptFormat;
  /** When given, exemplars become user/assistant turns (harness's `fewshot_as_multiturn`). */
  chatTemplate?: ChatTemplate;
  systemPrompt?: string;
}

export interface BuiltPrompt {
  prompt: string;
  stop: string[];
}

interface Turn {
  user: string;
  assistant: string;
}

const questionAnswer = (q: string) => `Question: ${q}\nAnswer:`;
const qa = (q: string) => `Q: ${q}\nA:`;

/** The stop strings lm-evaluation-harness uses for gsm8k and gsm8k-cot. */
function stopsFor(format: PromptFormat): string[] {
  return format.kind === "cot" ? ["Q:", "</s>", "<|im_end|>"] : ["Question:", "</s>", "<|im_end|>"];
}

function exemplarTurns(format: PromptFormat, item: Gsm8kItem): Turn[] {
  if (format.kind === "cot") {
    const shots = format.shots ?? COT_EXEMPLARS.length;
    if (!Number.isInteger(shots) || shots < 0 || shots > COT_EXEMPLARS.length)
      throw new RangeError(
        `gsm8k cot: shots must be an integer in [0, ${COT_EXEMPLARS.length}] (the gsm8k_cot exemplars), got ${shots}`,
      );
    return COT_EXEMPLARS.slice(0, shots).map((e) => ({ user: qa(e.question), assistant: e.answer }));
  }
  if (format.kind === "few-shot") {
    // Draw one spare so an item drawn from the exemplars' own split is never shown its answer.
    const drawn = sample(format.train, format.shots + 1, format.seed ?? 1234);
    return drawn
      .filter((t) => t.question !== item.question)
      .slice(0, format.shots)
      .map((t) => ({ user: questionAnswer(t.question), assistant: t.answer }));
  }
  return [];
}

/** Builds the prompt and stop strings for one item. */
export function buildPrompt(item: Gsm8kItem, options: PromptOptions): BuiltPrompt {
  const { format, chatTemplate, systemPrompt } = options;
  const turns = exemplarTurns(format, item);
  const ask = format.kind === "cot" ? qa(item.question) : questionAnswer(item.question);
  const stop = stopsFor(format);
  if (chatTemplate) {
    const messages: ChatMessage[] = systemPrompt ? [{ role: "system", content: systemPrompt }] : [];
    for (const t of turns)
      messages.push({ role: "user", content: t.user }, { role: "assistant", content: t.assistant });
    messages.push({ role: "user", content: ask });
    return { prompt: chatTemplate(messages), stop };
  }
  const blocks = turns.map((t) => `${t.user} ${t.assistant}`);
  const head = systemPrompt ? `${systemPrompt}\n\n` : "";
  return { prompt: head + [...blocks, ask].join("\n\n"), stop };
}
