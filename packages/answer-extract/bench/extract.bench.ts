// Agreement and throughput of extractAnswer. Prints figures; asserts nothing.
// - GSM8K's own reference rationales: every one ends in "#### N", so a sound extractor reads N.
// - The same rationales cut off with no stated answer (cut-rationales.ts): the careful reading
//   is the last completed result.
// - The hand-written realistic outputs, careful-grader set (src/fixtures/graded.jsonl) and the
//   issue #22 reviewer's adversarial set (src/fixtures/review-adversarial.jsonl).
// - Time on long degenerate loops, which must stay linear.
import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { extractAnswer, extractGold, extractWithConfidence, sameNumber } from "../src/index.js";
import { REALISTIC_OUTPUTS } from "../src/realistic-outputs.fixture.js";
import { cutRationales } from "./cut-rationales.js";

const DATA = fileURLToPath(new URL("../../../../shared/data/gsm8k/", import.meta.url));
const GRADED = fileURLToPath(new URL("../src/fixtures/graded.jsonl", import.meta.url));
const REVIEWER = fileURLToPath(new URL("../src/fixtures/review-adversarial.jsonl", import.meta.url));
const MODES = ["refined", "study"] as const;

function rationales(): string[] {
  const out: string[] = [];
  for (const split of ["train", "test"]) {
    const file = `${DATA}${split}.jsonl`;
    if (!existsSync(file)) continue;
    for (const line of readFileSync(file, "utf8").split("\n")) {
      if (line.trim()) out.push((JSON.parse(line) as { answer: string }).answer);
    }
  }
  return out;
}

function agreement(label: string, items: { text: string; expected: number | null }[]): void {
  if (items.length === 0) return;
  const rates = MODES.map((mode) => {
    const agree = items.filter(({ text, expected }) => {
      const value = extractAnswer(text, { mode }).value;
      return expected === null ? value === null : sameNumber(value, expected);
    }).length;
    return `${mode} ${agree}/${items.length} (${((100 * agree) / items.length).toFixed(1)} %)`;
  });
  console.log(`${label}: ${rates.join(", ")}`);
}

function throughput(label: string, corpus: string[]): void {
  const chars = corpus.reduce((s, t) => s + t.length, 0);
  const rounds = 5;
  const start = performance.now();
  for (let r = 0; r < rounds; r++) for (const t of corpus) extractAnswer(t);
  const seconds = (performance.now() - start) / 1000;
  const n = rounds * corpus.length;
  console.log(
    `${label}: ${(n / seconds).toFixed(0)} outputs/s, ${((rounds * chars) / seconds / 1e6).toFixed(1)} MB/s (${n} outputs)`,
  );
}

const answers = rationales();
const cut = cutRationales(answers);
agreement(
  "GSM8K rationales, #### N",
  answers.map((a) => ({ text: a, expected: extractGold(a) })),
);
agreement(
  "GSM8K rationales cut off, last completed result",
  cut.map((c) => ({ text: c.text, expected: c.lastResult })),
);
const reviewer = readFileSync(REVIEWER, "utf8")
  .split("\n")
  .filter((l) => l.trim())
  .map((l) => JSON.parse(l) as { output: string; answer: number | null; pattern: number; written: string });
agreement(
  "reviewer's adversarial set, written before the review's fixes (patterns 1-11)",
  reviewer
    .filter((r) => r.pattern > 0 && r.written === "before-fixes")
    .map((r) => ({ text: r.output, expected: r.answer })),
);
const graded = readFileSync(GRADED, "utf8")
  .split("\n")
  .filter((l) => l.trim())
  .map((l) => JSON.parse(l) as { output: string; answer: number | null });
agreement(
  "realistic outputs (hand-written)",
  REALISTIC_OUTPUTS.map((c) => ({ text: c.output, expected: c.expected })),
);
agreement(
  "careful-grader set (hand-written)",
  graded.map((g) => ({ text: g.output, expected: g.answer })),
);

throughput("rationales + realistic outputs", [...answers, ...REALISTIC_OUTPUTS.map((c) => c.output)]);
throughput(
  "cut rationales (no stated answer)",
  cut.map((c) => c.text),
);

const degenerate = `The answer is 18.${" 18.".repeat(250_000)}`;
const t0 = performance.now();
extractAnswer(degenerate);
console.log(`1 MB degenerate repetition: ${(performance.now() - t0).toFixed(1)} ms`);

// Loops a model falls into until the token limit, each of which once made a rule quadratic:
// time at 100 and 200 KB (linear: the second about twice the first).
const LOOPS: Record<string, (n: number) => string> = {
  "blank lines": (n) => `She has 3 + 4 = 7.\n${"\n".repeat(n)}`,
  "repeated boxes": (n) => "\\boxed{18} ".repeat(n / 11),
  '"The answer is C."': (n) => "The answer is C. ".repeat(n / 17),
  "quantity questions": (n) => `x = 5. ${"How many apples? ".repeat(n / 17)}`,
  '">>" without "<<"': (n) => "x = 1 >> 2".repeat(n / 10),
};
for (const [label, loop] of Object.entries(LOOPS)) {
  const ms = [100_000, 200_000].map((n) => {
    const text = loop(n);
    const start = performance.now();
    extractWithConfidence(text);
    return (performance.now() - start).toFixed(0);
  });
  console.log(`loop of ${label}: 100 KB ${ms[0]} ms, 200 KB ${ms[1]} ms (extractWithConfidence)`);
}
