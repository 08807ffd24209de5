/**
 * Perplexity before and after GPTQ and round-to-nearest, 4 and 3 bits, group 32 and per
 * channel, on the tiny fixtures (random weights, random token ids) and on a byte-level Llama
 * trained here on WikiText-2 valid (evaluated on the first 64 KiB of WikiText-2 test, 128-byte
 * windows; calibrated on 64 windows of 128 bytes of valid). Also the mean per-layer relative
 * output error of GPTQ and of RTN on the same calibration inputs, and on how many layers GPTQ's
 * is lower. Figures only. Run: pnpm --filter @shrinkray/gptq exec tsx bench/model-ppl.ts
 */
import { fileURLToPath } from "node:url";
import { type CausalLM, createModel, loadPretrained, ModelTokenScorer, perplexity } from "@shrinkray/models";
import { Generator, Tensor } from "@shrinkray/tensor-cuda";
import {
  calibrationFromText,
  type ModelQuantizeConfig,
  quantizeModel,
  rtnQuantizeModel,
} from "../src/index.js";
import { bytesOf, CHAR_LLAMA_CONFIG, readWikitext, trainedCharLlama } from "./char-llama.js";

const FIXTURES = fileURLToPath(new URL("../../../../shared/fixtures/models/", import.meta.url));
const CONFIGS: { label: string; config: ModelQuantizeConfig }[] = [
  { label: "4-bit g32", config: { bits: 4, groupSize: 32 } },
  { label: "3-bit g32", config: { bits: 3, groupSize: 32 } },
  { label: "4-bit per-ch", config: { bits: 4, groupSize: -1 } },
  { label: "3-bit per-ch", config: { bits: 3, groupSize: -1 } },
];

interface Subject {
  name: string;
  fresh: () => Promise<CausalLM>;
  calibration: Tensor[];
  evalIds: number[];
  maxLength: number;
}

async function ppl(model: CausalLM, ids: number[], maxLength: number): Promise<number> {
  return (await perplexity(new ModelTokenScorer(model, null, 16), ids, { maxLength })).perplexity;
}

function randomIds(vocab: number, n: number, seed: number): number[] {
  const g = new Generator(seed);
  return Array.from({ length: n }, () => g.int(vocab));
}

function randomBatches(vocab: number, n: number, batch: number, len: number, seed: number): Tensor[] {
  const ids = randomIds(vocab, n * batch * len, seed);
  return Array.from({ length: n }, (_, i) =>
    Tensor.from(Int32Array.from(ids.slice(i * batch * len, (i + 1) * batch * len)), [batch, len]),
  );
}

async function subjects(): Promise<Subject[]> {
  const out: Subject[] = [];
  for (const name of ["tiny-llama", "tiny-gpt2", "tiny-qwen2"]) {
    const load = () => loadPretrained(`${FIXTURES}${name}`, { tokenizer: false });
    const vocab = (await load()).vocabSize;
    out.push({
      name: `${name} (random)`,
      fresh: load,
      calibration: randomBatches(vocab, 8, 2, 32, 1),
      evalIds: randomIds(vocab, 4096, 2),
      maxLength: 32,
    });
  }
  const trained = await trainedCharLlama();
  const weights = trained.stateDict();
  out.push({
    name: "char-llama (trained)",
    fresh: async () => {
      const m = createModel(CHAR_LLAMA_CONFIG, { init: "empty" });
      m.loadStateDict(weights);
      return m.eval();
    },
    calibration: calibrationFromText(readWikitext("valid"), bytesOf, {
      nsamples: 64,
      seqLen: 128,
      seed: 0,
      batchSize: 8,
    }),
    evalIds: bytesOf(readWikitext("test")).slice(0, 65536),
    maxLength: 128,
  });
  return out;
}

const fmt = (x: number) => (x >= 100 ? x.toFixed(1) : x.toFixed(3));
const lines: string[] = [
  "| model | config | float ppl | GPTQ ppl | RTN ppl | layer err GPTQ | layer err RTN | GPTQ < RTN |",
  "|---|---|---|---|---|---|---|---|",
];
for (const s of await subjects()) {
  const float = await ppl(await s.fresh(), s.evalIds, s.maxLength);
  for (const { label, config } of CONFIGS) {
    const g = await s.fresh();
    const r = quantizeModel(g, s.calibration, config, { compareRtn: true });
    const gptq = await ppl(g, s.evalIds, s.maxLength);
    const q = await s.fresh();
    rtnQuantizeModel(q, config);
    const rtn = await ppl(q, s.evalIds, s.maxLength);
    const mean = (k: "error" | "rtnError") => r.layers.reduce((a, l) => a + l[k]!, 0) / r.layers.length;
    const wins = r.layers.filter((l) => l.error! < l.rtnError!).length;
    const row = `| ${s.name} | ${label} | ${fmt(float)} | ${fmt(gptq)} | ${fmt(rtn)} | ${mean("error").toExponential(2)} | ${mean("rtnError").toExponential(2)} | ${wins}/${r.layers.length} |`;
    console.error(`${row}  (GPTQ ${r.seconds.toFixed(1)} s)`);
    lines.push(row);
  }
}
console.log(lines.join("\n"));
