/*
 * The two shapes a teacher comes in, and the checks that tie it to the student: same batch and
 * sequence, same vocabulary, top-k ids that are in range and distinct.
 */
import { DTypeError, ne, ShapeError, type Tensor } from "@shrinkray/tensor-cuda";
import { VocabMismatchError } from "./errors.js";

/** Full teacher logits [B, T, V] (an in-process teacher). */
export interface DenseTeacher {
  logits: Tensor;
}

/**
 * The teacher's top-k per token, as a logit cache or a serving API's `logprobs` give it: ids
 * [B, T, k] (int32 or int64) and their log-probabilities [B, T, k] under the full teacher
 * distribution at temperature 1.
 */
export interface TopkTeacher {
  topkIds: Tensor;
  topkLogprobs: Tensor;
}

export type Teacher = DenseTeacher | TopkTeacher;

export function isTopkTeacher(t: Teacher): t is TopkTeacher {
  return (t as TopkTeacher).topkIds !== undefined;
}

const fmt = (s: readonly number[]) => `[${s.join(", ")}]`;

function requireFloat(what: string, t: Tensor): void {
  if (t.dtype !== "float32" && t.dtype !== "float64") {
    throw new DTypeError(
      `${what} must be float32 or float64, got ${t.dtype} ${fmt(t.shape)} (cast with .float())`,
    );
  }
}

function requireFloatStorage(what: string, t: Tensor): void {
  // Caches store teachers in half precision; those are cast up, integers are a mistake.
  if (!["float16", "bfloat16", "float32", "float64"].includes(t.dtype)) {
    throw new DTypeError(`${what} must be floating point, got ${t.dtype} ${fmt(t.shape)}`);
  }
}

function sameTokens(what: string, t: Tensor, b: number, tt: number): void {
  if (t.rank !== 3 || t.shape[0] !== b || t.shape[1] !== tt) {
    throw new ShapeError(`${what} must be [${b}, ${tt}, *] to match the student logits, got ${fmt(t.shape)}`);
  }
}

/**
 * Checks the student [B, T, V], the teacher and the mask [B, T] against each other; returns the
 * boolean keep-mask (null when every token counts).
 */
export function checkInputs(student: Tensor, teacher: Teacher, mask: Tensor | undefined): Tensor | null {
  if (student.rank !== 3) throw new ShapeError(`student logits must be [B, T, V], got ${fmt(student.shape)}`);
  requireFloat("student logits", student);
  const [b, tt, v] = student.shape;
  if (mask !== undefined && (mask.rank !== 2 || mask.shape[0] !== b || mask.shape[1] !== tt)) {
    throw new ShapeError(
      `mask must be [B, T] = [${b}, ${tt}] to match the student logits, got ${fmt(mask.shape)}`,
    );
  }
  const keep = mask === undefined ? null : mask.dtype === "bool" ? mask : ne(mask, 0);
  if (isTopkTeacher(teacher)) {
    checkTopk(teacher, b, tt, v, keep);
  } else {
    const t = teacher.logits;
    if (t === undefined) throw new TypeError("teacher must be { logits } or { topkIds, topkLogprobs }");
    requireFloatStorage("teacher logits", t);
    sameTokens("teacher logits", t, b, tt);
    if (t.shape[2] !== v) {
      throw new VocabMismatchError(
        `teacher logits have vocabulary ${t.shape[2]}, the student's has ${v} (they must match)`,
      );
    }
  }
  return keep;
}

function checkTopk(t: TopkTeacher, b: number, tt: number, v: number, keep: Tensor | null): void {
  const { topkIds: ids, topkLogprobs: lp } = t;
  if (lp === undefined) throw new TypeError("a top-k teacher needs both topkIds and topkLogprobs");
  if (ids.dtype !== "int32" && ids.dtype !== "int64") {
    throw new DTypeError(`teacher topkIds must be int32 or int64, got ${ids.dtype} ${fmt(ids.shape)}`);
  }
  requireFloatStorage("teacher topkLogprobs", lp);
  sameTokens("teacher topkIds", ids, b, tt);
  if (lp.rank !== 3 || lp.shape.some((d, i) => d !== ids.shape[i])) {
    throw new ShapeError(
      `teacher topkLogprobs ${fmt(lp.shape)} must have the shape of topkIds ${fmt(ids.shape)}`,
    );
  }
  const k = ids.shape[2];
  if (k < 1) throw new ShapeError(`teacher top-k needs k >= 1, got topkIds ${fmt(ids.shape)}`);
  if (k > v) {
    throw new VocabMismatchError(
      `teacher gives k = ${k} ids per token but the student's vocabulary has only ${v}`,
    );
  }
  checkIdValues(ids, keep, v);
}

/**
 * Ids must lie in [0, V) and not repeat within a token (a repeat would count its mass twice).
 * Checked where the ids can be read synchronously (the CPU); masked tokens are skipped, so
 * padding may hold anything.
 */
function checkIdValues(ids: Tensor, keep: Tensor | null, v: number): void {
  if (ids.device !== "cpu") return;
  const data = ids.cast("int32").dataSync() as Int32Array;
  const kept = keep ? (keep.cast("uint8").dataSync() as Uint8Array) : null;
  const [b, tt, k] = ids.shape;
  const lastSeen = new Int32Array(v).fill(-1);
  for (let r = 0; r < b * tt; r++) {
    if (kept && !kept[r]) continue;
    for (let j = 0; j < k; j++) {
      const id = data[r * k + j];
      const token = `${Math.floor(r / tt)}, ${r % tt}`;
      if (!(id >= 0 && id < v)) {
        throw new VocabMismatchError(
          `teacher topkIds[${token}, ${j}] = ${id} is outside the student's vocabulary [0, ${v})`,
        );
      }
      if (lastSeen[id] === r) throw new ShapeError(`teacher topkIds repeat id ${id} within token [${token}]`);
      lastSeen[id] = r;
    }
  }
}
