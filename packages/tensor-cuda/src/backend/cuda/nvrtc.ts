import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { functionName } from "./driver.js";
import { CudaError } from "./errors.js";
import { type Koffi, loadKoffi } from "./koffi.js";

/*
 * NVRTC through koffi: compiles CUDA C to a cubin for the exact device (sm_XX), or to PTX where
 * the library cannot emit a cubin for it. The driver loads either; a cubin skips the driver's
 * JIT step.
 */

type Fn = (...args: any[]) => any;

export interface CompileRequest {
  /** Program name, shown in compiler messages (e.g. "elementwise.cu"). */
  name: string;
  source: string;
  /** Headers the source includes with #include "name". */
  headers: Readonly<Record<string, string>>;
  /** Compute capability, e.g. 90. */
  arch: number;
  options: readonly string[];
}

export interface CompiledImage {
  kind: "cubin" | "ptx";
  image: Uint8Array;
  log: string;
  /** Read from the disk cache rather than compiled now. */
  cached?: boolean;
}

/** Anything that turns CUDA C into a loadable image; the cache wraps one. */
export interface KernelCompiler {
  /** Identifies the compiler build in cache keys (a new NVRTC must not reuse old binaries). */
  readonly version: string;
  compile(req: CompileRequest): CompiledImage;
}

export class Nvrtc implements KernelCompiler {
  private readonly f: Record<string, Fn> = {};
  readonly version: string;
  private readonly k: Koffi;

  readonly major: number;
  readonly minor: number;
  private supported: number[] | null = null;

  /**
   * Loads NVRTC from `path`. With `probeArch`, also compiles a one-line kernel for it, so that a
   * library that loads but cannot compile (a pip wheel whose builtins library is not on the
   * loader's path) fails here, where the search can still try the next candidate.
   */
  constructor(
    readonly path: string,
    probeArch?: number,
  ) {
    this.k = loadKoffi();
    const lib = this.k.load(path);
    const decl = (sig: string, optional = false) => {
      try {
        this.f[functionName(sig)] = lib.func(sig);
      } catch (e) {
        if (!optional) throw e;
      }
    };
    decl("int nvrtcVersion(_Out_ int *major, _Out_ int *minor)");
    decl("const char *nvrtcGetErrorString(int result)");
    decl(
      "int nvrtcCreateProgram(_Out_ void **prog, const char *src, const char *name, int numHeaders, const char **headers, const char **includeNames)",
    );
    decl("int nvrtcCompileProgram(void *prog, int numOptions, const char **options)");
    decl("int nvrtcDestroyProgram(_Inout_ void **prog)");
    decl("int nvrtcGetProgramLogSize(void *prog, _Out_ size_t *size)");
    decl("int nvrtcGetProgramLog(void *prog, _Out_ uint8_t *log)");
    decl("int nvrtcGetPTXSize(void *prog, _Out_ size_t *size)");
    decl("int nvrtcGetPTX(void *prog, _Out_ uint8_t *ptx)");
    // CUDA 11.1+; older NVRTC only emits PTX.
    decl("int nvrtcGetCUBINSize(void *prog, _Out_ size_t *size)", true);
    decl("int nvrtcGetCUBIN(void *prog, _Out_ uint8_t *cubin)", true);
    decl("int nvrtcGetNumSupportedArchs(_Out_ int *count)", true);
    decl("int nvrtcGetSupportedArchs(_Out_ int *archs)", true);
    const major = new Int32Array(1);
    const minor = new Int32Array(1);
    this.check(this.f.nvrtcVersion(major, minor), "nvrtcVersion");
    this.major = major[0];
    this.minor = minor[0];
    this.version = `nvrtc-${major[0]}.${minor[0]}`;
    // NVRTC dlopens libnvrtc-builtins by soname; pip's wheels ship it beside libnvrtc without an
    // RPATH, so it is loaded here first (an already-loaded soname satisfies NVRTC's dlopen).
    for (const name of [
      `libnvrtc-builtins.so.${this.major}.${this.minor}`,
      `libnvrtc-builtins.so.${this.major}`,
    ]) {
      const p = join(dirname(path), name);
      if (existsSync(p)) {
        this.k.load(p);
        break;
      }
    }
    if (probeArch !== undefined) {
      this.compile({
        name: "probe.cu",
        source: 'extern "C" __global__ void probe(float *x) { x[0] = 1.0f; }',
        headers: {},
        arch: probeArch,
        options: [],
      });
    }
  }

  /** Architectures this NVRTC can target (compute capability × 10 + minor); null if it cannot say. */
  supportedArchs(): number[] | null {
    if (this.supported || !this.f.nvrtcGetNumSupportedArchs) return this.supported;
    const n = new Int32Array(1);
    if (this.f.nvrtcGetNumSupportedArchs(n) !== 0) return null;
    const archs = new Int32Array(n[0]);
    if (this.f.nvrtcGetSupportedArchs(archs) !== 0) return null;
    this.supported = Array.from(archs);
    return this.supported;
  }

  private check(code: number, call: string, detail = ""): void {
    if (code === 0) return;
    throw new CudaError(call, code, this.f.nvrtcGetErrorString(code) ?? `NVRTC error ${code}`, detail);
  }

  compile(req: CompileRequest): CompiledImage {
    const names = Object.keys(req.headers);
    const prog = [null];
    this.check(
      this.f.nvrtcCreateProgram(
        prog,
        req.source,
        req.name,
        names.length,
        names.map((n) => req.headers[n]),
        names,
      ),
      `nvrtcCreateProgram(${req.name})`,
    );
    try {
      // A cubin for the real architecture; for a device newer than this NVRTC knows, PTX for
      // the newest architecture it does know (the driver JIT-compiles that forward).
      const archs = this.supportedArchs();
      const newest = archs?.length ? Math.max(...archs) : null;
      const target = newest !== null && req.arch > newest ? `compute_${newest}` : `sm_${req.arch}`;
      const options = [`--gpu-architecture=${target}`, ...req.options];
      const result = this.f.nvrtcCompileProgram(prog[0], options.length, options);
      const log = this.log(prog[0]);
      this.check(result, `nvrtcCompileProgram(${req.name}, ${options.join(" ")})`, log);
      if (this.f.nvrtcGetCUBINSize && target.startsWith("sm_")) {
        const size = new BigUint64Array(1);
        if (this.f.nvrtcGetCUBINSize(prog[0], size) === 0 && size[0] > 0n) {
          const image = new Uint8Array(Number(size[0]));
          this.check(this.f.nvrtcGetCUBIN(prog[0], image), "nvrtcGetCUBIN");
          return { kind: "cubin", image, log };
        }
      }
      const size = new BigUint64Array(1);
      this.check(this.f.nvrtcGetPTXSize(prog[0], size), "nvrtcGetPTXSize");
      // The size includes the terminating NUL the driver needs.
      const image = new Uint8Array(Number(size[0]));
      this.check(this.f.nvrtcGetPTX(prog[0], image), "nvrtcGetPTX");
      return { kind: "ptx", image, log };
    } finally {
      this.f.nvrtcDestroyProgram(prog);
    }
  }

  private log(prog: unknown): string {
    const size = new BigUint64Array(1);
    if (this.f.nvrtcGetProgramLogSize(prog, size) !== 0 || size[0] <= 1n) return "";
    const buf = new Uint8Array(Number(size[0]));
    if (this.f.nvrtcGetProgramLog(prog, buf) !== 0) return "";
    return Buffer.from(buf.subarray(0, buf.indexOf(0) < 0 ? buf.length : buf.indexOf(0)))
      .toString("utf8")
      .trim();
  }
}
