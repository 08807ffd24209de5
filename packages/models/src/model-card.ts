/**
 * The README.md of a model directory written here: what was done to which model, with which
 * settings, and what it measured. Hugging Face reads the YAML header (base model, tags); a person
 * reads the tables.
 */

export interface ModelCardMetric {
  name: string;
  value: number;
  /** A 95% interval, where the evaluation gives one. */
  interval?: [number, number];
}

export interface ModelCard {
  /** The heading; default: the directory's name. */
  title?: string;
  /** The model this one was made from (a Hub id or a path). */
  baseModel?: string;
  /** One line: "GPTQ 4-bit, group size 128", "grouped (g=4) + low-rank (r=16)". */
  method: string;
  /** The settings that produced it, shown as a table. */
  settings?: Record<string, string | number | boolean | null>;
  metrics?: ModelCardMetric[];
  /** How to load it, or what a reader should know; one paragraph each. */
  notes?: string[];
  tags?: string[];
}

const cell = (v: unknown) => String(v).replaceAll("|", "\\|").replaceAll("\n", " ");
const num = (v: number) => String(Number(v.toPrecision(6)));

export function renderModelCard(card: ModelCard, dirName: string): string {
  const tags = ["shrinkray", ...(card.tags ?? [])];
  const head = [
    "---",
    "library_name: transformers",
    ...(card.baseModel ? [`base_model: ${JSON.stringify(card.baseModel)}`] : []),
    "tags:",
    ...tags.map((t) => `- ${JSON.stringify(t)}`),
    "---",
    "",
  ];
  const lines = [...head, `# ${card.title ?? dirName}`, ""];
  lines.push(
    card.baseModel ? `${card.method}, made from \`${card.baseModel}\` with ShrinkRay.` : `${card.method}.`,
    "",
  );
  const settings = Object.entries(card.settings ?? {}).filter(([, v]) => v !== undefined);
  if (settings.length) {
    lines.push("## Settings", "", "| setting | value |", "|---|---|");
    for (const [k, v] of settings) lines.push(`| ${cell(k)} | ${cell(v)} |`);
    lines.push("");
  }
  lines.push("## Metrics", "");
  if (card.metrics?.length) {
    lines.push("| metric | value | 95% interval |", "|---|---|---|");
    for (const m of card.metrics)
      lines.push(
        `| ${cell(m.name)} | ${num(m.value)} | ${m.interval ? `${num(m.interval[0])} – ${num(m.interval[1])}` : ""} |`,
      );
  } else lines.push("None measured when this directory was written.");
  lines.push("");
  for (const n of card.notes ?? []) lines.push(n, "");
  return `${lines.join("\n").trimEnd()}\n`;
}
