/**
 * Trains the embedded default's teacher from a seed and writes it, with its tokenizer, to
 * assets/toy/teacher/ (or --out). Prints progress, then held-out accuracy.
 *
 *   pnpm --filter @shrinkray/runner exec tsx scripts/train-toy.ts [--seed 1] [--steps 1500]
 *        [--batch 32] [--lr 0.003] [--out dir] [--eval-word 200] [--eval-choice 200]
 */
import { mkdir, rename, rm, stat, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { loadPretrained } from "@shrinkray/models";
import { heldOut, scoreChoices, scoreWordProblems } from "../src/toy/evaluate.js";
import { DEFAULT_RECIPE, runRecipe, type ToyRecipe } from "../src/toy/train.js";

const here = dirname(fileURLToPath(import.meta.url));
const { values } = parseArgs({
  options: {
    seed: { type: "string" },
    steps: { type: "string" },
    batch: { type: "string" },
    lr: { type: "string" },
    out: { type: "string" },
    "eval-word": { type: "string", default: "200" },
    "eval-choice": { type: "string", default: "200" },
  },
});
const num = (v: string | undefined, d: number) => (v === undefined ? d : Number(v));
const recipe: ToyRecipe = {
  ...DEFAULT_RECIPE,
  seed: num(values.seed, DEFAULT_RECIPE.seed),
  steps: num(values.steps, DEFAULT_RECIPE.steps),
  batchSize: num(values.batch, DEFAULT_RECIPE.batchSize),
  lr: num(values.lr, DEFAULT_RECIPE.lr),
};
const out = values.out ?? join(here, "../assets/toy/teacher");

const clock = (s: number) => `${Math.floor(s / 60)}m${String(Math.round(s % 60)).padStart(2, "0")}s`;
const log = (line: string) => process.stderr.write(`${line}\n`);
const started = performance.now();
log(`train-toy: ${JSON.stringify(recipe)}`);
let window: number[] = [];
const { model, losses } = runRecipe(
  recipe,
  (p) => {
    window.push(p.loss);
    if (p.step % 25 === 0 || p.step === p.steps) {
      const mean = window.reduce((a, x) => a + x, 0) / window.length;
      window = [];
      log(
        `step ${p.step}/${p.steps}  loss ${mean.toFixed(4)}  lr ${p.lr.toExponential(2)}  ` +
          `${Math.round(p.tokensPerSecond)} tok/s  elapsed ${clock(p.elapsedSeconds)}  eta ${clock(p.etaSeconds)}`,
      );
    }
  },
  log,
);
const trainSeconds = (performance.now() - started) / 1000;

// Written next to the target, then swapped in: an interrupted run leaves the old teacher whole.
const tmp = `${out}.tmp-${process.pid}`;
await rm(tmp, { recursive: true, force: true });
await model.save(tmp);
await writeFile(
  join(tmp, "training.json"),
  `${JSON.stringify({ recipe, trainSeconds: Math.round(trainSeconds), finalLoss: losses.at(-1) }, null, 2)}\n`,
);
await mkdir(dirname(out), { recursive: true });
await rm(out, { recursive: true, force: true });
await rename(tmp, out);
const bytes = (await stat(join(out, "model.safetensors"))).size;
log(`saved ${out} (model.safetensors ${(bytes / 1e6).toFixed(2)} MB) after ${clock(trainSeconds)}`);

// Evaluate what was written, as a user of the directory would load it.
const saved = await loadPretrained(out);
const sets = heldOut(recipe.seed, {
  wordProblems: Number(values["eval-word"]),
  choices: Number(values["eval-choice"]),
});
const gsm = await scoreWordProblems(saved, sets.wordProblems);
log(
  `held-out word problems: ${(gsm.accuracy * 100).toFixed(1)}% (strict #### ${(gsm.strictAccuracy * 100).toFixed(1)}%) of ${sets.wordProblems.length}`,
);
for (const r of gsm.results.filter((x) => !x.correct).slice(0, 3))
  log(`  wrong: ${JSON.stringify(r.output)} (gold ${r.gold})`);
const mc = await scoreChoices(saved, sets.choices, { perturbations: ["typos", "leetspeak", "redHerrings"] });
log(
  `held-out multiple choice: ${(mc.accuracy * 100).toFixed(1)}% of ${sets.choices.length} (chance 25%); ` +
    Object.entries(mc.perturbed)
      .map(([p, a]) => `${p} ${((a ?? 0) * 100).toFixed(1)}%`)
      .join(", "),
);
