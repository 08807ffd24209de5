/**
 * Any object that returns the teacher's top-k per token — openai-lm's RemoteTopkTeacher, a
 * llama.cpp wrapper, a test stub — as a TeacherSource. Typed structurally so this package
 * imports no client: `positions[t]` is the distribution of token t + 1 given tokens 0..t.
 */
import { Tensor } from "@shrinkray/tensor-cuda";
import { teacherPositions, teacherTokens } from "./sequence.js";
import type { TeacherSource } from "./teacher-source.js";

export interface TopkPositionLike {
  ids?: number[];
  logprobs: number[];
}

export interface TopkProvider {
  topkLogprobs(
    inputs: readonly (readonly number[])[],
    k?: number,
  ): Promise<readonly { positions: readonly TopkPositionLike[] }[]>;
}

export interface TopkAdapterOptions {
  /** The teacher's vocabulary size (a served model's config; checked against the student's). */
  vocabSize: number;
  k: number;
}

// A position that lists fewer than k tokens is padded with unlisted ids at this log-probability:
// practically no mass, yet finite, so reverse KLs over the padded ids stay finite.
const PAD_LOGPROB = -1e4;

export function topkTeacher(provider: TopkProvider, opts: TopkAdapterOptions): TeacherSource {
  const { k, vocabSize } = opts;
  if (!(Number.isInteger(k) && k >= 1 && k <= vocabSize)) {
    throw new RangeError(`topkTeacher: k must be an integer in [1, ${vocabSize}], got ${k}`);
  }
  return {
    vocabSize,
    scoresNewSequences: true,
    description: `top-${k} provider`,
    score: async (req) => {
      const [B, T] = req.inputIds.shape;
      const seqs = await provider.topkLogprobs(req.sequences.map(teacherTokens), k);
      if (seqs.length !== B) throw new Error(`topkTeacher: asked for ${B} sequences, got ${seqs.length}`);
      const ids = new Int32Array(B * T * k);
      const lps = new Float32Array(B * T * k);
      req.sequences.forEach((s, b) => {
        const pos = teacherPositions(s);
        for (let p = 0; p < T; p++) {
          const at = (b * T + p) * k;
          const q = p < pos.length ? pos[p] : -1;
          const entry = q >= 0 ? seqs[b].positions[q] : undefined;
          if (q >= 0 && s.targets[p + 1] && !entry) {
            throw new Error(
              `topkTeacher: sequence ${b} has no teacher position ${q} (got ${seqs[b].positions.length})`,
            );
          }
          fill(entry, k, vocabSize, ids, lps, at, b, q);
        }
      });
      return { topkIds: Tensor.from(ids, [B, T, k]), topkLogprobs: Tensor.from(lps, [B, T, k]) };
    },
  };
}

function fill(
  entry: TopkPositionLike | undefined,
  k: number,
  V: number,
  ids: Int32Array,
  lps: Float32Array,
  at: number,
  b: number,
  q: number,
): void {
  if (!entry) {
    // Unlearned position: distinct ids, any values (the loss masks it out).
    for (let j = 0; j < k; j++) ids[at + j] = j;
    return;
  }
  if (!entry.ids) {
    throw new Error(
      `topkTeacher: sequence ${b}, position ${q} has no token ids (serve the teacher with vLLM, which names token ids, or give openai-lm's teacher the model's vocabulary)`,
    );
  }
  // Servers may list k + 1 (the actual token besides the top k): keep the k most likely.
  const order = entry.ids.map((_, j) => j).sort((x, y) => entry.logprobs[y] - entry.logprobs[x]);
  const used = new Set<number>();
  let n = 0;
  for (const j of order) {
    if (n === k) break;
    const id = entry.ids[j];
    if (used.has(id)) continue;
    if (!(id >= 0 && id < V))
      throw new RangeError(`topkTeacher: id ${id} is outside the vocabulary [0, ${V})`);
    used.add(id);
    ids[at + n] = id;
    lps[at + n++] = entry.logprobs[j];
  }
  for (let id = 0; n < k; id++) {
    if (used.has(id)) continue;
    ids[at + n] = id;
    lps[at + n++] = PAD_LOGPROB;
  }
}
