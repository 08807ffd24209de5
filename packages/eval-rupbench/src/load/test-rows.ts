import { CSV_SUFFIX, PERTURBATIONS } from "../perturbation-kinds.js";

/** Builds a small CSV in a released file's layout, for loader tests. Not exported from the package. */
export function csvOf(
  base: string,
  extraHeader: string[],
  rows: { base: string; extra: string[] }[],
): string {
  const quote = (s: string) => `"${s.replace(/"/g, '""')}"`;
  const header = [base, ...PERTURBATIONS.map((p) => base + CSV_SUFFIX[p]), ...extraHeader];
  const lines = rows.map((r) =>
    [r.base, ...PERTURBATIONS.map((p) => (p === "typos" ? `${r.base}x` : r.base)), ...r.extra]
      .map(quote)
      .join(","),
  );
  return `${[header.join(","), ...lines].join("\n")}\n`;
}
