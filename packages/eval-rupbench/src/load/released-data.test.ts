import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";
import { countDefects } from "../defect-summary.js";
import type { RupItem } from "../item.js";
import { type LoadResult, loadRupbenchDir } from "./load.js";

const dir = fileURLToPath(new URL("../../../../../shared/data/rupbench/", import.meta.url));
const present = existsSync(dir);
if (!present) console.warn(`skipping the released-data tests: ${dir} is absent (a user's clone)`);

const EXPECTED_ROWS: Record<string, number> = {
  "AQuA_RUP.csv": 508,
  "ART_RUP.csv": 1532,
  "CommonsenseQA_RUP.csv": 1221,
  "NumerSense_RUP.csv": 200,
  "PIQA_RUP.csv": 1838,
  "QASC_RUP.csv": 926,
  "ReClor_RUP.csv": 500,
  "RiddleSense_RUP.csv": 1021,
  "Social_IQA_RUP.csv": 1954,
  "TRAM_RUP.zip": 3290,
};

describe.skipIf(!present)("released RUPBench files (../shared/data/rupbench)", () => {
  let loaded: Map<string, LoadResult>;
  let all: RupItem[];
  beforeAll(async () => {
    loaded = await loadRupbenchDir(dir);
    all = [...loaded.values()].flatMap((r) => r.items);
  });

  it("reads every row of every file, with no malformed rows", () => {
    const counts = Object.fromEntries([...loaded].map(([f, r]) => [f, r.items.length]));
    expect(counts).toEqual(EXPECTED_ROWS);
    expect([...loaded.values()].flatMap((r) => r.issues)).toEqual([]);
  });

  it("parses every file's options and gold into labelled options", () => {
    for (const item of all) {
      expect(item.options.length).toBeGreaterThan(1);
      expect(item.options.some((o) => o.label === item.gold)).toBe(true);
    }
    const optionCounts = new Map(all.map((i) => [i.dataset, i.options.length]));
    expect(Object.fromEntries(optionCounts)).toEqual({
      AQuA: 5,
      ART: 2,
      CommonsenseQA: 5,
      NumerSense: 12,
      PIQA: 2,
      QASC: 8,
      ReClor: 4,
      RiddleSense: 5,
      "Social IQA": 3,
      TRAM: 3,
    });
  });

  it("reads AQuA's double-quoted option row and multi-line option arrays", () => {
    const aqua = loaded.get("AQuA_RUP.csv")!.items;
    expect(aqua[422].options.map((o) => o.text)).toEqual([
      "9 o'clock",
      "10 o'clock",
      "11 o'clock",
      "12 o'clock",
      "8 o'clock",
    ]);
    expect(aqua[0].options[4]).toEqual({ label: "E", text: "None of these" });
  });

  it("counts the known defects SCHEMAS.md describes", () => {
    const byDataset = Object.fromEntries(countDefects(all).map((c) => [c.dataset, c]));
    expect(byDataset.PIQA.noOp.itCleft).toBe(1160);
    expect(byDataset.PIQA.noOp.whCleft).toBe(1160);
    expect(byDataset.TRAM.emptyOriginal).toBe(1);
    const empty = Object.values(byDataset).reduce((s, c) => s + c.redHerringEmpty, 0);
    const polluted = Object.values(byDataset).reduce((s, c) => s + c.redHerringPolluted, 0);
    expect(empty).toBe(72);
    expect(polluted).toBeGreaterThan(1000);
  });
});
