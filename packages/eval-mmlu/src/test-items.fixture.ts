import type { MmluItem } from "./dataset.js";

export function item(subject: string, row: number, answer: number, question = `Q${row}?`): MmluItem {
  return { id: `${subject}-${row}`, subject, question, choices: ["w", "x", "y", "z"], answer };
}
