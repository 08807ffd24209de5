import { type Bits, checkBits } from "./quantizer.js";

/** What GPTQ and RTN share: the grid and how columns are grouped. */
export interface GridOptions {
  bits: Bits;
  /** Columns per group sharing one scale and zero; -1 (default): one group per output channel. */
  groupSize?: number;
  /** Symmetric grid (zero at the middle code); default false. */
  sym?: boolean;
}

export interface ResolvedGrid {
  bits: Bits;
  maxq: number;
  groupSize: number;
  sym: boolean;
}

export function resolveGrid(opts: GridOptions, where: string): ResolvedGrid {
  if (opts === null || typeof opts !== "object") throw new TypeError(`${where}: options must be an object`);
  checkBits(opts.bits, where, "options.bits");
  const groupSize = opts.groupSize ?? -1;
  if (groupSize !== -1 && !(Number.isInteger(groupSize) && groupSize > 0)) {
    throw new RangeError(
      `${where}: options.groupSize must be a positive integer or -1 (per channel), got ${groupSize}`,
    );
  }
  return { bits: opts.bits, maxq: 2 ** opts.bits - 1, groupSize, sym: opts.sym ?? false };
}

/** Groups along the input axis: ceil(in / groupSize), or 1 per channel. */
export function groupCount(columns: number, groupSize: number): number {
  return groupSize === -1 ? 1 : Math.ceil(columns / groupSize);
}
