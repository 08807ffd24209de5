/** Tiny models and a synthetic pattern language for the tests (not part of the package). */
import { type CausalLM, createModel } from "@shrinkray/models";
import { crossEntropy, Generator, manualSeed, noGrad, optim, tidy } from "@shrinkray/tensor-cuda";
import { BatchOrder, collate } from "./batches.js";
import type { Sequence } from "./sequence.js";

export const V = 24;

/** A llama-config model with random weights drawn from `seed`. */
export function tinyLlama(opts: { hidden: number; layers: number; seed: number; vocab?: number }): CausalLM {
  manualSeed(opts.seed);
  return createModel(
    {
      model_type: "llama",
      vocab_size: opts.vocab ?? V,
      hidden_size: opts.hidden,
      intermediate_size: opts.hidden * 2,
      num_hidden_layers: opts.layers,
      num_attention_heads: 4,
      num_key_value_heads: 2,
      max_position_embeddings: 128,
    },
    { init: "random" },
  );
}

/**
 * A random teacher whose head is scaled up: random transformers are nearly uniform, which would
 * leave little for a student to learn; scaled logits give peaked, context-dependent predictions.
 */
export function sharpTeacher(seed = 1): CausalLM {
  const t = tinyLlama({ hidden: 32, layers: 2, seed });
  noGrad(() => {
    const w = t.getParameter("lm_head.weight");
    w.assign(w.mul(6));
  });
  return t.eval();
}

/** A pattern language: a sparse random Markov chain (each token has 3 likely successors). */
export function markovRows(n: number, len: number, seed: number): Sequence[] {
  const g = new Generator(seed);
  const table = new Generator(12345);
  const next = Array.from({ length: V }, () => [table.int(V), table.int(V), table.int(V)]);
  return Array.from({ length: n }, () => {
    const ids = [g.int(V)];
    while (ids.length < len) {
      const prev = ids[ids.length - 1];
      ids.push(g.uniform() < 0.9 ? next[prev][g.int(3)] : g.int(V));
    }
    return { ids, targets: ids.map((_, i) => (i > 0 ? 1 : 0)) };
  });
}

/** Parameters as plain arrays, for exact comparisons. */
export function weights(m: CausalLM): Map<string, Float32Array> {
  return new Map(m.namedParameters().map(([n, p]) => [n, Float32Array.from(p.dataSync() as Float32Array)]));
}

/** Plain next-token training on the rows' targets (to give a toy teacher a behaviour). */
export function trainCe(model: CausalLM, rows: Sequence[], steps: number, lr = 1e-2): void {
  const opt = new optim.AdamW(model.parameters(), { lr, weightDecay: 0 });
  const order = new BatchOrder(rows.length, 16, 0, true);
  const cursor = { epoch: 0, offset: 0 };
  model.train();
  for (let s = 0; s < steps; s++) {
    const b = collate(
      order.next(cursor).map((r) => rows[r]),
      null,
    );
    tidy(() => {
      crossEntropy(model.forward(b.inputIds), b.labels, { ignoreIndex: -100 }).backward();
      return model.parameters().map((p) => p.grad);
    });
    opt.step();
    opt.zeroGrad();
  }
  model.eval();
}
