/**
 * What ShrinkRay can do today, end to end on a bundled default: train a tiny character-level GPT
 * with tensor-cuda (CPU backend, autograd, AdamW, cosine schedule), checkpoint it as safetensors
 * (atomic write), reload it into a fresh model and check the loss is unchanged, generate text
 * greedily, and read numeric answers out of model-style text with answer-extract.
 * Run: pnpm demo   (writes out/demo/). Options: --steps N, --out DIR.
 */
import { mkdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { extractAnswer } from "@shrinkray/answer-extract";
import { crossEntropy, Generator, io, noGrad, optim, Tensor } from "@shrinkray/tensor-cuda";
import { CharGpt } from "./char-gpt.js";
import { CORPUS } from "./corpus.js";

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1] : fallback;
}

const steps = Number(arg("steps", "400"));
// pnpm runs scripts in the package folder; INIT_CWD is where the user typed the command.
const outDir = resolve(process.env.INIT_CWD ?? process.cwd(), arg("out", "out/demo"));
const chars = [...new Set(CORPUS)].sort();
const encode = (s: string) => Int32Array.from(s, (c) => chars.indexOf(c));
const decode = (ids: ArrayLike<number>) => Array.from(ids, (i) => chars[i]).join("");
const data = encode(CORPUS);
const cfg = { vocab: chars.length, context: 64, dim: 64, heads: 4, layers: 2 };
const batch = 8;

function sampleBatch(g: Generator): { x: Tensor; y: Tensor } {
  const x = new Int32Array(batch * cfg.context);
  const y = new Int32Array(batch * cfg.context);
  for (let b = 0; b < batch; b++) {
    const start = g.int(data.length - cfg.context - 1);
    x.set(data.subarray(start, start + cfg.context), b * cfg.context);
    y.set(data.subarray(start + 1, start + cfg.context + 1), b * cfg.context);
  }
  return { x: Tensor.from(x, [batch, cfg.context]), y: Tensor.from(y, [batch, cfg.context]) };
}

function evalLoss(model: CharGpt): number {
  const g = new Generator(1234); // the same held batches for every model evaluated
  return noGrad(() => {
    let total = 0;
    for (let i = 0; i < 4; i++) {
      const { x, y } = sampleBatch(g);
      total += crossEntropy(model.call(x), y).item();
    }
    return total / 4;
  });
}

console.log(
  `[1/4] training a ${cfg.layers}-layer character GPT (d=${cfg.dim}, vocab ${cfg.vocab}) for ${steps} steps`,
);
const model = new CharGpt(cfg, 0);
const opt = new optim.AdamW(model.parameters(), { lr: 3e-3, weightDecay: 0.01 });
const sched = new optim.LRScheduler(opt, optim.cosineWithWarmup({ warmupSteps: 10, totalSteps: steps }));
const g = new Generator(0);
const initial = evalLoss(model);
const t0 = performance.now();
for (let step = 1; step <= steps; step++) {
  const { x, y } = sampleBatch(g);
  opt.zeroGrad();
  const loss = crossEntropy(model.call(x), y);
  loss.backward();
  optim.clipGradNorm(model.parameters(), 1.0);
  opt.step();
  sched.step();
  if (step % 20 === 0 || step === steps) {
    const secs = (performance.now() - t0) / 1000;
    const tokS = (step * batch * cfg.context) / secs;
    const eta = ((steps - step) * secs) / step;
    console.log(
      `  step ${String(step).padStart(4)}/${steps}  loss ${loss.item().toFixed(3)}  ${tokS.toFixed(0)} tok/s  eta ${eta.toFixed(1)} s`,
    );
  }
}
const trained = evalLoss(model);
console.log(`  held-out loss: ${initial.toFixed(3)} before training, ${trained.toFixed(3)} after`);
if (!(trained < initial)) throw new Error("demo: training did not reduce the loss");

console.log("[2/4] checkpointing as safetensors and reloading into a fresh model");
mkdirSync(outDir, { recursive: true });
const file = join(outDir, "model.safetensors");
await io.saveSafetensors(file, model.stateDict(), { format: "pt", vocab: JSON.stringify(chars) });
const fresh = new CharGpt(cfg, 99);
fresh.loadStateDict(await io.loadSafetensors(file));
const reloaded = evalLoss(fresh);
console.log(`  wrote ${file}; reloaded loss ${reloaded.toFixed(6)} (trained ${trained.toFixed(6)})`);
if (reloaded !== trained) throw new Error("demo: the reloaded model does not reproduce the trained loss");

console.log("[3/4] greedy generation from the reloaded model");
const prompt = "The answer is";
const ids = Array.from(encode(prompt));
noGrad(() => {
  for (let i = 0; i < 80; i++) {
    const window = ids.slice(-cfg.context);
    const logits = fresh.call(Tensor.from(Int32Array.from(window), [1, window.length]));
    ids.push(
      logits
        .slice(1, window.length - 1, window.length)
        .argmax(-1)
        .item(),
    );
  }
});
console.log(`  ${JSON.stringify(decode(ids))}`);

console.log("[4/4] extracting numeric answers with answer-extract");
const outputs = [
  "Janet has 16 - 3 - 4 = 9 eggs left, and sells them at $2 each, so she makes 9 * 2 = $18.\nThe answer is 18.",
  "We need 2 + 1 = 3 bolts in total. $\\boxed{3}$",
  "The total is $1,200.00 for the year. Answer: 1200",
  "So the final answer is −7. 7. 7. 7. 7. 7.",
  "I cannot determine this.",
];
for (const text of outputs) {
  const r = extractAnswer(text);
  console.log(`  ${String(r.value).padStart(6)}  (${r.rule})  ← ${JSON.stringify(text.slice(0, 60))}`);
}
console.log("demo finished");
