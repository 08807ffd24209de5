import { writeFileAtomic } from "./atomic-write.js";
import type { PerplexityReport } from "./perplexity.js";

/** One Markdown table row per report, e.g. for a comparison across compressed models. */
export function formatReportMarkdown(reports: Record<string, PerplexityReport>): string {
  const lines = [
    "| run | ppl | tokens | windows | seqLen | stride | protocol |",
    "|---|---|---|---|---|---|---|",
    ...Object.entries(reports).map(
      ([name, r]) =>
        `| ${name} | ${r.ppl.toFixed(3)} | ${r.tokens} | ${r.windows} | ${r.seqLen} | ${r.stride} | ${r.protocol} |`,
    ),
    "",
  ];
  return lines.join("\n");
}

/** Writes reports keyed by run name as JSON, atomically; a `.md` path gets the table instead. */
export function writeReport(file: string, reports: Record<string, PerplexityReport>): Promise<void> {
  const body = file.endsWith(".md") ? formatReportMarkdown(reports) : `${JSON.stringify(reports, null, 2)}\n`;
  return writeFileAtomic(file, body);
}
