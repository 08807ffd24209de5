import { unzipSync } from "fflate";

/** Archive debris from macOS and Jupyter that the released zips carry. */
export function isArchiveJunk(name: string): boolean {
  const base = name.split("/").pop() ?? name;
  return (
    name.startsWith("__MACOSX/") ||
    name.includes("/__MACOSX/") ||
    name.includes(".ipynb_checkpoints/") ||
    base.startsWith("._") ||
    base === ".DS_Store"
  );
}

/** The CSV files of a zip archive as text, keyed by base name, junk entries skipped. */
export function unzipCsvFiles(bytes: Uint8Array): Map<string, string> {
  const entries = unzipSync(bytes, {
    filter: (f) => !isArchiveJunk(f.name) && f.name.toLowerCase().endsWith(".csv"),
  });
  const decoder = new TextDecoder("utf-8");
  const out = new Map<string, string>();
  for (const name of Object.keys(entries).sort()) {
    out.set(name.split("/").pop()!, decoder.decode(entries[name]));
  }
  return out;
}
