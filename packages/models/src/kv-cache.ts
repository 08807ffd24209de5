/**
 * Keys and values of earlier tokens, one pair per decoder layer, so each generation step runs
 * the new token only. It also remembers the attention mask seen so far: a left-padded batch
 * keeps masking its padding on every later step.
 */
import type { Tensor } from "@shrinkray/tensor-cuda";
import { ops } from "@shrinkray/tensor-cuda";

export class KVCache {
  private readonly keys: (Tensor | null)[];
  private readonly values: (Tensor | null)[];
  /** Tokens cached so far (the past length of the next forward). */
  length = 0;
  /** The 0/1 mask of the cached tokens, [batch, length] row-major; null while no token was masked. */
  mask: Int32Array | null = null;
  batch = 0;

  constructor(readonly numLayers: number) {
    this.keys = new Array(numLayers).fill(null);
    this.values = new Array(numLayers).fill(null);
  }

  /** Appends k, v [B, Hkv, T, D] to layer `i` and returns the whole cached k, v [B, Hkv, S, D]. */
  update(i: number, k: Tensor, v: Tensor): [Tensor, Tensor] {
    const ok = this.keys[i];
    const ov = this.values[i];
    const nk = ok ? ops.cat([ok, k], 2) : k;
    const nv = ov ? ops.cat([ov, v], 2) : v;
    // Persistent so that a tidy() around a decoding step does not free the cache.
    nk.persistent = true;
    nv.persistent = true;
    // Old entries are garbage once concatenated, unless an autograd graph still reads them.
    if (ok && !nk.gradFn && ok !== nk) ok.dispose();
    if (ov && !nv.gradFn && ov !== nv) ov.dispose();
    this.keys[i] = nk;
    this.values[i] = nv;
    return [nk, nv];
  }

  /** The cached keys of layer i, [B, Hkv, S, D] (null before the first forward). */
  layerKeys(i: number): Tensor | null {
    return this.keys[i];
  }

  dispose(): void {
    for (const t of [...this.keys, ...this.values]) t?.dispose();
    this.keys.fill(null);
    this.values.fill(null);
    this.length = 0;
    this.mask = null;
  }
}
