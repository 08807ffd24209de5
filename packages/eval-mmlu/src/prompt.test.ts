import { describe, expect, it } from "vitest";
import type { MmluItem } from "./dataset.js";
import { buildPrompt, CONTINUATIONS } from "./prompt.js";

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
});
