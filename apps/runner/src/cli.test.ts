import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { main } from "./cli.js";

function capture() {
  const err: string[] = [];
  const out: string[] = [];
  vi.spyOn(process.stderr, "write").mockImplementation((s) => {
    err.push(String(s));
    return true;
  });
  vi.spyOn(process.stdout, "write").mockImplementation((s) => {
    out.push(String(s));
    return true;
  });
  return { err, out };
}

afterEach(() => vi.restoreAllMocks());

describe("shrinkray CLI: bad input gets one line and a non-zero exit", () => {
  it("a missing experiment file", async () => {
    const { err } = capture();
    expect(await main(["run", "/nonexistent/exp.json"])).toBe(1);
    expect(err.join("")).toBe("shrinkray: /nonexistent/exp.json: no such experiment file\n");
  });

  it("a config with a typo", async () => {
    const dir = mkdtempSync(join(tmpdir(), "sr-cli-"));
    const file = join(dir, "x.json");
    writeFileSync(
      file,
      JSON.stringify({
        name: "x",
        model: "m",
        data: {},
        variants: [{ name: "a", quantize: { method: "gptq", bitz: 4 } }],
        evaluate: [],
      }),
    );
    const { err } = capture();
    expect(await main(["run", file])).toBe(1);
    expect(err.join("").trim().split("\n")).toHaveLength(1);
    expect(err.join("")).toMatch(/variants\[0\]\.quantize: unknown field "bitz" \(did you mean "bits"\?\)/);
  });

  it("a missing model directory", async () => {
    const { err } = capture();
    const out = mkdtempSync(join(tmpdir(), "sr-cli-out-"));
    expect(await main(["eval", "--model", "/nonexistent/model", "--out", out])).toBe(1);
    expect(err.join("")).toBe(
      "shrinkray: /nonexistent/model: not a model directory (expected a Hugging Face folder with config.json)\n",
    );
  });

  it("an unknown command or a missing value prints usage with exit code 2", async () => {
    const { err } = capture();
    expect(await main(["frobnicate"])).toBe(2);
    expect(err.join("")).toContain('unknown command "frobnicate"');
    expect(await main(["quantize", "--model"])).toBe(2);
  });

  it("check validates experiment files without running them", async () => {
    const dir = mkdtempSync(join(tmpdir(), "sr-cli-"));
    const file = join(dir, "ok.json");
    writeFileSync(
      file,
      JSON.stringify({ name: "x", model: "m", data: {}, variants: [{ name: "a" }], evaluate: [] }),
    );
    const { out } = capture();
    expect(await main(["check", file])).toBe(0);
    expect(out.join("")).toBe(`${file}: ok\n`);
  });
});
