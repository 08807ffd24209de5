import { createModel } from "@shrinkray/models";
import { nn, noGrad, ShapeError, Tensor } from "@shrinkray/tensor-cuda";
import { describe, expect, it } from "vitest";
import { gptqQuantize } from "./gptq.js";
import { HessianAccumulator } from "./hessian.js";
import { type LayerProgress, quantizeModel } from "./model-quantize.js";
import { QuantizeConfigError } from "./quant-config.js";
import { QuantLinear } from "./quant-linear.js";
import {
  haveModelFixtures,
  loadTiny,
  MODELS_SKIP,
  randomBatches,
  SMALL_CONFIGS,
  TINY_MODELS,
} from "./test-models.js";

if (!haveModelFixtures) console.warn(MODELS_SKIP);

const LLAMA_ORDER = [
  "self_attn.q_proj",
  "self_attn.k_proj",
  "self_attn.v_proj",
  "self_attn.o_proj",
  "mlp.gate_proj",
  "mlp.up_proj",
  "mlp.down_proj",
];

describe.skipIf(!haveModelFixtures)("quantizeModel on the tiny fixtures", () => {
  for (const name of TINY_MODELS) {
    for (const bits of [4, 3] as const) {
      it(`${name}, ${bits}-bit: GPTQ's output error is below RTN's on every layer`, async () => {
        const model = await loadTiny(name);
        const progress: LayerProgress[] = [];
        const r = quantizeModel(
          model,
          randomBatches(model.vocabSize, 4, 2, 32, 1),
          { bits, groupSize: 32 },
          { compareRtn: true, onProgress: (p) => progress.push(p) },
        );
        const blocks = model.decoderView().blocks;
        expect(r.layers).toHaveLength(blocks.length * (name === "tiny-gpt2" ? 4 : 7));
        for (const l of r.layers) {
          expect(l.method).toBe("gptq");
          expect(l.loss).toBeGreaterThan(0);
          expect(l.error).toBeGreaterThan(0);
          expect(l.error!).toBeLessThan(l.rtnError!);
        }
        expect(progress.map((p) => p.done)).toEqual(r.layers.map((_, i) => i + 1));
        expect(progress.every((p) => p.total === r.layers.length)).toBe(true);
        // Every block Linear is now a packed layer; embeddings and the head are untouched.
        for (const b of blocks) expect(b.modules().some((m) => m instanceof nn.Linear)).toBe(false);
        expect(model.get("lm_head")).toBeInstanceOf(nn.Linear);
        expect(r.skipped).toEqual([]);
        expect(r.config).toMatchObject({
          bits,
          groupSize: 32,
          sym: true,
          trueSequential: true,
          dynamic: null,
        });
      });
    }
  }

  it("quantizes in true-sequential order, block by block", async () => {
    const model = await loadTiny("tiny-llama");
    const r = quantizeModel(model, randomBatches(101, 1, 1, 16, 2), { bits: 4 });
    expect(r.layers.map((l) => l.name)).toEqual(
      [0, 1].flatMap((b) => LLAMA_ORDER.map((n) => `model.layers.${b}.${n}`)),
    );
  });

  it("calibrates each layer on the inputs the already-quantized model gives it", async () => {
    // fake mode keeps nn.Linear, so the quantized weights can be read back and compared with
    // gptqQuantize run by hand on Hessians captured from the quantized model.
    const model = await loadTiny("tiny-llama");
    const view = model.decoderView();
    const original = (b: number, p: string) => view.blocks[b].get<nn.Linear>(p).weight.clone();
    const w0 = original(0, "self_attn.q_proj");
    const w1 = original(1, "self_attn.o_proj");
    const calib = randomBatches(101, 3, 2, 16, 3);
    quantizeModel(model, calib, { bits: 4, groupSize: 32 }, { mode: "fake" });

    const h0 = new HessianAccumulator(64);
    const h1 = new HessianAccumulator(64);
    noGrad(() => {
      const b0 = view.blocks[0] as nn.Module<[Tensor, unknown], Tensor>;
      const unhook = [
        b0.get("input_layernorm").registerForwardHook((_m, _a, out) => h0.add(out as Tensor)),
        view.blocks[1].get("self_attn.o_proj").registerForwardHook((_m, a) => h1.add(a[0] as Tensor)),
      ];
      for (const ids of calib) {
        const { hidden, context } = view.embed(ids);
        view.runBlock(1, view.runBlock(0, hidden, context), context);
      }
      for (const u of unhook) u();
    });
    const opts = { bits: 4 as const, groupSize: 32, sym: true };
    const q0 = gptqQuantize(w0, h0.hessian(), opts).dequantized.dataSync();
    const q1 = gptqQuantize(w1, h1.hessian(), opts).dequantized.dataSync();
    expect(view.blocks[0].get<nn.Linear>("self_attn.q_proj").weight.dataSync()).toEqual(q0);
    expect(view.blocks[1].get<nn.Linear>("self_attn.o_proj").weight.dataSync()).toEqual(q1);
  });

  it("fake mode quantizes as packed mode does, but for packed layers' float16 scales", async () => {
    const packed = await loadTiny("tiny-qwen2");
    const fake = await loadTiny("tiny-qwen2");
    const calib = randomBatches(101, 2, 2, 16, 4);
    const a = quantizeModel(packed, calib, { bits: 3, groupSize: 32, descAct: true });
    const b = quantizeModel(fake, calib, { bits: 3, groupSize: 32, descAct: true }, { mode: "fake" });
    const [pv, fv] = [packed.decoderView(), fake.decoderView()];
    expect(fv.blocks[0].get("mlp.up_proj")).toBeInstanceOf(nn.Linear);
    expect(pv.blocks[0].get("mlp.up_proj")).toBeInstanceOf(QuantLinear);
    // q/k/v see the same inputs in both modes: same GPTQ result, the packed one with f16 scales.
    expect(a.layers.slice(0, 3).map((l) => l.loss)).toEqual(b.layers.slice(0, 3).map((l) => l.loss));
    const wp = pv.blocks[0]
      .get<QuantLinear>("self_attn.v_proj")
      .dequantizedWeight()
      .dataSync() as Float32Array;
    const wf = fv.blocks[0].get<nn.Linear>("self_attn.v_proj").weight.dataSync() as Float32Array;
    for (let i = 0; i < wp.length; i++)
      expect(Math.abs(wp[i] - wf[i])).toBeLessThanOrEqual(1e-3 * Math.abs(wf[i]) + 1e-6);
    // Later layers are calibrated through those layers, so their results drift apart (on a
    // random 3-bit model quantization noise is as large as the logits themselves).
    expect(a.layers[4].loss).not.toBe(b.layers[4].loss);
  });

  it("trueSequential: false calibrates every layer on the float block's inputs", async () => {
    const seq = await loadTiny("tiny-llama");
    const flat = await loadTiny("tiny-llama");
    const calib = randomBatches(101, 2, 2, 16, 6);
    const a = quantizeModel(seq, calib, { bits: 4 }, { compareRtn: true });
    const b = quantizeModel(flat, calib, { bits: 4, trueSequential: false }, { compareRtn: true });
    // The first group sees the same inputs either way; o_proj does not.
    expect(b.layers[0].loss).toBe(a.layers[0].loss);
    expect(b.layers[3].name).toBe("model.layers.0.self_attn.o_proj");
    expect(b.layers[3].loss).not.toBe(a.layers[3].loss);
    for (const l of b.layers) expect(l.error!).toBeLessThan(l.rtnError!);
  });
});

describe("quantizeModel on models built here", () => {
  it("opt: q/k/v → out_proj → fc1 → fc2, with biases kept", () => {
    const model = createModel(SMALL_CONFIGS.opt, { init: "random" });
    const r = quantizeModel(
      model,
      randomBatches(40, 2, 2, 16, 7),
      { bits: 4, groupSize: 32 },
      { compareRtn: true },
    );
    expect(r.layers.map((l) => l.name.replace("model.decoder.layers.0.", ""))).toEqual([
      "self_attn.q_proj",
      "self_attn.k_proj",
      "self_attn.v_proj",
      "self_attn.out_proj",
      "fc1",
      "fc2",
    ]);
    for (const l of r.layers) expect(l.error!).toBeLessThan(l.rtnError!);
    expect(model.get<QuantLinear>("model.decoder.layers.0.fc1").bias?.shape).toEqual([64]);
  });

  it("bloom: fused query_key_value → dense → dense_h_to_4h → dense_4h_to_h, ALiBi model unchanged in shape", () => {
    const model = createModel(SMALL_CONFIGS.bloom, { init: "random" });
    const r = quantizeModel(
      model,
      randomBatches(40, 2, 2, 16, 9),
      { bits: 4, groupSize: 32 },
      { compareRtn: true },
    );
    expect(r.layers.map((l) => l.name.replace("transformer.h.0.", ""))).toEqual([
      "self_attention.query_key_value",
      "self_attention.dense",
      "mlp.dense_h_to_4h",
      "mlp.dense_4h_to_h",
    ]);
    for (const l of r.layers) expect(l.error!).toBeLessThan(l.rtnError!);
    expect(model.call(randomBatches(40, 1, 1, 8, 10)[0]).shape).toEqual([1, 8, 40]);
  });

  it("refuses shapes that cannot be packed before doing any work, and quantizes them in fake mode", () => {
    const cfg = { ...SMALL_CONFIGS.llama, hidden_size: 40, num_attention_heads: 4, num_key_value_heads: 2 };
    const model = createModel(cfg, { init: "random" });
    const calib = randomBatches(40, 1, 1, 8, 8);
    expect(() => quantizeModel(model, calib, { bits: 3, groupSize: -1 })).toThrow(ShapeError);
    expect(() => quantizeModel(model, calib, { bits: 3, groupSize: -1 })).toThrow(
      /model.layers.0.self_attn.q_proj: in_features 40 cannot be packed at 3 bits/,
    );
    expect(model.decoderView().blocks[0].get("self_attn.q_proj")).toBeInstanceOf(nn.Linear);
    const r = quantizeModel(model, calib, { bits: 3, groupSize: -1 }, { mode: "fake" });
    expect(r.layers).toHaveLength(7);
  });

  it("rejects bad calibration and bad settings with errors that name them", () => {
    const model = createModel(SMALL_CONFIGS.gpt2, { init: "random" });
    expect(() => quantizeModel(model, [])).toThrow(/calibration must be a non-empty array/);
    expect(() => quantizeModel(model, [Tensor.zeros([2, 4])])).toThrow(
      /calibration\[0\] must be int32 \[B, T\], got float32/,
    );
    const ids = randomBatches(40, 1, 1, 8, 9);
    expect(() => quantizeModel(model, ids, { bits: 5 as never })).toThrow(QuantizeConfigError);
    expect(() => quantizeModel(model, ids, { dynamic: { ".*": { bits: 6 } } })).toThrow(/config.dynamic/);
  });
});
