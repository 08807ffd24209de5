import { createRequire } from "node:module";

/** koffi is a runtime dependency of the package; loaded through require so ESM and CJS agree. */
const require = createRequire(import.meta.url);
export type Koffi = any;

let koffi: Koffi | undefined;
export function loadKoffi(): Koffi {
  if (!koffi) koffi = require("koffi");
  return koffi;
}
