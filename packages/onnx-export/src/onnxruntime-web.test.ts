/**
 * The browser's runtime: onnxruntime-web's WebAssembly backend (the CPU path of every browser;
 * its node build runs the same .wasm kernels here) loads the exported 4-bit folder, external
 * data and MatMulNBits included, and gives the logits of our packed inference.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { rtnQuantizeModel } from "@shrinkray/gptq";
import { loadPretrained } from "@shrinkray/models";
import { noGrad, Tensor } from "@shrinkray/tensor-cuda";
import * as ortWeb from "onnxruntime-web";
import { describe, expect, it } from "vitest";
import { DATA_FILE, exportOnnx, MODEL_FILE } from "./export.js";
import { scratch, TOY } from "./test-helpers.js";

describe("onnxruntime-web (WebAssembly) runs the exported folder", () => {
  it("the toy model at 4 bits: prompt logits equal our packed forward", async () => {
    const model = await loadPretrained(TOY);
    rtnQuantizeModel(model, { bits: 4, groupSize: 32, sym: false });
    const out = join(scratch("web"), "onnx");
    await exportOnnx(model, out);
    ortWeb.env.wasm.numThreads = 1;
    const session = await ortWeb.InferenceSession.create(readFileSync(join(out, MODEL_FILE)), {
      executionProviders: ["wasm"],
      externalData: [{ path: "model.onnx_data", data: readFileSync(join(out, DATA_FILE)) }],
    });
    const ids = [1, 17, 42, 9, 25, 7, 3];
    const T = ids.length;
    const { num_key_value_heads: kvHeads, head_dim: headDim } = model.config as Record<string, number>;
    const feeds: Record<string, ortWeb.Tensor> = {
      input_ids: new ortWeb.Tensor("int64", BigInt64Array.from(ids, BigInt), [1, T]),
      attention_mask: new ortWeb.Tensor("int64", new BigInt64Array(T).fill(1n), [1, T]),
      position_ids: new ortWeb.Tensor("int64", BigInt64Array.from(ids.keys(), BigInt), [1, T]),
    };
    for (const name of session.inputNames.filter((n) => n.startsWith("past_key_values.")))
      feeds[name] = new ortWeb.Tensor("float32", new Float32Array(0), [1, kvHeads, 0, headDim]);
    const got = (await session.run(feeds)).logits.data as Float32Array;
    await session.release();
    const want = noGrad(() =>
      model.forward(Tensor.from(Int32Array.from(ids), [1, T])).dataSync(),
    ) as Float32Array;
    expect(got.length).toBe(want.length);
    let d = 0;
    for (let i = 0; i < got.length; i++) d = Math.max(d, Math.abs(got[i] - want[i]));
    expect(d).toBeLessThanOrEqual(1e-3);
  });
});
