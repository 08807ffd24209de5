import { io } from "@shrinkray/tensor-cuda";

/** Writes JSON so that readers see the old file or the whole new one (tensor-cuda's atomic write). */
export function writeJsonAtomic(path: string, value: unknown): Promise<void> {
  return io.writeBytesAtomic(path, `${JSON.stringify(value, null, 2)}\n`);
}
