import { describe, expect, it } from "vitest";
import { scanNumbers } from "./numbers.js";

const values = (text: string) => scanNumbers(text).map((n) => n.value);

describe("scanNumbers", () => {
  it.each([
    ["18", [18]],
    ["-7 degrees", [-7]],
    ["\u22125", [-5]],
    ["x = -5", [-5]],
    ["a loss of -$5", [-5]],
    ["$-5", [-5]],
    ["1,000,000", [1000000]],
    ["$1,200.50", [1200.5]],
    ["25%", [25]],
    ["3.75", [3.75]],
    ["$.50", [0.5]],
    ["costs 18.", [18]],
    ["18.00", [18]],
    ["18kg", [18]],
    ["the 3rd day", [3]],
    ["3/4 cup", [0.75]],
    ["2 1/2 hours", [2.5]],
    ["1.5 million", [1500000]],
    ["3 thousand", [3000]],
  ])("reads %j", (text, expected) => {
    expect(values(text)).toEqual(expected);
  });

  it("treats a dash between operands as subtraction, not a sign", () => {
    expect(values("16-3-4=9")).toEqual([16, 3, 4, 9]);
    expect(values("x-5")).toEqual([5]);
    expect(values("(4)-2")).toEqual([4, 2]);
  });

  it("keeps lists and malformed separators apart", () => {
    expect(values("1,2,3")).toEqual([1, 2, 3]);
    expect(values("12,34")).toEqual([12, 34]);
    expect(values("1,000,00")).toEqual([1000, 0]);
    expect(values("1234,567")).toEqual([1234, 567]);
  });

  it("does not read a bullet dash as a minus sign", () => {
    expect(values("- 5 apples")).toEqual([5]);
  });

  it("reports spans that cover sign, digits and percent", () => {
    const text = "got \u221212% back";
    const [n] = scanNumbers(text);
    expect(text.slice(n.start, n.end)).toBe("\u221212%");
  });

  it("scans only the requested range", () => {
    expect(scanNumbers("1 2 3 4", 2, 5).map((n) => n.value)).toEqual([2, 3]);
  });
});
