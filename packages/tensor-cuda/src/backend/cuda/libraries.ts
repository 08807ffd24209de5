import { spawnSync } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";

/*
 * Finding the three CUDA libraries at run time (nothing is linked at install time): the driver
 * (libcuda, installed with the NVIDIA driver), NVRTC and cuBLAS (from a CUDA toolkit or from
 * pip's nvidia-* wheels, which is where a machine with only PyTorch has them). Candidates are
 * tried in order; the first that loads wins.
 */

export type CudaLibrary = "driver" | "nvrtc" | "cublas";

interface LibraryInfo {
  /** Sonames, newest first; the bare names also go to dlopen's own search last. */
  sonames: readonly string[];
  /** Environment variable holding a full path that overrides every search. */
  env: string;
  /** Directories of pip wheels under site-packages that ship the library. */
  wheelDirs: readonly string[];
}

export const LIBRARIES: Record<CudaLibrary, LibraryInfo> = {
  driver: { sonames: ["libcuda.so.1", "libcuda.so"], env: "SHRINKRAY_LIBCUDA", wheelDirs: [] },
  nvrtc: {
    sonames: ["libnvrtc.so.13", "libnvrtc.so.12", "libnvrtc.so.11.2", "libnvrtc.so"],
    env: "SHRINKRAY_LIBNVRTC",
    wheelDirs: ["nvidia/cu13/lib", "nvidia/cuda_nvrtc/lib"],
  },
  cublas: {
    sonames: ["libcublas.so.13", "libcublas.so.12", "libcublas.so.11", "libcublas.so"],
    env: "SHRINKRAY_LIBCUBLAS",
    wheelDirs: ["nvidia/cu13/lib", "nvidia/cublas/lib"],
  },
};

/** What the search reads from the machine; tests pass a fake one. */
export interface SearchHost {
  env: Record<string, string | undefined>;
  exists(path: string): boolean;
  /** Entries of a directory, [] when it cannot be read. */
  list(dir: string): string[];
  home: string;
  /** site-packages directories of the machine's python3, when it has one. */
  pythonSites?(): string[];
}

let pythonSitesCache: string[] | undefined;

/** Asks python3 itself (a venv such as /opt/torch/.venv is found this way); [] without python. */
function askPython(): string[] {
  if (pythonSitesCache) return pythonSitesCache;
  const code = "import site;print('\\n'.join(site.getsitepackages()+[site.getusersitepackages()]))";
  const r = spawnSync("python3", ["-c", code], { encoding: "utf8", timeout: 10_000 });
  pythonSitesCache = r.status === 0 ? r.stdout.split("\n").filter((l) => l.trim()) : [];
  return pythonSitesCache;
}

export const realHost: SearchHost = {
  env: process.env,
  exists: (p) => existsSync(p),
  list: (d) => {
    try {
      return readdirSync(d);
    } catch {
      return [];
    }
  },
  home: homedir(),
  pythonSites: askPython,
};

/** Python site-packages directories where pip's nvidia wheels may live. */
export function sitePackages(host: SearchHost): string[] {
  const out: string[] = [];
  const env = host.env;
  for (const p of (env.SHRINKRAY_PYTHON_SITE ?? "").split(":")) if (p) out.push(p);
  for (const p of (env.PYTHONPATH ?? "").split(":")) if (p) out.push(p);
  const prefixes = [
    env.VIRTUAL_ENV,
    env.CONDA_PREFIX,
    join(host.home, ".local"),
    "/usr/local",
    "/usr",
    "/opt/conda",
  ].filter((p): p is string => !!p);
  for (const prefix of prefixes) {
    const lib = join(prefix, "lib");
    for (const entry of host.list(lib)) {
      if (!/^python3(\.\d+)?$/.test(entry)) continue;
      for (const kind of ["site-packages", "dist-packages"]) out.push(join(lib, entry, kind));
    }
  }
  out.push("/usr/lib/python3/dist-packages");
  out.push(...(host.pythonSites?.() ?? []));
  return [...new Set(out)];
}

/** Toolkit and system directories, in the order CUDA's own tools look. */
function systemDirs(host: SearchHost): string[] {
  const dirs: string[] = [];
  for (const root of [host.env.CUDA_PATH, host.env.CUDA_HOME, "/usr/local/cuda"]) {
    if (!root) continue;
    dirs.push(join(root, "lib64"), join(root, "lib"), join(root, "targets/x86_64-linux/lib"));
  }
  for (const p of (host.env.LD_LIBRARY_PATH ?? "").split(":")) if (p) dirs.push(p);
  dirs.push(
    "/usr/local/nvidia/lib64", // where GPU containers mount the driver
    "/usr/lib/x86_64-linux-gnu",
    "/usr/lib/aarch64-linux-gnu",
    "/usr/lib64",
    "/usr/lib",
    "/usr/lib/wsl/lib",
  );
  return [...new Set(dirs)];
}

/**
 * Every path to try for `lib`, in order: the override variable, toolkit and system directories,
 * pip wheels, then the bare sonames for dlopen's own search (ld.so.cache, LD_LIBRARY_PATH).
 * Only files that exist are listed, except the bare sonames.
 */
export function libraryCandidates(lib: CudaLibrary, host: SearchHost = realHost): string[] {
  const info = LIBRARIES[lib];
  const override = host.env[info.env];
  if (override) return [override];
  const dirs = systemDirs(host);
  if (info.wheelDirs.length)
    for (const site of sitePackages(host)) for (const w of info.wheelDirs) dirs.push(join(site, w));
  const found: string[] = [];
  for (const dir of dirs) {
    for (const name of info.sonames) {
      const p = join(dir, name);
      if (host.exists(p)) found.push(p);
    }
  }
  return [...new Set([...found, ...info.sonames])];
}

/** Tries each candidate with `load`; returns the first that loads and every failure otherwise. */
export function loadFirst<T>(
  lib: CudaLibrary,
  load: (path: string) => T,
  host: SearchHost = realHost,
): { value: T; path: string } | { failures: string[] } {
  const failures: string[] = [];
  for (const path of libraryCandidates(lib, host)) {
    try {
      return { value: load(path), path };
    } catch (e) {
      failures.push(`${path}: ${(e as Error).message.split("\n")[0]}`);
    }
  }
  return { failures };
}

/** The message of a CudaUnavailableError for a library that did not load. */
export function missingLibraryMessage(lib: CudaLibrary, failures: readonly string[]): string {
  const info = LIBRARIES[lib];
  const what =
    lib === "driver"
      ? "the NVIDIA driver library libcuda.so.1 (is there an NVIDIA GPU with its driver?)"
      : lib === "nvrtc"
        ? "NVRTC, libnvrtc.so (install a CUDA toolkit, or pip install nvidia-cuda-nvrtc-cu12)"
        : "cuBLAS, libcublas.so (install a CUDA toolkit, or pip install nvidia-cublas-cu12)";
  return (
    `CUDA is not usable: could not load ${what}. Set ${info.env} to its full path to override. Tried:\n` +
    failures.map((f) => `  ${f}`).join("\n")
  );
}
