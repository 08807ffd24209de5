import { type KernelModel, noModel } from "../../../../testing/cuda/emulator/kernel-model.js";
import { roundHalfEven } from "../../../cpu/math.js";
import { minmaxGrid } from "../quant/quant.emulation.js";

/*
 * A JavaScript model of gptq.cu for the emulated device (test-only), from its contract in
 * gptq.abi.ts: plain loops, float64 where the kernel uses double and Math.fround where it rounds
 * to float32.
 */

const f32 = Math.fround;

export const gptqModel: KernelModel = (mem, name, a) => {
  const num = (i: number) => Number(a[i]);
  const isNull = (i: number) => (a[i] as bigint) === 0n;
  const f64 = (i: number, n: number) =>
    mem.array(a[i] as bigint, "float64", n, `${name} parameter ${i}`) as Float64Array;
  const f = (i: number, n: number) =>
    mem.array(a[i] as bigint, "float32", n, `${name} parameter ${i}`) as Float32Array;
  const ints = (i: number, n: number) =>
    mem.array(a[i] as bigint, "int32", n, `${name} parameter ${i}`) as Int32Array;
  const permAt = (i: number, n: number) => {
    const p = isNull(i) ? null : ints(i, n);
    return (c: number) => (p ? p[c] : c);
  };
  const live = (d: number) => (d === 0 ? 1 : d);

  switch (name) {
    case "gptq_damp_f32": {
      const n = num(1);
      const H = f(0, n * n);
      let sum = 0;
      for (let i = 0; i < n; i++) sum += live(H[i * n + i]);
      f(3, 1)[0] = f32(f32(num(2)) * f32(sum / n));
      return;
    }
    case "gptq_hessian_f64": {
      const n = num(4);
      const H = f(0, n * n);
      const perm = permAt(1, n);
      const damp = f(2, 1)[0];
      const A = f64(3, n * n);
      for (let i = 0; i < n; i++) {
        for (let j = 0; j < n; j++) {
          let v = H[perm(i) * n + perm(j)];
          if (i === j) v = f32(live(v) + damp);
          A[(n - 1 - i) * n + (n - 1 - j)] = v;
        }
      }
      return;
    }
    case "gptq_factor_f32": {
      const n = num(2);
      const X = f64(0, n * n);
      const U = f(1, n * n);
      for (let i = 0; i < n; i++)
        for (let j = 0; j < n; j++) U[i * n + j] = j >= i ? X[(n - 1 - i) * n + (n - 1 - j)] : 0;
      return;
    }
    case "gptq_columns_f32": {
      const [rows, cols] = [4, 5].map(num);
      const W = f(0, rows * cols);
      const H = f(1, cols * cols);
      const perm = permAt(2, cols);
      const WT = f(3, rows * cols);
      for (let c = 0; c < cols; c++) {
        const sc = perm(c);
        for (let r = 0; r < rows; r++) WT[c * rows + r] = H[sc * cols + sc] === 0 ? 0 : W[r * cols + sc];
      }
      return;
    }
    case "gptq_grid_f32": {
      const [rows, cols, groupLen, groups, maxq, sym] = [3, 4, 5, 6, 7, 8].map(num);
      const WT = f(0, rows * cols);
      const [S, Z] = [f(1, groups * rows), f(2, groups * rows)];
      for (let g = 0; g < groups; g++)
        for (let r = 0; r < rows; r++)
          [S[g * rows + r], Z[g * rows + r]] = rowGrid(
            WT,
            rows,
            r,
            g * groupLen,
            Math.min((g + 1) * groupLen, cols),
            maxq,
            !!sym,
          );
      return;
    }
    case "gptq_block_f32":
    case "gptq_block_tiled_f32": {
      const [rows, cols, a0, b0, groupLen, staticGroups, maxq, sym] = [9, 10, 11, 12, 13, 14, 15, 16].map(
        num,
      );
      const WT = f(0, rows * cols);
      const U = f(1, cols * cols);
      const groups = groupLen > 0 ? Math.ceil(cols / groupLen) : 1;
      const [S, Z] = [f(2, groups * rows), f(3, groups * rows)];
      const codesT = ints(4, rows * cols);
      const deqT = f(5, rows * cols);
      const E = f(6, (b0 - a0) * rows);
      const loss = f64(7, rows);
      const perm = permAt(8, cols);
      for (let r = 0; r < rows; r++) {
        if (groupLen > 0 && !staticGroups) {
          for (let c = a0; c < b0; c++) {
            if (c % groupLen !== 0) continue;
            const g = c / groupLen;
            [S[g * rows + r], Z[g * rows + r]] = rowGrid(
              WT,
              rows,
              r,
              c,
              Math.min(c + groupLen, cols),
              maxq,
              !!sym,
            );
          }
        }
        let acc = 0;
        for (let c = a0; c < b0; c++) {
          const g = groupLen > 0 ? Math.floor((staticGroups ? perm(c) : c) / groupLen) : 0;
          const s = S[g * rows + r];
          const z = Z[g * rows + r];
          const w = WT[c * rows + r];
          const q = Math.min(Math.max(roundHalfEven(f32(w / s)) + z, 0), maxq);
          const v = f32(s * (q - z));
          const d = U[c * cols + c];
          const diff = f32(w - v);
          acc += f32(f32(diff * diff) / f32(d * d));
          const e = f32(diff / d);
          codesT[c * rows + r] = q;
          deqT[c * rows + r] = v;
          E[(c - a0) * rows + r] = e;
          for (let j = c + 1; j < b0; j++)
            WT[j * rows + r] = f32(WT[j * rows + r] - f32(e * U[c * cols + j]));
        }
        loss[r] += acc;
      }
      return;
    }
    case "gptq_finish_f32": {
      const [rows, cols] = [5, 6].map(num);
      const codesT = ints(0, rows * cols);
      const deqT = f(1, rows * cols);
      const perm = permAt(2, cols);
      const codes = ints(3, rows * cols);
      const deq = f(4, rows * cols);
      for (let c = 0; c < cols; c++) {
        for (let r = 0; r < rows; r++) {
          codes[r * cols + perm(c)] = codesT[c * rows + r];
          deq[r * cols + perm(c)] = deqT[c * rows + r];
        }
      }
      return;
    }
    default:
      noModel(name);
  }
};

function rowGrid(
  wt: Float32Array,
  rows: number,
  r: number,
  c0: number,
  c1: number,
  maxq: number,
  sym: boolean,
): [number, number] {
  let lo = 0;
  let hi = 0;
  for (let c = c0; c < c1; c++) {
    lo = Math.min(lo, wt[c * rows + r]);
    hi = Math.max(hi, wt[c * rows + r]);
  }
  return minmaxGrid(lo, hi, maxq, sym);
}
