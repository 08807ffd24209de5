/** OUT/README.md: what the folder holds and how each layer was stored, so a reader can check it. */
import type { LayerExport } from "./layers/linear.js";

export function modelCard(modelType: string, layers: LayerExport[], dataBytes: number): string {
  const count = new Map<string, number>();
  for (const l of layers) {
    const key = l.kind === "matmulnbits" ? `MatMulNBits (${l.bits}-bit codes)` : l.kind;
    count.set(key, (count.get(key) ?? 0) + 1);
  }
  const rows = [...count].map(([k, n]) => `| ${k} | ${n} |`).join("\n");
  const fallbacks = layers.filter((l) => l.reason).map((l) => `- ${l.name}: stored as float (${l.reason})`);
  return `# ONNX export (${modelType})

Written by @shrinkray/onnx-export: \`onnx/model.onnx\` is a decoder graph with past key values
(inputs \`input_ids\`, \`attention_mask\`, \`position_ids\`, \`past_key_values.N.key/value\`;
outputs \`logits\`, \`present.N.key/value\`), its weights in \`onnx/model.onnx_data\`
(${(dataBytes / 1e6).toFixed(2)} MB). Load it with transformers.js
(\`AutoModelForCausalLM.from_pretrained(dir)\`) or an onnxruntime session.

| layers stored as | count |
|---|---|
${rows}
${fallbacks.length ? `\n${fallbacks.join("\n")}\n` : ""}`;
}
