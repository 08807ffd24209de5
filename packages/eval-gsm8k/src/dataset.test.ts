import { existsSync } from "node:fs";
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { loadGsm8k, loadGsm8kJsonl, loadGsm8kParquet, parseGsm8kJsonl } from "./dataset.js";
import { Gsm8kDataError } from "./errors.js";
import { tinyParquet } from "./tiny-parquet.fixture.js";

const DATA = fileURLToPath(new URL("../../../../shared/data/gsm8k/", import.meta.url));
const hasData = existsSync(join(DATA, "test.jsonl"));

const row = (q: string, n: string) => JSON.stringify({ question: q, answer: `work\n#### ${n}` });

describe("parseGsm8kJsonl", () => {
  it("reads rows with stable ids and gold numbers", () => {
    const items = parseGsm8kJsonl(`${row("a?", "18")}\n\n${row("b?", "1,000")}\n`, "/x/test.jsonl");
    expect(items).toEqual([
      { id: "test-0", question: "a?", answer: "work\n#### 18", gold: 18 },
      { id: "test-1", question: "b?", answer: "work\n#### 1,000", gold: 1000 },
    ]);
  });

  it("names the file and line of malformed JSON", () => {
    const text = `${row("a?", "1")}\n{"question": "b?", \n`;
    expect(() => parseGsm8kJsonl(text, "data/test.jsonl")).toThrow(Gsm8kDataError);
    expect(() => parseGsm8kJsonl(text, "data/test.jsonl")).toThrow(/^data\/test\.jsonl:2: malformed JSON/);
  });

  it("names the line of a row with missing fields or no #### line", () => {
    expect(() => parseGsm8kJsonl(`${row("a?", "1")}\n{"question": "b?"}`, "f.jsonl")).toThrow(
      /f\.jsonl:2: expected/,
    );
    const noGold = JSON.stringify({ question: "q", answer: "no marker" });
    expect(() => parseGsm8kJsonl(noGold, "f.jsonl")).toThrow(/f\.jsonl:1: .*#### N/);
  });
});

describe("Parquet", () => {
  it("reads question and answer columns as the Hub serves them", async () => {
    const dir = await mkdtemp(join(tmpdir(), "gsm8k-"));
    const file = join(dir, "test-00000-of-00001.parquet");
    const rows = [
      { question: "Janet’s ducks lay 16 eggs?", answer: "9 * 2 = 18\n#### 18" },
      { question: "A robe takes 2 bolts?", answer: "2 + 1 = 3\n#### 3" },
    ];
    await writeFile(file, tinyParquet(["question", "answer"], rows));
    const items = await loadGsm8k(file);
    expect(items.map((i) => [i.id, i.question, i.gold])).toEqual([
      ["test-00000-of-00001-0", "Janet’s ducks lay 16 eggs?", 18],
      ["test-00000-of-00001-1", "A robe takes 2 bolts?", 3],
    ]);
  });

  it("reports a file that is not Parquet", async () => {
    const dir = await mkdtemp(join(tmpdir(), "gsm8k-"));
    const file = join(dir, "bad.parquet");
    await writeFile(file, "not parquet at all");
    await expect(loadGsm8kParquet(file)).rejects.toThrow(/bad\.parquet: cannot read Parquet/);
  });
});

it("rejects unknown extensions", async () => {
  await expect(loadGsm8k("x.csv")).rejects.toThrow(/x\.csv: expected a \.jsonl or \.parquet/);
});

describe.skipIf(!hasData)(`real GSM8K files (skipped: ${DATA} absent)`, () => {
  it("loads the 1,319 test and 7,473 train items", async () => {
    const test = await loadGsm8kJsonl(join(DATA, "test.jsonl"));
    const train = await loadGsm8kJsonl(join(DATA, "train.jsonl"));
    expect(test).toHaveLength(1319);
    expect(train).toHaveLength(7473);
    expect(test[0]).toMatchObject({ id: "test-0", gold: 18 });
    expect(test.every((i) => Number.isFinite(i.gold))).toBe(true);
  });
});
