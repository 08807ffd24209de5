import type { RupItem } from "./item.js";
import { PERTURBATIONS, type Perturbation } from "./perturbation-kinds.js";

/** Counts of flagged items for one dataset, so a report can say how much of the data is broken. */
export interface DefectCounts {
  dataset: string;
  items: number;
  noOp: Record<Perturbation, number>;
  redHerringEmpty: number;
  redHerringPolluted: number;
  redHerringQuoted: number;
  emptyOriginal: number;
  /** Items with at least one defect that the report's exclusion acts on. */
  anyDefect: number;
}

export function countDefects(items: readonly RupItem[]): DefectCounts[] {
  const byDataset = new Map<string, DefectCounts>();
  for (const item of items) {
    let c = byDataset.get(item.dataset);
    if (!c) {
      c = {
        dataset: item.dataset,
        items: 0,
        noOp: Object.fromEntries(PERTURBATIONS.map((p) => [p, 0])) as Record<Perturbation, number>,
        redHerringEmpty: 0,
        redHerringPolluted: 0,
        redHerringQuoted: 0,
        emptyOriginal: 0,
        anyDefect: 0,
      };
      byDataset.set(item.dataset, c);
    }
    const d = item.defects;
    c.items++;
    for (const p of d.noOp) c.noOp[p]++;
    c.redHerringEmpty += Number(d.redHerringEmpty);
    c.redHerringPolluted += Number(d.redHerringPolluted);
    c.redHerringQuoted += Number(d.redHerringQuoted);
    c.emptyOriginal += Number(d.emptyOriginal);
    c.anyDefect += Number(d.noOp.length > 0 || d.redHerringEmpty || d.redHerringPolluted || d.emptyOriginal);
  }
  return [...byDataset.values()];
}
