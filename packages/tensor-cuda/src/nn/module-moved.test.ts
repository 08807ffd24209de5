import { beforeAll, describe, expect, it } from "vitest";
import type { Device } from "../backend/backend.js";
import { nn, Tensor, tidy } from "../index.js";
import { useCudaEmulator } from "../testing/index.js";

/** A module that caches a tensor derived from a child's weight, as QuantLinear does. */
class Caching extends nn.Module {
  inner: nn.Linear;
  cache: Tensor | null = null;
  moves: Device[] = [];
  constructor() {
    super();
    this.inner = this.child("inner", new nn.Linear(2, 2));
  }
  derived(): Tensor {
    this.cache ??= this.inner.weight.mul(2);
    return this.cache;
  }
  protected override onMoved(device: Device): void {
    this.moves.push(device);
    this.cache?.dispose();
    this.cache = null;
  }
  forward(x: Tensor): Tensor {
    return x;
  }
}

class Root extends nn.Module {
  m = this.child("m", new Caching());
  forward(x: Tensor): Tensor {
    return x;
  }
}

describe("Module.onMoved", () => {
  beforeAll(() => useCudaEmulator({ kernels: "models" }));

  it("runs on every module of the tree after to() and toAsync() move tensors, and only then", async () => {
    const root = new Root();
    const m = root.m;
    m.derived();
    root.to("cpu"); // nothing moves: caches stay
    expect(m.moves).toEqual([]);
    expect(m.cache).not.toBeNull();
    root.to("cuda");
    expect(m.moves).toEqual(["cuda"]);
    expect(m.cache).toBeNull();
    expect(m.derived().device).toBe("cuda");
    await root.toAsync("cpu");
    expect(m.moves).toEqual(["cuda", "cpu"]);
    expect(m.derived().device).toBe("cpu");
  });

  it("a gradient moves with its parameter: the old copy is freed, the new one outlives tidy()", async () => {
    const root = new Root();
    const w = root.m.inner.weight;
    const grad = Tensor.ones(w.shape);
    w.grad = grad;
    tidy(() => root.to("cuda"));
    expect(grad.isDisposed).toBe(true);
    expect(w.grad!.device).toBe("cuda");
    expect(w.grad!.isDisposed).toBe(false);
    // A gradient already on the target device (set by hand) is kept as it is.
    await root.toAsync("cpu");
    expect(w.grad!.device).toBe("cpu");
    const deviceGrad = Tensor.ones(w.shape).to("cuda");
    w.grad = deviceGrad;
    root.to("cuda");
    expect(w.grad).toBe(deviceGrad);
    expect(deviceGrad.isDisposed).toBe(false);
  });
});
