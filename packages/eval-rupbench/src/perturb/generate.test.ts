import { describe, expect, it } from "vitest";
import { PERTURBATIONS } from "../perturbation-kinds.js";
import { perturbAll, perturbText } from "./generate.js";
import { perturbQuestions } from "./items.js";

const TEXT = "Natalia sold clips to 48 of her friends in April, and then she sold half as many clips in May.";

describe("perturbAll", () => {
  it("changes the text under every perturbation when red herrings are supplied", () => {
    const out = perturbAll(TEXT, "gsm8k-0", { seed: 7, redHerrings: ["Natalia also owns a cat."] });
    for (const p of PERTURBATIONS) expect(out[p], p).not.toBe(TEXT);
  });

  it("depends only on (seed, id, perturbation), not on call order", () => {
    const a = perturbText("typos", TEXT, "q1", { seed: 1 });
    perturbAll(TEXT, "q2", { seed: 1 });
    expect(perturbText("typos", TEXT, "q1", { seed: 1 })).toBe(a);
    expect(perturbText("typos", TEXT, "q2", { seed: 1 })).not.toBe(a);
  });

  it("leaves red herrings as the original when none are supplied", () => {
    expect(perturbAll(TEXT, "q", { seed: 1 }).redHerrings).toBe(TEXT);
  });
});

describe("perturbQuestions", () => {
  it("turns MMLU- and GSM8K-style questions into flagged items", () => {
    const [mc, gsm] = perturbQuestions(
      [
        {
          id: "m1",
          dataset: "MMLU",
          text: "Which gas do plants take in?",
          options: ["Oxygen", "Carbon dioxide"],
          gold: "B",
        },
        { id: "g1", dataset: "GSM8K", text: TEXT, gold: "72" },
      ],
      { seed: 3 },
    );
    expect(mc.answerKind).toBe("choice");
    expect(mc.options).toEqual([
      { label: "A", text: "Oxygen" },
      { label: "B", text: "Carbon dioxide" },
    ]);
    expect(gsm.answerKind).toBe("number");
    expect(gsm.defects.noOp).toContain("redHerrings");
    expect(gsm.defects.noOp).not.toContain("typos");
  });
});
