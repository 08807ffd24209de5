import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { writeJsonAtomic } from "../cli/atomic.js";
import { RunnerError } from "../cli/errors.js";

export interface StepRecord {
  seconds: number;
  result: unknown;
  finishedAt: string;
}

/**
 * The run directory's memory of finished steps (state.json, written atomically after each step),
 * so a re-run resumes after the last completed step. A run belongs to one configuration: the
 * hash guards against resuming with a changed file.
 */
export class RunState {
  private readonly file: string;
  readonly steps: Record<string, StepRecord>;

  constructor(
    readonly dir: string,
    readonly configHash: string,
    restart = false,
  ) {
    this.file = join(dir, "state.json");
    if (existsSync(this.file) && !restart) {
      const saved = JSON.parse(readFileSync(this.file, "utf8")) as {
        configHash: string;
        steps: Record<string, StepRecord>;
      };
      if (saved.configHash !== configHash) {
        throw new RunnerError(
          `${this.file}: the experiment changed since this run started; pass --restart to start over, or use another output directory`,
        );
      }
      this.steps = saved.steps;
    } else this.steps = {};
  }

  has(id: string): boolean {
    return id in this.steps;
  }

  get<T>(id: string): T | undefined {
    return this.steps[id]?.result as T | undefined;
  }

  record(id: string, result: unknown, seconds: number): void {
    this.steps[id] = { seconds, result, finishedAt: new Date().toISOString() };
    writeJsonAtomic(this.file, { configHash: this.configHash, steps: this.steps });
  }
}

export function hashConfig(config: unknown): string {
  return createHash("sha256").update(JSON.stringify(config)).digest("hex").slice(0, 16);
}
