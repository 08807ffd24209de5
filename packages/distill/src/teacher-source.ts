/**
 * The one interface every teacher is consumed through: given a batch of student rows, the
 * teacher's distribution of the next token at every student position — dense logits or top-k
 * ids and log-probabilities — already aligned to the student's positions (a prompted teacher's
 * prefix is the source's business, not the loop's). An in-process model, the on-disk top-k
 * cache and any served top-k teacher (adapted) all satisfy it.
 */
import type { Teacher } from "@shrinkray/kd-losses";
import { VocabMismatchError } from "@shrinkray/kd-losses";
import type { Tensor } from "@shrinkray/tensor-cuda";
import type { Sequence } from "./sequence.js";

export interface TeacherRequest {
  /** The student's rows, int32 [B, T], right-padded. */
  inputIds: Tensor;
  /** The same rows as sequences (teacher inputs and alignment). */
  sequences: readonly Sequence[];
  /** Dataset row of each sequence; null for rows made during training (on-policy samples). */
  indices: readonly number[] | null;
}

/** Dense `{ logits }` [B, T, V] or top-k `{ topkIds, topkLogprobs }` [B, T, k], as kd-losses takes. */
export type TeacherOutput = Teacher;

export interface TeacherSource {
  readonly vocabSize: number;
  /** False when only dataset rows can be scored (a cache): on-policy training needs true. */
  readonly scoresNewSequences: boolean;
  /** A short description for results and errors ("model (dense)", "cache k=8 at ..."). */
  readonly description: string;
  score(req: TeacherRequest): Promise<TeacherOutput>;
}

/** Refuses a teacher and student whose vocabularies differ, naming both sizes. */
export function checkVocabularies(teacherVocab: number, studentVocab: number): void {
  if (teacherVocab !== studentVocab) {
    throw new VocabMismatchError(
      `the teacher's vocabulary has ${teacherVocab} tokens, the student's ${studentVocab}: they must match ` +
        "(distillation compares distributions over the same token ids)",
    );
  }
}
