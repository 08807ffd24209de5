import { Tensor, matmulRaw } from "@shrinkray/tensor-cuda";
import { HessianAccumulator } from "../src/index.js";
const x = Tensor.randn([1, 512, 768]);
const x2 = Tensor.randn([512, 768]);
for (let rep = 0; rep < 2; rep++) {
let t = performance.now();
for (let i = 0; i < 128; i++) matmulRaw(x2, x2, true, false);
console.log("gemm only", performance.now() - t);
t = performance.now();
for (let i = 0; i < 128; i++) matmulRaw(x2, x2, true, false).dataSync();
console.log("gemm+dataSync", performance.now() - t);
t = performance.now();
const acc = new HessianAccumulator(768);
for (let i = 0; i < 128; i++) acc.add(x);
console.log("accumulator", performance.now() - t);
}
