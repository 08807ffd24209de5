#!/usr/bin/env node
/**
 * Packs everything the GPU checks need into one folder, for a CUDA machine that has no Node:
 * <repo>/.carry/gpu/ with a compressed Node binary, the bundled check program, the kernel
 * sources, and the two native dependencies (koffi, onnxruntime-node) for linux-x64.
 * Then, on the GPU machine, from the repo root:  bash .carry/gpu/run.sh all --out "$OUT"
 * (with the device tool: carry [".carry/gpu"]). Usage: node scripts/gpu/pack.mjs
 */
import { spawnSync } from "node:child_process";
import {
  cpSync,
  existsSync,
  mkdirSync,
  readdirSync,
  realpathSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { createRequire } from "node:module";
import { basename, dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const pkg = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const root = resolve(pkg, "../..");
const out = join(root, ".carry/gpu");
const stage = join(out, "stage");

function sh(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { stdio: "inherit", ...opts });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(" ")} failed (${r.status})`);
}

/** esbuild's binary: tsup's (a root devDependency), since pnpm links only direct dependencies into .bin. */
function esbuildBin() {
  const linked = join(root, "node_modules/.bin/esbuild");
  if (existsSync(linked)) return linked;
  const fromTsup = createRequire(realpathSync(join(root, "node_modules/tsup/package.json")));
  return join(dirname(fromTsup.resolve("esbuild/package.json")), "bin/esbuild");
}
const esbuild = esbuildBin();

/** Every .cu and .cuh under `dir`: the op families' kernels and the headers they share. */
function kernelSources(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? kernelSources(join(dir, e.name)) : /\.cuh?$/.test(e.name) ? [join(dir, e.name)] : [],
  );
}

rmSync(stage, { recursive: true, force: true });
mkdirSync(join(stage, "node_modules"), { recursive: true });

// 1. The check program, bundled; the native modules stay external, loaded from node_modules.
sh(esbuild, [
  join(pkg, "scripts/gpu/check.ts"),
  "--bundle",
  "--platform=node",
  "--format=esm",
  "--target=node20",
  "--external:koffi",
  "--external:onnxruntime-node",
  "--external:onnxruntime-node/*",
  // Bundled ESM still calls require() for node built-ins through createRequire.
  "--banner:js=import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);",
  `--outfile=${join(stage, "check.mjs")}`,
]);
// GPTQ's device check and benchmark (packages/gptq), bundled the same way; tensor-cuda resolves to
// its sources so the program holds one copy of it, built from this checkout.
sh(esbuild, [
  join(root, "packages/gptq/bench/gptq-cuda.ts"),
  "--bundle",
  "--platform=node",
  "--format=esm",
  "--target=node20",
  `--alias:@shrinkray/tensor-cuda=${join(pkg, "src/index.ts")}`,
  `--alias:@shrinkray/tensor-cuda/testing=${join(pkg, "src/testing/index.ts")}`,
  "--external:koffi",
  "--external:onnxruntime-node",
  "--external:onnxruntime-node/*",
  "--banner:js=import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);",
  `--outfile=${join(stage, "gptq-cuda.mjs")}`,
]);
// The runner's end-to-end device check (apps/runner): every @shrinkray package resolves to its
// sources, so the program holds one copy of each, built from this checkout.
const packages = readdirSync(join(root, "packages")).filter((p) =>
  existsSync(join(root, "packages", p, "src/index.ts")),
);
sh(esbuild, [
  join(root, "apps/runner/bench/device-flow.ts"),
  "--bundle",
  "--platform=node",
  "--format=esm",
  "--target=node20",
  ...packages.map((p) => `--alias:@shrinkray/${p}=${join(root, "packages", p, "src/index.ts")}`),
  `--alias:@shrinkray/tensor-cuda/testing=${join(pkg, "src/testing/index.ts")}`,
  "--external:koffi",
  "--external:onnxruntime-node",
  "--external:onnxruntime-node/*",
  "--banner:js=import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);",
  `--outfile=${join(stage, "device-flow.mjs")}`,
]);
// The kernel sources, flat (as dist/kernels holds them): SHRINKRAY_CUDA_KERNELS points there.
for (const f of kernelSources(join(pkg, "src/backend/cuda/ops")))
  cpSync(f, join(stage, "kernels", basename(f)));

// 2. Native dependencies, linux-x64 only.
const koffi = realpathSync(join(pkg, "node_modules/koffi"));
for (const f of ["package.json", "index.js", "indirect.js"]) {
  if (existsSync(join(koffi, f))) cpSync(join(koffi, f), join(stage, "node_modules/koffi", f));
}
cpSync(join(koffi, "build/koffi/linux_x64"), join(stage, "node_modules/koffi/build/koffi/linux_x64"), {
  recursive: true,
});
const ort = realpathSync(join(pkg, "node_modules/onnxruntime-node"));
for (const f of ["package.json", "dist", "lib"]) {
  if (existsSync(join(ort, f)))
    cpSync(join(ort, f), join(stage, "node_modules/onnxruntime-node", f), { recursive: true });
}
const napi = ["napi-v6", "napi-v3"].find((v) => existsSync(join(ort, "bin", v, "linux/x64")));
cpSync(
  join(ort, "bin", napi, "linux/x64"),
  join(stage, "node_modules/onnxruntime-node/bin", napi, "linux/x64"),
  {
    recursive: true,
  },
);
const common = realpathSync(join(ort, "..", "onnxruntime-common"));
cpSync(common, join(stage, "node_modules/onnxruntime-common"), { recursive: true });

// 3. One compressed archive of the staged program, and the Node binary (compressed once).
sh("tar", ["-C", stage, "-cJf", join(out, "program.tar.xz"), "."]);
rmSync(stage, { recursive: true, force: true });
const nodeXz = join(out, "node.xz");
if (!existsSync(nodeXz) || statSync(nodeXz).mtimeMs < statSync(process.execPath).mtimeMs) {
  const r = spawnSync(
    "sh",
    ["-c", `xz -T0 -6 -c "${process.execPath}" > "${nodeXz}.tmp" && mv "${nodeXz}.tmp" "${nodeXz}"`],
    {
      stdio: "inherit",
    },
  );
  if (r.status !== 0) throw new Error("xz of the node binary failed");
}
cpSync(join(pkg, "bench/peers/cuda_peer.py"), join(out, "cuda_peer.py"));
cpSync(join(root, "bench/peers/gptq_torch.py"), join(out, "gptq_torch.py"));
writeFileSync(
  join(out, "run.sh"),
  `#!/usr/bin/env bash
# Runs tensor-cuda's GPU checks and benchmarks on a CUDA machine without Node (made by pack.mjs).
# Usage: bash .carry/gpu/run.sh [parity|bench|all] [--out DIR] [--emulate [--compiled] [--small]]:
# tensor-cuda's checks, then GPTQ's, then the runner's device flow, then the PyTorch peers if
# "bench"/"all" on a real GPU.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
work="\${TMPDIR:-/tmp}/shrinkray-gpu"
# A fresh unpack each run (a stale one could mix old and new kernels); python3's lzma/tarfile
# instead of xz/tar, which a CUDA image may lack.
rm -rf "$work" && mkdir -p "$work"
python3 - "$here" "$work" <<'PY'
import lzma, os, shutil, sys, tarfile
here, work = sys.argv[1], sys.argv[2]
with lzma.open(os.path.join(here, "node.xz")) as src, open(os.path.join(work, "node"), "wb") as dst:
    shutil.copyfileobj(src, dst)
os.chmod(os.path.join(work, "node"), 0o755)
with tarfile.open(os.path.join(here, "program.tar.xz")) as t:
    t.extractall(work)
PY
mode="\${1:-all}"
status=0
export SHRINKRAY_CUDA_KERNELS="$work/kernels"
"$work/node" "$work/check.mjs" "$@" || status=$?
"$work/node" "$work/gptq-cuda.mjs" "$@" || status=$?
# An experiment end to end (fitting, distillation, GPTQ, evaluation) on the device vs the CPU;
# it reads the committed toy model, so run.sh runs from the repository root.
"$work/node" "$work/device-flow.mjs" "$@" || status=$?
if { [ "$mode" = bench ] || [ "$mode" = all ]; } && [[ " $* " != *" --emulate "* ]]; then
  python3 "$here/cuda_peer.py" "$@" || status=$?
  # The GPTQ peer, on the GPU: [4096 x 4096], 128 x 512 calibration tokens, 4-bit, group 128.
  for act in 0 1; do
    peer=$(PEER_DEVICE=cuda python3 "$here/gptq_torch.py" bench 4096 4096 128 512 4 128 $act) || status=$?
    echo "torch gptq [4096x4096] 4-bit g128 act-order=$act: \${peer:-failed}"
  done
fi
exit $status
`,
);
console.log(`packed ${out}: ${spawnSync("du", ["-sh", out]).stdout.toString().trim()}`);
