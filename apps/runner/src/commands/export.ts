import { resolve } from "node:path";
import { loadPretrained } from "@shrinkray/models";
import { describeLayer, exportOnnx, exportSummary, loadForExport } from "@shrinkray/onnx-export";
import { loadSparseCheckpoint } from "@shrinkray/sparse-layers";
import { type ParsedArgs, requiredOption, stringOption, UsageError } from "../cli/args.js";

/**
 * `shrinkray export --model DIR --format onnx --out OUT [--base DIR] [--overwrite]`: a float or
 * GPTQ model directory (or a sparse-layers checkpoint on its --base model) to a transformers.js
 * / onnxruntime folder. The work is @shrinkray/onnx-export's; this only reads the flags.
 */
export async function exportCommand(args: ParsedArgs): Promise<void> {
  const dir = resolve(requiredOption(args, "model"));
  const format = stringOption(args, "format", "onnx");
  if (format !== "onnx") throw new UsageError(`export: --format ${format} is not supported (onnx)`);
  const out = resolve(requiredOption(args, "out"));
  const base = stringOption(args, "base");
  let model: Awaited<ReturnType<typeof loadForExport>>;
  if (base) {
    model = await loadPretrained(resolve(base));
    await loadSparseCheckpoint(dir, model);
  } else model = await loadForExport(dir);
  const result = await exportOnnx(model, out, {
    overwrite: args.options.get("overwrite") === true,
    onLayer: (l) => process.stderr.write(`export ${describeLayer(l)}\n`),
  });
  process.stdout.write(`${exportSummary(result)}\n`);
}
