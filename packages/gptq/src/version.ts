import { readFileSync } from "node:fs";

/**
 * This package's version, for the `meta.quantizer` tag of the checkpoints it writes. Read from
 * package.json beside src/ or dist/ (both sit one level below it).
 */
export const PACKAGE_VERSION: string = readVersion();

function readVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8"));
    return typeof pkg.version === "string" ? pkg.version : "unknown";
  } catch {
    return "unknown";
  }
}
