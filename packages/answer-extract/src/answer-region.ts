import { scanNumbers } from "./numbers.js";

// Where a model's answer to *this* question ends. Base models prompted few-shot often go on to
// invent the next "Question: ... Answer: ..." pair, and numbers from it are not the answer; chat
// models sometimes leak their end-of-turn token and start another turn.

const SPECIAL_TOKENS = [
  "<|eot_id|>",
  "<|end_of_text|>",
  "<|start_header_id|>",
  "<|im_end|>",
  "<|im_start|>",
  "<|endoftext|>",
  "</s>",
];

// Line-initial markers of a new exchange. Linear: anchored at a line start, no nested repeats.
const NEW_TURN =
  /^[ \t]*(?:#+[ \t]*)?(?:\*\*)?(?:question(?:[ \t]*\d+)?|q|problem|human|user)(?:\*\*)?[ \t]*:/gim;

/** The end of the part of `text` that answers the prompt's question. */
export function answerRegionEnd(text: string): number {
  let end = text.length;
  for (const token of SPECIAL_TOKENS) {
    const at = text.indexOf(token);
    if (at !== -1 && at < end) end = at;
  }
  NEW_TURN.lastIndex = 0;
  for (let m = NEW_TURN.exec(text); m && m.index < end; m = NEW_TURN.exec(text)) {
    // A marker on the very first line restates the question; only a later one starts a new turn.
    if (text.slice(0, m.index).trim() !== "") return m.index;
    NEW_TURN.lastIndex = m.index + m[0].length;
  }
  return end;
}

/**
 * Drops a number cut off by the token limit at the end of a degenerate repetition, as in
 * "18. 18. 18. 1": the last number repeats the gap before it and is a strict prefix of the
 * (repeated) number before it. Requiring the repetition keeps "16 - 15 = 1" intact.
 */
export function dropTruncatedTail(text: string, from: number, end: number): number {
  const tail = scanNumbers(text, Math.max(from, end - 400), end);
  if (tail.length < 3) return end;
  const [a, b, c] = tail.slice(-3);
  if (c.end !== end) return end;
  const repeated = a.digits === b.digits && text.slice(a.end, b.start) === text.slice(b.end, c.start);
  const truncated = b.digits.length > c.digits.length && b.digits.startsWith(c.digits);
  return repeated && truncated ? c.start : end;
}
