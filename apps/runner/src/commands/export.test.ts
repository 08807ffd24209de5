import { existsSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it, vi } from "vitest";
import { main } from "../cli.js";

const TOY = fileURLToPath(new URL("../../assets/toy/teacher", import.meta.url));

afterEach(() => vi.restoreAllMocks());

describe("shrinkray export", () => {
  it("writes the ONNX folder and prints what it wrote", async () => {
    const out: string[] = [];
    vi.spyOn(process.stdout, "write").mockImplementation((s) => {
      out.push(String(s));
      return true;
    });
    vi.spyOn(process.stderr, "write").mockImplementation(() => true);
    const dir = join(mkdtempSync(join(tmpdir(), "sr-export-")), "toy-onnx");
    expect(await main(["export", "--model", TOY, "--format", "onnx", "--out", dir])).toBe(0);
    expect(existsSync(join(dir, "onnx/model.onnx"))).toBe(true);
    expect(existsSync(join(dir, "onnx/model.onnx_data"))).toBe(true);
    expect(out.join("")).toMatch(/onnx\/model\.onnx_data .* MB; layers: 29 float/);
  });

  it("names an unknown format", async () => {
    const err: string[] = [];
    vi.spyOn(process.stderr, "write").mockImplementation((s) => {
      err.push(String(s));
      return true;
    });
    expect(await main(["export", "--model", TOY, "--format", "tflite", "--out", "/tmp/x"])).toBe(2);
    expect(err.join("")).toContain("--format tflite is not supported");
  });
});
