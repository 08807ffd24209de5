/**
 * Time to GPTQ-quantize a whole GPT-2-small-shaped model (12 blocks, d 768, 12 heads, random
 * weights; 4-bit, group 128, true-sequential, packed into QuantLinear) on CPU. The paper's 128
 * calibration sequences of 2048 (or AutoGPTQ's habitual 128 × 512) would take long in a bench,
 * so this uses 16 sequences of 512 tokens (NSEQ / SEQLEN env vars change it); the per-layer
 * GPTQ step does not depend on the count, the Hessian and block passes grow linearly with it.
 * Figures only. Run: pnpm --filter @shrinkray/gptq exec tsx bench/gpt2-small.ts
 */
import { availableParallelism } from "node:os";
import { createModel } from "@shrinkray/models";
import { Generator, Tensor } from "@shrinkray/tensor-cuda";
import { quantizeModel } from "../src/index.js";

const NSEQ = Number(process.env.NSEQ) || 16;
const SEQLEN = Number(process.env.SEQLEN) || 512;
const BITS = 4;
const GROUP = 128;

const t0 = performance.now();
const model = createModel(
  { model_type: "gpt2", vocab_size: 50257, n_positions: 1024, n_embd: 768, n_layer: 12, n_head: 12 },
  { init: "random" },
).eval();
const built = performance.now();
const params = model.numParameters(); // before quantizing: QuantLinear holds buffers, not parameters
const g = new Generator(0);
const calibration = Array.from({ length: NSEQ }, () =>
  Tensor.from(
    Int32Array.from({ length: SEQLEN }, () => g.int(50257)),
    [1, SEQLEN],
  ),
);

const perKind = new Map<string, number>();
let lastBlock = -1;
const r = quantizeModel(
  model,
  calibration,
  { bits: BITS, groupSize: GROUP },
  {
    onProgress: (p) => {
      const kind = p.name.split(".").slice(-2).join(".");
      perKind.set(kind, (perKind.get(kind) ?? 0) + p.seconds);
      if (p.block !== lastBlock) {
        lastBlock = p.block;
        console.error(`block ${p.block}: ${p.elapsedSeconds.toFixed(1)} s elapsed`);
      }
    },
  },
);
const gptqSeconds = r.layers.reduce((a, l) => a + l.seconds, 0);

console.log(
  `GPT-2-small shape (12 x d768, ${(params / 1e6).toFixed(0)}M params, random), ${NSEQ} x ${SEQLEN} calibration tokens, ${BITS}-bit g${GROUP}, ${availableParallelism()} threads`,
);
console.log(`build model (random init)   ${((built - t0) / 1000).toFixed(1)} s`);
console.log(`quantizeModel total         ${r.seconds.toFixed(1)} s`);
console.log(`  GPTQ on ${r.layers.length} layers          ${gptqSeconds.toFixed(1)} s`);
for (const [kind, s] of perKind) console.log(`    ${kind.padEnd(22)}  ${s.toFixed(1)} s (12 layers)`);
// mlp.c_proj dominates: GPTQ's O(in³) Cholesky and triangular inverse of its 3072 × 3072
// Hessian (float64, in TypeScript) cost ~20 s a layer; the 768-input layers need 1/64 of that.
console.log(`  block passes + Hessians   ${(r.seconds - gptqSeconds).toFixed(1)} s`);
