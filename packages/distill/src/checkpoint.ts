/**
 * Checkpoints a run can resume from exactly: student weights, optimizer moments and counters,
 * scheduler step, data cursor, RNG state and the curves so far. Each is written into a temp
 * directory renamed into place, then `latest.json` is replaced atomically: a crash at any point
 * leaves the previous checkpoint intact and pointed at.
 */
import { randomBytes } from "node:crypto";
import { mkdir, readdir, readFile, rename, rm } from "node:fs/promises";
import { join } from "node:path";
import { io, type nn, type optim, type Tensor } from "@shrinkray/tensor-cuda";
import { writeJsonAtomic } from "./atomic.js";
import type { DataCursor } from "./batches.js";
import { CheckpointError } from "./errors.js";

export const LATEST = "latest.json";

/** Everything but tensors: what state.json holds. */
export interface TrainState {
  step: number;
  cursor: DataCursor;
  /** The RNG state: every draw is seeded from this seed and the step (see rng.ts). */
  rng: { seed: number };
  tokensSeen: number;
  lossCurve: { step: number; loss: number; lr: number; tokens: number }[];
  evals: { step: number; kl: number; ce: number; tokens: number }[];
  /** Identifies the run's data and batching; a checkpoint of another run is refused. */
  runKey: string;
}

interface Saved {
  state: TrainState;
  scheduler: { lastStep: number } | null;
  /** Optimizer hyperparameters and numeric state; tensors are in optimizer.safetensors. */
  optimizer: { paramGroups: unknown[]; numbers: Record<string, Record<string, number>> };
}

export interface Checkpointable {
  student: { stateDict(): Map<string, Tensor> };
  optimizer: optim.Optimizer<optim.BaseHyper>;
  scheduler: optim.LRScheduler | null;
}

const stepDir = (step: number) => `step-${String(step).padStart(7, "0")}`;

export async function saveCheckpoint(
  dir: string,
  parts: Checkpointable,
  state: TrainState,
  keep: number,
): Promise<string> {
  await mkdir(dir, { recursive: true });
  const name = stepDir(state.step);
  const tmp = join(dir, `.${name}.${randomBytes(4).toString("hex")}.tmp`);
  await mkdir(tmp);
  try {
    await io.saveSafetensors(join(tmp, "student.safetensors"), parts.student.stateDict());
    const osd = parts.optimizer.stateDict();
    const tensors = new Map<string, Tensor>();
    const numbers: Saved["optimizer"]["numbers"] = {};
    for (const [i, s] of Object.entries(osd.state)) {
      for (const [k, v] of Object.entries(s)) {
        if (typeof v === "number") (numbers[i] ??= {})[k] = v;
        else tensors.set(`${i}.${k}`, v);
      }
    }
    await io.saveSafetensors(join(tmp, "optimizer.safetensors"), tensors);
    const saved: Saved = {
      state,
      scheduler: parts.scheduler?.stateDict() ?? null,
      optimizer: { paramGroups: osd.paramGroups, numbers },
    };
    await writeJsonAtomic(join(tmp, "state.json"), saved);
    await rm(join(dir, name), { recursive: true, force: true });
    await rename(tmp, join(dir, name));
  } catch (e) {
    await rm(tmp, { recursive: true, force: true });
    throw e;
  }
  await writeJsonAtomic(join(dir, LATEST), { step: state.step, dir: name });
  await prune(dir, keep);
  return join(dir, name);
}

/** Keeps the newest `keep` checkpoints (0: all). */
async function prune(dir: string, keep: number): Promise<void> {
  if (keep <= 0) return;
  const all = (await readdir(dir)).filter((n) => /^step-\d+$/.test(n)).sort();
  for (const n of all.slice(0, Math.max(0, all.length - keep)))
    await rm(join(dir, n), { recursive: true, force: true });
}

/** The checkpoint `latest.json` points at, or the directory given; null when there is none yet. */
export async function findCheckpoint(dirOrCheckpoint: string): Promise<string | null> {
  try {
    const latest = JSON.parse(await readFile(join(dirOrCheckpoint, LATEST), "utf8"));
    return join(dirOrCheckpoint, latest.dir);
  } catch {
    try {
      await readFile(join(dirOrCheckpoint, "state.json"));
      return dirOrCheckpoint;
    } catch {
      return null;
    }
  }
}

/** Restores every part in place and returns the saved training state. */
export async function loadCheckpoint(
  path: string,
  parts: Checkpointable & { student: Pick<nn.AnyModule, "loadStateDict"> },
  runKey: string,
): Promise<TrainState> {
  let saved: Saved;
  try {
    saved = JSON.parse(await readFile(join(path, "state.json"), "utf8"));
  } catch (e) {
    throw new CheckpointError(path, `no readable state.json (${(e as Error).message})`);
  }
  if (saved.state.runKey !== runKey) {
    throw new CheckpointError(
      path,
      `belongs to another run (data, batching or seed differ: saved ${saved.state.runKey}, this run ${runKey})`,
    );
  }
  const weights = await io.loadSafetensors(join(path, "student.safetensors"));
  parts.student.loadStateDict(weights);
  const moments = await io.loadSafetensors(join(path, "optimizer.safetensors"));
  const state: Record<number, Record<string, Tensor | number>> = {};
  for (const [key, t] of moments) {
    const [i, k] = key.split(".");
    (state[Number(i)] ??= {})[k] = t;
  }
  for (const [i, nums] of Object.entries(saved.optimizer.numbers))
    Object.assign((state[Number(i)] ??= {}), nums);
  parts.optimizer.loadStateDict({
    state,
    paramGroups: saved.optimizer.paramGroups as optim.OptimizerStateDict<optim.BaseHyper>["paramGroups"],
  });
  if (saved.scheduler && parts.scheduler) parts.scheduler.loadStateDict(saved.scheduler);
  return saved.state;
}
