import { appendFile, mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { appendResults, readResults } from "./results-log.js";
import { scoreOutput } from "./score.js";

const result = (id: string, output: string) => scoreOutput({ id, gold: 18, answer: "#### 18" }, output);

describe("results log", () => {
  it("reads nothing from a missing file and appends whole lines", async () => {
    const file = join(await mkdtemp(join(tmpdir(), "gsm8k-")), "sub", "results.jsonl");
    expect(await readResults(file)).toEqual([]);
    await appendResults(file, [result("a", "18"), result("b", "17")]);
    await appendResults(file, [result("c", "The answer is 18.")]);
    const read = await readResults(file);
    expect(read.map((r) => [r.id, r.correct])).toEqual([
      ["a", true],
      ["b", false],
      ["c", true],
    ]);
  });

  it("cuts off a torn last line left by an interrupted append", async () => {
    const file = join(await mkdtemp(join(tmpdir(), "gsm8k-")), "results.jsonl");
    await appendResults(file, [result("a", "18")]);
    await appendFile(file, '{"id":"b","outp');
    expect((await readResults(file)).map((r) => r.id)).toEqual(["a"]);
    await appendResults(file, [result("c", "18")]);
    expect((await readResults(file)).map((r) => r.id)).toEqual(["a", "c"]);
    expect((await readFile(file, "utf8")).split("\n")).toHaveLength(3);
  });

  it("names the file and line of a malformed complete line", async () => {
    const file = join(await mkdtemp(join(tmpdir(), "gsm8k-")), "results.jsonl");
    await writeFile(file, `${JSON.stringify(result("a", "18"))}\nnot json\n`);
    await expect(readResults(file)).rejects.toThrow(/results\.jsonl:2: malformed result line/);
    await writeFile(file, '{"id": 3}\n');
    await expect(readResults(file)).rejects.toThrow(/results\.jsonl:1: expected a result/);
  });
});
