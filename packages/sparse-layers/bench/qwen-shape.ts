/*
 * Prices a sparsity policy on a Qwen2.5-0.5B-shaped model: 24 decoder layers of Linear modules
 * with random weights (q 896→896, k/v 896→128 with bias, o 896→896, gate/up 896→4864, down
 * 4864→896), RMSNorms, and a 151936 × 896 embedding tied to the LM head. It is about counts:
 * the replacements are built without decomposing (init "none"); `--svd-sample` also times the
 * SVD initialisation of one gate_proj and reports its weight error.
 *
 *   pnpm --filter @shrinkray/sparse-layers bench [-- --groups 4 --rank 64 --svd-sample]
 */
import { Generator, nn, type Tensor } from "@shrinkray/tensor-cuda";
import { formatReport, groupedFromLinear, groupedLoraFromLinear, sparsify } from "../src/index.js";

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
};
const groups = arg("groups", 4);
const rank = arg("rank", 64);
const D = 896;
const KV = 128;
const FF = 4864;
const VOCAB = 151936;
const LAYERS = 24;

/** Holds children only: the bench never runs the model, it counts and replaces. */
class Container extends nn.Module {
  constructor(children: Record<string, nn.AnyModule>) {
    super();
    for (const [k, m] of Object.entries(children)) this.child(k, m);
  }
  forward(x: Tensor): Tensor {
    return x;
  }
}

function qwenShaped(g: Generator): Container {
  const lin = (i: number, o: number, bias: boolean) => new nn.Linear(i, o, { bias, generator: g });
  const layers = Array.from(
    { length: LAYERS },
    () =>
      new Container({
        self_attn: new Container({
          q_proj: lin(D, D, true),
          k_proj: lin(D, KV, true),
          v_proj: lin(D, KV, true),
          o_proj: lin(D, D, false),
        }),
        mlp: new Container({
          gate_proj: lin(D, FF, false),
          up_proj: lin(D, FF, false),
          down_proj: lin(FF, D, false),
        }),
        input_layernorm: new nn.RMSNorm(D),
        post_attention_layernorm: new nn.RMSNorm(D),
      }),
  );
  // lm_head is tied to embed_tokens (Qwen2.5-0.5B's tie_word_embeddings), so it adds no parameters.
  return new Container({
    model: new Container({
      embed_tokens: new nn.Embedding(VOCAB, D, { generator: g }),
      layers: new nn.ModuleList(layers),
      norm: new nn.RMSNorm(D),
    }),
  });
}

let t = performance.now();
const model = qwenShaped(new Generator(0));
const buildS = (performance.now() - t) / 1000;
const dense = model.numParameters();
console.log(
  `Qwen2.5-0.5B-shaped model: ${dense.toLocaleString("en-US")} parameters (built in ${buildS.toFixed(1)} s)`,
);

const pattern = /(self_attn\.(q|k|v|o)_proj|mlp\.(gate|up|down)_proj)$/;
console.log(`policy: groups ${groups}, rank ${rank} on ${pattern} (init "none": counts only)`);
t = performance.now();
const { report } = sparsify(model, { rules: [{ pattern, groups, rank }], init: "none" });
const sparsifyS = (performance.now() - t) / 1000;

const firstLayer = { ...report, modules: report.modules.filter((m) => m.name.startsWith("model.layers.0.")) };
console.log(formatReport(firstLayer));
const linBefore = report.modules.reduce((s, m) => s + m.paramsBefore, 0);
const linAfter = report.modules.reduce((s, m) => s + m.paramsAfter, 0);
const flBefore = report.modules.reduce((s, m) => s + m.flopsBefore, 0);
const flAfter = report.modules.reduce((s, m) => s + m.flopsAfter, 0);
const n = (x: number) => x.toLocaleString("en-US");
console.log(
  `replaced ${report.modules.filter((m) => m.replaced).length} of ${report.modules.length} projections in ${sparsifyS.toFixed(1)} s`,
);
console.log(
  `projections: ${n(linBefore)} → ${n(linAfter)} parameters (${((100 * linAfter) / linBefore).toFixed(1)}%)`,
);
console.log(
  `projection FLOPs per token: ${n(flBefore)} → ${n(flAfter)} (${((100 * flAfter) / flBefore).toFixed(1)}%)`,
);
console.log(
  `model: ${n(report.modelParamsBefore)} → ${n(report.modelParamsAfter)} parameters ` +
    `(${((100 * report.modelParamsAfter) / report.modelParamsBefore).toFixed(1)}%; the tied embedding is ${n(VOCAB * D)} of them)`,
);

if (process.argv.includes("--svd-sample")) {
  const g = new Generator(1);
  const gate = new nn.Linear(D, FF, { bias: false, generator: g });
  t = performance.now();
  const { module } = groupedLoraFromLinear(gate, groups, rank, { svd: "randomized" });
  const s = (performance.now() - t) / 1000;
  const err = (w: Tensor) => {
    const a = gate.weight.dataSync() as Float32Array;
    const b = w.dataSync() as Float32Array;
    let e = 0;
    let r = 0;
    for (let i = 0; i < a.length; i++) {
      e += (a[i] - b[i]) ** 2;
      r += a[i] ** 2;
    }
    return Math.sqrt(e / r);
  };
  const blocksOnly = err(groupedFromLinear(gate, groups).denseWeight());
  console.log(
    `SVD init of one gate_proj (${D}→${FF}, randomized SVD): ${s.toFixed(1)} s; relative weight error ` +
      `${err(module.denseWeight()).toFixed(4)} (blocks alone ${blocksOnly.toFixed(4)}; i.i.d. random weights have no structure to find)`,
  );
}
