/**
 * Held-out evaluation: the student's forward KL to the teacher (KL(teacher ‖ student), the
 * quantity distillation drives down; over the teacher's top-k, renormalised, when the teacher is
 * top-k) and its cross-entropy on the data's next tokens, both per learned token.
 */
import { forwardKl } from "@shrinkray/kd-losses";
import { crossEntropy, noGrad, type Tensor, tidy } from "@shrinkray/tensor-cuda";
import { collate } from "./batches.js";
import type { Sequence } from "./sequence.js";
import type { TeacherSource } from "./teacher-source.js";

export interface EvalResult {
  /** Mean KL(teacher ‖ student) in nats per learned token. */
  kl: number;
  /** Mean cross-entropy (nats) of the student on the learned tokens. */
  ce: number;
  tokens: number;
}

export interface Scorable {
  forward(inputIds: Tensor): Tensor;
  train(mode?: boolean): unknown;
  readonly training: boolean;
}

/** `indices` are the rows' positions in their dataset (what a cached teacher looks up). */
export async function evaluate(
  student: Scorable,
  teacher: TeacherSource,
  data: readonly Sequence[],
  opts: { batchSize?: number; indices?: readonly number[] } = {},
): Promise<EvalResult> {
  const batchSize = opts.batchSize ?? 8;
  const wasTraining = student.training;
  student.train(false);
  let kl = 0;
  let ce = 0;
  let tokens = 0;
  try {
    for (let i = 0; i < data.length; i += batchSize) {
      const rows = Array.from({ length: Math.min(batchSize, data.length - i) }, (_, j) => i + j);
      const batch = collate(
        rows.map((r) => data[r]),
        opts.indices ? rows.map((r) => opts.indices![r]) : rows,
      );
      if (batch.lossTokens === 0) continue;
      const t = await teacher.score(batch);
      const [k, c] = noGrad(() =>
        tidy(() => {
          const logits = student.forward(batch.inputIds);
          return [
            forwardKl(logits, t, { mask: batch.lossMask, reduction: "sum" }).item(),
            crossEntropy(logits, batch.labels, { ignoreIndex: -100, reduction: "sum" }).item(),
          ];
        }),
      );
      kl += k;
      ce += c;
      tokens += batch.lossTokens;
    }
  } finally {
    student.train(wasTraining);
  }
  return { kl: tokens ? kl / tokens : 0, ce: tokens ? ce / tokens : 0, tokens };
}
