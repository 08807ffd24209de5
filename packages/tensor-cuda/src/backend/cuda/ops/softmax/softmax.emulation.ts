import {
  type KernelModel,
  kernelArgs,
  noModel,
  SUFFIX_DTYPE,
} from "../../../../testing/cuda/emulator/kernel-model.js";
import { cpuBackend } from "../../../cpu/index.js";

/* A JavaScript model of softmax.cu for the emulated device (test-only), through the CPU backend. */
export const softmaxModel: KernelModel = (mem, name, args) => {
  const { num, arr, store, cpu } = kernelArgs(mem, name, args);
  let m: RegExpMatchArray | null;
  if ((m = name.match(/^softmax_(fwd|bwd)_(f32|f64)$/))) {
    const t = SUFFIX_DTYPE[m[2]];
    const k = m[1] === "fwd" ? 2 : 3;
    const [rows, cols, log, q, off] = [k, k + 1, k + 2, k + 3, k + 4].map(num);
    const spec = { rows, cols, log: log === 1, causal: q > 0 ? { queries: q, offset: off } : undefined };
    if (m[1] === "fwd") store(1, t, cpuBackend.softmax(cpu(t, arr(0, t, rows * cols)), spec));
    else
      store(
        2,
        t,
        cpuBackend.softmaxBackward(cpu(t, arr(0, t, rows * cols)), cpu(t, arr(1, t, rows * cols)), spec),
      );
  } else {
    noModel(name);
  }
};
