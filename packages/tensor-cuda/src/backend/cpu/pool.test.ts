import { describe, expect, it } from "vitest";
import { Tensor, tidy } from "../../index.js";
import { hostPoolStats } from "./pool.js";

const BIG = 64 * 1024; // elements: 256 KiB of float32, above the pooled threshold

describe("CPU storage pool", () => {
  it("reuses a disposed storage's buffer for the next allocation of its size class", () => {
    const a = Tensor.ones([BIG]).mul(2);
    const buffer = (a.storage as unknown as { data: Float32Array }).data.buffer;
    a.dispose();
    const before = hostPoolStats().hits;
    const b = Tensor.full([BIG], 5);
    expect(hostPoolStats().hits).toBe(before + 1);
    expect((b.storage as unknown as { data: Float32Array }).data.buffer).toBe(buffer);
    expect((b.dataSync() as Float32Array)[BIG - 1]).toBe(5);
  });

  it("zero-fills recycled buffers where zeros are asked for", () => {
    tidy(() => Tensor.full([BIG], 7).add(1));
    const z = Tensor.zeros([BIG]);
    expect((z.dataSync() as Float32Array).every((v) => v === 0)).toBe(true);
  });

  it("never recycles an array the caller handed in", () => {
    const mine = new Float32Array(BIG).fill(3);
    const t = Tensor.from(mine);
    t.dispose();
    const u = Tensor.full([BIG], 5);
    expect(mine[0]).toBe(3);
    expect(mine[BIG - 1]).toBe(3);
    u.dispose();
  });

  it("keeps storage alive while a view still shares it", () => {
    const a = Tensor.arange(BIG, undefined, 1, { dtype: "float32" }).mul(1);
    const view = a.reshape([BIG / 2, 2]);
    a.dispose();
    Tensor.full([BIG], -1).dispose();
    const again = Tensor.full([BIG], -2);
    expect((view.dataSync() as Float32Array)[BIG - 1]).toBe(BIG - 1);
    again.dispose();
    view.dispose();
  });

  it("a cast to the same dtype is a private copy", () => {
    const a = Tensor.full([BIG], 4);
    const c = a.clone();
    a.dispose();
    Tensor.full([BIG], 9).dispose();
    expect((c.dataSync() as Float32Array)[0]).toBe(4);
  });
});
