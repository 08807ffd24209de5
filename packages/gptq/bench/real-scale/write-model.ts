/**
 * A random-weight Hugging Face directory with a real model's config: config.json and a bf16
 * model.safetensors laid out as transformers saves it (tied head not stored). Weights are a
 * xorshift uniform stream (std 0.02, like initializer_range), norms 1: the shapes, dtype and file
 * size of the real thing, written without holding the model in memory.
 */
import { createWriteStream, existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";

interface Entry {
  name: string;
  shape: number[];
  kind: "weight" | "bias" | "norm";
}

function tensorsOf(c: Record<string, unknown>): Entry[] {
  const n = (k: string) => c[k] as number;
  const D = n("hidden_size");
  const F = n("intermediate_size");
  const H = n("num_attention_heads");
  const KV = n("num_key_value_heads");
  const HD = (c.head_dim as number | undefined) ?? D / H;
  const qwen = c.model_type === "qwen2";
  const out: Entry[] = [{ name: "model.embed_tokens.weight", shape: [n("vocab_size"), D], kind: "weight" }];
  for (let l = 0; l < n("num_hidden_layers"); l++) {
    const p = `model.layers.${l}`;
    out.push({ name: `${p}.input_layernorm.weight`, shape: [D], kind: "norm" });
    for (const [proj, rows] of [
      ["q_proj", H * HD],
      ["k_proj", KV * HD],
      ["v_proj", KV * HD],
    ] as const) {
      out.push({ name: `${p}.self_attn.${proj}.weight`, shape: [rows, D], kind: "weight" });
      if (qwen) out.push({ name: `${p}.self_attn.${proj}.bias`, shape: [rows], kind: "bias" });
    }
    out.push({ name: `${p}.self_attn.o_proj.weight`, shape: [D, H * HD], kind: "weight" });
    out.push({ name: `${p}.post_attention_layernorm.weight`, shape: [D], kind: "norm" });
    out.push({ name: `${p}.mlp.gate_proj.weight`, shape: [F, D], kind: "weight" });
    out.push({ name: `${p}.mlp.up_proj.weight`, shape: [F, D], kind: "weight" });
    out.push({ name: `${p}.mlp.down_proj.weight`, shape: [D, F], kind: "weight" });
  }
  out.push({ name: "model.norm.weight", shape: [D], kind: "norm" });
  if (!c.tie_word_embeddings)
    out.push({ name: "lm_head.weight", shape: [n("vocab_size"), D], kind: "weight" });
  return out;
}

const BF16_ONE = 0x3f80;

/** Writes `dir` (config.json + model.safetensors) unless it is already complete; returns its file bytes. */
export async function writeRandomModel(
  dir: string,
  config: Record<string, unknown>,
  seed = 1,
): Promise<number> {
  const entries = tensorsOf(config);
  const numel = (e: Entry) => e.shape.reduce((a, b) => a * b, 1);
  let offset = 0;
  const header: Record<string, unknown> = { __metadata__: { format: "pt" } };
  for (const e of entries) {
    const bytes = numel(e) * 2;
    header[e.name] = { dtype: "BF16", shape: e.shape, data_offsets: [offset, offset + bytes] };
    offset += bytes;
  }
  let json = JSON.stringify(header);
  json += " ".repeat((8 - ((json.length + 8) % 8)) % 8);
  const total = 8 + json.length + offset;
  if (existsSync(join(dir, "model.safetensors")) && existsSync(join(dir, "config.json"))) return total;
  const tmp = `${dir}.tmp-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  writeFileSync(join(tmp, "config.json"), `${JSON.stringify(config, null, 2)}\n`);
  const out = createWriteStream(join(tmp, "model.safetensors"));
  out.on("error", (e) => {
    throw e;
  });
  const write = (b: Uint8Array) =>
    new Promise<void>((resolve) => {
      if (out.write(b)) resolve();
      else out.once("drain", resolve);
    });
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(BigInt(json.length));
  await write(len);
  await write(Buffer.from(json, "latin1"));
  let s = seed >>> 0 || 1;
  const CHUNK = 1 << 20;
  for (const e of entries) {
    let left = numel(e);
    while (left > 0) {
      const n = Math.min(CHUNK, left);
      const a = new Uint16Array(n);
      if (e.kind === "norm") a.fill(BF16_ONE);
      else {
        const f = new Float32Array(1);
        const u = new Uint32Array(f.buffer);
        for (let i = 0; i < n; i++) {
          s ^= s << 13;
          s ^= s >>> 17;
          s ^= s << 5;
          // Uniform in ±0.0346: standard deviation 0.02.
          f[0] = ((s >>> 0) / 4294967296 - 0.5) * 0.0693;
          a[i] = u[0] >>> 16;
        }
      }
      await write(new Uint8Array(a.buffer));
      left -= n;
    }
  }
  await new Promise<void>((resolve, reject) => out.end((e?: Error | null) => (e ? reject(e) : resolve())));
  rmSync(dir, { recursive: true, force: true });
  renameSync(tmp, dir);
  return total;
}
