import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ERROR_OPS, INDEX3_BYTES, KERNELS, PARAM_BYTES } from "./kernel-abi.js";
import { kernelFiles } from "./kernel-sources.js";
import {
  BINARY_CODES,
  DTYPE_CODES,
  UNARY_CODES,
  UNARY_GRAD_CODES,
} from "./ops/elementwise/elementwise.abi.js";

/*
 * The kernel ABI without a GPU: every .cu file is compiled to PTX with nvcc, and each `.entry`
 * (name, parameter count, parameter byte sizes) is compared with the KERNELS table the launcher
 * packs arguments from; the op-code #defines of common.cuh are compared with the TS tables.
 * Skipped where nvcc is not installed.
 */

const KERNEL_DIR = fileURLToPath(new URL("./ops/", import.meta.url));
const nvccAvailable = spawnSync("nvcc", ["--version"]).status === 0;

/** Base name → path of every .cu and .cuh under ops/ (each family's folder, shared headers at the top). */
const paths = kernelFiles(KERNEL_DIR);
const sources = [...paths.keys()].sort();
const cuFiles = sources.filter((f) => f.endsWith(".cu"));
const pathOf = (f: string) => paths.get(f) as string;
/** Headers are included by base name: every folder holding one is on the include path. */
const includeFlags = [
  ...new Set(sources.filter((f) => f.endsWith(".cuh")).map((f) => dirname(pathOf(f)))),
].flatMap((d) => ["-I", d]);

interface Entry {
  file: string;
  /** Byte size of each parameter, in order. */
  params: number[];
}

const SCALAR_BYTES: Record<string, number> = { 8: 1, 16: 2, 32: 4, 64: 8 };

/** Bytes of one PTX parameter declaration such as `.param .u64 x`, `.param .align 8 .b8 x[296]`. */
function paramBytes(decl: string): number {
  const m = /^\.param\s+(?:\.align\s+\d+\s+)?\.[usfb](8|16|32|64)\s+[\w$]+(?:\[(\d+)\])?$/.exec(decl.trim());
  if (!m) throw new Error(`cannot parse PTX parameter: ${decl}`);
  return SCALAR_BYTES[m[1]] * (m[2] ? Number(m[2]) : 1);
}

/** The `.entry` points of a PTX module with their parameter sizes. */
function parseEntries(ptx: string, file: string): Map<string, Entry> {
  const entries = new Map<string, Entry>();
  for (const m of ptx.matchAll(/\.entry\s+([\w$]+)\s*\(([^)]*)\)/g)) {
    const decls = m[2]
      .split(",")
      .map((s) => s.trim())
      .filter((s) => s.length > 0);
    entries.set(m[1], { file, params: decls.map(paramBytes) });
  }
  return entries;
}

describe.skipIf(!nvccAvailable)("CUDA kernel ABI (nvcc --ptx)", () => {
  let tmp = "";
  /** kernel name → where the PTX defines it; filled by beforeAll. */
  const entries = new Map<string, Entry>();
  const duplicates: string[] = [];

  beforeAll(() => {
    tmp = mkdtempSync(join(tmpdir(), "tensor-cuda-ptx-"));
    const failures: string[] = [];
    for (const file of cuFiles) {
      const out = join(tmp, file.replace(/\.cu$/, ".ptx"));
      const r = spawnSync(
        "nvcc",
        ["--ptx", "-arch=sm_90", "-std=c++17", ...includeFlags, "-o", out, pathOf(file)],
        {
          encoding: "utf8",
        },
      );
      if (r.status !== 0) {
        failures.push(`nvcc failed on ${file} (exit ${r.status}):\n${r.stderr || r.error?.message || ""}`);
        continue;
      }
      for (const [name, entry] of parseEntries(readFileSync(out, "utf8"), file)) {
        const prev = entries.get(name);
        if (prev) duplicates.push(`${name} in ${prev.file} and ${file}`);
        entries.set(name, entry);
      }
    }
    if (failures.length > 0) throw new Error(failures.join("\n\n"));
  }, 300_000);

  afterAll(() => {
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  it("compiles every kernel source", () => {
    expect(cuFiles).toEqual(
      expect.arrayContaining(["elementwise.cu", "layout.cu", "reduce.cu", "softmax.cu", "norms.cu"]),
    );
    expect(entries.size).toBeGreaterThan(0);
  });

  it("defines every declared kernel in its file, with parameters of the declared sizes", () => {
    const problems: string[] = [];
    for (const [name, spec] of Object.entries(KERNELS)) {
      const entry = entries.get(name);
      const want = spec.params.map((k) => PARAM_BYTES[k]);
      if (!entry) {
        problems.push(`missing: ${name} (expected in ${spec.file}, params [${spec.params.join(", ")}])`);
      } else if (entry.file !== spec.file) {
        problems.push(`wrong file: ${name} is in ${entry.file}, declared in ${spec.file}`);
      } else if (entry.params.join() !== want.join()) {
        problems.push(
          `parameter sizes of ${name}: PTX [${entry.params.join(", ")}], table [${want.join(", ")}] ` +
            `(${spec.params.join(", ")})`,
        );
      }
    }
    expect(problems, problems.join("\n")).toEqual([]);
  });

  it("defines no kernel the table does not declare, and none twice", () => {
    const undeclared = [...entries].filter(([name]) => !KERNELS[name]).map(([n, e]) => `${n} (${e.file})`);
    expect(undeclared, `undeclared kernels:\n${undeclared.join("\n")}`).toEqual([]);
    expect(duplicates, duplicates.join("\n")).toEqual([]);
  });

  it("passes Index3 as one 296-byte parameter", () => {
    expect(INDEX3_BYTES).toBe(296);
    const withView = Object.entries(KERNELS).filter(([, s]) => s.params.includes("index3"));
    expect(withView.length).toBeGreaterThan(0);
    for (const [name] of withView) expect(entries.get(name)?.params).toContain(296);
  });
});

describe("CUDA kernel sources", () => {
  const header = readFileSync(pathOf("common.cuh"), "utf8");

  /** `#define PREFIX_NAME n` lines of common.cuh as { name: n } with lower-case names. */
  function defines(prefix: string): Record<string, number> {
    const out: Record<string, number> = {};
    for (const m of header.matchAll(new RegExp(`^#define ${prefix}_([A-Z0-9_]+) (\\d+)\\s*$`, "gm"))) {
      out[m[1].toLowerCase()] = Number(m[2]);
    }
    return out;
  }

  it.each([
    ["UNARY", UNARY_CODES],
    ["UGRAD", UNARY_GRAD_CODES],
    ["BINARY", BINARY_CODES],
    ["DT", DTYPE_CODES],
    ["ERR", ERROR_OPS],
  ] as const)("common.cuh #define %s_* match the op-code table", (prefix, table) => {
    expect(defines(prefix)).toEqual({ ...table });
  });

  it("include no system headers (NVRTC compiles them with common.cuh only)", () => {
    const offenders = sources
      .filter((f) => f.endsWith(".cu") || f.endsWith(".cuh"))
      .filter((f) => /#\s*include\s*</.test(readFileSync(pathOf(f), "utf8")));
    expect(offenders).toEqual([]);
  });
});
