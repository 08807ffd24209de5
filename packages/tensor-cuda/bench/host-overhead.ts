/**
 * The host side of the CUDA backend alone, measured without a GPU: the backend runs against
 * src/testing/cuda/host-stub (a stand-in libcuda/libcublas whose launches and GEMMs only count),
 * through the real koffi bindings, allocator, launcher and autograd. What it prints is what each
 * op costs the CPU before a GPU would see it: if a training step's host time is below the GPU's
 * time for the same step, the launch queue stays ahead and the GPU never waits on Node.
 *
 *   tsx bench/host-overhead.ts [--small]
 */
import { Cublas } from "../src/backend/cuda/cublas.js";
import { CudaDriver } from "../src/backend/cuda/driver.js";
import { createCudaBackend } from "../src/backend/cuda/index.js";
import { registerBackend, Tensor, tidy } from "../src/index.js";
import {
  buildCudaStub,
  stubCompiler,
  stubCompilerAvailable,
  stubCounters,
} from "../src/testing/cuda/host-stub/build-stub.js";
import { gpt2Small, trainingStep } from "./gpt2-small.js";

if (!stubCompilerAvailable()) {
  console.error("host-overhead: needs a C compiler (cc) to build the CUDA stub");
  process.exit(2);
}
const small = process.argv.includes("--small");
const path = buildCudaStub();
registerBackend(
  "cuda",
  createCudaBackend({
    device: new CudaDriver(path),
    blas: new Cublas(path),
    compiler: stubCompiler,
    cacheDir: null,
  }),
);
const stub = stubCounters(path);
stub.skipDeviceWork(true);

function perCall(fn: () => void, reps: number): number {
  for (let i = 0; i < Math.min(reps, 100); i++) fn();
  const t = performance.now();
  for (let i = 0; i < reps; i++) fn();
  return ((performance.now() - t) / reps) * 1e3;
}

// 1. One element-wise op: Tensor, allocation (cached), argument packing, cuLaunchKernel via koffi.
const a = Tensor.randn([1024]).to("cuda");
const b = Tensor.randn([1024]).to("cuda");
const addUs = perCall(() => tidy(() => void a.add(b)), small ? 2000 : 20000);
console.log(`a.add(b) on [1024]: ${addUs.toFixed(2)} us of host time per op`);
const mm = Tensor.randn([64, 64]).to("cuda");
const mmUs = perCall(() => tidy(() => void mm.matmul(mm)), small ? 2000 : 20000);
console.log(
  `matmul [64x64]: ${mmUs.toFixed(2)} us of host time per op (cublasGemmStridedBatchedEx via koffi)`,
);

// 2. A GPT-2-small training step (forward + backward, fp32), as scripts/gpu/check.ts times it.
const B = small ? 2 : 8;
const T = small ? 64 : 512;
const model = gpt2Small("cuda", small ? { layers: 12, vocab: 1000 } : {});
const step = trainingStep(model, "cuda", B, T);
step();
const reps = small ? 5 : 20;
const l0 = stub.launches();
const g0 = stub.gemms();
const t0 = performance.now();
for (let i = 0; i < reps; i++) step();
const ms = (performance.now() - t0) / reps;
const launches = (stub.launches() - l0) / reps;
const gemms = (stub.gemms() - g0) / reps;
console.log(
  `gpt2-small fwd+bwd ${B}x${T}: ${ms.toFixed(2)} ms of host time per step, ${launches} kernel launches + ${gemms} GEMMs (${((ms * 1e3) / (launches + gemms)).toFixed(1)} us per call)`,
);
