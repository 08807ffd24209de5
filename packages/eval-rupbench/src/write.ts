import { randomBytes } from "node:crypto";
import { mkdir, rename, rm, writeFile } from "node:fs/promises";
import { dirname } from "node:path";
import { reportToMarkdown } from "./markdown.js";
import type { RupReport } from "./report.js";

/** Writes through a temp file and a rename, so a crash never leaves a half-written file. */
export async function writeFileAtomic(path: string, content: string): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const tmp = `${path}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`;
  try {
    await writeFile(tmp, content, "utf8");
    await rename(tmp, path);
  } catch (e) {
    await rm(tmp, { force: true });
    throw e;
  }
}

/** The report as JSON (NaN, an undefined PDR, becomes null). */
export function reportToJson(report: RupReport): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}

/** Writes `results.json`-style JSON and a markdown table, each atomically. */
export async function writeReport(
  report: RupReport,
  paths: { json?: string; markdown?: string },
): Promise<void> {
  if (paths.json) await writeFileAtomic(paths.json, reportToJson(report));
  if (paths.markdown) await writeFileAtomic(paths.markdown, reportToMarkdown(report));
}
