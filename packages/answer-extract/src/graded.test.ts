import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { extractAnswer } from "./extract.js";
import { sameNumber } from "./gold.js";

// A "careful grader" set: 78 realistic Llama-3.1-style GSM8K outputs, each with the number a
// careful person records under issue #22's principle (null: the output gives none). Hand-written
// to the eleven patterns (pattern 0: common shapes that must keep working), so it checks
// that the rules follow the principle; it is not the held-out grading and says little about
// agreement on unseen outputs.

const FILE = fileURLToPath(new URL("./fixtures/graded.jsonl", import.meta.url));

interface GradedOutput {
  id: string;
  /** The pattern number (1–11), or 0 for a common shape. */
  pattern: number;
  answer: number | null;
  output: string;
}

function load(): GradedOutput[] {
  return readFileSync(FILE, "utf8")
    .split("\n")
    .flatMap((line, i) => {
      if (!line.trim()) return [];
      const row = JSON.parse(line) as GradedOutput;
      const ok =
        typeof row.id === "string" &&
        Number.isInteger(row.pattern) &&
        (row.answer === null || Number.isFinite(row.answer)) &&
        typeof row.output === "string";
      if (!ok) throw new Error(`${FILE}:${i + 1}: expected {id, pattern, answer, output}`);
      return [row];
    });
}

const ROWS = load();
const agrees = (value: number | null, answer: number | null) =>
  answer === null ? value === null : sameNumber(value, answer);
const agreement = (mode: "refined" | "study") => {
  const misses = ROWS.filter((r) => !agrees(extractAnswer(r.output, { mode }).value, r.answer));
  return { rate: 1 - misses.length / ROWS.length, misses: misses.map((r) => r.id) };
};

describe("careful-grader set (hand-written to the patterns; not the held-out grading)", () => {
  it("covers every pattern of the issue with several outputs", () => {
    expect(ROWS.length).toBeGreaterThanOrEqual(60);
    for (let p = 1; p <= 11; p++)
      expect(ROWS.filter((r) => r.pattern === p).length, `pattern ${p}`).toBeGreaterThanOrEqual(4);
    expect(new Set(ROWS.map((r) => r.id)).size).toBe(ROWS.length);
  });

  it("agrees with the careful reading on at least 95 % in refined mode; the study's rate is reported", () => {
    const refined = agreement("refined");
    const study = agreement("study");
    console.log(
      `careful-grader set, ${ROWS.length} outputs: refined ${refined.rate.toFixed(3)}, study ${study.rate.toFixed(3)}` +
        (refined.misses.length ? `; refined misses ${refined.misses.join(", ")}` : ""),
    );
    expect(refined.rate).toBeGreaterThanOrEqual(0.95);
  });
});
