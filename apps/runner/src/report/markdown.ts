import type { Results, VariantResult } from "./results.js";

function fmtNumber(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  const a = Math.abs(v);
  return a >= 1000 ? v.toFixed(0) : a >= 10 ? v.toFixed(2) : v.toFixed(4);
}

export function fmtBytes(b: number | undefined): string {
  if (b === undefined) return "-";
  const units = ["B", "KiB", "MiB", "GiB"];
  let i = 0;
  let v = b;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v.toFixed(i ? 1 : 0)} ${units[i]}`;
}

/** Every metric name that appears, in first-seen order. */
export function metricNames(variants: readonly VariantResult[]): string[] {
  const names: string[] = [];
  for (const v of variants) for (const m of v.metrics) if (!names.includes(m.name)) names.push(m.name);
  return names;
}

/**
 * The comparison table: one row per variant; each metric with its delta from the first variant
 * (the baseline), signed so that "+" is always better.
 */
export function comparisonTable(variants: readonly VariantResult[]): string {
  const names = metricNames(variants);
  const base = variants[0];
  const head = ["model", "method", "bits/weight", "params", "size on disk", ...names];
  const rows = variants.map((v) => {
    const cells = [
      v.name,
      v.method,
      v.bitsPerWeight === undefined ? "-" : v.bitsPerWeight.toFixed(2),
      v.parameters === undefined ? "-" : v.parameters.toLocaleString("en-US"),
      fmtBytes(v.sizeOnDiskBytes),
    ];
    for (const n of names) {
      const m = v.metrics.find((x) => x.name === n);
      if (!m) {
        cells.push("-");
        continue;
      }
      const b = base.metrics.find((x) => x.name === n);
      let cell = fmtNumber(m.value);
      if (m.interval) cell += ` [${fmtNumber(m.interval[0])}, ${fmtNumber(m.interval[1])}]`;
      if (b && v !== base) {
        const better = (m.value - b.value) * (m.higherIsBetter ? 1 : -1);
        cell += ` (${better >= 0 ? "+" : "−"}${fmtNumber(Math.abs(m.value - b.value))})`;
      }
      cells.push(cell);
    }
    return cells;
  });
  const line = (cells: string[]) => `| ${cells.join(" | ")} |`;
  return [line(head), line(head.map(() => "---")), ...rows.map(line)].join("\n");
}

export function reportMarkdown(r: Results, plots: string[]): string {
  const parts = [
    `# ${r.experiment}`,
    "",
    `Run at ${r.createdAt} on ${r.machine.cpus}× ${r.machine.cpuModel} (${r.machine.memoryGiB} GiB), Node ${r.machine.node}.`,
    "Deltas are against the first row; a + means better (higher accuracy, lower perplexity).",
    "",
    comparisonTable(r.variants),
    "",
  ];
  const withSamples = r.variants.filter((v) => v.samples?.length);
  if (withSamples.length) {
    parts.push("## Sample answers", "");
    const prompts = withSamples[0].samples!.map((s) => s.prompt);
    prompts.forEach((p, i) => {
      parts.push(`**Prompt:** ${p.replace(/\n/g, " ")}`, "");
      parts.push("| model | answer |", "| --- | --- |");
      for (const v of withSamples) {
        const out = v.samples![i]?.output ?? "";
        parts.push(`| ${v.name} | ${out.replace(/\|/g, "\\|").replace(/\n/g, "<br>")} |`);
      }
      parts.push("");
    });
  }
  if (plots.length) {
    parts.push("## Plots", "");
    for (const p of plots) parts.push(`![${p}](${p})`, "");
  }
  parts.push("## Timings", "", "| step | seconds |", "| --- | --- |");
  for (const [k, s] of Object.entries(r.timings)) parts.push(`| ${k} | ${s.toFixed(1)} |`);
  parts.push("");
  return parts.join("\n");
}
