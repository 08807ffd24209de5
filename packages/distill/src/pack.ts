/**
 * Packing short rows into rows of at most maxLength tokens, so a batch is not mostly padding.
 * Greedy in data order (deterministic, and rows stay near their neighbours). A row longer than
 * maxLength is truncated. Rows keep their teacher alignment: teacher inputs are concatenated the
 * same way and the indices shifted.
 */
import type { Sequence } from "./sequence.js";

export interface PackResult {
  rows: Sequence[];
  /** How many input rows were longer than maxLength and cut. */
  truncated: number;
}

export function packSequences(seqs: readonly Sequence[], maxLength: number): PackResult {
  if (!Number.isInteger(maxLength) || maxLength < 2) {
    throw new RangeError(`packSequences: maxLength must be an integer >= 2, got ${maxLength}`);
  }
  const rows: Sequence[] = [];
  let truncated = 0;
  let cur: Sequence[] = [];
  let len = 0;
  const flush = () => {
    if (cur.length) rows.push(concat(cur));
    cur = [];
    len = 0;
  };
  for (const s0 of seqs) {
    let s = s0;
    if (s.ids.length > maxLength) {
      s = truncate(s, maxLength);
      truncated++;
    }
    if (len + s.ids.length > maxLength) flush();
    cur.push(s);
    len += s.ids.length;
  }
  flush();
  return { rows, truncated };
}

function truncate(s: Sequence, n: number): Sequence {
  const out: Sequence = { ids: s.ids.slice(0, n), targets: s.targets.slice(0, n) };
  if (s.teacherIds && s.teacherIndex) {
    out.teacherIndex = s.teacherIndex.slice(0, n);
    const last = Math.max(-1, ...out.teacherIndex);
    out.teacherIds = s.teacherIds.slice(0, last + 1);
  }
  return out;
}

function concat(parts: Sequence[]): Sequence {
  if (parts.length === 1) return parts[0];
  const aligned = parts.some((p) => p.teacherIds);
  const out: Sequence = { ids: [], targets: [] };
  if (aligned) {
    out.teacherIds = [];
    out.teacherIndex = [];
  }
  for (const p of parts) {
    const base = out.teacherIds?.length ?? 0;
    out.ids.push(...p.ids);
    out.targets.push(...p.targets);
    if (out.teacherIds && out.teacherIndex) {
      out.teacherIds.push(...(p.teacherIds ?? p.ids));
      const idx = p.teacherIndex ?? p.ids.map((_, i) => i);
      out.teacherIndex.push(...idx.map((j) => (j < 0 ? -1 : j + base)));
    }
  }
  return out;
}
