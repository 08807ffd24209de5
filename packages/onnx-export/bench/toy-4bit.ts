/**
 * The bundled toy model exported at 4 bits: folder size against the float export and the
 * float checkpoint, and greedy decoding speed (batch 1) of the exported graph in
 * onnxruntime-node against our own engine running the same packed model. Figures, not asserts.
 *
 *   pnpm --filter @shrinkray/onnx-export bench        (DECODE=128 to decode longer)
 */
import { readFileSync, rmSync, statSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { rtnQuantizeModel } from "@shrinkray/gptq";
import { type CausalLM, generateTokens, loadPretrained } from "@shrinkray/models";
import * as ort from "onnxruntime-node";
import { DATA_FILE, exportOnnx, MODEL_FILE } from "../src/index.js";

const TOY = fileURLToPath(new URL("../../../apps/runner/assets/toy/teacher", import.meta.url));
const DECODE = Number(process.env.DECODE ?? 64);
const REPEATS = 3;
const PROMPT = "Question: Tom has 3 apples and buys 4 more. How many apples does he have?\nAnswer:";

const mb = (b: number) => `${(b / 1e6).toFixed(2)} MB`;
const size = (dir: string) => statSync(join(dir, MODEL_FILE)).size + statSync(join(dir, DATA_FILE)).size;

function int64(v: number[], dims: number[]): ort.Tensor {
  return new ort.Tensor("int64", BigInt64Array.from(v, BigInt), dims);
}

/** Prefill + DECODE greedy steps through the exported graph, as transformers.js drives it. */
async function ortDecode(dir: string, prompt: number[]): Promise<{ prefillMs: number; tokPerS: number }> {
  const s = await ort.InferenceSession.create(join(dir, MODEL_FILE));
  const pastNames = s.inputNames.filter((n) => n.startsWith("past_key_values."));
  const meta = s.inputMetadata.find((m) => m.name === pastNames[0]);
  if (!meta?.isTensor) throw new Error(`${dir}: ${pastNames[0]} is not a tensor input`);
  const [kv, hd] = [meta.shape[1] as number, meta.shape[3] as number];
  let past: Record<string, ort.Tensor> = Object.fromEntries(
    pastNames.map((n) => [n, new ort.Tensor("float32", new Float32Array(0), [1, kv, 0, hd])]),
  );
  let ids = prompt;
  let total = 0;
  let prefillMs = 0;
  const t0 = performance.now();
  for (let step = 0; step <= DECODE; step++) {
    const T = ids.length;
    const out = await s.run({
      input_ids: int64(ids, [1, T]),
      attention_mask: int64(new Array(total + T).fill(1), [1, total + T]),
      position_ids: int64(
        Array.from({ length: T }, (_, i) => total + i),
        [1, T],
      ),
      ...past,
    });
    total += T;
    const logits = out.logits.data as Float32Array;
    const V = logits.length / T;
    let best = 0;
    for (let v = 1; v < V; v++) if (logits[(T - 1) * V + v] > logits[(T - 1) * V + best]) best = v;
    ids = [best];
    past = Object.fromEntries(pastNames.map((n) => [n, out[n.replace("past_key_values.", "present.")]]));
    if (step === 0) prefillMs = performance.now() - t0;
  }
  const decodeMs = performance.now() - t0 - prefillMs;
  await s.release();
  return { prefillMs, tokPerS: (DECODE / decodeMs) * 1000 };
}

async function oursDecode(model: CausalLM, prompt: number[]): Promise<number> {
  const t0 = performance.now();
  await generateTokens(model, [prompt], { maxNewTokens: DECODE, eosTokenIds: [] });
  return (DECODE / (performance.now() - t0)) * 1000;
}

const best = async <T>(f: () => Promise<T>, key: (t: T) => number): Promise<T> => {
  let top: T | null = null;
  for (let i = 0; i < REPEATS; i++) {
    const r = await f();
    if (top === null || key(r) > key(top)) top = r;
  }
  return top as T;
};

async function main(): Promise<void> {
  const work = join(tmpdir(), `onnx-export-bench-${process.pid}`);
  try {
    const model = await loadPretrained(TOY);
    const prompt = model.tokenizer!.encode(PROMPT, { addSpecialTokens: true });
    const floatDir = join(work, "toy-float");
    await exportOnnx(model, floatDir);
    const floatOrt = await best(
      () => ortDecode(floatDir, prompt),
      (r) => r.tokPerS,
    );
    const floatOurs = await best(
      () => oursDecode(model, prompt),
      (r) => r,
    );

    rtnQuantizeModel(model, { bits: 4, groupSize: 32, sym: false });
    const q4Dir = join(work, "toy-4bit");
    const r = await exportOnnx(model, q4Dir);
    const q4Ort = await best(
      () => ortDecode(q4Dir, prompt),
      (x) => x.tokPerS,
    );
    const q4Ours = await best(
      () => oursDecode(model, prompt),
      (x) => x,
    );

    const ckpt = readFileSync(join(TOY, "model.safetensors")).length;
    console.log(`toy model (${TOY})`);
    console.log(
      `load average ${loadavg()
        .map((l) => l.toFixed(2))
        .join(" ")}; prompt ${prompt.length} tokens, ${DECODE} greedy steps, batch 1, best of ${REPEATS}\n`,
    );
    console.log("| | graph + weights | ORT prefill | ORT decode | our engine decode | ORT / ours |");
    console.log("|---|---|---|---|---|---|");
    for (const [name, dir, o, ours] of [
      ["float32", floatDir, floatOrt, floatOurs],
      ["4-bit RTN g32 (MatMulNBits)", q4Dir, q4Ort, q4Ours],
    ] as const) {
      console.log(
        `| ${name} | ${mb(size(dir))} | ${o.prefillMs.toFixed(1)} ms | ${o.tokPerS.toFixed(0)} tok/s | ${ours.toFixed(0)} tok/s | ${(o.tokPerS / ours).toFixed(2)}× |`,
      );
    }
    const q = r.layers.filter((l) => l.kind === "matmulnbits").length;
    console.log(
      `\nfloat checkpoint ${mb(ckpt)}; 4-bit export ${mb(size(q4Dir))} (${((100 * size(q4Dir)) / size(floatDir)).toFixed(0)}% of the float export; ${q} MatMulNBits layers, embeddings and head float32)`,
    );
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

await main();
