/**
 * Prompted-teacher distillation (the 405B study): the teacher reads the question behind a prefix
 * (a system prompt, a chain-of-thought instruction, few-shot exemplars) that the student never
 * sees. The two inputs share only the response, so positions are aligned on it: the teacher's
 * prediction of response token j is compared with the student's prediction of the same token.
 */
import type { Sequence } from "./sequence.js";

/**
 * A student row (studentPrompt + response) whose teacher reads teacherPrompt + response. The
 * response tokens are learned; the prompts may differ in any way (other template, extra turns).
 */
export function alignOnResponse(
  studentPrompt: number[],
  teacherPrompt: number[],
  response: number[],
): Sequence {
  if (teacherPrompt.length === 0) {
    throw new RangeError(
      "alignOnResponse: the teacher's prompt is empty, so nothing predicts the first response token",
    );
  }
  const s = studentPrompt.length;
  const t = teacherPrompt.length;
  const ids = [...studentPrompt, ...response];
  return {
    ids,
    targets: ids.map((_, i) => (i >= s && i > 0 ? 1 : 0)),
    teacherIds: [...teacherPrompt, ...response],
    teacherIndex: ids.map((_, i) => (i >= s ? t + i - s : -1)),
  };
}

/** Anything that turns text into ids (our Tokenizer, or a stand-in in tests). */
export interface TextEncoder {
  encode(text: string, opts?: { addSpecialTokens?: boolean }): number[];
}

export interface PromptedExample {
  /** What the student reads. */
  prompt: string;
  response: string;
  /** Prefixes the teacher reads before the prompt: one training row per prefix. */
  teacherPrefixes: string[];
}

/**
 * One row per teacher prefix, as the study distilled each question under each of its prompts:
 * the student reads prompt + response, the teacher prefix + prompt + response. The prompt is
 * encoded with and without the prefix as whole strings (a tokenizer may merge across the seam),
 * and the response separately, so the shared response tokens are identical by construction.
 */
export function promptedSequences(
  ex: PromptedExample,
  tokenizer: TextEncoder,
  opts: { eos?: number } = {},
): Sequence[] {
  if (ex.teacherPrefixes.length === 0)
    throw new RangeError("promptedSequences: give at least one teacher prefix");
  const enc = (s: string) => tokenizer.encode(s, { addSpecialTokens: false });
  const response = enc(ex.response);
  if (opts.eos !== undefined) response.push(opts.eos);
  const student = enc(ex.prompt);
  return ex.teacherPrefixes.map((prefix) => alignOnResponse(student, enc(prefix + ex.prompt), response));
}
