import { describe, expect, it } from "vitest";
import { extractAnswer } from "./extract.js";
import { sameNumber } from "./gold.js";
import { REALISTIC_OUTPUTS } from "./realistic-outputs.fixture.js";

const agrees = (value: number | null, expected: number | null) =>
  expected === null ? value === null : sameNumber(value, expected);

describe("realistic Llama-style outputs", () => {
  it.each(REALISTIC_OUTPUTS.map((c) => [c.kind, c] as const))("%s", (_kind, c) => {
    expect(extractAnswer(c.output).value).toSatisfy((v: number | null) => agrees(v, c.expected));
  });

  it("agrees with the labels more than the study's rules and the last number do", () => {
    const rate = (pick: (text: string) => number | null) =>
      REALISTIC_OUTPUTS.filter((c) => agrees(pick(c.output), c.expected)).length / REALISTIC_OUTPUTS.length;
    const refined = rate((t) => extractAnswer(t).value);
    const study = rate((t) => extractAnswer(t, { mode: "study" }).value);
    expect(refined).toBe(1);
    expect(study).toBeLessThan(refined);
  });
});
