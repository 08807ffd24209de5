import { type KernelModel, noModel } from "../../../../testing/cuda/emulator/kernel-model.js";

/*
 * A JavaScript model of attention.cu for the emulated device (test-only), written straight from
 * the formulas in attention.abi.ts in float64 — deliberately naive (the full score row is formed),
 * so it is easy to check by eye.
 */

type Arr = Float32Array | Float64Array;

export const attentionModel: KernelModel = (mem, name, a) => {
  const m = name.match(/^(attention_fwd|attention_bwd_delta|attention_bwd_dq|attention_bwd_dkdv)_(f32|f64)$/);
  if (!m) noModel(name);
  const t = m[2] === "f32" ? "float32" : "float64";
  const num = (i: number) => Number(a[i]);
  const arr = (i: number, n?: number) => mem.array(a[i] as bigint, t, n, `${name} parameter ${i}`) as Arr;
  if (m[1] === "attention_bwd_delta") {
    const [rows, D] = [3, 4].map(num);
    const [O, G, Dl] = [arr(0, rows * D), arr(1, rows * D), arr(2, rows)];
    for (let r = 0; r < rows; r++) {
      let s = 0;
      for (let d = 0; d < D; d++) s += O[r * D + d] * G[r * D + d];
      Dl[r] = s;
    }
    return;
  }
  attention(m[1], num, arr);
};

function attention(kind: string, num: (i: number) => number, arr: (i: number, n?: number) => Arr): void {
  const base = kind === "attention_fwd" ? 5 : kind === "attention_bwd_dq" ? 7 : 8;
  const [B, H, Hkv, T, S, D, scale, causal, off] = [0, 1, 2, 3, 4, 5, 6, 7, 8].map((i) => num(base + i));
  const [Q, K, V] = [arr(0, B * H * T * D), arr(1, B * Hkv * S * D), arr(2, B * Hkv * S * D)];
  const G = H / Hkv;
  const visible = (i: number, j: number) => !causal || j <= i + off;
  const dot = (X: Arr, xo: number, Y: Arr, yo: number) => {
    let s = 0;
    for (let d = 0; d < D; d++) s += X[xo + d] * Y[yo + d];
    return s;
  };
  const qo = (b: number, h: number, i: number) => ((b * H + h) * T + i) * D;
  const ko = (b: number, h: number, j: number) => ((b * Hkv + Math.floor(h / G)) * S + j) * D;
  const row = (b: number, h: number, i: number) => (b * H + h) * T + i;
  if (kind === "attention_fwd") {
    const [O, L] = [arr(3, B * H * T * D), arr(4, B * H * T)];
    for (let b = 0; b < B; b++)
      for (let h = 0; h < H; h++)
        for (let i = 0; i < T; i++) {
          const s: number[] = [];
          for (let j = 0; j < S; j++) if (visible(i, j)) s[j] = scale * dot(Q, qo(b, h, i), K, ko(b, h, j));
          const vis = s.map((_, j) => j).filter((j) => s[j] !== undefined);
          const o = qo(b, h, i);
          if (vis.length === 0) {
            for (let d = 0; d < D; d++) O[o + d] = 0;
            L[row(b, h, i)] = Number.NEGATIVE_INFINITY;
            continue;
          }
          const mx = Math.max(...vis.map((j) => s[j]));
          const l = vis.reduce((acc, j) => acc + Math.exp(s[j] - mx), 0);
          for (let d = 0; d < D; d++) {
            let acc = 0;
            for (const j of vis) acc += Math.exp(s[j] - mx) * V[ko(b, h, j) + d];
            O[o + d] = acc / l;
          }
          L[row(b, h, i)] = mx + Math.log(l);
        }
    return;
  }
  const [dO, L, Dl] = [arr(3, B * H * T * D), arr(4, B * H * T), arr(5, B * H * T)];
  const grad = (b: number, h: number, i: number, j: number) => {
    const p = Math.exp(scale * dot(Q, qo(b, h, i), K, ko(b, h, j)) - L[row(b, h, i)]);
    const ds = p * (dot(dO, qo(b, h, i), V, ko(b, h, j)) - Dl[row(b, h, i)]);
    return { p, ds };
  };
  if (kind === "attention_bwd_dq") {
    const dQ = arr(6, B * H * T * D);
    for (let b = 0; b < B; b++)
      for (let h = 0; h < H; h++)
        for (let i = 0; i < T; i++) {
          const acc = new Float64Array(D);
          if (L[row(b, h, i)] !== Number.NEGATIVE_INFINITY) {
            for (let j = 0; j < S; j++) {
              if (!visible(i, j)) continue;
              const { ds } = grad(b, h, i, j);
              for (let d = 0; d < D; d++) acc[d] += scale * ds * K[ko(b, h, j) + d];
            }
          }
          dQ.set(acc, qo(b, h, i));
        }
    return;
  }
  const [dK, dV] = [arr(6, B * Hkv * S * D), arr(7, B * Hkv * S * D)];
  dK.fill(0, 0, B * Hkv * S * D);
  dV.fill(0, 0, B * Hkv * S * D);
  for (let b = 0; b < B; b++)
    for (let h = 0; h < H; h++)
      for (let i = 0; i < T; i++) {
        if (L[row(b, h, i)] === Number.NEGATIVE_INFINITY) continue;
        for (let j = 0; j < S; j++) {
          if (!visible(i, j)) continue;
          const { p, ds } = grad(b, h, i, j);
          const k = ko(b, h, j);
          for (let d = 0; d < D; d++) {
            dV[k + d] += p * dO[qo(b, h, i) + d];
            dK[k + d] += scale * ds * Q[qo(b, h, i) + d];
          }
        }
      }
}
