import { describe, expect, it } from "vitest";
import type { RupItem } from "./item.js";
import { buildPrompt, promptFormat } from "./prompt.js";
import { testItem } from "./test-items.js";

describe("buildPrompt", () => {
  it("uses the benchmark's layout: system line, Question:, lettered options, Answer:", () => {
    const item = testItem({ original: "Where is money kept?", category: "commonsense" });
    expect(buildPrompt(item, item.original)).toBe(
      [
        "You are an expert in commonsense reasoning. Answer the following multiple-choice question with the letter of the correct option.",
        "Question: Where is money kept?",
        "A: bank",
        "B: library",
        "Answer:",
      ].join("\n"),
    );
  });

  it("puts an unperturbed question after the perturbed context, and is configurable", () => {
    const item: RupItem = { ...testItem({ original: "Ctx." }), question: "Why?" };
    const format = promptFormat({
      system: null,
      showOptions: false,
      questionPrefix: "Q: ",
      answerPrefix: "A:",
    });
    expect(buildPrompt(item, "Perturbed ctx.", format)).toBe("Q: Perturbed ctx.\nWhy?\nA:");
  });
});
