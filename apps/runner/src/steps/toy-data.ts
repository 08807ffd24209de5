import type { Gsm8kItem } from "@shrinkray/eval-gsm8k";
import type { RupItem } from "@shrinkray/eval-rupbench";

// Filled in once the toy world's generators land (src/toy/).
export function toyGsm8k(_count: number, _seed: number): Gsm8kItem[] {
  throw new Error("toy-gsm8k data are not available yet");
}

export function toyRupbench(_count: number, _seed: number): RupItem[] {
  throw new Error("toy-rupbench data are not available yet");
}
