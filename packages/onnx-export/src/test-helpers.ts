/**
 * Test-only: run an exported folder through onnxruntime-node the way transformers.js drives it
 * (empty cache first, then present → past each step), and our own forward with its KV cache,
 * over the same tokens; report the largest logit difference per step.
 */
import { existsSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { CausalLM } from "@shrinkray/models";
import { noGrad, Tensor } from "@shrinkray/tensor-cuda";
import * as ort from "onnxruntime-node";
import { MODEL_FILE } from "./export.js";

export const FIXTURES = fileURLToPath(new URL("../../../../shared/fixtures/models/", import.meta.url));
export const HAVE_FIXTURES = existsSync(FIXTURES);
export const TOY = fileURLToPath(new URL("../../../apps/runner/assets/toy/teacher", import.meta.url));

export function scratch(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `onnx-export-${prefix}-`));
}

interface Step {
  ids: number[][];
  /** 0/1 over past + new tokens. */
  mask: number[][];
}

/** A prompt (rows padded on the left where shorter), then `decode` greedy steps. */
export interface Comparison {
  /** Max |ours − ORT| over all logits, per step (step 0 is the prompt). */
  maxDiff: number[];
  /** Greedy tokens our model chose (and both were fed). */
  tokens: number[][];
}

function positions(mask: number[][], T: number): number[][] {
  // transformers' convention (and models'): cumsum(mask) − 1, padding at 1.
  return mask.map((row) => {
    let c = 0;
    const all = row.map((m) => (m ? c++ : 1));
    return all.slice(row.length - T);
  });
}

function int64(rows: number[][]): ort.Tensor {
  return new ort.Tensor("int64", BigInt64Array.from(rows.flat(), BigInt), [rows.length, rows[0].length]);
}

function argmaxRows(data: Float32Array, rows: number, V: number): number[] {
  return Array.from({ length: rows }, (_, r) => {
    let best = 0;
    for (let v = 1; v < V; v++) if (data[r * V + v] > data[r * V + best]) best = v;
    return best;
  });
}

export async function compareWithOrt(
  model: CausalLM,
  dir: string,
  prompts: number[][],
  decode = 5,
): Promise<Comparison> {
  const session = await ort.InferenceSession.create(join(dir, MODEL_FILE));
  const B = prompts.length;
  const L = Math.max(...prompts.map((p) => p.length));
  const first: Step = {
    ids: prompts.map((p) => [...new Array(L - p.length).fill(0), ...p]),
    mask: prompts.map((p) => [...new Array(L - p.length).fill(0), ...new Array(p.length).fill(1)]),
  };
  const padded = prompts.some((p) => p.length < L);
  const pastMeta = session.inputMetadata.filter((m) => m.name.startsWith("past_key_values."));
  let past: Record<string, ort.Tensor> = {};
  for (const m of pastMeta) {
    if (!m.isTensor) throw new Error(`${m.name} is not a tensor input`);
    const dims = m.shape.map((d) => (d === "batch_size" ? B : typeof d === "number" ? d : 0));
    past[m.name] = new ort.Tensor("float32", new Float32Array(0), dims);
  }
  const cache = model.newCache();
  const maxDiff: number[] = [];
  const tokens: number[][] = prompts.map(() => []);
  let step = first;
  try {
    for (let s = 0; s <= decode; s++) {
      const T = step.ids[0].length;
      const ours = noGrad(() =>
        model.forward(Tensor.from(Int32Array.from(step.ids.flat()), [B, T]), {
          cache,
          attentionMask: padded ? step.mask : null,
        }),
      );
      const a = (await ours.data()) as Float32Array;
      ours.dispose();
      const out = await session.run({
        input_ids: int64(step.ids),
        attention_mask: int64(step.mask),
        position_ids: int64(positions(step.mask, T)),
        ...past,
      });
      const b = out.logits.data as Float32Array;
      if (a.length !== b.length) throw new Error(`logits sizes differ: ours ${a.length}, ORT ${b.length}`);
      let d = 0;
      for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i] - b[i]));
      maxDiff.push(d);
      const V = a.length / (B * T);
      const last = new Float32Array(B * V);
      for (let r = 0; r < B; r++) last.set(a.subarray((r * T + T - 1) * V, (r * T + T) * V), r * V);
      const next = argmaxRows(last, B, V);
      for (const [r, t] of next.entries()) tokens[r].push(t);
      past = {};
      for (const m of pastMeta) past[m.name] = out[m.name.replace("past_key_values.", "present.")];
      step = { ids: next.map((t) => [t]), mask: step.mask.map((row) => [...row, 1]) };
    }
  } finally {
    cache.dispose();
    await session.release();
  }
  return { maxDiff, tokens };
}
