import { describe, expect, it } from "vitest";
import { evaluateArithmetic } from "./arithmetic.js";

describe("evaluateArithmetic", () => {
  it.each([
    ["60+120", 180],
    [" $2400 + $4000 ", 6400],
    ["24 stars + 12 stars", 36],
    ["3 × (5 - 2)", 9],
    ["5 x 220", 1100],
    ["1,000 + 200", 1200],
    ["18kg + 2kg", 20],
    ["100 / 8 - 0.5", 12],
    ["-3 + 10", 7],
    ["2 * 3 + 4 * 5", 26],
  ])("%j = %d", (expr, value) => {
    expect(evaluateArithmetic(expr)).toBeCloseTo(value, 10);
  });

  it.each(["16", "2L + 8", "x + 5", "she had 10 + 20", "(3 + 4", "3 + * 4", ""])("is null for %j", (expr) => {
    expect(evaluateArithmetic(expr)).toBeNull();
  });
});
