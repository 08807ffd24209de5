import { join } from "node:path";
import { type ModelQuantizeConfig, QuantLinear, quantizeModel, rtnQuantizeModel } from "@shrinkray/gptq";
import { type CausalLM, loadPretrained } from "@shrinkray/models";
import { Generator, Tensor } from "@shrinkray/tensor-cuda";
import { describe, expect, it } from "vitest";
import { exportOnnx } from "./export.js";
import { compareWithOrt, FIXTURES, HAVE_FIXTURES, scratch, TOY } from "./test-helpers.js";

// Our packed inference multiplies through the same MatMulNBits blocks (float activations): the
// two differ only by float rounding, well inside the bar.
const QUANT_TOL = 1e-3;

const PROMPTS = [
  [1, 17, 42, 9, 25, 7, 3],
  [1, 30, 5, 61],
];

async function exportAndCompare(model: CausalLM, tag: string) {
  const out = join(scratch(tag), "onnx");
  const r = await exportOnnx(model, out);
  const c = await compareWithOrt(model, out, PROMPTS);
  return { r, c };
}

describe("quantized export: MatMulNBits logits equal our packed inference", () => {
  it("the bundled toy model at 4 bits (RTN, groups of 32, symmetric: default zero points)", async () => {
    const model = await loadPretrained(TOY);
    rtnQuantizeModel(model, { bits: 4, groupSize: 32, sym: true });
    expect(model.modules().filter((m) => m instanceof QuantLinear)).toHaveLength(28);
    const { r, c } = await exportAndCompare(model, "toy4");
    const q = r.layers.filter((l) => l.kind === "matmulnbits");
    expect(q).toHaveLength(28);
    for (const d of c.maxDiff) expect(d).toBeLessThanOrEqual(QUANT_TOL);
  });

  const variants: [string, ModelQuantizeConfig][] = [
    ["4-bit asymmetric (zero points written)", { bits: 4, groupSize: 32, sym: false }],
    ["3-bit codes as 4-bit blocks", { bits: 3, groupSize: 32, sym: false }],
    ["2-bit codes as 4-bit blocks", { bits: 2, groupSize: 16, sym: true }],
    ["8-bit asymmetric", { bits: 8, groupSize: 64, sym: false }],
    ["8-bit symmetric (default zero points)", { bits: 8, groupSize: 32, sym: true }],
    ["4-bit per-channel (one group)", { bits: 4, groupSize: -1, sym: false }],
  ];
  for (const [name, config] of variants) {
    it.skipIf(!HAVE_FIXTURES)(`tiny-llama, ${name}`, async () => {
      const model = await loadPretrained(join(FIXTURES, "tiny-llama"));
      rtnQuantizeModel(model, config);
      const { r, c } = await exportAndCompare(model, "tiny-q");
      expect(r.layers.map((l) => l.kind)).toContain("matmulnbits");
      expect(r.layers.filter((l) => l.kind === "matmulnbits").every((l) => l.bits === config.bits)).toBe(
        true,
      );
      for (const d of c.maxDiff) expect(d).toBeLessThanOrEqual(QUANT_TOL);
    });
  }

  for (const name of ["tiny-qwen2", "tiny-gpt2"]) {
    it.skipIf(!HAVE_FIXTURES)(`${name} at 4 bits`, async () => {
      const model = await loadPretrained(join(FIXTURES, name));
      rtnQuantizeModel(model, { bits: 4, groupSize: 32, sym: false });
      const { r, c } = await exportAndCompare(model, name);
      expect(r.layers.filter((l) => l.kind === "matmulnbits").length).toBeGreaterThan(0);
      for (const d of c.maxDiff) expect(d).toBeLessThanOrEqual(QUANT_TOL);
    });
  }

  it("GPTQ with act-order (desc_act): g_idx groups exported as a gather of the inputs", async () => {
    const model = await loadPretrained(TOY);
    const g = new Generator(7);
    const calibration = [
      Tensor.from(
        Int32Array.from({ length: 2 * 24 }, () => 3 + g.int(600)),
        [2, 24],
      ),
    ];
    quantizeModel(model, calibration, { bits: 4, groupSize: 32, descAct: true, sym: false });
    const { r, c } = await exportAndCompare(model, "actorder");
    const q = r.layers.filter((l) => l.kind === "matmulnbits");
    expect(q.length).toBe(28);
    expect(q.filter((l) => l.actOrder).length).toBeGreaterThan(0);
    for (const d of c.maxDiff) expect(d).toBeLessThanOrEqual(QUANT_TOL);
  });

  it.skipIf(!HAVE_FIXTURES)(
    "groups MatMulNBits cannot express are stored as float and reported",
    async () => {
      const model = await loadPretrained(join(FIXTURES, "tiny-llama"));
      rtnQuantizeModel(model, { bits: 4, groupSize: 24, sym: false });
      const { r, c } = await exportAndCompare(model, "fallback");
      const fallback = r.layers.filter((l) => l.kind === "dequantized");
      expect(fallback.length).toBeGreaterThan(0);
      expect(fallback[0].reason).toMatch(/power of two/);
      for (const d of c.maxDiff) expect(d).toBeLessThanOrEqual(QUANT_TOL);
    },
  );
});
