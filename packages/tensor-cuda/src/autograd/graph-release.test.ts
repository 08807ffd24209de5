import { describe, expect, it } from "vitest";
import { Tensor, tidy } from "../testing/core.js";

/*
 * What backward() releases and what tidy() then frees: activations go with their graph; grads,
 * and tensors another pending graph still reads, stay.
 */

function used(t: Tensor): boolean {
  try {
    void t.storage;
    return true;
  } catch {
    return false;
  }
}

describe("graph release and tidy()", () => {
  it("frees a step's activations when backward ran inside the scope", () => {
    const w = Tensor.randn([4, 4]).requiresGrad_();
    let hidden: Tensor | null = null;
    tidy(() => {
      hidden = Tensor.randn([2, 4]).matmul(w).tanh();
      hidden.sum().backward();
    });
    expect(used(hidden as unknown as Tensor)).toBe(false);
    expect(w.grad).not.toBeNull();
  });

  it("keeps .grad after the tidy() that ran backward, and accumulates across scopes", async () => {
    const w = Tensor.randn([3, 3]).requiresGrad_();
    const x = Tensor.randn([2, 3]);
    tidy(() => x.matmul(w).sum().backward());
    const first = Array.from(w.grad?.dataSync() as Float32Array);
    tidy(() => x.matmul(w).sum().backward());
    const twice = Array.from(w.grad?.dataSync() as Float32Array);
    expect(twice.map((v, i) => v - 2 * first[i]).every((d) => Math.abs(d) < 1e-5)).toBe(true);
  });

  it("a tensor two graphs read stays until the second has run", () => {
    const w1 = Tensor.randn([4, 2]).requiresGrad_();
    const w2 = Tensor.randn([4, 2]).requiresGrad_();
    const second = tidy(() => {
      const h = Tensor.randn([3, 4]).mul(2).tanh(); // no grad of its own, read by both graphs
      h.matmul(w1).sum().backward();
      return h.matmul(w2).sum();
    });
    second.backward();
    expect(w2.grad).not.toBeNull();
  });

  it("retainGraph keeps the graph for a second backward after the scope", () => {
    const w = Tensor.randn([3]).requiresGrad_();
    const loss = tidy(() => {
      const l = w.mul(w).sum();
      l.backward(undefined, { retainGraph: true });
      return l;
    });
    loss.backward();
    const g = Array.from(w.grad?.dataSync() as Float32Array);
    const wv = Array.from(w.dataSync() as Float32Array);
    g.forEach((v, i) => {
      expect(v).toBeCloseTo(4 * wv[i], 5);
    });
  });
});
