/**
 * Arithmetic word problems in GSM8K's format: a question, and an answer of one worked line per
 * operation ending in "#### N". Two or three operations (add, subtract, multiply by a small
 * number) on small numbers, so a model of a million parameters can learn them on a CPU.
 */
import type { Gsm8kItem } from "@shrinkray/eval-gsm8k";
import type { Rng } from "@shrinkray/eval-rupbench";
import { type DrawOptions, drawItems } from "./splits.js";
import { GAIN_PHRASES, LOSS_PHRASES, MULTIPLIER_WORDS, PEOPLE, type Person, THINGS } from "./world.js";

export type Operation = "add" | "sub" | "mul";

export interface Step {
  op: Operation;
  left: number;
  right: number;
  result: number;
}

export interface WordProblem extends Gsm8kItem {
  steps: Step[];
}

export interface ArithmeticOptions {
  /** Largest number added or subtracted (default 10). */
  maxOperand?: number;
  /** Every intermediate and final result stays below this (default 200). */
  resultLimit?: number;
  /** Write GSM8K's calculator annotations, "7+5=<<7+5=12>>12" (default false: "7+5=12"). */
  calculatorAnnotations?: boolean;
}

export const DATASET = "toy-gsm8k";

const SYMBOL: Record<Operation, string> = { add: "+", sub: "-", mul: "*" };

export function apply(op: Operation, a: number, b: number): number {
  return op === "add" ? a + b : op === "sub" ? a - b : a * b;
}

const capital = (s: string) => s[0].toUpperCase() + s.slice(1);
const singular = (plural: string) => (plural.endsWith("xes") ? plural.slice(0, -2) : plural.slice(0, -1));
const fill = (template: string, vars: Record<string, string | number>) =>
  template.replace(/\{(\w+)\}/g, (_, k: string) => String(vars[k]));

function otherThan(rng: Rng, ...taken: Person[]): Person {
  const pool = PEOPLE.filter((p) => !taken.includes(p));
  return rng.pick(pool);
}

/** One problem from a random stream. */
export function makeWordProblem(rng: Rng, id: string, opts: ArithmeticOptions = {}): WordProblem {
  const maxOperand = opts.maxOperand ?? 10;
  const limit = opts.resultLimit ?? 200;
  const who = rng.pick(PEOPLE);
  const thing = rng.pick(THINGS);
  const things = thing.plural;
  const sentences: string[] = [];
  const steps: Step[] = [];

  // Start: a count, or boxes times a count per box (the first operation).
  let count: number;
  const boxed = rng.next() < 0.35;
  if (boxed) {
    const boxes = rng.between(2, 5);
    const per = rng.between(2, 6);
    count = boxes * per;
    steps.push({ op: "mul", left: boxes, right: per, result: count });
    sentences.push(
      `${who.name} has ${boxes} ${thing.box} of ${things}.`,
      `Each ${singular(thing.box)} has ${per} ${things}.`,
    );
  } else {
    count = rng.between(2, 20);
    sentences.push(`${who.name} has ${count} ${things}.`);
  }

  const timesAsMany = rng.next() < 0.3;
  const changes = boxed ? (timesAsMany ? 1 : rng.between(1, 2)) : timesAsMany ? rng.between(1, 2) : 2;
  for (let c = 0; c < changes; c++) {
    const other = otherThan(rng, who);
    const canGain = count + 1 < limit;
    const gain = canGain && (count <= 1 || rng.next() < 0.5);
    const n = gain
      ? rng.between(1, Math.min(maxOperand, limit - 1 - count))
      : rng.between(1, Math.min(maxOperand, count - 1));
    const op: Operation = gain ? "add" : "sub";
    const phrase = fill(rng.pick(gain ? GAIN_PHRASES : LOSS_PHRASES), { n, things, other: other.name });
    sentences.push(c === 0 ? `${capital(who.pronoun)} ${phrase}.` : `Then ${who.pronoun} ${phrase}.`);
    steps.push({ op, left: count, right: n, result: apply(op, count, n) });
    count = apply(op, count, n);
  }

  let asker = who;
  // Multiplying a two-digit count is the hardest step for a small model: keep it to 2 and 3.
  const factors = count <= 30 ? [2, 3].filter((k) => count * k < limit) : [];
  if (timesAsMany && factors.length > 0) {
    const k = rng.pick(factors);
    asker = otherThan(rng, who);
    sentences.push(`${asker.name} has ${MULTIPLIER_WORDS[k]} as many ${things} as ${who.name} has now.`);
    steps.push({ op: "mul", left: count, right: k, result: count * k });
    count *= k;
  }
  sentences.push(`How many ${things} does ${asker.name} have${asker === who ? " now" : ""}?`);

  const lines = steps.map((s, i) => {
    const owner = i === steps.length - 1 ? asker.name : who.name;
    const expr = `${s.left}${SYMBOL[s.op]}${s.right}`;
    const value = opts.calculatorAnnotations ? `<<${expr}=${s.result}>>${s.result}` : `${s.result}`;
    return `${owner} has ${expr}=${value} ${things}.`;
  });
  lines.push(`#### ${count}`);
  return { id, question: sentences.join(" "), answer: lines.join("\n"), gold: count, steps };
}

/** `count` problems of one split, the same for the same options on every machine. */
export function wordProblems(draw: DrawOptions, opts: ArithmeticOptions = {}): WordProblem[] {
  return drawItems(
    DATASET,
    draw,
    (rng, i) => makeWordProblem(rng, `${DATASET}-${draw.split}-${i}`, opts),
    (p) => p.question,
  );
}

/** GSM8K's JSONL: one {"question", "answer"} object a line. */
export function toGsm8kJsonl(items: readonly Gsm8kItem[]): string {
  return items.map((p) => JSON.stringify({ question: p.question, answer: p.answer })).join("\n") + "\n";
}
