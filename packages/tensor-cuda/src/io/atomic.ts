import { randomBytes } from "node:crypto";
import { type FileHandle, open, rename, rm } from "node:fs/promises";
import { asSafetensorsError } from "./errors.js";

// One write(2) is capped near 2 GiB by libuv; larger buffers go in pieces.
const CHUNK = 1 << 30;

/** Writes all of `bytes` at `position` (a single write may be short). */
export async function writeAt(fh: FileHandle, bytes: Uint8Array, position: number): Promise<void> {
  let done = 0;
  while (done < bytes.length) {
    const len = Math.min(CHUNK, bytes.length - done);
    const { bytesWritten } = await fh.write(bytes, done, len, position + done);
    done += bytesWritten;
  }
}

/**
 * Writes `path` so that readers see either the old file or the whole new one, never a part:
 * the content goes to a temp file beside it (same directory, so the rename cannot cross file
 * systems), is flushed to disk, then renamed over. On any error the temp file is removed and
 * the error is rethrown as a SafetensorsError naming `path`.
 */
export async function writeFileAtomic(path: string, write: (fh: FileHandle) => Promise<void>): Promise<void> {
  const tmp = `${path}.tmp-${process.pid}-${randomBytes(6).toString("hex")}`;
  let fh: FileHandle | undefined;
  try {
    fh = await open(tmp, "wx");
    await write(fh);
    // Without the flush a crash just after rename can leave an empty file under the final name.
    await fh.datasync();
    await fh.close();
    fh = undefined;
    await rename(tmp, path);
  } catch (e) {
    await fh?.close().catch(() => {});
    await rm(tmp, { force: true }).catch(() => {});
    throw asSafetensorsError(path, e, "write failed");
  }
}

/** Writes a whole file (text or bytes) atomically: temp file, flush, rename. */
export async function writeBytesAtomic(path: string, data: string | Uint8Array): Promise<void> {
  const bytes = typeof data === "string" ? new TextEncoder().encode(data) : data;
  await writeFileAtomic(path, (fh) => writeAt(fh, bytes, 0));
}
