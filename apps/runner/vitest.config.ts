import { fileURLToPath } from "node:url";
import { defineProject } from "vitest/config";

// Packages resolve to their sources so tests run without a build first.
const src = (pkg: string) => fileURLToPath(new URL(`../../packages/${pkg}/src/index.ts`, import.meta.url));
// tensor-cuda's testing entry (the emulated CUDA device), listed before the package itself:
// an alias also matches the paths under its name.
const cudaTesting = fileURLToPath(
  new URL("../../packages/tensor-cuda/src/testing/index.ts", import.meta.url),
);

export default defineProject({
  resolve: {
    alias: {
      "@shrinkray/tensor-cuda/testing": cudaTesting,
      "@shrinkray/tensor-cuda": src("tensor-cuda"),
      "@shrinkray/models": src("models"),
      "@shrinkray/gptq": src("gptq"),
      "@shrinkray/kd-losses": src("kd-losses"),
      "@shrinkray/distill": src("distill"),
      "@shrinkray/sparse-layers": src("sparse-layers"),
      "@shrinkray/switchable-quant": src("switchable-quant"),
      "@shrinkray/answer-extract": src("answer-extract"),
      "@shrinkray/eval-gsm8k": src("eval-gsm8k"),
      "@shrinkray/eval-rupbench": src("eval-rupbench"),
      "@shrinkray/eval-perplexity": src("eval-perplexity"),
      "@shrinkray/eval-mmlu": src("eval-mmlu"),
      "@shrinkray/eval-squad": src("eval-squad"),
      "@shrinkray/openai-lm": src("openai-lm"),
      "@shrinkray/onnx-export": src("onnx-export"),
    },
  },
  test: { name: "runner", include: ["src/**/*.test.ts"], testTimeout: 300_000 },
});
