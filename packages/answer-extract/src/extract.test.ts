import { describe, expect, it } from "vitest";
import { extractAnswer } from "./extract.js";

const read = (text: string) => extractAnswer(text);

describe("rule 1: the first \\boxed{}", () => {
  it("wins over every other rule", () => {
    const r = read("18\nThe answer is 20.\n$\\boxed{22}$\nthen 24");
    expect(r).toMatchObject({ value: 22, rule: "boxed" });
  });

  it("takes the first box that holds a number", () => {
    expect(read("\\boxed{} then \\boxed{5} then \\boxed{6}").value).toBe(5);
  });

  it("spans the whole box", () => {
    const text = "So $\\boxed{18}$.";
    const r = read(text);
    expect(text.slice(r.span!.start, r.span!.end)).toBe("\\boxed{18}");
  });
});

describe("rule 2: a first line of equal numbers", () => {
  it("fires on a bare first line followed by other text", () => {
    expect(read("18\n\nShe had 16 - 7 = 9 eggs to sell at $2.")).toMatchObject({
      value: 18,
      rule: "first-line",
    });
    expect(read("**$18**\nbecause 9 * 2")).toMatchObject({ value: 18, rule: "first-line" });
  });

  it("fires on a first line with a cue whose numbers agree", () => {
    expect(read("The answer is 18. 18\nThen 5 more")).toMatchObject({ value: 18, rule: "first-line" });
  });

  it("does not fire when the first line's numbers differ", () => {
    expect(read("16 - 3 - 4 = 9\nThe answer is 18.")).toMatchObject({ value: 18, rule: "answer-cue" });
  });

  it("does not fire on a restated question number when more lines follow", () => {
    const r = read("Janet's ducks lay 16 eggs per day.\nShe sells 9 for $2 each.\nThe answer is 18.");
    expect(r).toMatchObject({ value: 18, rule: "answer-cue" });
  });

  it("does not fire on headings or list enumerators", () => {
    expect(read("## Step 1: Count\nShe has 4 * 3 = 12.").value).toBe(12);
    expect(read("Part 1:\n4 + 4 = 8").value).toBe(8);
    expect(read("1. Janet has 16 eggs\n2. She sells 9 of them").value).toBe(9);
  });

  it("fires on a single-line output, as the study's rule does", () => {
    expect(read("Janet makes $18 every day.")).toMatchObject({ value: 18, rule: "first-line" });
  });

  it("as the study wrote it, fires on any first line of equal numbers", () => {
    const text = "Janet's ducks lay 16 eggs per day.\nThe answer is 18.";
    expect(extractAnswer(text, { mode: "study" })).toMatchObject({ value: 16, rule: "first-line" });
    expect(extractAnswer(text)).toMatchObject({ value: 18, rule: "answer-cue" });
  });
});

describe("rule 3: the number after an answer cue", () => {
  it.each([
    ["She has 4 + 5 = 9.\nThe answer is 9.", 9],
    ["She has 4 + 5 = 9.\nThe final answer is 9", 9],
    ["She has 4 + 5 = 9.\nThe correct answer is: 9", 9],
    ["She has 4 + 5 = 9.\nAnswer: 9", 9],
    ["She has 4 + 5 = 9.\nANSWER 9 is wrong, answer: 9", 9],
    ["She has 4 + 5 = 9.\n#### 9", 9],
    ["She has 4 + 5 = 9.\n####9", 9],
    ["She has 4 + 5 = 9.\nthe answer is **$9**.", 9],
    ["She has 4 + 5 = 9.\nFinal Answer:\n\n9", 9],
    ["She has 4 + 5 = 9 apples, so the answer is nine apples and not 4.", 9],
  ])("reads %j", (text, expected) => {
    expect(read(text)).toMatchObject({ value: expected, rule: "answer-cue" });
  });

  it("reads the result of arithmetic that follows the cue", () => {
    expect(read("So 2 + 2.\nThe answer is 5 + 13 = 18.").value).toBe(18);
  });

  it("reads a later cue only after an explicit retraction", () => {
    expect(read("So 5 + 3 = 8.\nThe answer is 8. Wait, 5 + 4 = 9. The correct answer is 9.").value).toBe(9);
    expect(read("So 5 + 3 = 8.\nThe answer is 8. So 5 + 4 = 9. The answer is 9.").value).toBe(8);
  });

  it("uses the study's first cue in study mode", () => {
    const text = "So 5 + 3 = 8.\nThe answer is 8. Wait, 5 + 4 = 9. The correct answer is 9.";
    expect(extractAnswer(text, { mode: "study" }).value).toBe(8);
  });

  it("prefers the earlier cue when the last one was cut off mid-number", () => {
    expect(read("So 6 * 5 = 30.\nThe answer is 30.\nThe answer is 3").value).toBe(30);
  });

  it("ignores a markdown heading that starts with ####", () => {
    expect(read("#### Step 2\nShe has 7 left").rule).toBe("last-number");
  });

  it("ignores a cue with no number near it", () => {
    expect(read("Let me find the answer: first, 4 + 4 = 8.").value).toBe(8);
  });
});

describe("bold rule (refined only)", () => {
  it("reads a bold bare number on the last line before its operands", () => {
    const text = "Each bag holds 12 apples.\nSo there are **60 apples** (12 × 5).";
    expect(read(text)).toMatchObject({ value: 60, rule: "bold" });
    // The study's rule 2 reads the restated 12 on the first line.
    expect(extractAnswer(text, { mode: "study" }).value).toBe(12);
  });

  it("ignores bold headings", () => {
    expect(read("Intro 4.\n**Step 2: 16 - 3** gives 13").rule).toBe("last-number");
  });
});

describe("rule 4: the last number", () => {
  it("reads the last number when nothing else fires", () => {
    expect(read("She has 16 - 3 = 13 eggs.\nThen 13 * 2 = 26")).toMatchObject({
      value: 26,
      rule: "last-number",
    });
  });

  it("falls back to number words when there are no digits", () => {
    expect(read("She has two hundred stamps.").value).toBe(200);
    expect(extractAnswer("She has two hundred stamps.", { mode: "study" }).value).toBeNull();
  });

  it("returns null with rule 'none' when there is no number", () => {
    expect(read("I cannot answer that.")).toEqual({ value: null, rule: "none" });
    expect(read("")).toEqual({ value: null, rule: "none" });
  });
});

describe("where the answer ends", () => {
  it("ignores an invented next question", () => {
    expect(read("So 2 * 6 = 12.\nThe answer is 12.\n\nQuestion: Tom has 3. The answer is 3.").value).toBe(12);
    expect(read("So 2 * 6 = 12.\n\nQ: Tom has 3 cars.\nA: 3").value).toBe(12);
  });

  it("keeps a restated question on the first line", () => {
    expect(read("Question: how much?\nShe makes 9 * 2 = 18.").value).toBe(18);
  });

  it("stops at leaked special tokens", () => {
    expect(read("It is 12.<|eot_id|>assistant 40").value).toBe(12);
    expect(read("It is 12.</s> 40").value).toBe(12);
  });
});

describe("adversarial inputs", () => {
  it("reads through a 100 KB degenerate repetition", () => {
    const text = `The answer is 18.${" 18.".repeat(25_000)}`;
    expect(text.length).toBeGreaterThan(100_000);
    expect(read(text)).toMatchObject({ value: 18, rule: "first-line" });
  });

  it("reads through 100 KB of repeated reasoning without a newline", () => {
    const text = `${"She has 4 + 5 = 9 and the answer is ".repeat(3000)}9`;
    expect(read(text).value).toBe(9);
  });

  it("handles pathological runs of digits, commas, dashes and braces", () => {
    expect(read("9".repeat(100_000)).rule).toBe("first-line");
    expect(read(",1".repeat(50_000)).value).toBe(1);
    expect(read("-".repeat(100_000)).value).toBeNull();
    expect(read(`\\boxed{${"{".repeat(50_000)}`).rule).toBe("none");
    expect(read("*".repeat(100_000)).value).toBeNull();
    expect(read(`${"answer: ".repeat(10_000)}`).value).toBeNull();
  });

  it("drops a number truncated at the end of a repetition tail", () => {
    expect(read(`18.${" 18.".repeat(50)} 1`).value).toBe(18);
    expect(read("She had 16 - 15 = 1").value).toBe(1);
  });

  it("survives truncation anywhere in a LaTeX answer", () => {
    const full = "So 3 / 4 of it.\nThe final answer is: $\\boxed{\\frac{3}{4}}$";
    for (let cut = 0; cut <= full.length; cut++) {
      const r = read(full.slice(0, cut));
      expect(r.value === null || Number.isFinite(r.value)).toBe(true);
    }
    expect(read(full.slice(0, -1)).value).toBe(0.75);
  });

  it("is pure: the same input gives the same answer", () => {
    const text = "The answer is 18.\n\nQuestion: 5?";
    expect(read(text)).toEqual(read(text));
  });
});

describe("GSM8K rationale shapes", () => {
  it("does not read a first-line equation whose numbers agree as a bare answer", () => {
    const text = "672/4 = <<672/4=168>>168 balloons\n168 * (1/2) = <<168*(1/2)=84>>84 balloons\n#### 84";
    expect(read(text)).toMatchObject({ value: 84, rule: "answer-cue" });
  });
});
