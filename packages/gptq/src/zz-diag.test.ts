import { test } from "vitest";
import { gptqQuantize } from "./gptq.js";
import { readSafetensors } from "./test-fixtures.js";
test("diag", () => {
  const inp = readSafetensors("inputs.safetensors");
  const w = inp.get("weight")!;
  for (const name of ["b4_g32_asym", "b3_g16_asym"]) {
    const ref = readSafetensors(`${name}.safetensors`);
    const r = gptqQuantize(w, ref.get("hessian")!, { bits: name.startsWith("b3") ? 3 : 4, groupSize: name.startsWith("b3") ? 16 : 32 });
    const a = r.dequantized.dataSync() as Float32Array, b = ref.get("dequantized")!.dataSync() as Float32Array;
    const cols = new Map<number, number>();
    for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) cols.set(i % 320, (cols.get(i % 320) ?? 0) + 1);
    console.log(name, [...cols.entries()].slice(0, 40).join(" | "));
  }
});
