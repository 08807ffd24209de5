import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { extractAnswer } from "./extract.js";
import { sameNumber } from "./gold.js";

// Outputs written by a reviewer of issue #22, not by the rules' author: variants of the eleven
// patterns the author's sets did not hold (pattern 0: plain outputs that must keep working),
// each with the number a careful person records (null: none). `written` says whether the output
// was written before the review's fixes (a fair check of them) or after (a regression case).

const FILE = fileURLToPath(new URL("./fixtures/review-adversarial.jsonl", import.meta.url));

interface Row {
  id: string;
  pattern: number;
  answer: number | null;
  written: "before-fixes" | "after-fixes";
  output: string;
}

const ROWS: Row[] = readFileSync(FILE, "utf8")
  .split("\n")
  .flatMap((line, i) => {
    if (!line.trim()) return [];
    const row = JSON.parse(line) as Row;
    const ok =
      typeof row.id === "string" &&
      Number.isInteger(row.pattern) &&
      (row.answer === null || Number.isFinite(row.answer)) &&
      (row.written === "before-fixes" || row.written === "after-fixes") &&
      typeof row.output === "string";
    if (!ok) throw new Error(`${FILE}:${i + 1}: expected {id, pattern, answer, written, output}`);
    return [row];
  });

// What the rules still read differently, and why no rule change was made.
const KNOWN_MISSES: Record<string, string> = {
  "p3-restated-givens-only": "only givens, but which numbers are givens needs the question (reads 2, low)",
  "p4-fraction": 'the scanner reads "1/2." as 1 and 2 in both modes (reads 8, low)',
  "p4-one-chatter": '"1. Hope this helps!" cannot be told from a list\'s first item (reads 4, low)',
  "p7-actually-followup": '"Actually, let\'s also compute …" looks like a retraction (reads 126, low)',
  "p8-weekly-after-conclusion":
    "a weekly total after the daily one: which was asked needs the question (reads 126)",
};

const agrees = (row: Row): boolean => {
  const value = extractAnswer(row.output).value;
  return row.answer === null ? value === null : sameNumber(value, row.answer);
};

describe("reviewer's adversarial set (issue #22 variants)", () => {
  it("holds several outputs for every pattern, each id once", () => {
    for (let p = 0; p <= 11; p++)
      expect(ROWS.filter((r) => r.pattern === p).length, `pattern ${p}`).toBeGreaterThanOrEqual(2);
    expect(new Set(ROWS.map((r) => r.id)).size).toBe(ROWS.length);
    for (const id of Object.keys(KNOWN_MISSES))
      expect(
        ROWS.some((r) => r.id === id),
        id,
      ).toBe(true);
  });

  it.each(ROWS.filter((r) => !(r.id in KNOWN_MISSES)).map((r) => [r.id, r]))("%s", (_id, row) => {
    const { value } = extractAnswer(row.output);
    expect(agrees(row), `read ${value}, a careful person records ${row.answer}`).toBe(true);
  });
});
