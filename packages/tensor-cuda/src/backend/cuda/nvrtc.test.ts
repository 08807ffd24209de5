import { describe, expect, it } from "vitest";
import { KERNELS } from "./kernel-abi.js";
import { kernelSource } from "./kernel-sources.js";
import { loadFirst } from "./libraries.js";
import { Nvrtc } from "./nvrtc.js";

/*
 * NVRTC is a compiler library: it needs no GPU. Where one is installed (a CUDA toolkit, pip's
 * nvidia-cuda-nvrtc, Debian's libnvrtc11.2), this compiles every kernel source through the koffi
 * binding exactly as the backend does at run time, for the H100's sm_90.
 */

const found = loadFirst("nvrtc", (p) => new Nvrtc(p));
const nvrtc = "value" in found ? found.value : null;

describe.skipIf(!nvrtc)("NVRTC binding (no GPU needed)", () => {
  const files = [...new Set(Object.values(KERNELS).map((k) => k.file))];

  for (const file of files) {
    it(`compiles ${file} for sm_90 with every declared kernel in the binary`, () => {
      const src = kernelSource(file);
      const out = (nvrtc as Nvrtc).compile({ ...src, name: file, arch: 90, options: ["-std=c++17"] });
      expect(out.image.length).toBeGreaterThan(1000);
      // Kernel names are extern "C", so they appear verbatim in the cubin's symbol table / PTX.
      const text = Buffer.from(out.image).toString("latin1");
      for (const [name, spec] of Object.entries(KERNELS)) {
        if (spec.file === file) expect(text.includes(name), `${name} in ${file}`).toBe(true);
      }
    }, 120_000);
  }

  it("reports compile errors with NVRTC's log, naming the program", () => {
    expect(() =>
      (nvrtc as Nvrtc).compile({
        name: "broken.cu",
        source: 'extern "C" __global__ void k(float *x) { x[0] = undeclared_name; }',
        headers: {},
        arch: 90,
        options: [],
      }),
    ).toThrow(/nvrtcCompileProgram\(broken\.cu.*undeclared_name/s);
  });

  it("emits PTX for the newest architecture it knows when the device is newer", () => {
    const n = nvrtc as Nvrtc;
    const newest = Math.max(...(n.supportedArchs() ?? [0]));
    expect(newest).toBeGreaterThanOrEqual(90);
    const out = n.compile({
      name: "future.cu",
      source: 'extern "C" __global__ void k(float *x) { x[0] = 2.0f; }',
      headers: {},
      arch: newest + 10,
      options: [],
    });
    expect(out.kind).toBe("ptx");
    expect(Buffer.from(out.image).toString("latin1")).toContain(`.target sm_${newest}`);
  });

  it("probes with a real compile at construction", () => {
    expect(() => new Nvrtc((nvrtc as Nvrtc).path, 90)).not.toThrow();
  });

  it("resolves #include of a named header", () => {
    const out = (nvrtc as Nvrtc).compile({
      name: "inc.cu",
      source: '#include "h.cuh"\nextern "C" __global__ void k(float *x) { x[0] = VALUE; }',
      headers: { "h.cuh": "#define VALUE 3.0f" },
      arch: 90,
      options: [],
    });
    expect(out.image.length).toBeGreaterThan(0);
  });
});
