/**
 * Batches in a resumable order: each epoch is a permutation drawn from (seed, epoch), so the
 * data cursor (epoch, offset) is all a checkpoint needs to continue where the run stopped.
 */
import { Tensor } from "@shrinkray/tensor-cuda";
import { generatorFor, permutation } from "./rng.js";
import { lossPositions, type Sequence } from "./sequence.js";

export interface DataCursor {
  epoch: number;
  /** Rows of this epoch's order already handed out. */
  offset: number;
}

/** A right-padded batch: causal attention never looks right, so no attention mask is needed. */
export interface Batch {
  /** Dataset rows of the batch, or null for rows made during training (on-policy). */
  indices: number[] | null;
  sequences: Sequence[];
  /** int32 [B, T]. */
  inputIds: Tensor;
  /** int32 [B, T]: token p + 1 where position p is learned, −100 elsewhere. */
  labels: Tensor;
  /** float32 [B, T]: 1 where position p is learned. */
  lossMask: Tensor;
  /** Learned positions in the batch. */
  lossTokens: number;
  /** Real (non-padding) tokens the student reads. */
  inputTokens: number;
}

export const IGNORE = -100;

export function collate(sequences: Sequence[], indices: number[] | null, pad = 0): Batch {
  const B = sequences.length;
  const T = Math.max(...sequences.map((s) => s.ids.length));
  const ids = new Int32Array(B * T).fill(pad);
  const labels = new Int32Array(B * T).fill(IGNORE);
  const mask = new Float32Array(B * T);
  let lossTokens = 0;
  let inputTokens = 0;
  sequences.forEach((s, b) => {
    ids.set(s.ids, b * T);
    inputTokens += s.ids.length;
    for (const p of lossPositions(s)) {
      labels[b * T + p] = s.ids[p + 1];
      mask[b * T + p] = 1;
      lossTokens++;
    }
  });
  return {
    indices,
    sequences,
    inputIds: Tensor.from(ids, [B, T]),
    labels: Tensor.from(labels, [B, T]),
    lossMask: Tensor.from(mask, [B, T]),
    lossTokens,
    inputTokens,
  };
}

/** Epoch order and cursor over a dataset; the last short batch of an epoch is kept. */
export class BatchOrder {
  private orderEpoch = -1;
  private order: number[] = [];

  constructor(
    readonly size: number,
    readonly batchSize: number,
    readonly seed: number,
    readonly shuffle: boolean,
  ) {}

  get batchesPerEpoch(): number {
    return Math.ceil(this.size / this.batchSize);
  }

  /** The rows of the next batch, advancing the cursor (in place). */
  next(cursor: DataCursor): number[] {
    if (cursor.offset >= this.size) {
      cursor.epoch++;
      cursor.offset = 0;
    }
    if (this.orderEpoch !== cursor.epoch) {
      this.order = this.shuffle
        ? permutation(this.size, generatorFor(this.seed, "shuffle", cursor.epoch))
        : Array.from({ length: this.size }, (_, i) => i);
      this.orderEpoch = cursor.epoch;
    }
    const rows = this.order.slice(cursor.offset, cursor.offset + this.batchSize);
    cursor.offset += rows.length;
    return rows;
  }
}
