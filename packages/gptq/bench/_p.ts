import { Generator, Tensor } from "@shrinkray/tensor-cuda";
import { gptqQuantize, HessianAccumulator } from "../src/index.js";

const [ROWS, COLS] = process.argv.slice(2).map(Number);
const g = new Generator(0);
const w = Tensor.from(
  Float32Array.from({ length: ROWS * COLS }, () => g.normal() * 0.02),
  [ROWS, COLS],
);
const acc = new HessianAccumulator(COLS);
acc.add(
  Tensor.from(
    Float32Array.from({ length: 2048 * COLS }, () => g.normal()),
    [1, 2048, COLS],
  ),
);
const h = acc.hessian();
for (let i = 0; i < 3; i++) {
  const t = performance.now();
  gptqQuantize(w, h, { bits: 4, groupSize: 128 });
  console.log("quantize", (performance.now() - t).toFixed(0));
}
