/**
 * Rotary embedding frequencies with Hugging Face's `rope_scaling` variants. tensor-cuda's
 * ropeTables knows only the plain `theta` schedule, so the tables are built here from an
 * explicit inv_freq; angles are computed in float32 as transformers computes them.
 */
import { Tensor } from "@shrinkray/tensor-cuda";
import type { ConfigReader } from "./config.js";

export interface RopeSpec {
  headDim: number;
  /** Per frequency pair, float32-rounded: 1 / theta^(2j/headDim), after scaling. */
  invFreq: Float32Array;
}

export const SUPPORTED_ROPE_SCALING = ["default", "linear", "llama3"] as const;

export function ropeSpec(cfg: ConfigReader, headDim: number): RopeSpec {
  const theta = cfg.num("rope_theta", 10000);
  const half = headDim / 2;
  const inv = new Float32Array(half);
  for (let j = 0; j < half; j++)
    inv[j] = Math.fround(1 / Math.fround(theta ** Math.fround((2 * j) / headDim)));
  const scaling = cfg.raw.rope_scaling as Record<string, unknown> | null | undefined;
  if (!scaling) return { headDim, invFreq: inv };
  const type = String(scaling.rope_type ?? scaling.type ?? "default");
  const factor = Number(scaling.factor ?? 1);
  switch (type) {
    case "default":
      break;
    case "linear":
      // Positions divided by the factor is the same as frequencies divided by it.
      for (let j = 0; j < half; j++) inv[j] = Math.fround(inv[j] / factor);
      break;
    case "llama3":
      llama3Scaling(inv, factor, scaling, cfg);
      break;
    default:
      cfg.fail(
        "rope_scaling",
        `type ${JSON.stringify(type)} is not supported; supported: ${SUPPORTED_ROPE_SCALING.join(", ")}`,
      );
  }
  return { headDim, invFreq: inv };
}

/** Llama 3.1's schedule: long wavelengths slowed by `factor`, short kept, a smooth ramp between. */
function llama3Scaling(
  inv: Float32Array,
  factor: number,
  s: Record<string, unknown>,
  cfg: ConfigReader,
): void {
  const low = Number(s.low_freq_factor ?? 1);
  const high = Number(s.high_freq_factor ?? 4);
  const oldLen = Number(
    s.original_max_position_embeddings ?? cfg.raw.original_max_position_embeddings ?? 8192,
  );
  const lowWavelen = oldLen / low;
  const highWavelen = oldLen / high;
  for (let j = 0; j < inv.length; j++) {
    const f = inv[j];
    const wavelen = (2 * Math.PI) / f;
    let g = wavelen > lowWavelen ? f / factor : f;
    if (!(wavelen < highWavelen) && !(wavelen > lowWavelen)) {
      const smooth = (oldLen / wavelen - low) / (high - low);
      g = (1 - smooth) * (g / factor) + smooth * g;
    }
    inv[j] = Math.fround(g);
  }
}

/**
 * cos/sin tables in the rotate-half layout for `positions` (int32, any shape [...]):
 * shape [..., headDim]. Callers add the head axis so the tables broadcast over heads.
 */
export function rotaryTables(
  spec: RopeSpec,
  positions: Int32Array,
  shape: readonly number[],
): { cos: Tensor; sin: Tensor } {
  const { headDim, invFreq } = spec;
  const half = headDim / 2;
  const cos = new Float32Array(positions.length * headDim);
  const sin = new Float32Array(positions.length * headDim);
  for (let i = 0; i < positions.length; i++) {
    const o = i * headDim;
    for (let j = 0; j < half; j++) {
      const ang = Math.fround(positions[i] * invFreq[j]);
      cos[o + j] = cos[o + j + half] = Math.cos(ang);
      sin[o + j] = sin[o + j + half] = Math.sin(ang);
    }
  }
  return { cos: Tensor.from(cos, [...shape, headDim]), sin: Tensor.from(sin, [...shape, headDim]) };
}
