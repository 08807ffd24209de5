import { cuda, optim, type Tensor } from "@shrinkray/tensor-cuda";
import { useCudaEmulator } from "@shrinkray/tensor-cuda/testing";
import { beforeAll, describe, expect, it } from "vitest";
import { distill } from "./distill.js";
import { modelTeacher } from "./model-teacher.js";
import { markovRows, sharpTeacher, tinyLlama } from "./test-helpers.js";

/*
 * Distillation with student and in-process teacher on tensor-cuda's emulated CUDA device (the
 * CUDA C kernels compiled for the CPU where g++ exists): the loss curve must follow the CPU run's,
 * the trained student must stay on the device, and nothing else may.
 */

const data = markovRows(32, 12, 3);
const common = { data, steps: 4, batchSize: 4, optimizer: { lr: 1e-2 }, schedule: "constant" as const };

describe("distillation on the emulated CUDA device", () => {
  beforeAll(() => useCudaEmulator({ kernels: "auto" }), 600_000);

  for (const [name, loss] of [
    ["dense teacher, forward KL", { kind: "forward_kl" as const }],
    ["top-k teacher, reverse KL", { kind: "reverse_kl" as const }],
  ] as const) {
    it(`${name}: same loss curve as on the CPU`, async () => {
      const topk = name.startsWith("top-k") ? 5 : undefined;
      const cpu = await distill({
        ...common,
        teacher: modelTeacher(sharpTeacher(), { topk }),
        student: tinyLlama({ hidden: 16, layers: 1, seed: 7 }),
        loss,
      });
      const student = tinyLlama({ hidden: 16, layers: 1, seed: 7 }).to("cuda");
      const teacher = modelTeacher(sharpTeacher().to("cuda"), { topk });
      const before = cuda.memoryStats().allocatedBytes;
      const gpu = await distill({ ...common, teacher, student, loss });
      expect(student.parameters()[0].device).toBe("cuda");
      // Batches, teacher scores, gradients and AdamW's moments are all freed by the end.
      expect(cuda.memoryStats().allocatedBytes).toBeLessThanOrEqual(before);
      expect(gpu.lossCurve).toHaveLength(4);
      gpu.lossCurve.forEach((p, i) => {
        expect(p.loss).toBeCloseTo(cpu.lossCurve[i].loss, 4);
      });
    }, 120_000);
  }

  it("an optimizer the caller passes keeps its state (distill frees only one it made)", async () => {
    const student = tinyLlama({ hidden: 16, layers: 1, seed: 7 }).to("cuda");
    const teacher = modelTeacher(sharpTeacher().to("cuda"));
    const optimizer = new optim.AdamW(student.parameters(), { lr: 1e-2 });
    await distill({ ...common, optimizer, teacher, student, loss: { kind: "forward_kl" } });
    expect(optimizer.state.size).toBe(student.parameters().length);
    for (const s of optimizer.state.values()) expect((s.expAvg as Tensor).isDisposed).toBe(false);
  });
});
