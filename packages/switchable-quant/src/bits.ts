/**
 * Bit-widths a layer can run at: 2–8 are simulated integer grids; 16 and 32 mean "not quantized"
 * (the float weight is used as is), so a schedule such as 4, 8, 16, 32 is one list of numbers.
 */
export type BitWidth = 2 | 3 | 4 | 5 | 6 | 7 | 8 | 16 | 32;

export const BIT_WIDTHS: readonly BitWidth[] = [2, 3, 4, 5, 6, 7, 8, 16, 32];

/** Full precision, the width a layer starts at. */
export const FULL_PRECISION: BitWidth = 32;

export class BitWidthError extends RangeError {
  override name = "BitWidthError";
}

/** Throws a BitWidthError naming `where` unless `bits` is one of BIT_WIDTHS. */
export function checkBitWidth(bits: unknown, where: string): asserts bits is BitWidth {
  if (!BIT_WIDTHS.includes(bits as BitWidth)) {
    throw new BitWidthError(`${where}: bits must be one of ${BIT_WIDTHS.join(", ")}, got ${String(bits)}`);
  }
}

/** Whether a width is simulated on an integer grid (2–8) rather than left in float. */
export function isQuantized(bits: BitWidth): boolean {
  return bits <= 8;
}

/** How a weight is quantized: its width, columns per group (-1: per output channel) and grid. */
export interface QuantSpec {
  bits: BitWidth;
  groupSize: number;
  sym: boolean;
}

export function sameSpec(a: QuantSpec, b: QuantSpec): boolean {
  return a.bits === b.bits && (!isQuantized(a.bits) || (a.groupSize === b.groupSize && a.sym === b.sym));
}

export function checkGroupSize(groupSize: number, where: string): void {
  if (groupSize !== -1 && !(Number.isInteger(groupSize) && groupSize > 0)) {
    throw new RangeError(
      `${where}: groupSize must be a positive integer or -1 (per channel), got ${groupSize}`,
    );
  }
}
