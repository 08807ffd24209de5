import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { calibrationFromRows, calibrationFromText } from "./calibration.js";

const chars = (s: string) => [...s].map((c) => c.charCodeAt(0) % 256);
const WIKITEXT = fileURLToPath(new URL("../../../../shared/data/wikitext-2/valid.txt", import.meta.url));

describe("calibrationFromText", () => {
  const text = "the quick brown fox jumps over the lazy dog. ".repeat(20);

  it("cuts seeded random windows of seqLen tokens, batched", () => {
    const a = calibrationFromText(text, chars, { nsamples: 5, seqLen: 16, seed: 3, batchSize: 2 });
    expect(a.map((t) => t.shape)).toEqual([
      [2, 16],
      [2, 16],
      [1, 16],
    ]);
    expect(a[0].dtype).toBe("int32");
    const ids = chars(text).join(",");
    for (const t of a) {
      const v = [...(t.dataSync() as Int32Array)];
      for (let r = 0; r < t.shape[0]; r++) expect(ids).toContain(v.slice(r * 16, (r + 1) * 16).join(","));
    }
    const b = calibrationFromText(text, chars, { nsamples: 5, seqLen: 16, seed: 3, batchSize: 2 });
    expect(b.map((t) => [...t.dataSync()])).toEqual(a.map((t) => [...t.dataSync()]));
    const c = calibrationFromText(text, chars, { nsamples: 5, seqLen: 16, seed: 4, batchSize: 2 });
    expect(c.map((t) => [...t.dataSync()])).not.toEqual(a.map((t) => [...t.dataSync()]));
  });

  it("errors on a text too short and on bad sizes", () => {
    expect(() => calibrationFromText("abc", chars, { seqLen: 3 })).toThrow(
      /3 tokens, fewer than seqLen \+ 1 = 4/,
    );
    expect(() => calibrationFromText(text, chars, { seqLen: 0 })).toThrow(
      /seqLen must be a positive integer/,
    );
    expect(() => calibrationFromText(text, chars, { seqLen: 8, nsamples: 1.5 })).toThrow(/nsamples/);
  });

  it.skipIf(!existsSync(WIKITEXT))("takes 128 windows of WikiText-2 valid", () => {
    const text = readFileSync(WIKITEXT, "utf8");
    const batches = calibrationFromText(text, chars, { nsamples: 128, seqLen: 64, seed: 0, batchSize: 16 });
    expect(batches).toHaveLength(8);
  });
});

describe("calibrationFromRows", () => {
  it("draws windows from rows long enough, strings or objects", () => {
    const rows = [{ text: "short" }, { text: "a long enough row of text here" }, { text: "tiny" }];
    const out = calibrationFromRows(rows, chars, { nsamples: 3, seqLen: 10, seed: 1 });
    const long = chars(rows[1].text).join(",");
    for (const t of out) expect(long).toContain([...(t.dataSync() as Int32Array)].join(","));
    expect(calibrationFromRows(["x".repeat(30)], chars, { nsamples: 2, seqLen: 10 })).toHaveLength(2);
  });

  it("errors name the row and the shortage", () => {
    expect(() => calibrationFromRows([{ body: "x" }], chars, { nsamples: 1, seqLen: 4 })).toThrow(
      /row 0 has no string "text" field/,
    );
    expect(() => calibrationFromRows(["ab", "cd"], chars, { nsamples: 1, seqLen: 4 })).toThrow(
      /too few rows longer than seqLen = 4/,
    );
  });
});
