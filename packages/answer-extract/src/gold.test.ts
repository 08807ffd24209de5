import { describe, expect, it } from "vitest";
import { extractGold, GoldAnswerError, sameNumber } from "./gold.js";

describe("extractGold", () => {
  it("reads the #### line", () => {
    expect(extractGold("9 * 2 = <<9*2=18>>18\n#### 18")).toBe(18);
    expect(extractGold("...\n#### 1,000,000")).toBe(1000000);
    expect(extractGold("...\n#### -47")).toBe(-47);
    expect(extractGold("...\n#### 0.5")).toBe(0.5);
  });

  it("uses the last #### line, not numbers in the rationale", () => {
    expect(extractGold("#### is a marker: 5 + 5 = 10\n#### 10")).toBe(10);
  });

  it("throws a typed error when the line is missing", () => {
    expect(() => extractGold("no marker here")).toThrow(GoldAnswerError);
    expect(() => extractGold("#### ")).toThrow(/#### N/);
  });
});

describe("sameNumber", () => {
  it("tolerates float noise", () => {
    expect(sameNumber(0.1 + 0.2, 0.3)).toBe(true);
    expect(sameNumber(18, 18.0000000001)).toBe(true);
    expect(sameNumber(1e9, 1e9 + 1)).toBe(true);
  });

  it("does not treat rounding as equal", () => {
    expect(sameNumber(0.33, 1 / 3)).toBe(false);
    expect(sameNumber(18, 19)).toBe(false);
  });

  it("never matches null", () => {
    expect(sameNumber(null, null)).toBe(false);
    expect(sameNumber(null, 0)).toBe(false);
    expect(sameNumber(Number.NaN, Number.NaN)).toBe(false);
  });
});
