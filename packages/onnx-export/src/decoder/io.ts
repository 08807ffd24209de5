/**
 * The decoder graph's inputs and outputs, named as transformers.js and onnxruntime-genai feed
 * them (optimum's text-generation-with-past layout), and the attention bias every layer shares.
 *
 *   input_ids                  int64 [batch_size, sequence_length]
 *   attention_mask             int64 [batch_size, total_sequence_length]  (past + new tokens)
 *   position_ids               int64 [batch_size, sequence_length]
 *   past_key_values.N.key      float [batch_size, kv_heads, past_sequence_length, head_dim]
 *   past_key_values.N.value    (same)
 *   logits                     float [batch_size, sequence_length, vocab_size]
 *   present.N.key / .value     float [batch_size, kv_heads, total_sequence_length, head_dim]
 *
 * transformers.js sizes the empty first-step cache from these dims: `batch_size` is filled in,
 * every other symbolic dim becomes 0, numbers are kept.
 */

import type { GraphBuilder } from "../graph/builder.js";
import { DataType } from "../proto/onnx.js";

export interface DecoderInputs {
  inputIds: string;
  attentionMask: string;
  positionIds: string;
  past: { key: string; value: string }[];
}

export function decoderInputs(
  g: GraphBuilder,
  layers: number,
  kvHeads: number,
  headDim: number,
): DecoderInputs {
  const inputIds = g.input("input_ids", DataType.INT64, ["batch_size", "sequence_length"]);
  const attentionMask = g.input("attention_mask", DataType.INT64, ["batch_size", "total_sequence_length"]);
  const positionIds = g.input("position_ids", DataType.INT64, ["batch_size", "sequence_length"]);
  const past = Array.from({ length: layers }, (_, i) => ({
    key: g.input(`past_key_values.${i}.key`, DataType.FLOAT, [
      "batch_size",
      kvHeads,
      "past_sequence_length",
      headDim,
    ]),
    value: g.input(`past_key_values.${i}.value`, DataType.FLOAT, [
      "batch_size",
      kvHeads,
      "past_sequence_length",
      headDim,
    ]),
  }));
  return { inputIds, attentionMask, positionIds, past };
}

export function decoderOutputs(
  g: GraphBuilder,
  logits: string,
  present: { key: string; value: string }[],
  vocab: number,
  kvHeads: number,
  headDim: number,
): void {
  g.output(logits, "logits", DataType.FLOAT, ["batch_size", "sequence_length", vocab]);
  present.forEach((p, i) => {
    const dims = ["batch_size", kvHeads, "total_sequence_length", headDim];
    g.output(p.key, `present.${i}.key`, DataType.FLOAT, dims);
    g.output(p.value, `present.${i}.value`, DataType.FLOAT, dims);
  });
}

/** −1e30 on padded keys, as models' context builds its additive mask (not −inf: no NaN rows). */
const MASKED = -1e30;

/**
 * The additive attention bias [B, 1, T, S] for S = P + T keys: a key after the query's own
 * position is excluded (−inf, as the causal softmax skips it), a padded key gets −1e30.
 */
export function attentionBias(g: GraphBuilder, io: DecoderInputs): string {
  const dim = (x: string, i: number) =>
    g.op("Squeeze", [g.op("Slice", [g.op("Shape", [x]), g.int64s([i]), g.int64s([i + 1])]), g.int64s([0])]);
  const T = dim(io.inputIds, 1);
  const P = dim(io.past[0].key, 2);
  const S = dim(io.attentionMask, 1);
  const zero = g.op("Squeeze", [g.int64s([0]), g.int64s([0])]);
  const one = g.op("Squeeze", [g.int64s([1]), g.int64s([0])]);
  const queries = g.op("Unsqueeze", [g.op("Range", [P, g.op("Add", [P, T]), one]), g.int64s([1])]);
  const keys = g.op("Range", [zero, S, one]);
  const visible = g.op("LessOrEqual", [keys, queries]);
  const causal = g.op("Where", [visible, g.scalar(0), g.scalar(Number.NEGATIVE_INFINITY)]);
  const mask = g.op("Cast", [io.attentionMask], { to: { int: DataType.FLOAT } });
  const padding = g.op("Mul", [g.op("Sub", [g.scalar(1), mask]), g.scalar(MASKED)]);
  return g.op("Add", [g.op("Unsqueeze", [padding, g.int64s([1, 2])]), causal]);
}
