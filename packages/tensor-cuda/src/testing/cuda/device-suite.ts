import { describe, expect, it } from "vitest";
import { finiteDifferenceCases, gradcheckOnDevice } from "./device-gradcheck.js";
import { checkParity, parityCases } from "./parity.js";

/**
 * The shared test body of every CUDA device (emulated, host-compiled kernels, a real GPU): each
 * parity case against the CPU backend, then the float64 finite-difference checks on "cuda".
 * Test-only (it imports vitest); scripts/gpu/check.ts runs the same cases without it.
 */
export function describeDeviceSuite(what: string): void {
  describe(`${what}: parity with the CPU backend`, () => {
    for (const c of parityCases()) {
      it(c.name, async () => {
        expect(await checkParity(c, "cuda")).toBeGreaterThan(0);
      });
    }
  });
  describe(`${what}: finite-difference gradients (float64)`, () => {
    for (const c of finiteDifferenceCases()) {
      it(c.name, async () => {
        const r = await gradcheckOnDevice(c, "cuda");
        expect(r.checked).toBeGreaterThan(0);
        expect(r.maxAbsError).toBeLessThan(1e-5);
      });
    }
  });
}
