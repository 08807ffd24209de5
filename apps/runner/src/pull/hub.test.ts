import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { pull } from "./hub.js";

// A stand-in for the Hub's API on 127.0.0.1: no test reaches beyond the loopback address.
const files: Record<string, string> = {
  "config.json": '{"model_type":"llama"}',
  "sub/tokenizer.json": "{}",
  "model.safetensors": "x".repeat(1000),
};
let endpoint = "";
let served = 0;
const server = createServer((req, res) => {
  const url = decodeURIComponent(req.url ?? "");
  if (url === "/api/models/org/tiny/revision/main") {
    res.setHeader("content-type", "application/json");
    res.end(
      JSON.stringify({
        siblings: Object.entries(files).map(([rfilename, c]) => ({ rfilename, size: c.length })),
      }),
    );
    return;
  }
  const m = /^\/org\/tiny\/resolve\/main\/(.+)$/.exec(url);
  if (m && files[m[1]] !== undefined) {
    served++;
    res.end(files[m[1]]);
    return;
  }
  res.statusCode = 404;
  res.end("not found");
});

beforeAll(async () => {
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

describe("pull", () => {
  it("downloads every file, then skips the ones already complete", async () => {
    const dir = mkdtempSync(join(tmpdir(), "sr-pull-"));
    await pull("org/tiny", dir, { endpoint });
    expect(readFileSync(join(dir, "sub/tokenizer.json"), "utf8")).toBe("{}");
    expect(readFileSync(join(dir, "model.safetensors"), "utf8")).toHaveLength(1000);
    const before = served;
    writeFileSync(join(dir, "config.json"), "truncated");
    await pull("org/tiny", dir, { endpoint });
    expect(served - before).toBe(1);
    expect(readFileSync(join(dir, "config.json"), "utf8")).toBe(files["config.json"]);
  });

  it("filters by glob and names the failing URL", async () => {
    const dir = mkdtempSync(join(tmpdir(), "sr-pull-"));
    const got = await pull("org/tiny", dir, { endpoint, include: ["*.json"] });
    expect(got.map((p) => p.slice(dir.length + 1)).sort()).toEqual(["config.json", "sub/tokenizer.json"]);
    await expect(pull("org/missing", dir, { endpoint })).rejects.toThrow(
      /api\/models\/org\/missing\/revision\/main answered 404/,
    );
    await expect(pull("not a repo", dir, { endpoint })).rejects.toThrow(/not a Hub id/);
  });
});
