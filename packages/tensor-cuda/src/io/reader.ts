import { type FileHandle, open } from "node:fs/promises";
import { endianness } from "node:os";
import { fileURLToPath } from "node:url";
import type { Device } from "../backend/backend.js";
import { allocArray, byteSize, type DType, type TypedArray } from "../dtype.js";
import { Tensor } from "../tensor.js";
import { asSafetensorsError, SafetensorsError } from "./errors.js";
import { type Header, type HeaderEntry, parseHeader, readHeaderLength, type TensorInfo } from "./header.js";

/** A tensor's bytes exactly as stored, for copying between files without decoding. */
export interface RawTensor {
  dtype: DType;
  shape: number[];
  bytes: Uint8Array;
}

export interface ReadOptions {
  /** Cast after reading (e.g. bfloat16 → float32 for CPU compute); default: the stored dtype. */
  dtype?: DType;
  device?: Device;
}

/** The lazy read API that one file and a sharded checkpoint both offer. */
export interface TensorReader {
  keys(): string[];
  has(name: string): boolean;
  info(name: string): TensorInfo;
  raw(name: string): Promise<RawTensor>;
  /** Reads a tensor's stored bytes into `into` (exactly its byteLength): no buffer of its own. */
  readInto(name: string, into: Uint8Array): Promise<void>;
  tensor(name: string, opts?: ReadOptions): Promise<Tensor>;
  metadata(): Record<string, string> | undefined;
  close(): Promise<void>;
}

// One read(2) is capped near 2 GiB by libuv; larger tensors are read in pieces.
const CHUNK = 1 << 30;

export function pathString(path: string | URL): string {
  return typeof path === "string" ? path : fileURLToPath(path);
}

async function readAt(
  fh: FileHandle,
  into: Uint8Array,
  position: number,
  file: string,
  what: string,
): Promise<void> {
  let done = 0;
  while (done < into.length) {
    const len = Math.min(CHUNK, into.length - done);
    const { bytesRead } = await fh.read(into, done, len, position + done);
    if (bytesRead === 0) {
      throw new SafetensorsError(
        file,
        `${what}: file ended after ${position + done} bytes (truncated while open?)`,
      );
    }
    done += bytesRead;
  }
}

/** Typed arrays use the machine's byte order and safetensors is little-endian by definition. */
function assertLittleEndian(file: string): void {
  if (endianness() !== "LE") throw new SafetensorsError(file, "big-endian machines are not supported");
}

/**
 * One .safetensors file opened lazily: `open` reads only the 8-byte length and the header, and
 * each `raw`/`tensor` call reads just that tensor's bytes with a positional read, so a
 * multi-gigabyte checkpoint costs memory only for the tensors actually asked for.
 */
export class SafetensorsFile implements TensorReader {
  /** Bytes read from disk so far (the header at open, then each tensor): a cheap I/O audit. */
  bytesRead = 0;
  private fh: FileHandle | null;

  private constructor(
    readonly path: string,
    fh: FileHandle,
    private readonly header: Header,
    private readonly dataStart: number,
    readonly fileSize: number,
    headerBytes: number,
  ) {
    this.fh = fh;
    this.bytesRead = headerBytes;
  }

  static async open(path: string | URL): Promise<SafetensorsFile> {
    const file = pathString(path);
    assertLittleEndian(file);
    let fh: FileHandle;
    try {
      fh = await open(file, "r");
    } catch (e) {
      throw asSafetensorsError(file, e, "cannot open");
    }
    try {
      const size = (await fh.stat()).size;
      const prefix = new Uint8Array(8);
      if (size >= 8) await readAt(fh, prefix, 0, file, "header length");
      const n = readHeaderLength(prefix, file, size);
      const json = new Uint8Array(n);
      await readAt(fh, json, 8, file, "header");
      const header = parseHeader(json, file, size - 8 - n);
      return new SafetensorsFile(file, fh, header, 8 + n, size, 8 + n);
    } catch (e) {
      await fh.close().catch(() => {});
      throw asSafetensorsError(file, e, "cannot read header");
    }
  }

  /** Tensor names in the order their data lies in the file. */
  keys(): string[] {
    return this.header.entries.map((e) => e.name);
  }

  has(name: string): boolean {
    return this.header.byName.has(name);
  }

  metadata(): Record<string, string> | undefined {
    return this.header.metadata && { ...this.header.metadata };
  }

  info(name: string): TensorInfo {
    const { dtype, shape, byteLength } = this.entry(name);
    return { dtype, shape: [...shape], byteLength };
  }

  async raw(name: string): Promise<RawTensor> {
    const e = this.entry(name);
    if (!this.fh) throw new SafetensorsError(this.path, "read after close()", { tensor: name });
    // A fresh buffer per tensor is aligned whatever the file offset, so typed views are safe.
    const bytes = new Uint8Array(e.byteLength);
    try {
      await readAt(this.fh, bytes, this.dataStart + e.begin, this.path, `tensor ${JSON.stringify(name)}`);
    } catch (err) {
      throw asSafetensorsError(this.path, err, `reading tensor ${JSON.stringify(name)}`);
    }
    this.bytesRead += e.byteLength;
    return { dtype: e.dtype, shape: [...e.shape], bytes };
  }

  async readInto(name: string, into: Uint8Array): Promise<void> {
    const e = this.entry(name);
    if (!this.fh) throw new SafetensorsError(this.path, "read after close()", { tensor: name });
    if (into.byteLength !== e.byteLength)
      throw new SafetensorsError(this.path, `readInto: ${into.byteLength} bytes given for ${e.byteLength}`, {
        tensor: name,
      });
    try {
      await readAt(this.fh, into, this.dataStart + e.begin, this.path, `tensor ${JSON.stringify(name)}`);
    } catch (err) {
      throw asSafetensorsError(this.path, err, `reading tensor ${JSON.stringify(name)}`);
    }
    this.bytesRead += e.byteLength;
  }

  async tensor(name: string, opts: ReadOptions = {}): Promise<Tensor> {
    return rawToTensor(await this.raw(name), opts);
  }

  async close(): Promise<void> {
    const fh = this.fh;
    this.fh = null;
    await fh?.close();
  }

  private entry(name: string): HeaderEntry {
    const e = this.header.byName.get(name);
    if (!e) throw new SafetensorsError(this.path, "no such tensor in this file", { tensor: name });
    return e;
  }
}

/** Wraps stored bytes as a tensor of their dtype (no copy), then casts if asked to. */
export function rawToTensor(raw: RawTensor, opts: ReadOptions = {}): Tensor {
  const { dtype, shape, bytes } = raw;
  let arr: TypedArray;
  if (bytes.byteOffset % byteSize(dtype) === 0) {
    const Ctor = allocArray(dtype, 0).constructor as new (
      b: ArrayBufferLike,
      o: number,
      n: number,
    ) => TypedArray;
    arr = new Ctor(bytes.buffer, bytes.byteOffset, bytes.byteLength / byteSize(dtype));
  } else {
    // An unaligned slice cannot back a typed array; copy it into a buffer of its own.
    arr = allocArray(dtype, bytes.byteLength / byteSize(dtype));
    new Uint8Array(arr.buffer).set(bytes);
  }
  const stored = Tensor.from(arr, shape, { dtype, device: opts.device });
  if (!opts.dtype || opts.dtype === dtype) return stored;
  const cast = stored.cast(opts.dtype);
  stored.dispose();
  return cast;
}

/** Every tensor of one file, in file order, each read by its own positional read. */
export async function loadSafetensors(
  path: string | URL,
  opts: ReadOptions = {},
): Promise<Map<string, Tensor>> {
  const f = await SafetensorsFile.open(path);
  try {
    const out = new Map<string, Tensor>();
    for (const name of f.keys()) out.set(name, await f.tensor(name, opts));
    return out;
  } finally {
    await f.close();
  }
}
