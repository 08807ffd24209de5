/** One line per layer for progress, and the closing summary a command prints. */
import type { ExportResult } from "./export.js";
import type { LayerExport } from "./layers/linear.js";

export function describeLayer(l: LayerExport): string {
  const how =
    l.kind === "matmulnbits"
      ? `MatMulNBits, ${l.bits}-bit codes${l.actOrder ? ", act-order" : ""}`
      : l.kind === "dequantized"
        ? `float MatMul (${l.bits}-bit layer: ${l.reason})`
        : l.kind;
  return `${l.name}: ${how}`;
}

export function exportSummary(r: ExportResult): string {
  const mb = (b: number) => `${(b / 1e6).toFixed(2)} MB`;
  const byKind = new Map<string, number>();
  for (const l of r.layers) byKind.set(l.kind, (byKind.get(l.kind) ?? 0) + 1);
  const kinds = [...byKind].map(([k, n]) => `${n} ${k}`).join(", ");
  return `${r.dir}: onnx/model.onnx ${mb(r.graphBytes)} + onnx/model.onnx_data ${mb(r.dataBytes)}; layers: ${kinds}; ${r.seconds.toFixed(1)} s`;
}
