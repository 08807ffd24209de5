import { describe, expect, it } from "vitest";
import { PERTURBATIONS, type Perturbation } from "../perturbation-kinds.js";
import { detectDefects, isPollutedRedHerring, isQuoteWrapped } from "./defects.js";

const all = (text: string, over: Partial<Record<Perturbation, string>> = {}) =>
  ({ ...Object.fromEntries(PERTURBATIONS.map((p) => [p, `${text} (changed)`])), ...over }) as Record<
    Perturbation,
    string
  >;

describe("detectDefects", () => {
  it("flags no-op perturbations, ignoring surrounding whitespace", () => {
    const d = detectDefects("Q?", all("Q?", { itCleft: " Q? ", whCleft: "Q?" }));
    expect(d.noOp).toEqual(["itCleft", "whCleft"]);
    expect(d.redHerringEmpty || d.redHerringPolluted || d.emptyOriginal).toBe(false);
  });

  it("flags empty, polluted and quoted red herrings", () => {
    expect(detectDefects("Q?", all("Q?", { redHerrings: "  " })).redHerringEmpty).toBe(true);
    expect(
      isPollutedRedHerring(
        "Given the question: 'Q?', generate a single Red Herring (contextually plausible but irrelevant information)",
      ),
    ).toBe(true);
    expect(isPollutedRedHerring("Given the statement: 'He ran.'")).toBe(true);
    expect(isPollutedRedHerring("There seems to be a misunderstanding, the text provided 'nan' ...")).toBe(
      true,
    );
    expect(isPollutedRedHerring("Given that he likes red herring, he ate.")).toBe(false);
    expect(isQuoteWrapped("'He ran, though it rained.'")).toBe(true);
    expect(isQuoteWrapped("'Tis the season")).toBe(false);
  });

  it("flags an empty original", () => {
    expect(detectDefects("", all("")).emptyOriginal).toBe(true);
  });
});
