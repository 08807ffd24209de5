/**
 * One training row as the loop sees it: the student's tokens, which of them are learned, and —
 * when the teacher reads a different input (a prompted teacher) — the teacher's tokens and where
 * each student token sits among them. Plain arrays, so rows are JSON and cheap to pack.
 */
export interface Sequence {
  /** Student token ids. */
  ids: number[];
  /** 1 where token t is learned (predicted from position t − 1), e.g. response tokens only. */
  targets: number[];
  /** The teacher's token ids when its input differs from the student's (prefix, other template). */
  teacherIds?: number[];
  /** teacherIndex[t]: index in teacherIds of student token t, or −1 (the token is not shared). */
  teacherIndex?: number[];
}

/**
 * Where the teacher predicts what the student predicts at each position: student position p
 * predicts token p + 1, and the teacher predicts that same token from position
 * teacherIndex[p + 1] − 1. −1 marks positions with no counterpart (they must not be learned).
 */
export function teacherPositions(seq: Sequence): Int32Array {
  const n = seq.ids.length;
  const out = new Int32Array(n).fill(-1);
  for (let p = 0; p + 1 < n; p++) {
    const t = seq.teacherIndex ? seq.teacherIndex[p + 1] : p + 1;
    if (t >= 1) out[p] = t - 1;
  }
  return out;
}

/** The tokens the teacher reads for this row. */
export const teacherTokens = (seq: Sequence): number[] => seq.teacherIds ?? seq.ids;

/** Positions whose prediction is learned: token p + 1 is a target. */
export function lossPositions(seq: Sequence): number[] {
  const out: number[] = [];
  for (let p = 0; p + 1 < seq.ids.length; p++) if (seq.targets[p + 1]) out.push(p);
  return out;
}

/** Checks the invariants the loop relies on; `where` names the row in the message. */
export function checkSequence(seq: Sequence, where: string): void {
  const n = seq.ids.length;
  if (seq.targets.length !== n) {
    throw new RangeError(`${where}: targets has ${seq.targets.length} entries, ids has ${n}`);
  }
  if ((seq.teacherIds === undefined) !== (seq.teacherIndex === undefined)) {
    throw new RangeError(`${where}: teacherIds and teacherIndex come together`);
  }
  if (!seq.teacherIds || !seq.teacherIndex) return;
  if (seq.teacherIndex.length !== n) {
    throw new RangeError(`${where}: teacherIndex has ${seq.teacherIndex.length} entries, ids has ${n}`);
  }
  for (let t = 0; t < n; t++) {
    const j = seq.teacherIndex[t];
    if (j < 0) {
      if (seq.targets[t]) throw new RangeError(`${where}: target token ${t} has no teacher position`);
      continue;
    }
    if (seq.teacherIds[j] !== seq.ids[t]) {
      throw new RangeError(
        `${where}: student token ${t} (${seq.ids[t]}) is not the teacher's token ${j} (${seq.teacherIds[j]})`,
      );
    }
    if (seq.targets[t] && j === 0) {
      throw new RangeError(`${where}: target token ${t} is the teacher's first token; nothing predicts it`);
    }
  }
}
