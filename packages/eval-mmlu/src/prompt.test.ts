import { describe, expect, it } from "vitest";
import type { MmluItem } from "./dataset.js";
import { buildChatPrompt, buildPrompt, type ChatMessage, CONTINUATIONS } from "./prompt.js";

const question: MmluItem = {
  id: "high_school_physics-0",
  subject: "high_school_physics",
  question: "What is the SI unit of force?",
  choices: ["joule", "newton", "watt", "pascal"],
  answer: 1,
};
const exemplar: MmluItem = {
  id: "high_school_physics-dev-0",
  subject: "high_school_physics",
  question: "What is the SI unit of power?",
  choices: ["joule", "newton", "watt", "pascal"],
  answer: 2,
};

describe("buildPrompt", () => {
  it("writes the 0-shot prompt exactly", () => {
    expect(buildPrompt(question)).toBe(
      "The following are multiple choice questions (with answers) about high school physics.\n\n" +
        "What is the SI unit of force?\nA. joule\nB. newton\nC. watt\nD. pascal\nAnswer:",
    );
  });

  it("answers each exemplar with its letter and a blank line", () => {
    expect(buildPrompt(question, [exemplar, exemplar])).toBe(
      "The following are multiple choice questions (with answers) about high school physics.\n\n" +
        "What is the SI unit of power?\nA. joule\nB. newton\nC. watt\nD. pascal\nAnswer: C\n\n".repeat(2) +
        "What is the SI unit of force?\nA. joule\nB. newton\nC. watt\nD. pascal\nAnswer:",
    );
  });

  it("scores letters with a leading space", () => {
    expect(CONTINUATIONS).toEqual([" A", " B", " C", " D"]);
  });

  it("with a chat template: description as the system turn, exemplars as user/assistant turns", () => {
    const seen: ChatMessage[][] = [];
    const out = buildChatPrompt(
      question,
      [exemplar],
      (m) => {
        seen.push(m);
        return "rendered";
      },
      { systemPrompt: "Be accurate." },
    );
    expect(out).toBe("rendered");
    expect(seen[0]).toEqual([
      {
        role: "system",
        content:
          "Be accurate.\n\nThe following are multiple choice questions (with answers) about high school physics.\n\n",
      },
      {
        role: "user",
        content: "What is the SI unit of power?\nA. joule\nB. newton\nC. watt\nD. pascal\nAnswer:",
      },
      { role: "assistant", content: "C" },
      {
        role: "user",
        content: "What is the SI unit of force?\nA. joule\nB. newton\nC. watt\nD. pascal\nAnswer:",
      },
    ]);
    expect(buildPrompt(question, [], { systemPrompt: "Be accurate." })).toMatch(
      /^Be accurate\.\n\nThe following/,
    );
  });
});
