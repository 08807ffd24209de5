import type { FileHandle } from "node:fs/promises";
import { getBackend } from "../backend/registry.js";
import { byteSize } from "../dtype.js";
import type { Tensor } from "../tensor.js";
import { writeAt, writeFileAtomic } from "./atomic.js";
import { SafetensorsError } from "./errors.js";
import { type EntrySpec, encodeHeader } from "./header.js";
import { pathString, type RawTensor } from "./reader.js";

/** What can be saved: tensors on any device, or raw bytes straight from `raw()`. */
export type Storable = Tensor | RawTensor;
export type StorableMap = Map<string, Storable> | Record<string, Storable>;

function isTensor(v: Storable): v is Tensor {
  return (v as Tensor).isTensor === true;
}

export function entriesOf(tensors: StorableMap): [string, Storable][] {
  return tensors instanceof Map ? [...tensors.entries()] : Object.entries(tensors);
}

export function storedBytes(v: Storable): number {
  return v.shape.reduce((a, d) => a * d, 1) * byteSize(v.dtype);
}

/** The little-endian bytes of one tensor (read back from its device one tensor at a time). */
async function bytesOf(name: string, v: Storable, file: string): Promise<Uint8Array> {
  // The backend's read, not Tensor.data(): on the CPU it hands over the live array, sparing
  // a copy of every tensor; the bytes are only read, never kept or changed.
  const bytes = isTensor(v)
    ? await getBackend(v.device)
        .read(v.storage)
        .then((a) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength))
    : v.bytes;
  if (bytes.byteLength !== storedBytes(v)) {
    const need = `${v.dtype} [${v.shape.join(", ")}] needs ${storedBytes(v)}`;
    throw new SafetensorsError(file, `has ${bytes.byteLength} bytes, but ${need}`, { tensor: name });
  }
  return bytes;
}

/**
 * Writes a .safetensors file atomically (temp file + rename). The header is built from shapes
 * alone, then tensors are streamed one at a time, so peak memory is one tensor, not the model.
 * Layout and header text match the reference writer, and reading then re-saving one of our
 * files reproduces it byte for byte.
 */
export async function saveSafetensors(
  path: string | URL,
  tensors: StorableMap,
  metadata?: Record<string, string>,
): Promise<void> {
  const file = pathString(path);
  const items = entriesOf(tensors);
  const byName = new Map(items);
  const specs: EntrySpec[] = items.map(([name, v]) => {
    if (!v || !Array.isArray(v.shape) || typeof v.dtype !== "string") {
      throw new SafetensorsError(file, "is neither a Tensor nor {dtype, shape, bytes}", { tensor: name });
    }
    return { name, dtype: v.dtype, shape: v.shape };
  });
  const { bytes: header, entries } = encodeHeader(specs, metadata, file);
  await writeFileAtomic(file, async (fh: FileHandle) => {
    await writeAt(fh, header, 0);
    for (const e of entries) {
      await writeAt(fh, await bytesOf(e.name, byName.get(e.name)!, file), header.length + e.begin);
    }
  });
}
