/*
 * The GPTQ layout proven both ways against an independent implementation: bench/peers/
 * gptq_layout.py, a numpy reader/packer written from AutoGPTQ's and GPTQModel's documented
 * packing rules. It runs where python3 with numpy exists and is skipped otherwise. The model is
 * the runner's bundled toy Llama (4 layers, GQA), whose widths pack at 2, 3, 4 and 8 bits.
 */
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { type CausalLM, loadPretrained, saveModel } from "@shrinkray/models";
import { io, type nn, noGrad, Tensor } from "@shrinkray/tensor-cuda";
import { afterAll, describe, expect, it } from "vitest";
import { int8QuantizeModel, rtnQuantizeModel } from "./baseline-quantize.js";
import { quantizeModel } from "./model-quantize.js";
import { unpackBits } from "./pack.js";
import { QuantLinear } from "./quant-linear.js";
import { gptqCheckpoint } from "./save-quantized.js";
import { randomBatches } from "./test-models.js";
import { gptqWeightFormat } from "./weight-format.js";

const PEER = fileURLToPath(new URL("../bench/peers/gptq_layout.py", import.meta.url));
const TOY = fileURLToPath(new URL("../../../apps/runner/assets/toy/teacher", import.meta.url));
const HAVE_NUMPY = spawnSync("python3", ["-c", "import numpy"]).status === 0;
const HAVE_TOY = existsSync(join(TOY, "config.json"));
if (!HAVE_NUMPY) console.warn("python3 with numpy not found: skipping the independent GPTQ layout peer");

const IDS = [1, 5, 9, 2, 7, 3, 11, 4, 30, 100, 6, 8];

const dirs: string[] = [];
const tempDir = async () => {
  const d = await mkdtemp(join(tmpdir(), "gptq-peer-"));
  dirs.push(d);
  return d;
};
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

function peer(args: string[]): void {
  const r = spawnSync("python3", [PEER, ...args], { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`gptq_layout.py ${args[0]} failed: ${r.stderr}`);
}

const load = (dir: string) => loadPretrained(dir, { formats: [gptqWeightFormat], tokenizer: false });
const logitsOf = (m: CausalLM, ids: number[]) =>
  noGrad(() => m.forward(Tensor.from(Int32Array.from(ids), [1, ids.length]))).dataSync() as Float32Array;

function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

/** Zero points of layer 0's q_proj, output 0, group 0, as the model holds them (v2). */
function firstZero(model: nn.AnyModule): number {
  const l = model.get("model.layers.0.self_attn.q_proj") as QuantLinear;
  return unpackBits(l.qzeros.dataSync() as Int32Array, l.scales.shape[0], l.outFeatures, l.bits, 1)[0];
}

// A logit differs by float32 vs float64 accumulation only; a layout error moves it by units.
const TOL = 2e-4;

describe.skipIf(!HAVE_NUMPY || !HAVE_TOY)("GPTQ files from an independent packer load to its logits", () => {
  const cases = [
    { name: "v1 sym 4-bit g32 (AutoGPTQ)", bits: 4, group_size: 32, sym: true, format: "gptq" },
    {
      name: "v1 sym 3-bit act-order g32",
      bits: 3,
      group_size: 32,
      sym: true,
      act_order: true,
      format: "gptq",
    },
    {
      name: "v2 asym 4-bit act-order g32, a zero point of 0",
      bits: 4,
      group_size: 32,
      sym: false,
      act_order: true,
      format: "gptq_v2",
      zero_point_zero: true,
    },
    {
      name: "v2 asym 3-bit g64, a zero point of 0",
      bits: 3,
      group_size: 64,
      sym: false,
      format: "gptq_v2",
      zero_point_zero: true,
    },
    { name: "v2 asym 2-bit g32", bits: 2, group_size: 32, sym: false, format: "gptq_v2" },
    { name: "v1 sym 8-bit per channel", bits: 8, group_size: -1, sym: true, format: "gptq" },
    {
      name: "v1 asym 4-bit from GPTQModel (word-level borrow), a zero point of 0",
      bits: 4,
      group_size: 32,
      sym: false,
      format: "gptq",
      v1_style: "gptqmodel",
      zero_point_zero: true,
    },
  ];
  for (const c of cases) {
    it(c.name, async () => {
      const dir = join(await tempDir(), "q");
      peer(["pack", TOY, dir, JSON.stringify({ ...c, seed: 7, ids: IDS })]);
      const model = await load(dir);
      expect(model.get("model.layers.3.mlp.down_proj")).toBeInstanceOf(QuantLinear);
      if (c.zero_point_zero) expect(firstZero(model)).toBe(0);
      const ref = await io.loadSafetensors(join(dir, "reference.safetensors"));
      const diff = maxAbsDiff(logitsOf(model, IDS), ref.get("logits")!.dataSync() as Float32Array);
      console.log(`${c.name}: max |logits − peer| = ${diff.toExponential(2)}`);
      expect(diff).toBeLessThan(TOL);
    });
  }

  it("an AutoGPTQ v1 asymmetric file with a zero point of 0 is refused, naming the tensor", async () => {
    const dir = join(await tempDir(), "q");
    const opts = { bits: 4, group_size: 32, sym: false, format: "gptq", zero_point_zero: true, seed: 7 };
    peer(["pack", TOY, dir, JSON.stringify(opts)]);
    await expect(load(dir)).rejects.toThrow(
      /model\.layers\.0\.self_attn\.q_proj\.qzeros: group 0, output 0 stores 15 \(v1\), the zero point 16/,
    );
  });
});

describe.skipIf(!HAVE_NUMPY || !HAVE_TOY)(
  "GPTQ files written here decode to our logits in the independent reader",
  () => {
    /** Writes `model` as a complete directory, then has the peer dequantize and run it. */
    async function roundTrip(
      model: CausalLM,
      quantizeConfig: Parameters<typeof gptqCheckpoint>[1]["quantizeConfig"],
    ) {
      const dir = join(await tempDir(), "q");
      await saveModel(model, dir, {
        checkpoint: gptqCheckpoint(model, { quantizeConfig, hfConfig: model.config }),
      });
      const out = join(await tempDir(), "logits.safetensors");
      peer(["decode", dir, JSON.stringify(IDS), out]);
      const theirs = (await io.loadSafetensors(out)).get("logits")!.dataSync() as Float32Array;
      const ours = logitsOf(model, IDS);
      const reloaded = logitsOf(await load(dir), IDS);
      expect(reloaded).toEqual(ours);
      const diff = maxAbsDiff(ours, theirs);
      console.log(`${expect.getState().currentTestName}: max |logits − peer| = ${diff.toExponential(2)}`);
      return diff;
    }

    it("RTN 4-bit symmetric g32 (v1)", async () => {
      const model = await loadPretrained(TOY, { tokenizer: false });
      const r = rtnQuantizeModel(model, { bits: 4, groupSize: 32 });
      expect(await roundTrip(model, r.config)).toBeLessThan(TOL);
    });

    it("GPTQ 3-bit act-order g32 (v1)", async () => {
      const model = await loadPretrained(TOY, { tokenizer: false });
      const r = quantizeModel(model, randomBatches(model.vocabSize, 2, 2, 24, 3), {
        bits: 3,
        groupSize: 32,
        descAct: true,
      });
      expect(r.config.descAct).toBe(true);
      expect(await roundTrip(model, r.config)).toBeLessThan(TOL);
    });

    it("RTN 4-bit asymmetric g32 with a zero point of 0 (v2)", async () => {
      const model = await loadPretrained(TOY, { tokenizer: false });
      // Output 0 of layer 0's q_proj gets non-negative weights in group 0: its zero point is 0.
      const w = (model.get("model.layers.0.self_attn.q_proj") as nn.Linear).weight;
      const data = Float32Array.from(w.dataSync() as Float32Array);
      for (let i = 0; i < 32; i++) data[i] = Math.abs(data[i]);
      noGrad(() => w.assign(Tensor.from(data, w.shape)));
      const r = rtnQuantizeModel(model, { bits: 4, groupSize: 32, sym: false });
      expect(firstZero(model)).toBe(0);
      expect(await roundTrip(model, r.config)).toBeLessThan(TOL);
    });

    it("RTN 4-bit g32 with GPTQModel `dynamic` overrides: 8-bit down_proj, one layer left float", async () => {
      const model = await loadPretrained(TOY, { tokenizer: false });
      const dynamic = {
        "-:model\\.layers\\.1\\.self_attn\\.o_proj$": {},
        "+:.*\\.mlp\\.down_proj": { bits: 8, group_size: -1 },
        "model\\.layers\\.[23]\\.self_attn\\.[qk]_proj": { bits: 2, group_size: 64 },
      };
      const r = rtnQuantizeModel(model, { bits: 4, groupSize: 32, dynamic });
      expect(model.get("model.layers.1.self_attn.o_proj")).not.toBeInstanceOf(QuantLinear);
      expect((model.get("model.layers.0.mlp.down_proj") as QuantLinear).bits).toBe(8);
      expect((model.get("model.layers.2.self_attn.k_proj") as QuantLinear).bits).toBe(2);
      expect(await roundTrip(model, r.config)).toBeLessThan(TOL);
    });

    it("int8 (8-bit per channel, symmetric)", async () => {
      const model = await loadPretrained(TOY, { tokenizer: false });
      const r = int8QuantizeModel(model);
      expect(await roundTrip(model, r.config)).toBeLessThan(TOL);
    });
  },
);
