import { strToU8, zipSync } from "fflate";
import { describe, expect, it } from "vitest";
import { parseRupbenchZip } from "./load.js";
import { csvOf } from "./test-rows.js";
import { isArchiveJunk } from "./zip.js";

describe("TRAM zip", () => {
  it("reads the CSVs inside and ignores __MACOSX and notebook checkpoints", () => {
    const csv = csvOf(
      "Question",
      ["Option A", "Option B", "Option C", "Answer", "Category"],
      [{ base: "How long?", extra: ["a day", "a year", "a second", "B", "Commonsense"] }],
    );
    const zip = zipSync({
      "TRAM_duration_RUP.csv": strToU8(csv),
      "__MACOSX/._TRAM_duration_RUP.csv": strToU8("junk"),
      ".ipynb_checkpoints/TRAM_duration_RUP-checkpoint.csv": strToU8("junk"),
    });
    const { items, issues } = parseRupbenchZip(zip, "TRAM_RUP.zip");
    expect(issues).toEqual([]);
    expect(items).toHaveLength(1);
    expect(items[0]).toMatchObject({
      id: "TRAM_duration-1",
      dataset: "TRAM",
      category: "commonsense",
      gold: "B",
      source: { file: "TRAM_RUP.zip/TRAM_duration_RUP.csv", row: 1 },
    });
  });

  it("recognises archive junk", () => {
    expect(isArchiveJunk("__MACOSX/._a.csv")).toBe(true);
    expect(isArchiveJunk("x/.ipynb_checkpoints/a.csv")).toBe(true);
    expect(isArchiveJunk("TRAM_ordering_RUP.csv")).toBe(false);
  });
});
