import { createWriteStream, existsSync, mkdirSync, renameSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { RunnerError } from "../cli/errors.js";

/**
 * `shrinkray pull <hub-id>`: downloads a model or dataset repository from the Hugging Face Hub
 * (or any server speaking its API: `--endpoint`), for users who have a network. Files are listed
 * with /api/{models|datasets}/<id>/revision/<rev> and fetched from /<id>/resolve/<rev>/<path>;
 * each is written through a temp file, so an interrupted pull never leaves half a file, and files
 * already present with the right size are skipped (a re-run resumes).
 */
export interface PullOptions {
  endpoint?: string;
  revision?: string;
  repoType?: "model" | "dataset";
  /** Only files matching one of these (e.g. ["*.json", "*.safetensors"]). */
  include?: string[];
  token?: string;
  onFile?: (path: string, bytes: number, skipped: boolean) => void;
}

interface Sibling {
  rfilename: string;
  size?: number;
}

function globToRegExp(glob: string): RegExp {
  return new RegExp(
    `^${glob
      .replace(/[.+^${}()|[\]\\]/g, "\\$&")
      .replace(/\*/g, ".*")
      .replace(/\?/g, ".")}$`,
  );
}

export async function pull(repoId: string, toDir: string, opts: PullOptions = {}): Promise<string[]> {
  if (!/^[\w.-]+(\/[\w.-]+)?$/.test(repoId))
    throw new RunnerError(`pull: "${repoId}" is not a Hub id (owner/name)`);
  const endpoint = (opts.endpoint ?? process.env.HF_ENDPOINT ?? "https://huggingface.co").replace(/\/$/, "");
  const revision = opts.revision ?? "main";
  const type = opts.repoType ?? "model";
  const headers: Record<string, string> = {};
  const token = opts.token ?? process.env.HF_TOKEN;
  if (token) headers.authorization = `Bearer ${token}`;
  const prefix = type === "dataset" ? "datasets/" : "";
  const infoUrl = `${endpoint}/api/${type}s/${repoId}/revision/${encodeURIComponent(revision)}`;
  let res: Response;
  try {
    res = await fetch(infoUrl, { headers });
  } catch (e) {
    throw new RunnerError(`pull: cannot reach ${endpoint} (${(e as Error).message})`);
  }
  if (!res.ok) throw new RunnerError(`pull: ${infoUrl} answered ${res.status} ${res.statusText}`);
  const info = (await res.json()) as { siblings?: Sibling[] };
  if (!Array.isArray(info.siblings))
    throw new RunnerError(`pull: ${infoUrl} returned no file list ("siblings")`);
  const include = (opts.include ?? []).map(globToRegExp);
  const files = info.siblings.filter(
    (s) => include.length === 0 || include.some((re) => re.test(s.rfilename)),
  );
  const written: string[] = [];
  for (const f of files) {
    if (f.rfilename.split("/").some((part) => part === ".." || part === "")) {
      throw new RunnerError(`pull: refusing the unsafe file name "${f.rfilename}"`);
    }
    const dest = join(toDir, f.rfilename);
    const { size: have } = existsSync(dest)
      ? await import("node:fs").then((fs) => fs.statSync(dest))
      : { size: -1 };
    if (f.size !== undefined && have === f.size) {
      opts.onFile?.(f.rfilename, have, true);
      continue;
    }
    const url = `${endpoint}/${prefix}${repoId}/resolve/${encodeURIComponent(revision)}/${f.rfilename.split("/").map(encodeURIComponent).join("/")}`;
    const r = await fetch(url, { headers });
    if (!r.ok || !r.body) throw new RunnerError(`pull: ${url} answered ${r.status} ${r.statusText}`);
    mkdirSync(dirname(dest), { recursive: true });
    const tmp = `${dest}.part-${process.pid}`;
    try {
      await pipeline(Readable.fromWeb(r.body as never), createWriteStream(tmp));
      renameSync(tmp, dest);
    } catch (e) {
      rmSync(tmp, { force: true });
      throw new RunnerError(`pull: downloading ${url} failed (${(e as Error).message})`);
    }
    const { size } = await import("node:fs").then((fs) => fs.statSync(dest));
    opts.onFile?.(f.rfilename, size, false);
    written.push(dest);
  }
  return written;
}
