/**
 * Real scale, ours against PyTorch on the same machine, back to back: random-weight Hugging Face
 * directories with Qwen2.5-0.5B's and Llama-3.2-1B's exact config (bf16 files), then load time
 * and RSS, prefill 1×512 and 4×512 with peak RSS, decode and batched generation tok/s, 4-bit
 * decode and weight bytes, GPTQ per layer kind and for the whole model. Each measurement runs in
 * a process of its own (real-scale/worker.ts; peers/real_scale_torch.py), so peak RSS is its own.
 * Ratios are ours/PyTorch in time or memory: below 1 is better.
 *
 *   pnpm --filter @shrinkray/gptq bench:real-scale [-- --model qwen2.5-0.5b --only load,decode]
 *
 * Options: --model qwen2.5-0.5b|llama-3.2-1b|all (default qwen2.5-0.5b), --only a,b,c (measure
 * names), --dir DIR (where the model directories are written, default the temp dir; reused),
 * --layers N (a shallower model for a quick check: not the real config; said in the output).
 */
import { spawnSync } from "node:child_process";
import { existsSync, statSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { REAL_CONFIGS } from "./real-scale/configs.js";
import { writeRandomModel } from "./real-scale/write-model.js";

const { values } = parseArgs({
  options: {
    model: { type: "string", default: "qwen2.5-0.5b" },
    only: { type: "string" },
    dir: { type: "string", default: join(tmpdir(), "shrinkray-real-scale") },
    layers: { type: "string" },
  },
});

const ALL = [
  "load",
  "prefill-1x512",
  "prefill-4x512",
  "decode",
  "generate",
  "decode-4bit",
  ...["q", "k", "v", "o", "gate", "up", "down"].map((k) => `gptq-layer:${k}`),
  "gptq-model",
];
const only = values.only ? values.only.split(",") : ALL;
const here = fileURLToPath(new URL(".", import.meta.url));
const PY = "/usr/bin/python3";
const peerScript = join(here, "peers", "real_scale_torch.py");
const havePeer = existsSync(PY) && spawnSync(PY, ["-c", "import torch, numpy"]).status === 0;

type Result = Record<string, number | number[] | string>;

function run(cmd: string, args: string[]): Result | null {
  const r = spawnSync(cmd, args, {
    encoding: "utf8",
    stdio: ["ignore", "pipe", "inherit"],
    maxBuffer: 1 << 24,
  });
  const line = r.stdout
    .split("\n")
    .filter((l) => l.startsWith("{"))
    .pop();
  if (r.status !== 0 || !line) {
    console.error(`  failed: ${cmd} ${args.join(" ")} (exit ${r.status})`);
    return null;
  }
  return JSON.parse(line);
}

const ours = (measure: string, dir: string, dtype = "float32") =>
  run(process.execPath, [
    "--expose-gc",
    "--import",
    "tsx",
    join(here, "real-scale", "worker.ts"),
    measure,
    dir,
    "--dtype",
    dtype,
  ]);
const peer = (measure: string, dir: string) => (havePeer ? run(PY, [peerScript, measure, dir]) : null);

const gb = (b: number) => `${(b / 1e9).toFixed(2)} GB`;
const sec = (s: number) => `${s.toFixed(2)} s`;
const ratio = (a: number | undefined, b: number | undefined) => (a && b ? (a / b).toFixed(2) : "n/a");

function row(what: string, a: string, b: string, r: string): void {
  console.log(`| ${what} | ${a} | ${b} | ${r} |`);
}

async function bench(name: string): Promise<void> {
  const config = { ...REAL_CONFIGS[name] };
  if (values.layers) config.num_hidden_layers = Number(values.layers);
  const dir = join(values.dir, values.layers ? `${name}-${values.layers}layers` : name);
  const t0 = performance.now();
  const fileBytes = await writeRandomModel(dir, config);
  const written = (performance.now() - t0) / 1000;
  console.log(
    `\n## ${name}${values.layers ? ` (${values.layers} layers: a quick check, not the real config)` : ""}: ${gb(statSync(join(dir, "model.safetensors")).size)} bf16 file${written > 1 ? `, written in ${written.toFixed(0)} s` : ""}`,
  );
  console.log(
    `load average ${loadavg()
      .map((l) => l.toFixed(2))
      .join(" ")}; peer: ${havePeer ? "PyTorch (CPU)" : "none"}\n`,
  );
  console.log("| measurement | ours | PyTorch | ours/PyTorch |");
  console.log("|---|---|---|---|");
  void fileBytes;
  for (const m of only) {
    if (m === "load") {
      const a = ours("load", dir);
      const h = ours("load", dir, "auto");
      const p = peer("load", dir);
      row(
        "load time (float32)",
        a ? sec(a.seconds as number) : "-",
        p ? sec(p.seconds as number) : "-",
        ratio(a?.seconds as number, p?.seconds as number),
      );
      row(
        "RSS after load (float32)",
        a ? gb(a.rss as number) : "-",
        p ? gb(p.rss as number) : "-",
        ratio(a?.rss as number, p?.rss as number),
      );
      if (h)
        row(
          'RSS after load (dtype "auto": bf16 kept)',
          gb(h.rss as number),
          `file ${gb(statSync(join(dir, "model.safetensors")).size)}`,
          `${((h.rss as number) / statSync(join(dir, "model.safetensors")).size).toFixed(2)} × file`,
        );
    } else if (m.startsWith("prefill-")) {
      const a = ours(m, dir);
      const p = peer(m, dir);
      row(
        `${m} time`,
        a ? sec(a.seconds as number) : "-",
        p ? sec(p.seconds as number) : "-",
        ratio(a?.seconds as number, p?.seconds as number),
      );
      row(
        `${m} peak RSS`,
        a ? gb(a.hwm as number) : "-",
        p ? gb(p.hwm as number) : "-",
        ratio(a?.hwm as number, p?.hwm as number),
      );
    } else if (m === "decode" || m === "generate") {
      for (const dtype of m === "decode" ? ["float32", "auto"] : ["float32"]) {
        const a = ours(m, dir, dtype);
        const p = dtype === "float32" ? peer(m, dir) : null;
        const what =
          m === "decode" ? "decode, KV cache (1 × 64 tokens)" : "batched generation (8 × 64 tokens)";
        row(
          `${what} tok/s${dtype === "auto" ? ', dtype "auto" (bf16 kept)' : ""}`,
          a ? (a.tokPerS as number).toFixed(2) : "-",
          p ? (p.tokPerS as number).toFixed(2) : dtype === "auto" ? "(PyTorch: float32)" : "-",
          ratio(p?.tokPerS as number, a?.tokPerS as number),
        );
      }
    } else if (m === "decode-4bit") {
      // Weight memory as the process holds it (RSS over an empty process's), onnxruntime's
      // prepacked copies included: a 4-bit checkpoint loaded fresh against the float32 model.
      const dir4 = `${dir}-rtn4`;
      if (!existsSync(join(dir4, "config.json")))
        run(process.execPath, [
          "--import",
          "tsx",
          join(here, "real-scale", "worker.ts"),
          "write-4bit",
          dir,
          "--out",
          dir4,
        ]);
      const base = ours("baseline", dir);
      const f = ours("decode", dir);
      const q = ours("decode-4bit", dir4);
      if (!base || !f || !q) continue;
      const mem = (r: Result) => (r.rss as number) - (base.rss as number);
      row(
        "4-bit (RTN g128) decode tok/s vs our float32",
        (q.tokPerS as number).toFixed(2),
        `ours f32 ${(f.tokPerS as number).toFixed(2)}`,
        `${((q.tokPerS as number) / (f.tokPerS as number)).toFixed(2)}× faster`,
      );
      row(
        "4-bit weight memory (RSS over an empty process) vs our float32",
        gb(mem(q)),
        `ours f32 ${gb(mem(f))}`,
        `${(mem(q) / mem(f)).toFixed(2)} ×`,
      );
      row(
        "4-bit tensors' bytes vs float32's",
        gb(q.weightBytes as number),
        `ours f32 ${gb(f.weightBytes as number)}`,
        `${((q.weightBytes as number) / (f.weightBytes as number)).toFixed(2)} ×`,
      );
    } else if (m.startsWith("gptq-layer:")) {
      const a = ours(m, dir);
      const p = peer(m, dir);
      const shape = a ? `[${a.rows}×${a.cols}]` : "";
      row(
        `GPTQ ${m.slice(11)} ${shape} (Hessian + solve)`,
        a
          ? `${sec(a.seconds as number)} (${sec(a.hessianSeconds as number)} + ${sec(a.quantizeSeconds as number)})`
          : "-",
        p
          ? `${sec(p.seconds as number)} (${sec(p.hessianSeconds as number)} + ${sec(p.quantizeSeconds as number)})`
          : "-",
        ratio(a?.seconds as number, p?.seconds as number),
      );
    } else if (m === "gptq-model") {
      const a = ours(m, dir);
      const p = peer(m, dir);
      row(
        "whole-model GPTQ 4-bit g128, 16×512 calibration",
        a ? sec(a.seconds as number) : "-",
        p ? sec(p.seconds as number) : "-",
        ratio(a?.seconds as number, p?.seconds as number),
      );
    }
  }
}

for (const name of values.model === "all" ? Object.keys(REAL_CONFIGS) : [values.model]) {
  if (!REAL_CONFIGS[name])
    throw new Error(`--model: unknown ${name}; one of ${Object.keys(REAL_CONFIGS).join(", ")}, all`);
  await bench(name);
}
