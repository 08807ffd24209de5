import { readFile } from "node:fs/promises";
import { io } from "@shrinkray/tensor-cuda";

/** Writes JSON so readers see the old file or the whole new one (tensor-cuda's atomic write). */
export function writeJsonAtomic(path: string, value: unknown): Promise<void> {
  return io.writeBytesAtomic(path, `${JSON.stringify(value, null, 2)}\n`);
}

/** The parsed file, or null when it does not exist; a malformed file is an error naming it. */
export async function readJsonIfExists(path: string): Promise<unknown | null> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw e;
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new SyntaxError(`${path}: not valid JSON: ${(e as Error).message}`);
  }
}
