/**
 * An in-process teacher: any model with a forward (token ids → logits), run without gradients.
 * A prompted row's teacher input is its own token list; logits are then gathered back to the
 * student's positions. Dense by default; `topk` gives what a cache or a server would.
 */
import { indexSelect, noGrad, reshape, Tensor, tidy } from "@shrinkray/tensor-cuda";
import { teacherPositions, teacherTokens } from "./sequence.js";
import type { TeacherOutput, TeacherRequest, TeacherSource } from "./teacher-source.js";
import { topkLogSoftmax } from "./topk.js";

/** What the teacher model must offer: our CausalLM has this shape. */
export interface LogitsModel {
  readonly vocabSize: number;
  forward(inputIds: Tensor): Tensor;
}

export interface ModelTeacherOptions {
  /** Give the k most likely tokens per position instead of dense logits. */
  topk?: number;
}

export function modelTeacher(model: LogitsModel, opts: ModelTeacherOptions = {}): TeacherSource {
  const k = opts.topk;
  if (k !== undefined && !(Number.isInteger(k) && k >= 1 && k <= model.vocabSize)) {
    throw new RangeError(`modelTeacher: topk must be an integer in [1, ${model.vocabSize}], got ${k}`);
  }
  return {
    vocabSize: model.vocabSize,
    scoresNewSequences: true,
    description: k ? `model (top-${k})` : "model (dense)",
    score: async (req) => {
      const logits = alignedLogits(model, req);
      if (!k) return { logits };
      // Top-k runs on the host: a device's logits are read asynchronously first.
      const host = logits.device === "cpu" ? logits : await logits.toAsync("cpu");
      if (host !== logits) logits.dispose();
      return hostTopk(host, k);
    },
  };
}

/** Teacher logits at the student's positions, [B, T, V]. */
export function alignedLogits(model: LogitsModel, req: TeacherRequest): Tensor {
  const [B, T] = req.inputIds.shape;
  // tidy: the teacher's activations are freed as soon as its logits exist.
  if (!req.sequences.some((s) => s.teacherIds)) return noGrad(() => tidy(() => model.forward(req.inputIds)));
  return noGrad(() =>
    tidy(() => {
      const rows = req.sequences.map(teacherTokens);
      const Tt = Math.max(...rows.map((r) => r.length));
      const ids = new Int32Array(B * Tt);
      rows.forEach((r, b) => {
        ids.set(r, b * Tt);
      });
      const logits = model.forward(Tensor.from(ids, [B, Tt]));
      const V = logits.shape[2];
      // Row b, student position p ← teacher row b, position teacherPositions[p] (0 when unaligned:
      // such positions are never learned, so any finite row will do).
      const pick = new Int32Array(B * T);
      req.sequences.forEach((s, b) => {
        const pos = teacherPositions(s);
        for (let p = 0; p < T; p++) pick[b * T + p] = b * Tt + Math.max(0, p < pos.length ? pos[p] : 0);
      });
      const flat = reshape(logits, [B * Tt, V]);
      return reshape(indexSelect(flat, 0, Tensor.from(pick, [B * T], { device: flat.device })), [B, T, V]);
    }),
  );
}

/** Dense logits → top-k ids (int32) and log-probabilities (float32), [B, T, k]. */
export function hostTopk(logits: Tensor, k: number): TeacherOutput {
  const [B, T, V] = logits.shape;
  const data = logits.cast("float32").dataSync() as Float32Array;
  const ids = new Int32Array(B * T * k);
  const lp = new Float32Array(B * T * k);
  for (let r = 0; r < B * T; r++) topkLogSoftmax(data.subarray(r * V, (r + 1) * V), k, ids, lp, r * k);
  return { topkIds: Tensor.from(ids, [B, T, k]), topkLogprobs: Tensor.from(lp, [B, T, k]) };
}
