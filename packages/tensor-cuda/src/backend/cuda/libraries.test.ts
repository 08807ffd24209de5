import { describe, expect, it } from "vitest";
import {
  libraryCandidates,
  loadFirst,
  missingLibraryMessage,
  type SearchHost,
  sitePackages,
} from "./libraries.js";

function fakeHost(
  files: string[],
  env: Record<string, string> = {},
  dirs: Record<string, string[]> = {},
): SearchHost {
  const set = new Set(files);
  return { env, exists: (p) => set.has(p), list: (d) => dirs[d] ?? [], home: "/home/u" };
}

describe("CUDA library search", () => {
  it("an override variable wins over everything", () => {
    const host = fakeHost(["/usr/local/cuda/lib64/libnvrtc.so.12"], {
      SHRINKRAY_LIBNVRTC: "/opt/x/libnvrtc.so",
    });
    expect(libraryCandidates("nvrtc", host)).toEqual(["/opt/x/libnvrtc.so"]);
  });

  it("finds the toolkit under CUDA_PATH before system directories, then falls back to sonames", () => {
    const host = fakeHost(
      ["/opt/cuda-12.4/lib64/libcublas.so.12", "/usr/lib/x86_64-linux-gnu/libcublas.so.11"],
      {
        CUDA_PATH: "/opt/cuda-12.4",
      },
    );
    const c = libraryCandidates("cublas", host);
    expect(c.slice(0, 2)).toEqual([
      "/opt/cuda-12.4/lib64/libcublas.so.12",
      "/usr/lib/x86_64-linux-gnu/libcublas.so.11",
    ]);
    expect(c).toContain("libcublas.so.12");
    expect(c.at(-1)).toBe("libcublas.so");
  });

  it("finds pip's nvidia wheels in a virtualenv's site-packages", () => {
    const site = "/venv/lib/python3.12/site-packages";
    const host = fakeHost(
      [`${site}/nvidia/cuda_nvrtc/lib/libnvrtc.so.12`, `${site}/nvidia/cublas/lib/libcublas.so.12`],
      { VIRTUAL_ENV: "/venv" },
      { "/venv/lib": ["python3.12", "pkgconfig"] },
    );
    expect(sitePackages(host)).toContain(site);
    expect(libraryCandidates("nvrtc", host)[0]).toBe(`${site}/nvidia/cuda_nvrtc/lib/libnvrtc.so.12`);
    expect(libraryCandidates("cublas", host)[0]).toBe(`${site}/nvidia/cublas/lib/libcublas.so.12`);
  });

  it("asks python3 for its site-packages (a venv outside the usual prefixes)", () => {
    const site = "/opt/torch/.venv/lib/python3.12/site-packages";
    const host = { ...fakeHost([`${site}/nvidia/cu13/lib/libnvrtc.so.13`]), pythonSites: () => [site] };
    expect(libraryCandidates("nvrtc", host)[0]).toBe(`${site}/nvidia/cu13/lib/libnvrtc.so.13`);
  });

  it("loadFirst returns the first candidate that loads, and every failure when none does", () => {
    const host = fakeHost(["/usr/local/cuda/lib64/libnvrtc.so.13", "/usr/local/cuda/lib64/libnvrtc.so.12"]);
    const ok = loadFirst(
      "nvrtc",
      (p) => {
        if (p.endsWith(".13")) throw new Error("version mismatch");
        return p.length;
      },
      host,
    );
    expect(ok).toEqual({
      value: "/usr/local/cuda/lib64/libnvrtc.so.12".length,
      path: "/usr/local/cuda/lib64/libnvrtc.so.12",
    });
    const none = loadFirst(
      "driver",
      () => {
        throw new Error("cannot open shared object file");
      },
      fakeHost([]),
    );
    expect("failures" in none && none.failures).toEqual([
      "libcuda.so.1: cannot open shared object file",
      "libcuda.so: cannot open shared object file",
    ]);
  });

  it("the error names the library, the override variable and every path tried", () => {
    const msg = missingLibraryMessage("cublas", ["/a/libcublas.so.12: bad ELF", "libcublas.so: not found"]);
    expect(msg).toMatch(/cuBLAS/);
    expect(msg).toMatch(/SHRINKRAY_LIBCUBLAS/);
    expect(msg).toMatch(/\/a\/libcublas\.so\.12: bad ELF/);
    expect(msg).toMatch(/libcublas\.so: not found/);
  });
});
