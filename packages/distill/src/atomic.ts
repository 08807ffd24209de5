/** Temp file + rename (tensor-cuda's atomic write), so a reader never sees half of a file. */
import { mkdir } from "node:fs/promises";
import { dirname } from "node:path";
import { io } from "@shrinkray/tensor-cuda";

export async function writeFileAtomic(file: string, data: string | Uint8Array): Promise<void> {
  await mkdir(dirname(file), { recursive: true });
  await io.writeBytesAtomic(file, data);
}

export const writeJsonAtomic = (file: string, value: unknown) =>
  writeFileAtomic(file, `${JSON.stringify(value, null, 2)}\n`);
