import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ConfigError } from "../cli/errors.js";
import { loadExperiment } from "./load.js";

function write(obj: unknown): string {
  const dir = mkdtempSync(join(tmpdir(), "sr-exp-"));
  const file = join(dir, "x.json");
  writeFileSync(file, typeof obj === "string" ? obj : JSON.stringify(obj));
  return file;
}

const good = {
  name: "t",
  model: "m",
  data: { wiki: { kind: "text", path: "w.txt" }, toy: { kind: "toy-gsm8k", count: 10 } },
  variants: [
    { name: "base" },
    { name: "q4", from: "base", quantize: { method: "gptq", bits: 4, calibration: "wiki" } },
  ],
  evaluate: [
    { task: "perplexity", data: "wiki" },
    { task: "gsm8k", data: "toy" },
  ],
};

describe("experiment files", () => {
  it("accepts a well-formed experiment", () => {
    const { experiment } = loadExperiment(write(good));
    expect(experiment.variants.map((v) => v.name)).toEqual(["base", "q4"]);
  });

  it("names the field of a type error", () => {
    const bad = structuredClone(good) as any;
    bad.variants[1].quantize.bits = 5;
    expect(() => loadExperiment(write(bad))).toThrow(
      /variants\[1\]\.quantize\.bits: expected one of 2, 3, 4, 8, got 5/,
    );
  });

  it("suggests the intended name of a misspelt field", () => {
    const bad = structuredClone(good) as any;
    bad.variants[1].quantise = bad.variants[1].quantize;
    delete bad.variants[1].quantize;
    expect(() => loadExperiment(write(bad))).toThrow(
      /unknown field "quantise" \(did you mean "quantize"\?\)/,
    );
  });

  it("rejects references to datasets and variants that do not exist", () => {
    const noData = structuredClone(good) as any;
    noData.evaluate[0].data = "wikitext";
    expect(() => loadExperiment(write(noData))).toThrow(/evaluate\[0\]\.data: no dataset "wikitext"/);
    const noVariant = structuredClone(good) as any;
    noVariant.variants[1].from = "nope";
    expect(() => loadExperiment(write(noVariant))).toThrow(
      /variants\[1\]\.from: "nope" is not an earlier variant/,
    );
  });

  it("reports a missing required field, a bad union tag and broken JSON", () => {
    const noName = structuredClone(good) as any;
    delete noName.name;
    expect(() => loadExperiment(write(noName))).toThrow(/name: is required/);
    const badKind = structuredClone(good) as any;
    badKind.data.wiki.kind = "wikitext";
    expect(() => loadExperiment(write(badKind))).toThrow(
      /data\.wiki\.kind: expected one of gsm8k, toy-gsm8k/,
    );
    expect(() => loadExperiment(write("{ not json"))).toThrow(ConfigError);
    expect(() => loadExperiment("/nonexistent/x.json")).toThrow(/no such experiment file/);
  });
});
