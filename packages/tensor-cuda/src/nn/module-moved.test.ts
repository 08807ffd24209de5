import { beforeAll, describe, expect, it } from "vitest";
import type { Device } from "../backend/backend.js";
import { cuda, nn, type Tensor } from "../index.js";

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
  beforeAll(() => cuda.useEmulator({ kernels: "models" }));

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
});
