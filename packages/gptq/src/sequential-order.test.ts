import { type CausalLM, createModel } from "@shrinkray/models";
import { noGrad, Tensor } from "@shrinkray/tensor-cuda";
import { describe, expect, it } from "vitest";
import { blockLinears } from "./block-linears.js";
import { linearCallOrder, sequentialSteps } from "./sequential-order.js";
import { SMALL_CONFIGS as CONFIGS } from "./test-models.js";

function orderOf(model: CausalLM): ReturnType<typeof linearCallOrder> {
  const view = model.decoderView();
  const names = new Map(blockLinears(view, 0).map((l) => [l.module, l.path] as const));
  const ids = Tensor.from(Int32Array.from([1, 2, 3, 4, 5, 6]), [1, 6]);
  return linearCallOrder(names, () =>
    noGrad(() => {
      const { hidden, context } = view.embed(ids);
      view.runBlock(0, hidden, context);
    }),
  );
}

describe("linearCallOrder: true-sequential groups read off the forward", () => {
  it("llama: q/k/v → o → gate/up → down", () => {
    const order = orderOf(createModel(CONFIGS.llama, { init: "random" }));
    expect(order.buckets).toEqual([
      ["self_attn.q_proj", "self_attn.k_proj", "self_attn.v_proj"],
      ["self_attn.o_proj"],
      ["mlp.gate_proj", "mlp.up_proj"],
      ["mlp.down_proj"],
    ]);
    expect(order.uncalled).toEqual([]);
  });

  it("gpt2: c_attn → attn.c_proj → c_fc → mlp.c_proj", () => {
    const order = orderOf(createModel(CONFIGS.gpt2, { init: "random" }));
    expect(order.buckets).toEqual([["attn.c_attn"], ["attn.c_proj"], ["mlp.c_fc"], ["mlp.c_proj"]]);
  });

  it("opt: q/k/v → out_proj → fc1 → fc2", () => {
    const order = orderOf(createModel(CONFIGS.opt, { init: "random" }));
    expect(order.buckets).toEqual([
      ["self_attn.q_proj", "self_attn.k_proj", "self_attn.v_proj"],
      ["self_attn.out_proj"],
      ["fc1"],
      ["fc2"],
    ]);
  });

  it("reports a layer the forward never calls", () => {
    const model = createModel(CONFIGS.gpt2, { init: "random" });
    const view = model.decoderView();
    const lins = blockLinears(view, 0);
    const names = new Map(lins.map((l) => [l.module, l.path] as const));
    const order = linearCallOrder(names, () => {
      noGrad(() => lins[0].module.call(Tensor.zeros([1, 2, 32])));
    });
    expect(order.buckets).toEqual([["attn.c_attn"]]);
    expect(order.uncalled).toEqual(["attn.c_proj", "mlp.c_fc", "mlp.c_proj"]);
  });

  it("sequentialSteps: one bucket per step, or all at once", () => {
    const b = [["q", "k"], ["o"]];
    expect(sequentialSteps(b, true)).toEqual([[["q", "k"]], [["o"]]]);
    expect(sequentialSteps(b, false)).toEqual([b]);
    expect(sequentialSteps([], false)).toEqual([]);
  });
});
