import { describe, expect, it } from "vitest";
import { createRng } from "../prng.js";
import { itCleft, whCleft } from "./cleft.js";

const rng = () => createRng(0);

describe("itCleft", () => {
  it("clefts the subject of a declarative sentence", () => {
    expect(itCleft("Ron started his new job today.", rng())).toBe(
      "It was Ron that started his new job today.",
    );
    expect(itCleft("The door is convenient.", rng())).toBe("It is the door that is convenient.");
    expect(itCleft("you may take the subway.", rng())).toBe("It is you that may take the subway.");
  });

  it("clefts wh-questions as 'What is it that ...'", () => {
    expect(itCleft("What comes in many sizes?", rng())).toBe("What is it that comes in many sizes?");
    expect(itCleft("Where would you find a jellyfish?", rng())).toBe(
      "Where is it that you would find a jellyfish?",
    );
  });

  it("rewrites one sentence and keeps the others byte for byte", () => {
    const text = "Ron started his job.  Ron is fired for insubordination.";
    const out = itCleft(text, createRng(5));
    expect(out).not.toBe(text);
    expect(out.includes("Ron started his job.") || out.includes("Ron is fired for insubordination.")).toBe(
      true,
    );
  });

  it("is a no-op only when no sentence has a subject and verb it can find", () => {
    expect(itCleft("Is it raining?", rng())).toBe("Is it raining?");
    expect(itCleft("Hello", rng())).toBe("Hello");
    expect(itCleft("", rng())).toBe("");
  });
});

describe("whCleft", () => {
  it("moves the subject to the end behind who/what", () => {
    expect(whCleft("Ron started his new job today.", rng())).toBe("Who started his new job today was Ron.");
    expect(whCleft("The wafers are shuttled around.", rng())).toBe("What are shuttled around is the wafers.");
  });

  it("is a no-op for texts of questions only", () => {
    expect(whCleft("What comes in many sizes?", rng())).toBe("What comes in many sizes?");
    const mixed = whCleft("Tracy went home. What does Tracy need?", rng());
    expect(mixed).toBe("Who went home was Tracy. What does Tracy need?");
  });
});
