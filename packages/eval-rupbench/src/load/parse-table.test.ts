import { describe, expect, it } from "vitest";
import { RupbenchDataError } from "../errors.js";
import { parseRupbenchCsv } from "./parse-table.js";
import { FILE_SCHEMAS } from "./schemas.js";
import { csvOf } from "./test-rows.js";

describe("parseRupbenchCsv", () => {
  it("reads AQuA's numpy-array options and letter gold", () => {
    const text = csvOf(
      "question",
      ["options", "correct"],
      [{ base: "What is 2+3?", extra: ["['A)5' 'B)6'\n 'C)7']", "A"] }],
    );
    const { items, issues } = parseRupbenchCsv(text, "AQuA_RUP.csv", FILE_SCHEMAS["AQuA_RUP.csv"]);
    expect(issues).toEqual([]);
    expect(items[0]).toMatchObject({
      id: "AQuA-1",
      dataset: "AQuA",
      category: "arithmetic",
      original: "What is 2+3?",
      answerKind: "choice",
      options: [
        { label: "A", text: "5" },
        { label: "B", text: "6" },
        { label: "C", text: "7" },
      ],
      gold: "A",
      source: { file: "AQuA_RUP.csv", row: 1 },
    });
    expect(items[0].perturbed.typos).toBe("What is 2+3?x");
    // Every other variant equals the original in this fixture, so all but typos are no-ops.
    expect(items[0].defects.noOp).toHaveLength(8);
  });

  it("reads dict choices (CommonsenseQA) and keeps the id column", () => {
    const dict =
      "{'choices': [{'label': 'A', 'text': 'bank'}, {'label': 'B', 'text': 'mall'}], 'stem': 'Q?'}";
    const text = csvOf(
      "question_stem",
      ["id", "question", "answerKey"],
      [{ base: "Q?", extra: ["abc", dict, "B"] }],
    );
    const { items } = parseRupbenchCsv(text, "CommonsenseQA_RUP.csv", FILE_SCHEMAS["CommonsenseQA_RUP.csv"]);
    expect(items[0]).toMatchObject({ id: "abc", gold: "B", options: [{ text: "bank" }, { text: "mall" }] });
  });

  it("maps 0-, 1-based and listed golds to letters, and keeps an unperturbed question", () => {
    const reclor = csvOf(
      "context",
      ["question", "answers", "label", "id_string"],
      [{ base: "Ctx.", extra: ["Which?", `["a", 'b\\'s', 'c', 'd']`, "1", "val_0"] }],
    );
    const r = parseRupbenchCsv(reclor, "ReClor_RUP.csv", FILE_SCHEMAS["ReClor_RUP.csv"]).items[0];
    expect(r).toMatchObject({ id: "val_0", question: "Which?", gold: "B" });
    expect(r.options[1].text).toBe("b's");
    const siqa = csvOf(
      "context",
      ["question", "answerA", "answerB", "answerC", "answer"],
      [{ base: "Ctx.", extra: ["Why?", "x", "y", "z", "3"] }],
    );
    expect(
      parseRupbenchCsv(siqa, "Social_IQA_RUP.csv", FILE_SCHEMAS["Social_IQA_RUP.csv"]).items[0].gold,
    ).toBe("C");
  });

  it("gives NumerSense the number words as candidates", () => {
    const text = csvOf("Question", ["Answer"], [{ base: "a car has <mask> wheels.", extra: ["Four"] }]);
    const item = parseRupbenchCsv(text, "NumerSense_RUP.csv", FILE_SCHEMAS["NumerSense_RUP.csv"]).items[0];
    expect(item.answerKind).toBe("open");
    expect(item.gold).toBe("four");
    expect(item.options.map((o) => o.text)).toContain("no");
  });

  it("reports malformed rows with file, row and line, and keeps the good ones", () => {
    const text = csvOf(
      "goal",
      ["sol1", "sol2", "answer"],
      [
        { base: "ok", extra: ["a", "b", "0"] },
        { base: "bad gold", extra: ["a", "b", "2"] },
        { base: "ok\nagain", extra: ["a", "b", "1"] },
      ],
    ).replace(/\n$/, '\n"short row"\n');
    const { items, issues } = parseRupbenchCsv(text, "PIQA_RUP.csv", FILE_SCHEMAS["PIQA_RUP.csv"]);
    expect(items.map((i) => i.gold)).toEqual(["A", "B"]);
    expect(issues).toEqual([
      { file: "PIQA_RUP.csv", row: 2, line: 3, message: expect.stringMatching(/"answer".*out of range/) },
      // Row 3 spans 11 lines: its two-line text fills the base column and the nine variants.
      { file: "PIQA_RUP.csv", row: 4, line: 15, message: expect.stringMatching(/1 fields/) },
    ]);
  });

  it("throws on the first bad row in strict mode, and on missing columns", () => {
    const text = csvOf("goal", ["sol1", "sol2", "answer"], [{ base: "g", extra: ["a", "b", "x"] }]);
    expect(() =>
      parseRupbenchCsv(text, "PIQA_RUP.csv", FILE_SCHEMAS["PIQA_RUP.csv"], { strict: true }),
    ).toThrow(/PIQA_RUP.csv row 1 \(line 2\)/);
    expect(() => parseRupbenchCsv("goal,sol1\n", "PIQA_RUP.csv", FILE_SCHEMAS["PIQA_RUP.csv"])).toThrow(
      RupbenchDataError,
    );
  });
});
