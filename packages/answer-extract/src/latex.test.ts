import { describe, expect, it } from "vitest";
import { BOX_COMMANDS_WITH_EATEN_ESCAPES, boxedValue, findBoxed } from "./latex.js";

describe("findBoxed", () => {
  it("finds boxes with nested braces and a space before the brace", () => {
    const text = "a \\boxed{\\frac{1}{2}} b \\boxed {18}";
    expect(findBoxed(text).map((b) => b.content)).toEqual(["\\frac{1}{2}", "18"]);
  });

  it("accepts a single-token argument and \\fbox", () => {
    expect(findBoxed("\\boxed 42$").map((b) => b.content)).toEqual(["42"]);
    expect(findBoxed("\\fbox{7}").map((b) => b.content)).toEqual(["7"]);
  });

  it("ignores an unclosed box (truncated output)", () => {
    expect(findBoxed("so \\boxed{4")).toEqual([]);
  });

  it("ignores commands that merely start with boxed", () => {
    expect(findBoxed("\\boxedtext{5}")).toEqual([]);
  });

  it("finds every box, in order, when several commands interleave", () => {
    const text = "\\fbox{1} \u0008oxed{2} \\boxed{3} \\boxedx \\fbox{4} \u0008oxed{5} \\boxed{6}";
    const found = findBoxed(text, 2, text.length, BOX_COMMANDS_WITH_EATEN_ESCAPES);
    expect(found.map((b) => b.content)).toEqual(["2", "3", "4", "5", "6"]);
    expect(findBoxed(text).map((b) => b.content)).toEqual(["1", "3", "4", "6"]);
  });
});

describe("boxedValue", () => {
  it.each([
    ["18", 18],
    ["18.", 18],
    ["\\$1,200", 1200],
    ["$18.00$", 18],
    ["\\frac{3}{4}", 0.75],
    ["\\dfrac34", 0.75],
    ["\\tfrac{1}{8}", 0.125],
    ["2\\frac{1}{2}", 2.5],
    ["-\\frac{1}{2}", -0.5],
    ["\\frac{12}{4}", 3],
    ["12{,}500", 12500],
    ["1\\,000", 1000],
    ["25\\%", 25],
    ["35 \\text{ minutes}", 35],
    ["\\text{18 apples}", 18],
    ["x = 15", 15],
    ["90^\\circ", 90],
    ["3/4", 0.75],
    ["\\text{twelve}", 12],
  ])("reads %j", (content, expected) => {
    expect(boxedValue(content)).toBeCloseTo(expected, 12);
  });

  it("returns null for non-numeric content", () => {
    expect(boxedValue("")).toBeNull();
    expect(boxedValue("\\text{Tuesday}")).toBeNull();
  });
});
