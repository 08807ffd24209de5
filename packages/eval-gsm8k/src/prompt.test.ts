import { describe, expect, it } from "vitest";
import { COT_EXEMPLARS } from "./cot-exemplars.js";
import type { Gsm8kItem } from "./dataset.js";
import { buildPrompt, type ChatMessage } from "./prompt.js";

const item: Gsm8kItem = { id: "test-0", question: "How many?", answer: "#### 3", gold: 3 };
const train: Gsm8kItem[] = Array.from({ length: 50 }, (_, i) => ({
  id: `train-${i}`,
  question: `Train question ${i}?`,
  answer: `Work ${i}.\n#### ${i}`,
  gold: i,
}));

describe("buildPrompt", () => {
  it("zero-shot", () => {
    expect(buildPrompt(item, { format: { kind: "zero-shot" } })).toEqual({
      prompt: "Question: How many?\nAnswer:",
      stop: ["Question:", "</s>", "<|im_end|>"],
    });
  });

  it("few-shot draws the same exemplars for a seed, others for another seed", () => {
    const a = buildPrompt(item, { format: { kind: "few-shot", shots: 5, train, seed: 1 } }).prompt;
    const b = buildPrompt(item, { format: { kind: "few-shot", shots: 5, train, seed: 1 } }).prompt;
    const c = buildPrompt(item, { format: { kind: "few-shot", shots: 5, train, seed: 2 } }).prompt;
    expect(a).toBe(b);
    expect(a).not.toBe(c);
    expect(a.match(/^Question: /gm)).toHaveLength(6);
    expect(a).toMatch(/^Question: Train question \d+\?\nAnswer: Work \d+\.\n#### \d+\n\nQuestion:/);
    expect(a.endsWith("Question: How many?\nAnswer:")).toBe(true);
  });

  it("few-shot never shows the evaluated item as its own exemplar", () => {
    for (const t of train.slice(0, 10)) {
      const p = buildPrompt(t, { format: { kind: "few-shot", shots: 49, train, seed: 3 } }).prompt;
      expect(p.split(t.question)).toHaveLength(2);
      expect(p.match(/^Question: /gm)).toHaveLength(50);
    }
  });

  it("8-shot chain of thought in the gsm8k-cot format", () => {
    const { prompt, stop } = buildPrompt(item, { format: { kind: "cot" } });
    expect(COT_EXEMPLARS).toHaveLength(8);
    expect(prompt.match(/^Q: /gm)).toHaveLength(9);
    expect(prompt.match(/The answer is \d+\./g)).toHaveLength(8);
    expect(prompt.startsWith("Q: There are 15 trees in the grove.")).toBe(true);
    expect(prompt).toContain(
      "So there must have been 21 - 15 = 6. The answer is 6.\n\nQ: If there are 3 cars",
    );
    expect(prompt.endsWith("\n\nQ: How many?\nA:")).toBe(true);
    expect(stop).toContain("Q:");
  });

  it("hands exemplars to a chat template as alternating turns", () => {
    let seen: ChatMessage[] = [];
    const template = (messages: ChatMessage[]) => {
      seen = messages;
      return messages.map((m) => `<${m.role}>${m.content}`).join("") + "<assistant>";
    };
    const { prompt } = buildPrompt(item, {
      format: { kind: "cot" },
      chatTemplate: template,
      systemPrompt: "Be brief.",
    });
    expect(seen.map((m) => m.role)).toEqual([
      "system",
      ...Array(8).fill(["user", "assistant"]).flat(),
      "user",
    ]);
    expect(seen.at(-1)?.content).toBe("Q: How many?\nA:");
    expect(prompt.endsWith("<user>Q: How many?\nA:<assistant>")).toBe(true);
  });

  it("cot with shots takes the first exemplars, as lm-eval's num_fewshot does for gsm8k_cot", () => {
    const three = buildPrompt(item, { format: { kind: "cot", shots: 3 } }).prompt;
    expect(three.split("\n\n")).toHaveLength(4);
    expect(three.startsWith(`Q: ${COT_EXEMPLARS[0].question}\nA: ${COT_EXEMPLARS[0].answer}`)).toBe(true);
    expect(three).not.toContain(COT_EXEMPLARS[3].question);
    expect(buildPrompt(item, { format: { kind: "cot", shots: 0 } }).prompt).toBe(`Q: ${item.question}\nA:`);
    expect(() => buildPrompt(item, { format: { kind: "cot", shots: 9 } })).toThrow(
      /shots must be an integer in \[0, 8\]/,
    );
  });
});
