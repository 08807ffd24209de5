import { describe, expect, it, vi } from "vitest";
import {
  AutogradError,
  DTypeError,
  isGradEnabled,
  layerNorm,
  linear,
  max,
  noGrad,
  Tensor,
  tidy,
  withGrad,
} from "../testing/core.js";
import { gradcheck, randn32, randn64, values } from "../testing/gradcheck.js";

describe("backward()", () => {
  it("computes leaf gradients of a small graph (diamond: x used twice)", () => {
    const x = Tensor.from([1, 2, 3], [3], { requiresGrad: true });
    const y = x.mul(x).add(x.mul(2)).sum(); // d/dx = 2x + 2
    y.backward();
    expect(values(x.grad!)).toEqual([4, 6, 8]);
  });

  it("accumulates across two backward() calls, as PyTorch does", () => {
    const x = Tensor.from([1, 2], [2], { requiresGrad: true });
    x.mul(3).sum().backward();
    x.square().sum().backward();
    expect(values(x.grad!)).toEqual([3 + 2, 3 + 4]);
    // The same graph can be run backward again.
    const y = x.exp().sum();
    x.grad = null;
    y.backward();
    y.backward();
    expect(values(x.grad!)).toEqual(
      [2 * Math.fround(Math.exp(1)), 2 * Math.fround(Math.exp(2))].map(Math.fround),
    );
  });

  it("takes an explicit gradient for non-scalar outputs and checks its shape", () => {
    const x = Tensor.from([1, 2], [2], { requiresGrad: true });
    const y = x.mul(5);
    expect(() => y.backward()).toThrow(
      /backward: a gradient must be given for a non-scalar output of shape \[2\]/,
    );
    expect(() => y.backward(Tensor.ones([3]))).toThrow(AutogradError);
    y.backward(Tensor.from([1, 10]));
    expect(values(x.grad!)).toEqual([5, 50]);
  });

  it("gradients of two leaves never share storage, and do not alias the caller's tensor", () => {
    const a = Tensor.from([1, 2], [2], { requiresGrad: true });
    const b = Tensor.from([3, 4], [2], { requiresGrad: true });
    a.add(b).sum().backward();
    expect(a.grad!.storage).not.toBe(b.grad!.storage);
    a.grad!.assign(Tensor.from([9, 9]));
    expect(values(b.grad!)).toEqual([1, 1]);
    const seed = Tensor.from([1, 1]);
    const c = Tensor.from([1, 2], [2], { requiresGrad: true });
    c.backward(seed);
    expect(c.grad!.storage).not.toBe(seed.storage);
  });

  it("throws on backward of a tensor that does not require grad", () => {
    const x = Tensor.from([1, 2]);
    expect(() => x.sum().backward()).toThrow(AutogradError);
    expect(() => x.sum().backward()).toThrow(/backward: the tensor of shape \[\] does not require grad/);
  });

  it("backward through a non-differentiable op names the op and its input", () => {
    const x = Tensor.from([1, 5, 2], [3], { requiresGrad: true });
    expect(() => x.argmax().cast("float32").mul(2).sum().backward()).toThrow(
      /backward: .*only through argmax \(input \[3\], float32\), which has no gradient/,
    );
    expect(() => x.gt(1).cast("float32").sum().backward()).toThrow(/through gt \(input \[3\], float32\)/);
    expect(() => x.cast("int32").sum().backward()).toThrow(/through cast to int32/);
  });

  it("requiresGrad only for floating-point tensors", () => {
    expect(() => Tensor.from([1], [1], { dtype: "int32", requiresGrad: true })).toThrow(DTypeError);
    expect(() => Tensor.from([1], [1], { dtype: "int32" }).requiresGrad_()).toThrow(DTypeError);
  });

  it("gradients flow through casts between float dtypes", () => {
    // (Finite differences cannot see through a float32 round trip: it is a staircase at 1e-7.)
    const x = Tensor.from([0.5, 2], [2], { dtype: "float64", requiresGrad: true });
    x.cast("float32").mul(3).cast("float64").mul(x).sum().backward();
    expect(x.grad!.dtype).toBe("float64");
    expect(values(x.grad!)).toEqual([3, 12]);
  });

  it("the gradient of an intermediate is not stored, only of leaves", () => {
    const x = Tensor.from([1, 2], [2], { requiresGrad: true });
    const h = x.mul(2);
    h.sum().backward();
    expect(h.grad).toBeNull();
    expect(x.grad).not.toBeNull();
  });

  it("deep chains do not overflow the stack", () => {
    const x = Tensor.from([1], [1], { requiresGrad: true });
    let y = x;
    for (let i = 0; i < 20000; i++) y = y.add(0);
    y.sum().backward();
    expect(values(x.grad!)).toEqual([1]);
  });

  it("a composite function passes gradcheck (MLP-like)", () => {
    gradcheck(
      (x, w1, w2) => layerNorm(linear(x, w1).gelu("tanh"), null, null).matmul(w2).softmax(-1),
      [randn64([3, 4], 1), randn64([5, 4], 2), randn64([5, 2], 3)],
    );
  });
});

describe("noGrad / detach", () => {
  it("noGrad records nothing and restores the mode, even on throw", () => {
    const x = Tensor.from([1, 2], [2], { requiresGrad: true });
    const y = noGrad(() => {
      expect(isGradEnabled()).toBe(false);
      return x.mul(2);
    });
    expect(isGradEnabled()).toBe(true);
    expect(y.requiresGrad).toBe(false);
    expect(y.gradFn).toBeNull();
    expect(() => y.sum().backward()).toThrow(AutogradError);
    expect(() =>
      noGrad(() => {
        throw new Error("boom");
      }),
    ).toThrow("boom");
    expect(isGradEnabled()).toBe(true);
    const z = noGrad(() => withGrad(() => x.mul(3)));
    expect(z.requiresGrad).toBe(true);
  });

  it("detach cuts the graph and shares the values", () => {
    const x = Tensor.from([1, 2], [2], { requiresGrad: true });
    const d = x.mul(3).detach();
    expect(d.requiresGrad).toBe(false);
    expect(d.gradFn).toBeNull();
    expect(values(d)).toEqual([3, 6]);
    x.mul(d).sum().backward();
    expect(values(x.grad!)).toEqual([3, 6]);
  });
});

describe("tidy", () => {
  it("keeps returned tensors (also inside arrays and objects) and disposes the rest", () => {
    let inner!: Tensor;
    const out = tidy(() => {
      inner = Tensor.ones([2]).mul(2);
      const a = inner.add(1);
      return { a, list: [a.mul(2)] };
    });
    expect(inner.isDisposed).toBe(true);
    expect(out.a.isDisposed).toBe(false);
    expect(values(out.list[0])).toEqual([6, 6]);
  });

  it("frees what it made when fn throws, and rethrows (a forward stopped by a hook)", () => {
    let made!: Tensor;
    let persistent!: Tensor;
    const outside = Tensor.ones([2]);
    expect(() =>
      tidy(() => {
        made = outside.mul(3);
        persistent = outside.add(1);
        persistent.persistent = true;
        throw new RangeError("stop here");
      }),
    ).toThrow(/stop here/);
    expect(made.isDisposed).toBe(true);
    expect(persistent.isDisposed).toBe(false);
    expect(outside.isDisposed).toBe(false);
    // A graph recorded inside the failed scope can never run backward (nothing it made was
    // returned): its activations are freed with the rest, as after a backward.
    const w = Tensor.from([1, 2], [2], { requiresGrad: true });
    let activation!: Tensor;
    expect(() =>
      tidy(() => {
        activation = w.mul(2);
        activation.mul(activation);
        throw new Error("forward stopped");
      }),
    ).toThrow(/forward stopped/);
    expect(activation.isDisposed).toBe(true);
    // A graph recorded before the failed scope keeps what it reads, and its backward still runs,
    // even though a node in the failed scope read it too.
    tidy(() => {
      const pending = w.mul(2);
      const y = pending.mul(pending);
      try {
        tidy(() => {
          y.mul(5);
          throw new Error("x");
        });
      } catch {
        expect(y.isDisposed).toBe(false);
      }
      y.sum().backward();
      return null;
    });
    expect(w.grad!.toArray()).toEqual([8, 16]);
    // Nodes below a persistent tensor escaped the scope: they keep what they read.
    let kept!: Tensor;
    let below!: Tensor;
    expect(() =>
      tidy(() => {
        below = w.mul(3);
        kept = below.mul(below);
        kept.persistent = true;
        throw new Error("y");
      }),
    ).toThrow();
    expect(below.isDisposed).toBe(false);
    w.grad = null;
    kept.sum().backward();
    expect(w.grad!.toArray()).toEqual([18, 36]);
  });

  it("nested scopes hand kept tensors to the outer scope", () => {
    let kept!: Tensor;
    tidy(() => {
      kept = tidy(() => Tensor.ones([1]).add(1));
      expect(kept.isDisposed).toBe(false);
      return null;
    });
    expect(kept.isDisposed).toBe(true);
  });

  it("does not free storage that a kept tensor or an outer tensor shares (reshape, detach)", () => {
    const x = Tensor.ones([2, 3]);
    const spy = vi.spyOn(x.storage, "dispose");
    tidy(() => {
      x.reshape([6]).detach().squeeze();
      return null;
    });
    expect(spy).not.toHaveBeenCalled();
    let tmp!: Tensor;
    const y = tidy(() => {
      tmp = x.mul(2);
      return tmp.reshape([3, 2]);
    });
    expect(tmp.isDisposed).toBe(true);
    expect(values(y)).toEqual([2, 2, 2, 2, 2, 2]);
    const ySpy = vi.spyOn(y.storage, "dispose");
    y.dispose();
    expect(ySpy).toHaveBeenCalledTimes(1);
  });

  it("keeps what the autograd graph needs, so backward works after the scope", () => {
    const x = randn32([3, 4], 1).requiresGrad_();
    const w = randn32([2, 4], 2).requiresGrad_();
    const loss = tidy(() =>
      max(linear(x.reshape([1, 3, 4]), w), 1)
        .softmax(-1)
        .logsumexp(-1)
        .sum(),
    );
    loss.backward();
    expect(x.grad!.shape).toEqual([3, 4]);
    expect(w.grad!.shape).toEqual([2, 4]);
  });

  it("using a disposed tensor is an error naming its shape", () => {
    const t = Tensor.ones([2, 2]);
    t.dispose();
    expect(() => t.add(1)).toThrow(/tensor of shape \[2, 2\] was used after dispose\(\)/);
  });
});

describe("noGrad with async functions", () => {
  it("refuses a function that returns a promise, since the flag cannot span awaits", () => {
    expect(() => noGrad(async () => 1)).toThrow(/noGrad cannot span awaits/);
  });
});
