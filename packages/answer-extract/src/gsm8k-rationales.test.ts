import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { extractAnswer } from "./extract.js";
import { extractGold, sameNumber } from "./gold.js";

const DIR = fileURLToPath(new URL("../../../../shared/data/gsm8k/", import.meta.url));
const FILES = ["test.jsonl", "train.jsonl"].map((f) => `${DIR}${f}`);

// GSM8K's own rationales are real multi-line arithmetic text ending in "#### N": the extractor
// must read N from every one (the study's rules as written miss about 6 % of them).
describe.skipIf(!FILES.every(existsSync))(`GSM8K reference rationales (skipped: ${DIR} absent)`, () => {
  it("reads the #### answer of all 8,792 train and test rationales", () => {
    const answers = FILES.flatMap((f) =>
      readFileSync(f, "utf8")
        .split("\n")
        .filter((l) => l.trim())
        .map((l) => (JSON.parse(l) as { answer: string }).answer),
    );
    expect(answers).toHaveLength(8792);
    const misses = answers.filter((a) => !sameNumber(extractAnswer(a).value, extractGold(a)));
    expect(misses).toEqual([]);
  });
});
