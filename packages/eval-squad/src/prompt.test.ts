import { describe, expect, it } from "vitest";
import { cutAtStop, DEFAULT_TEMPLATE, fillTemplate } from "./prompt.js";

describe("prompt", () => {
  it("fills the default template", () => {
    expect(fillTemplate(DEFAULT_TEMPLATE, { context: "C.", question: "Q?", title: "T" })).toBe(
      "Context: C.\nQuestion: Q?\nAnswer:",
    );
  });

  it("fills in one pass, so placeholders inside the context stay text", () => {
    expect(
      fillTemplate("{title}: {context} / {question}", { context: "{question}", question: "Q", title: "T" }),
    ).toBe("T: {question} / Q");
  });

  it("cuts at the earliest stop string", () => {
    expect(cutAtStop(" Paris\nQuestion: next", ["\n"])).toBe(" Paris");
    expect(cutAtStop("a. b\nc", ["\n", "."])).toBe("a");
    expect(cutAtStop("whole", ["\n"])).toBe("whole");
  });
});
