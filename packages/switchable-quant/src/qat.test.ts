import { Generator, optim, Tensor } from "@shrinkray/tensor-cuda";
import { describe, expect, it } from "vitest";
import { klDistillLoss } from "./kl.js";
import { adapterParameters, makeSwitchable, setAllBits } from "./make-switchable.js";
import { trainQat } from "./qat.js";
import { cptSchedule, staticSchedule } from "./schedules.js";
import { batchOf, mse, rSquared, trainedTinyNet } from "./testing/tiny-model.js";

describe("klDistillLoss", () => {
  it("is zero for equal logits and matches Σ p (log p − log q)·T² / rows", () => {
    const a = Tensor.randn([3, 5], { generator: new Generator(1) });
    const b = Tensor.randn([3, 5], { generator: new Generator(2) });
    expect(klDistillLoss(a, a).item()).toBeCloseTo(0, 6);
    const p = a.div(2).softmax(-1).dataSync() as Float32Array;
    const q = b.div(2).softmax(-1).dataSync() as Float32Array;
    let kl = 0;
    for (let i = 0; i < p.length; i++) kl += p[i] * Math.log(p[i] / q[i]);
    expect(klDistillLoss(b, a, 2).item()).toBeCloseTo((kl * 4) / 3, 4);
  });
});

describe("QAT over bit-widths", () => {
  it("per-bit LoRA QAT beats post-training fake quantization at 2 bits", async () => {
    const { model, task } = trainedTinyNet();
    const layers = makeSwitchable(model);
    const fp = rSquared(model, task.test);
    setAllBits(layers, 2);
    const ptq = rSquared(model, task.test);
    setAllBits(layers, 32);

    for (const l of layers.values())
      l.addAdapters([2, 4], { rank: 4, alpha: 8, generator: new Generator(9) }).freezeBase();
    const adapters = adapterParameters(layers);
    const opt = new optim.AdamW(adapters, { lr: 3e-3, weightDecay: 0 });
    const g = new Generator(21);
    const history = await trainQat({
      model,
      optimizer: opt,
      steps: 100,
      batch: () => {
        const b = batchOf(task.train, 128, g);
        return { input: b.x, target: b.y };
      },
      loss: mse,
      widths: [2, 4],
      distill: { weight: 0.5, loss: (s, t) => mse(s, t) },
    });
    expect(history).toHaveLength(100);
    expect(history[0].widths).toEqual([2, 4]);

    setAllBits(layers, 2);
    const qat2 = rSquared(model, task.test);
    setAllBits(layers, 4);
    const qat4 = rSquared(model, task.test);
    setAllBits(layers, 32);
    const fpAfter = rSquared(model, task.test);
    console.log({ fp, ptq2: ptq, qat2, qat4, fpAfter });
    expect(qat2).toBeGreaterThan(ptq + 0.03);
    expect(qat4).toBeGreaterThan(fp - 0.02);
    // The base weight is shared and frozen: full precision is untouched.
    expect(fpAfter).toBeCloseTo(fp, 10);
  });

  it("follows a schedule, one width per step, training only that width's adapter", async () => {
    const { model, task } = trainedTinyNet(50);
    const layers = makeSwitchable(model);
    for (const l of layers.values()) l.addAdapters([4, 8], { rank: 2 }).freezeBase();
    const l0 = layers.get("h.0.mlp.c_fc")!;
    const opt = new optim.AdamW(adapterParameters(layers), { lr: 1e-3, weightDecay: 0 });
    const g = new Generator(3);
    const batch = () => {
      const b = batchOf(task.train, 32, g);
      return { input: b.x, target: b.y };
    };
    const seen: number[] = [];
    await trainQat({
      model,
      optimizer: opt,
      steps: 4,
      batch,
      loss: mse,
      schedule: staticSchedule([4, 16]),
      onStep: (i) => seen.push(i.widths[0]),
    });
    expect(seen).toEqual([4, 16, 4, 16]);
    // The 8-bit adapter never ran: its B is still zero.
    expect(Math.max(...(l0.adapter(8)!.loraB.dataSync() as Float32Array))).toBe(0);
    expect(Math.max(...(l0.adapter(4)!.loraB.dataSync() as Float32Array).map(Math.abs))).toBeGreaterThan(0);
    const cpt: number[] = [];
    await trainQat({
      model,
      optimizer: opt,
      steps: 6,
      batch,
      loss: mse,
      schedule: cptSchedule({ min: 4, max: 8, period: 6 }),
      onStep: (i) => cpt.push(i.widths[0]),
    });
    expect(cpt).toEqual([4, 4, 5, 6, 7, 8]);
    await expect(trainQat({ model, optimizer: opt, steps: 1, batch, loss: mse })).rejects.toThrow(
      /exactly one/,
    );
  });
});
