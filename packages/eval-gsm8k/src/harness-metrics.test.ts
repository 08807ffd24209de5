import { describe, expect, it } from "vitest";
import { flexibleExtractAnswer, harnessMatch, strictMatchAnswer } from "./harness-metrics.js";

const gold = "9 * 2 = <<9*2=18>>18\n#### 1,800";

describe("lm-evaluation-harness scoring", () => {
  it("strict-match reads the first '#### N'", () => {
    expect(strictMatchAnswer("so #### 1,800 and #### 5", "gsm8k")).toBe("1,800");
    expect(strictMatchAnswer("The answer is 1800.", "gsm8k")).toBeNull();
    expect(strictMatchAnswer("The answer is 1800.", "cot")).toBe("1800");
  });

  it("flexible-extract reads the last number-like run", () => {
    expect(flexibleExtractAnswer("9 * 2 = $1,800.")).toBe("$1,800.");
    expect(flexibleExtractAnswer("it is 7")).toBe("7");
    expect(flexibleExtractAnswer("none")).toBeNull();
  });

  it("compares strings after the harness's normalisation", () => {
    expect(harnessMatch("$1,800.", gold)).toBe(true);
    expect(harnessMatch("1800", gold)).toBe(true);
    expect(harnessMatch("1800.00", gold)).toBe(false);
    expect(harnessMatch(null, gold)).toBe(false);
  });
});
