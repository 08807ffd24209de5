/**
 * A small byte-level Llama trained on WikiText-2 valid for the perplexity bench: quantization
 * is judged on a model with learned structure, not only on random weights. Trained weights are
 * cached in the OS temp dir (keyed by the settings), so a re-run skips the ~1.5 min of training.
 */
import { existsSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { type CausalLM, createModel } from "@shrinkray/models";
import { crossEntropy, Generator, io, optim, Tensor } from "@shrinkray/tensor-cuda";

export const WIKITEXT = fileURLToPath(new URL("../../../../shared/data/wikitext-2/", import.meta.url));

export const CHAR_LLAMA_CONFIG = {
  model_type: "llama",
  vocab_size: 256,
  hidden_size: 128,
  intermediate_size: 384,
  num_hidden_layers: 2,
  num_attention_heads: 4,
  num_key_value_heads: 4,
  max_position_embeddings: 256,
  tie_word_embeddings: false,
};

const TRAIN = { steps: 400, batch: 8, seqLen: 128, lr: 3e-3, warmup: 20, seed: 0 };

/** UTF-8 bytes as token ids: no tokenizer to train, every text encodes. */
export function bytesOf(text: string): number[] {
  return [...Buffer.from(text, "utf8")];
}

export function readWikitext(split: "valid" | "test"): string {
  const file = join(WIKITEXT, `${split}.txt`);
  if (!existsSync(file)) throw new Error(`${file} not found: the bench needs ../shared/data/wikitext-2`);
  return readFileSync(file, "utf8");
}

/** The trained model (from the cache when present). */
export async function trainedCharLlama(log: (s: string) => void = console.log): Promise<CausalLM> {
  const key = Object.values({ ...CHAR_LLAMA_CONFIG, ...TRAIN }).join("-");
  const cache = join(tmpdir(), `shrinkray-char-llama-${key}.safetensors`);
  const model = createModel(CHAR_LLAMA_CONFIG, { init: "random" });
  if (existsSync(cache)) {
    model.loadStateDict(await io.loadSafetensors(cache));
    log(`char-llama: loaded trained weights from ${cache}`);
    return model.eval();
  }
  const ids = bytesOf(readWikitext("valid"));
  const g = new Generator(TRAIN.seed);
  const opt = new optim.AdamW(model.parameters(), { lr: TRAIN.lr, weightDecay: 0.01 });
  const sched = new optim.LRScheduler(
    opt,
    optim.cosineWithWarmup({ warmupSteps: TRAIN.warmup, totalSteps: TRAIN.steps, minLrRatio: 0.1 }),
  );
  const { batch: B, seqLen: T } = TRAIN;
  const t0 = performance.now();
  model.train();
  for (let step = 1; step <= TRAIN.steps; step++) {
    const x = new Int32Array(B * T);
    const y = new Int32Array(B * T);
    for (let b = 0; b < B; b++) {
      const at = g.int(ids.length - T - 1);
      for (let t = 0; t < T; t++) {
        x[b * T + t] = ids[at + t];
        y[b * T + t] = ids[at + t + 1];
      }
    }
    const loss = crossEntropy(model.forward(Tensor.from(x, [B, T])), Tensor.from(y, [B, T]));
    loss.backward();
    optim.clipGradNorm(model.parameters(), 1);
    opt.step();
    sched.step();
    model.zeroGrad();
    if (step % 50 === 0 || step === 1) {
      const s = (performance.now() - t0) / 1000;
      log(`char-llama: step ${step}/${TRAIN.steps} loss ${loss.item().toFixed(3)} (${s.toFixed(0)} s)`);
    }
  }
  model.eval();
  await io.saveSafetensors(cache, model.stateDict());
  return model;
}
