import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { extractAnswer } from "./extract.js";
import { extractGold, sameNumber } from "./gold.js";

const FILE = fileURLToPath(new URL("../../../../shared/data/gsm8k/test.jsonl", import.meta.url));

// GSM8K's own rationales are real multi-line arithmetic text ending in "#### N": the extractor
// must read N from every one (the study's rules as written miss about 6 % of them).
describe.skipIf(!existsSync(FILE))(`GSM8K reference rationales (skipped: ${FILE} absent)`, () => {
  it("reads the #### answer of all 1,319 test rationales", () => {
    const answers = readFileSync(FILE, "utf8")
      .split("\n")
      .filter((l) => l.trim())
      .map((l) => (JSON.parse(l) as { answer: string }).answer);
    expect(answers).toHaveLength(1319);
    const misses = answers.filter((a) => !sameNumber(extractAnswer(a).value, extractGold(a)));
    expect(misses).toEqual([]);
  });
});
