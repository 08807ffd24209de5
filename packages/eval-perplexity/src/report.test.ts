import { mkdtemp, readdir, readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { UnigramScorer } from "./fake-scorer.fixture.js";
import { evaluatePerplexity } from "./perplexity.js";
import { formatReportMarkdown, writeReport } from "./report.js";

describe("writeReport", () => {
  it("writes JSON or a Markdown table atomically, leaving no temp file", async () => {
    const report = await evaluatePerplexity({ scorer: new UnigramScorer(), text: "aabcab", seqLen: 3 });
    const dir = await mkdtemp(join(tmpdir(), "ppl-report-"));
    await writeReport(join(dir, "ppl.json"), { base: report });
    await writeReport(join(dir, "ppl.md"), { base: report });
    expect(JSON.parse(await readFile(join(dir, "ppl.json"), "utf8")).base.windows).toBe(2);
    expect(await readFile(join(dir, "ppl.md"), "utf8")).toBe(formatReportMarkdown({ base: report }));
    expect(formatReportMarkdown({ base: report })).toContain("| base | 2.828 | 4 | 2 | 3 | 3 | gptq |");
    expect((await readdir(dir)).sort()).toEqual(["ppl.json", "ppl.md"]);
  });
});
