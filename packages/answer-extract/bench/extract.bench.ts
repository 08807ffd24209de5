// Throughput of extractAnswer, and agreement on GSM8K's own reference rationales (every one
// ends in "#### N", so a sound extractor reads N). Prints figures; asserts nothing.
import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { extractAnswer, extractGold, sameNumber } from "../src/index.js";
import { REALISTIC_OUTPUTS } from "../src/realistic-outputs.fixture.js";

const DATA = fileURLToPath(new URL("../../../../shared/data/gsm8k/", import.meta.url));

function rationales(): { text: string; gold: number }[] {
  const out: { text: string; gold: number }[] = [];
  for (const split of ["train", "test"]) {
    const file = `${DATA}${split}.jsonl`;
    if (!existsSync(file)) continue;
    for (const line of readFileSync(file, "utf8").split("\n")) {
      if (!line.trim()) continue;
      const { answer } = JSON.parse(line) as { answer: string };
      out.push({ text: answer, gold: extractGold(answer) });
    }
  }
  return out;
}

const texts = rationales();
for (const mode of ["refined", "study"] as const) {
  const agree = texts.filter((t) => sameNumber(extractAnswer(t.text, { mode }).value, t.gold)).length;
  if (texts.length) console.log(`${mode}: ${agree}/${texts.length} GSM8K rationales read correctly`);
}

const corpus = [...texts.map((t) => t.text), ...REALISTIC_OUTPUTS.map((c) => c.output)];
const chars = corpus.reduce((s, t) => s + t.length, 0);
const rounds = 5;
const start = performance.now();
for (let r = 0; r < rounds; r++) for (const t of corpus) extractAnswer(t);
const seconds = (performance.now() - start) / 1000;
const n = rounds * corpus.length;
console.log(
  `${(n / seconds).toFixed(0)} outputs/s, ${((rounds * chars) / seconds / 1e6).toFixed(1)} MB/s (${n} outputs)`,
);

const degenerate = `The answer is 18.${" 18.".repeat(250_000)}`;
const t0 = performance.now();
extractAnswer(degenerate);
console.log(`1 MB degenerate repetition: ${(performance.now() - t0).toFixed(1)} ms`);
