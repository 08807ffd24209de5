import { roundHalfEven } from "@shrinkray/gptq";
import { Generator } from "@shrinkray/tensor-cuda";
import { type BitWidth, checkBitWidth } from "./bits.js";

/** The width(s) to train at on step t (0-based). */
export type BitSchedule = (step: number) => BitWidth;

/** Cycles through a fixed list: 4, 8, 16, 32, 4, 8, ... */
export function staticSchedule(widths: readonly BitWidth[]): BitSchedule {
  if (widths.length === 0) throw new RangeError("staticSchedule: the list of widths is empty");
  for (const b of widths) checkBitWidth(b, "staticSchedule");
  return (t) => widths[t % widths.length];
}

export interface CptOptions {
  min: number;
  max: number;
  /** Steps per cycle (CPT's T_n, the total steps divided by the number of cycles). */
  period: number;
}

/**
 * Cyclic precision training (Fu et al., ICLR 2021, eq. 1):
 *   B_t = round(B_min + ½(B_max − B_min)(1 − cos(π·(t mod T)/T)))
 * Each period rises from B_min towards B_max along half a cosine, then drops back to B_min. The
 * rounding is to nearest, half to even: the paper writes ⌈·⌋, and its code (RICE-EIC/CPT,
 * `cyclic_adjust_precision`) uses np.rint on min + ½(max − min)(1 + cos(π·(t mod T)/T + π)),
 * which is the same curve. Widths the schedule lands on must be valid (2–8 between min and max).
 */
export function cptSchedule(o: CptOptions): BitSchedule {
  if (!(Number.isInteger(o.period) && o.period > 0))
    throw new RangeError(`cptSchedule: period must be a positive integer, got ${o.period}`);
  if (!(o.min <= o.max)) throw new RangeError(`cptSchedule: min (${o.min}) must not exceed max (${o.max})`);
  checkBitWidth(o.min, "cptSchedule min");
  checkBitWidth(o.max, "cptSchedule max");
  return (t) => {
    const phase = (t % o.period) / o.period;
    const b = roundHalfEven(o.min + 0.5 * (o.max - o.min) * (1 - Math.cos(Math.PI * phase)));
    checkBitWidth(b, `cptSchedule step ${t}`);
    return b;
  };
}

/**
 * A width drawn uniformly from `widths` each step (Double-Win Quant's random precision), from a
 * seeded generator so that a run repeats; the draw for step t depends only on (seed, t).
 */
export function randomSchedule(widths: readonly BitWidth[], seed = 0): BitSchedule {
  if (widths.length === 0) throw new RangeError("randomSchedule: the list of widths is empty");
  for (const b of widths) checkBitWidth(b, "randomSchedule");
  return (t) => widths[new Generator((seed * 1_000_003 + t) >>> 0).int(widths.length)];
}
