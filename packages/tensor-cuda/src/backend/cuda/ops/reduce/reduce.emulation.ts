import {
  type KernelModel,
  kernelArgs,
  noModel,
  SUFFIX_DTYPE,
} from "../../../../testing/cuda/emulator/kernel-model.js";
import { cpuBackend } from "../../../cpu/index.js";

/* A JavaScript model of reduce.cu for the emulated device (test-only), through the CPU backend. */
export const reduceModel: KernelModel = (mem, name, args) => {
  const { num, arr, store, cpu } = kernelArgs(mem, name, args);
  let m: RegExpMatchArray | null;
  if ((m = name.match(/^reduce_(sum|minmax|arg)_(rows|cols)_(f32|f64|i32|u8)$/))) {
    const t = SUFFIX_DTYPE[m[3]];
    const shift = m[1] === "sum" ? 0 : 1;
    const [outer, size, inner] = [2, 3, 4].map((i) => num(i + shift));
    if (m[2] === "rows" && inner !== 1) throw new Error(`${name} launched with inner ${inner}`);
    const wantMax = m[1] !== "sum" && num(0) === 1;
    const op =
      m[1] === "sum" ? "sum" : m[1] === "arg" ? (wantMax ? "argmax" : "argmin") : wantMax ? "max" : "min";
    const out = cpuBackend.reduce(op, cpu(t, arr(shift, t, outer * size * inner)), outer, size, inner);
    const outT = out.dtype === "bool" ? "uint8" : out.dtype;
    store(1 + shift, outT, out);
  } else {
    noModel(name);
  }
};
