/**
 * One measurement of ours on a real-scale model directory, in a process of its own so that its
 * peak RSS is its own. Prints one JSON line. Run by ../real-scale.ts; by hand:
 *
 *   node --expose-gc --import tsx bench/real-scale/worker.ts MEASURE DIR [--dtype float32|auto]
 *
 * MEASURE: baseline | load | prefill-1x512 | prefill-4x512 | decode | generate |
 *          write-4bit (--out DIR4) | decode-4bit (DIR is then a GPTQ directory) |
 *          gptq-layer:<q|k|v|o|gate|up|down> | gptq-model
 */
import { readFileSync } from "node:fs";
import { type CausalLM, generateTokens, loadPretrained } from "@shrinkray/models";
import { Generator, linear, type nn, noGrad, Tensor, tidy, trimHostPool } from "@shrinkray/tensor-cuda";
import {
  gptqQuantize,
  gptqWeightFormat,
  HessianAccumulator,
  quantizeModel,
  rtnQuantizeModel,
  saveQuantized,
} from "../../src/index.js";

const [measure, dir] = process.argv.slice(2);
const dtypeArg = process.argv.indexOf("--dtype");
const dtype = (dtypeArg > 0 ? process.argv[dtypeArg + 1] : "float32") as "float32" | "auto";

function status(field: "VmRSS" | "VmHWM"): number {
  const m = new RegExp(`${field}:\\s+(\\d+)`).exec(readFileSync("/proc/self/status", "utf8"));
  return m ? Number(m[1]) * 1024 : 0;
}

/**
 * rss: what the process holds at rest (after a collection and returning free memory, which a
 * reference-counted runtime like PyTorch's does as it goes); hwm: the peak, as it happened.
 */
function emit(o: Record<string, unknown>): void {
  (globalThis as { gc?: () => void }).gc?.();
  trimHostPool();
  console.log(JSON.stringify({ measure, rss: status("VmRSS"), hwm: status("VmHWM"), ...o }));
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

async function load(): Promise<{ model: CausalLM; seconds: number }> {
  const t0 = performance.now();
  const model = await loadPretrained(dir, { dtype, tokenizer: false });
  return { model, seconds: (performance.now() - t0) / 1000 };
}

function randomIds(b: number, t: number, vocab: number, seed: number): Tensor {
  const g = new Generator(seed);
  return Tensor.from(
    Int32Array.from({ length: b * t }, () => g.int(vocab)),
    [b, t],
  );
}

/** Bytes of every distinct parameter and buffer: what the model holds as weights. */
function weightBytes(model: nn.AnyModule): number {
  const seen = new Set<Tensor>();
  let bytes = 0;
  for (const t of [...model.parameters(), ...model.buffers()]) {
    if (seen.has(t)) continue;
    seen.add(t);
    bytes += (t.storage as unknown as { data: ArrayBufferView }).data.byteLength;
  }
  return bytes;
}

function timeDecode(model: CausalLM, steps: number): number {
  const cache = model.newCache();
  const prompt = randomIds(1, 16, model.vocabSize, 7);
  noGrad(() => tidy(() => model.forward(prompt, { cache, logitsToKeep: 1 })));
  let next = Tensor.from(Int32Array.of(1), [1, 1]);
  const t0 = performance.now();
  for (let i = 0; i < steps; i++) {
    const id = noGrad(() =>
      tidy(() => {
        const logits = model.forward(next, { cache });
        return logits.argmax(-1).cast("int32").dataSync()[0] as number;
      }),
    );
    next = Tensor.from(Int32Array.of(id), [1, 1]);
  }
  const s = (performance.now() - t0) / 1000;
  cache.dispose();
  return steps / s;
}

const LAYER_SHAPES = (c: Record<string, number>): Record<string, [number, number]> => {
  const D = c.hidden_size;
  const F = c.intermediate_size;
  const HD = c.head_dim ?? D / c.num_attention_heads;
  return {
    q: [c.num_attention_heads * HD, D],
    k: [c.num_key_value_heads * HD, D],
    v: [c.num_key_value_heads * HD, D],
    o: [D, c.num_attention_heads * HD],
    gate: [F, D],
    up: [F, D],
    down: [D, F],
  };
};

async function main(): Promise<void> {
  if (measure === "load") {
    const { model, seconds } = await load();
    emit({ seconds, weightBytes: weightBytes(model) });
    return;
  }
  if (measure.startsWith("prefill-")) {
    const [b, t] = measure.slice("prefill-".length).split("x").map(Number);
    const { model } = await load();
    const ids = randomIds(b, t, model.vocabSize, 3);
    const run = () => {
      const t0 = performance.now();
      noGrad(() => tidy(() => void model.forward(ids).shape));
      return (performance.now() - t0) / 1000;
    };
    const times = [run(), run()];
    emit({ seconds: median(times), times });
    return;
  }
  if (measure === "decode") {
    const { model } = await load();
    timeDecode(model, 4);
    emit({ tokPerS: timeDecode(model, 64), weightBytes: weightBytes(model) });
    return;
  }
  if (measure === "generate") {
    const { model } = await load();
    const prompts = Array.from({ length: 8 }, (_, i) =>
      Array.from(randomIds(1, 32, model.vocabSize, 20 + i).dataSync() as Int32Array),
    );
    const t0 = performance.now();
    const res = await generateTokens(model, prompts, { maxNewTokens: 64, eosTokenIds: [] });
    const s = (performance.now() - t0) / 1000;
    const tokens = res.tokens.reduce((n, t) => n + t.length, 0);
    emit({ seconds: s, tokens, tokPerS: tokens / s });
    return;
  }
  if (measure === "baseline") {
    // The process without a model: runtime, onnxruntime and BLAS loaded, one small op of each.
    linear(Tensor.ones([2, 8]), Tensor.ones([3, 8])).dispose();
    Tensor.ones([1 << 17])
      .exp()
      .dispose();
    emit({});
    return;
  }
  if (measure === "write-4bit") {
    // DIR's 4-bit (RTN, g128, asymmetric) GPTQ checkpoint, for decode-4bit to load like any other.
    const out = process.argv[process.argv.indexOf("--out") + 1];
    const model = await loadPretrained(dir, { dtype: "auto", tokenizer: false });
    const t0 = performance.now();
    const r = rtnQuantizeModel(model, { bits: 4, groupSize: 128, sym: false });
    await saveQuantized(out, model, { quantizeConfig: r.config, hfConfig: model.config });
    emit({ seconds: (performance.now() - t0) / 1000 });
    return;
  }
  if (measure === "decode-4bit") {
    // DIR is a GPTQ directory; its float tensors (embeddings, tied head) stay at their width.
    const model = await loadPretrained(dir, { dtype: "auto", tokenizer: false, formats: [gptqWeightFormat] });
    timeDecode(model, 4);
    emit({ tokPerS: timeDecode(model, 64), weightBytes: weightBytes(model) });
    return;
  }
  if (measure.startsWith("gptq-layer:")) {
    const kind = measure.slice("gptq-layer:".length);
    const config = JSON.parse(readFileSync(`${dir}/config.json`, "utf8"));
    const [rows, cols] = LAYER_SHAPES(config)[kind];
    const g = new Generator(0);
    const w = Tensor.randn([rows, cols], { generator: g }).mul(0.02);
    const xs = Array.from({ length: 16 }, () => Tensor.randn([1, 512, cols], { generator: g }));
    const t0 = performance.now();
    const acc = new HessianAccumulator(cols);
    for (const x of xs) acc.add(x);
    const h = acc.hessian();
    const t1 = performance.now();
    gptqQuantize(w, h, { bits: 4, groupSize: 128 });
    const t2 = performance.now();
    emit({
      rows,
      cols,
      hessianSeconds: (t1 - t0) / 1000,
      quantizeSeconds: (t2 - t1) / 1000,
      seconds: (t2 - t0) / 1000,
    });
    return;
  }
  if (measure === "gptq-model") {
    const { model } = await load();
    const calibration = Array.from({ length: 16 }, (_, i) => randomIds(1, 512, model.vocabSize, 100 + i));
    const t0 = performance.now();
    const r = quantizeModel(
      model,
      calibration,
      { bits: 4, groupSize: 128 },
      {
        onProgress: (p) => {
          if (p.done % 7 === 0 || p.done === p.total) {
            const eta = (p.elapsedSeconds / p.done) * (p.total - p.done);
            process.stderr.write(
              `gptq ${p.done}/${p.total} ${p.name} ${p.elapsedSeconds.toFixed(0)} s, ETA ${eta.toFixed(0)} s\n`,
            );
          }
        },
      },
    );
    emit({ seconds: (performance.now() - t0) / 1000, layers: r.layers.length });
    return;
  }
  throw new Error(`unknown measure ${measure}`);
}

await main();
