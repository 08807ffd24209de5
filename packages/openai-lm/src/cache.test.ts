import { appendFile, mkdtemp, readFile, rm, stat, truncate, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { cacheKey, JsonlCache } from "./cache.js";

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "openai-lm-cache-"));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

describe("JsonlCache", () => {
  it("stores, reads back and survives reopening", async () => {
    const c = await JsonlCache.open<{ n: number; s: string }>(dir);
    await c.put("a", { n: 1, s: "é\n" });
    await c.put("b", { n: 2, s: "x" });
    await c.put("a", { n: 99, s: "ignored" });
    await c.flush();
    const again = await JsonlCache.open<{ n: number; s: string }>(dir);
    expect(again.size).toBe(2);
    expect(await again.get("a")).toEqual({ n: 1, s: "é\n" });
    expect(await again.get("b")).toEqual({ n: 2, s: "x" });
    expect(await again.get("c")).toBeUndefined();
  });

  it("writes the index every flushEvery entries", async () => {
    const c = await JsonlCache.open<number>(dir, { flushEvery: 2 });
    await c.put("a", 1);
    await expect(stat(join(dir, "index.json"))).rejects.toThrow();
    await c.put("b", 2);
    const index = JSON.parse(await readFile(join(dir, "index.json"), "utf8"));
    expect(Object.keys(index.entries)).toEqual(["a", "b"]);
  });

  it("recovers entries appended after the last index and cuts off a torn line", async () => {
    const c = await JsonlCache.open<number>(dir);
    await c.put("a", 1);
    await c.flush();
    await c.put("b", 2); // on disk, not in the index: as if the run died here
    await appendFile(join(dir, "entries.jsonl"), '{"key":"c","val');
    const again = await JsonlCache.open<number>(dir);
    expect(again.size).toBe(2);
    expect(await again.get("b")).toBe(2);
    await again.put("c", 3);
    const third = await JsonlCache.open<number>(dir);
    expect(await third.get("c")).toBe(3);
    expect((await readFile(join(dir, "entries.jsonl"), "utf8")).split("\n").filter(Boolean)).toHaveLength(3);
  });

  it("rebuilds from the data when the index is missing, corrupt or ahead of the data", async () => {
    const c = await JsonlCache.open<number>(dir);
    await c.put("a", 1);
    await c.put("b", 2);
    await c.flush();
    await writeFile(join(dir, "index.json"), "{not json");
    expect(await (await JsonlCache.open<number>(dir)).get("b")).toBe(2);
    const firstLine = (await readFile(join(dir, "entries.jsonl"), "utf8")).indexOf("\n") + 1;
    await truncate(join(dir, "entries.jsonl"), firstLine);
    const cut = await JsonlCache.open<number>(dir);
    expect(cut.size).toBe(1);
    expect(await cut.get("a")).toBe(1);
  });

  it("derives fixed-length keys from their parts", () => {
    expect(cacheKey(["u", "m", 5, "text"])).toMatch(/^[0-9a-f]{64}$/);
    expect(cacheKey(["u", "m", 5, "text"])).not.toBe(cacheKey(["u", "m", 6, "text"]));
  });
});
