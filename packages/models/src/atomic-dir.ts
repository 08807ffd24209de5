/** Writing a whole directory so readers see the old one or the complete new one, never a part. */
import { randomBytes } from "node:crypto";
import { mkdir, readdir, rename, rm, stat } from "node:fs/promises";
import { basename, dirname, join, resolve } from "node:path";
import { ModelConfigError } from "./errors.js";

/**
 * Fills a fresh sibling of `dir` with `fill`, then swaps it into place with renames. An existing
 * `dir` is replaced only when it is empty or a model directory (has a config.json): anything
 * else is refused before any work, so a mistyped --out never deletes a user's folder. On error
 * the half-written sibling is removed and `dir` is untouched.
 */
export async function writeDirAtomic(dir: string, fill: (tmp: string) => Promise<void>): Promise<void> {
  const target = resolve(dir);
  const parent = dirname(target);
  const existing = await stat(target).catch(() => null);
  if (existing) {
    if (!existing.isDirectory()) throw new ModelConfigError(target, "exists and is not a directory");
    const entries = await readdir(target);
    if (entries.length && !entries.includes("config.json"))
      throw new ModelConfigError(
        target,
        "exists, is not empty and is not a model directory (no config.json); not replacing it",
      );
  }
  await mkdir(parent, { recursive: true });
  const tag = `${process.pid}-${randomBytes(4).toString("hex")}`;
  const tmp = join(parent, `.${basename(target)}.tmp-${tag}`);
  await mkdir(tmp);
  try {
    await fill(tmp);
  } catch (e) {
    await rm(tmp, { recursive: true, force: true });
    throw e;
  }
  if (!existing) {
    await rename(tmp, target);
    return;
  }
  const old = join(parent, `.${basename(target)}.old-${tag}`);
  await rename(target, old);
  await rename(tmp, target);
  await rm(old, { recursive: true, force: true });
}
