/**
 * The external data file beside model.onnx: initializers are appended as they are made, so an
 * export holds one weight at a time in memory rather than the whole model, and model.onnx stays
 * small (ONNX protobufs cannot exceed 2 GB). Offsets are aligned so that a runtime that maps
 * the file can view each tensor in place.
 */
import { closeSync, fsyncSync, openSync, writeSync } from "node:fs";

const ALIGN = 64;
const CHUNK = 1 << 30;

export class ExternalData {
  private fd: number | null;
  private at = 0;

  /** `path` is created (truncated); `location` is the name model.onnx records, relative to it. */
  constructor(
    path: string,
    readonly location: string,
  ) {
    this.fd = openSync(path, "w");
  }

  get bytesWritten(): number {
    return this.at;
  }

  append(bytes: Uint8Array): { location: string; offset: number; length: number } {
    if (this.fd === null) throw new Error(`external data ${this.location} is already closed`);
    const pad = (ALIGN - (this.at % ALIGN)) % ALIGN;
    if (pad) {
      writeSync(this.fd, new Uint8Array(pad));
      this.at += pad;
    }
    const offset = this.at;
    // One write(2) is capped near 2 GiB; an embedding of a large vocabulary can exceed it.
    let done = 0;
    while (done < bytes.length) done += writeSync(this.fd, bytes, done, Math.min(CHUNK, bytes.length - done));
    this.at += bytes.length;
    return { location: this.location, offset, length: bytes.length };
  }

  close(): void {
    if (this.fd === null) return;
    fsyncSync(this.fd);
    closeSync(this.fd);
    this.fd = null;
  }
}
