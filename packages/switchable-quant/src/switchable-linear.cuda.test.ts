import { cuda, Generator, getBackend, nn, noGrad, Tensor, tidy } from "@shrinkray/tensor-cuda";
import { useCudaEmulator } from "@shrinkray/tensor-cuda/testing";
import { beforeAll, describe, expect, it, vi } from "vitest";
import { SwitchableLinear } from "./switchable-linear.js";

/*
 * LSQ step sizes set up with the layer on tensor-cuda's emulated CUDA device: the steps are
 * made on the device, start at the host's min-max grid, and train there as on the CPU.
 */

function layer(): SwitchableLinear {
  const lin = new nn.Linear(48, 8, { generator: new Generator(3) });
  return SwitchableLinear.fromLinear(lin, { groupSize: 16 });
}

async function host(t: Tensor): Promise<number[]> {
  return Array.from((await t.data()) as Float32Array);
}

describe("SwitchableLinear on the emulated CUDA device", () => {
  beforeAll(() => useCudaEmulator({ kernels: "auto" }), 600_000);

  it("learnStepSizesAsync makes the steps on the device, equal to the host's, with the host's gradients", async () => {
    const x = Tensor.randn([6, 48], { generator: new Generator(1) });
    const onHost = layer().learnStepSizes([2, 4]);
    const onDevice = layer().to("cuda");
    // learnStepSizes reads synchronously, which a device cannot: it says what to use instead.
    expect(() => onDevice.learnStepSizes([4])).toThrow(/await/);
    await onDevice.learnStepSizesAsync([2, 4, 4, 16]);
    expect(onDevice.namedParameters().map(([n]) => n)).toEqual(onHost.namedParameters().map(([n]) => n));
    for (const bits of [2, 4] as const) {
      const d = onDevice.stepSize(bits)!;
      const h = onHost.stepSize(bits)!;
      expect(d.scale.device).toBe("cuda");
      expect(await host(d.scale)).toEqual(await host(h.scale));
      expect(Array.from(d.zero)).toEqual(Array.from(h.zero));

      onHost.bits = bits;
      onDevice.bits = bits;
      onHost.call(x).square().mean().backward();
      onDevice.call(x.to("cuda")).square().mean().backward();
      const gd = await host(d.scale.grad!);
      const gh = await host(h.scale.grad!);
      gd.forEach((v, i) => {
        expect(v).toBeCloseTo(gh[i], 5);
      });
    }
    expect(onDevice.stepSize(16)).toBeUndefined();
  });

  it("uploads a learned grid's zero points once, and frees them when the layer leaves the device", async () => {
    const x = Tensor.randn([6, 48], { generator: new Generator(2) });
    const before = cuda.memoryStats().allocatedBytes;
    const s = layer().to("cuda");
    await s.learnStepSizesAsync([4]);
    s.bits = 4;
    const xd = x.to("cuda");
    const forward = async () => {
      // No graph: a recorded forward that never runs backward keeps its activations for it.
      const y = noGrad(() => tidy(() => s.call(xd)));
      const v = await host(y);
      y.dispose();
      return v;
    };
    const first = await forward();
    const settled = cuda.memoryStats().allocatedBytes;
    // Later forwards reuse the device copy: no upload at all, and nothing more stays allocated.
    const uploads = vi.spyOn(getBackend("cuda"), "fromArray");
    expect(await forward()).toEqual(first);
    expect(uploads).not.toHaveBeenCalled();
    uploads.mockRestore();
    expect(cuda.memoryStats().allocatedBytes).toBe(settled);
    xd.dispose();
    await s.toAsync("cpu");
    expect(cuda.memoryStats().allocatedBytes).toBeLessThanOrEqual(before);
    // Back on the CPU the host zero points serve again.
    const y = Array.from(s.call(x).dataSync() as Float32Array);
    y.forEach((v, i) => {
      expect(v).toBeCloseTo(first[i], 5);
    });
  });
});
