import { cuda, Generator, linalg, Tensor } from "@shrinkray/tensor-cuda";
import { useCudaEmulator } from "@shrinkray/tensor-cuda/testing";
import { beforeAll, describe, expect, it } from "vitest";
import { type GptqOptions, gptqQuantize } from "./gptq.js";
import { gptqQuantizeAsync } from "./gptq-device.js";
import { HessianAccumulator } from "./hessian.js";
import { fixtureIndex, haveFixtures, readSafetensors, stepAgreement } from "./test-fixtures.js";

/*
 * GPTQ on tensor-cuda's emulated CUDA device against the host gptqQuantize: once with the CUDA C
 * of linalg.cu/gptq.cu compiled for the CPU (where g++ exists), once with their JavaScript
 * models. The device path differs from the host only in the order of float64 sums in the
 * factorisation and in the block-update GEMM, so codes agree except at rounding boundaries.
 */

function problem(rows: number, cols: number, tokens: number, seed: number, deadColumns: number[] = []) {
  const g = new Generator(seed);
  const w = Tensor.randn([rows, cols], { generator: g });
  const xd = Tensor.randn([tokens, cols], { generator: g }).dataSync() as Float32Array;
  // Correlated inputs with uneven scales: where the error feedback matters.
  for (let t = 0; t < tokens; t++) {
    for (let c = 1; c < cols; c++)
      xd[t * cols + c] = 0.6 * xd[t * cols + c - 1] + xd[t * cols + c] * (1 + (c % 5));
    for (const c of deadColumns) xd[t * cols + c] = 0;
  }
  const acc = new HessianAccumulator(cols);
  acc.add(Tensor.from(xd, [tokens, cols]));
  return { w, h: acc.hessian() };
}

async function host<T extends Int32Array | Float32Array>(t: Tensor): Promise<T> {
  expect(t.device).toBe("cuda");
  return (await t.data()) as T;
}

const CASES: { name: string; opts: GptqOptions; dead?: number[]; rows?: number; cols?: number }[] = [
  { name: "4-bit per channel, two blocks", opts: { bits: 4, blockSize: 48 } },
  {
    name: "3-bit symmetric, groups of 16 across uneven blocks",
    opts: { bits: 3, sym: true, groupSize: 16, blockSize: 24 },
  },
  { name: "2-bit act-order, groups of 32", opts: { bits: 2, groupSize: 32, actOrder: true, blockSize: 32 } },
  {
    name: "4-bit act-order with static groups and dead columns",
    opts: { bits: 4, groupSize: 20, actOrder: true, staticGroups: true, blockSize: 40 },
    dead: [3, 50, 77],
  },
  { name: "8-bit, 130 columns: two blocks, three linalg blocks", opts: { bits: 8 }, rows: 20, cols: 130 },
  {
    name: "4-bit groups of 50, one block wider than the shared-memory tile, 70 rows",
    opts: { bits: 4, groupSize: 50, blockSize: 260 },
    rows: 70,
    cols: 300,
  },
  {
    name: "3-bit act-order, a block wider than the matrix",
    opts: { bits: 3, actOrder: true, blockSize: 512 },
    rows: 33,
    cols: 65,
  },
];

/** The cases on the emulated device with these kernels, or on the real GPU (null). */
function suite(kernels: "auto" | "models" | null) {
  beforeAll(() => {
    if (kernels) useCudaEmulator({ kernels });
  }, 600_000);

  for (const c of CASES) {
    it(`${c.name}: matches the host GPTQ`, async () => {
      const rows = c.rows ?? 24;
      const cols = c.cols ?? 80;
      const { w, h } = problem(rows, cols, 200, cols + rows, c.dead);
      const want = gptqQuantize(w, h, c.opts);
      const got = await gptqQuantizeAsync(w.to("cuda"), h.to("cuda"), c.opts);
      expect([...got.perm]).toEqual([...want.perm]);
      expect([...(await host<Int32Array>(got.gIdx))]).toEqual([...(want.gIdx.dataSync() as Int32Array)]);
      const codes = await host<Int32Array>(got.codes);
      const wantCodes = want.codes.dataSync() as Int32Array;
      let same = 0;
      for (let i = 0; i < codes.length; i++) if (codes[i] === wantCodes[i]) same++;
      expect(same / codes.length).toBeGreaterThanOrEqual(0.995);
      // The host factorises H⁻¹ in float32 (as the reference), the device in float64.
      expect(Math.abs(got.loss - want.loss) / want.loss).toBeLessThan(1e-5);
      // dequantized = scale[gIdx]·(codes − zero) on the device too: what packing relies on.
      const deq = await host<Float32Array>(got.dequantized);
      const s = await host<Float32Array>(got.scale);
      const z = await host<Float32Array>(got.zero);
      const gIdx = await host<Int32Array>(got.gIdx);
      expect(got.scale.shape).toEqual(want.scale.shape);
      // Grids: per-row and static ones come from the weight before any update, so they are
      // exact; dynamic groups see the error the block GEMM carried forward (its sum order).
      const wantS = want.scale.dataSync() as Float32Array;
      const wantZ = want.zero.dataSync() as Float32Array;
      const exactGrids = (c.opts.groupSize ?? -1) === -1 || c.opts.staticGroups === true;
      for (let i = 0; i < s.length; i++) {
        if (exactGrids) expect(s[i]).toBe(wantS[i]);
        else expect(Math.abs(s[i] - wantS[i])).toBeLessThanOrEqual(1e-5 * Math.abs(wantS[i]));
        expect(Math.abs(z[i] - wantZ[i])).toBeLessThanOrEqual(exactGrids ? 0 : 1);
      }
      for (let r = 0; r < rows; r++) {
        for (let k = 0; k < cols; k++) {
          const g = gIdx[k] * rows + r;
          expect(deq[r * cols + k]).toBe(Math.fround(s[g] * (codes[r * cols + k] - z[g])));
        }
      }
      for (const d of c.dead ?? []) for (let r = 0; r < rows; r++) expect(deq[r * cols + d]).toBe(0);
    }, 600_000);
  }

  it("accumulates the Hessian on the device as the host does, and refuses to mix devices", async () => {
    const g = new Generator(5);
    const xs = [Tensor.randn([2, 7, 40], { generator: g }), Tensor.randn([9, 40], { generator: g })];
    const hostAcc = new HessianAccumulator(40);
    const devAcc = new HessianAccumulator(40);
    for (const x of xs) {
      hostAcc.add(x);
      devAcc.add(x.to("cuda"));
    }
    expect(devAcc.nsamples).toBe(3);
    const want = hostAcc.hessian().dataSync() as Float32Array;
    const got = await host<Float32Array>(devAcc.hessian());
    let maxRef = 0;
    let maxDiff = 0;
    for (let i = 0; i < want.length; i++) {
      maxRef = Math.max(maxRef, Math.abs(want[i]));
      maxDiff = Math.max(maxDiff, Math.abs(got[i] - want[i]));
    }
    expect(maxDiff / maxRef).toBeLessThan(1e-6);
    expect(() => devAcc.add(xs[1])).toThrow(/earlier inputs were on cuda, this one is on cpu/);
    expect(() => hostAcc.add(xs[1].to("cuda"))).toThrow(/earlier inputs were on cpu, this one is on cuda/);
  });

  it("reports a Hessian that is not positive definite, as the host does", async () => {
    const n = 70;
    const hd = new Float32Array(n * n);
    for (let i = 0; i < n; i++) hd[i * n + i] = i === 66 ? -5 : 1;
    const h = Tensor.from(hd, [n, n]);
    const w = Tensor.randn([8, n], { generator: new Generator(2) });
    expect(() => gptqQuantize(w, h, { bits: 4, percDamp: 0 })).toThrow(linalg.NotPositiveDefiniteError);
    await expect(gptqQuantizeAsync(w.to("cuda"), h.to("cuda"), { bits: 4, percDamp: 0 })).rejects.toThrow(
      /not positive definite \(the factorisation failed at column 66\)/,
    );
  }, 600_000);
}

// First, before any emulator replaces "cuda": where a GPU is present, the same cases on it.
const haveGpu = cuda.isAvailable();
if (!haveGpu) console.warn(`GPTQ on the GPU skipped: ${cuda.unavailableReason()?.split("\n")[0]}`);
describe.skipIf(!haveGpu)("GPTQ on the GPU", () => suite(null));

describe("GPTQ on the emulated CUDA device, CUDA C compiled for the CPU", () => {
  suite("auto");

  // The IST-DASLab reference's own outputs, to the bar the host path is held to (one grid step
  // at most, on at most 0.1% of the weights).
  const configs = haveFixtures ? fixtureIndex() : [];
  const inputs = haveFixtures ? readSafetensors("inputs.safetensors") : new Map<string, Tensor>();
  for (const cfg of configs) {
    it(`${cfg.name}: matches the reference fixture`, async () => {
      const ref = readSafetensors(`${cfg.name}.safetensors`);
      const q = await gptqQuantizeAsync(inputs.get("weight")!.to("cuda"), ref.get("hessian")!.to("cuda"), {
        bits: cfg.bits,
        groupSize: cfg.groupsize,
        sym: cfg.sym,
        actOrder: cfg.actorder,
        staticGroups: cfg.static_groups,
        blockSize: cfg.blocksize,
        percDamp: cfg.percdamp,
      });
      const onHost = {
        ...q,
        dequantized: await q.dequantized.toAsync("cpu"),
        scale: await q.scale.toAsync("cpu"),
        gIdx: await q.gIdx.toAsync("cpu"),
      };
      const agree = stepAgreement(onHost, ref.get("dequantized")!);
      expect(agree.maxSteps).toBeLessThanOrEqual(1);
      expect(agree.stepOff).toBeLessThanOrEqual(Math.ceil(q.dequantized.size * 0.001));
      expect(agree.maxRelToStep).toBeLessThan(1e-5);
    }, 600_000);
  }
});
describe("GPTQ on the emulated CUDA device, kernel models", () => suite("models"));
