import { existsSync, mkdirSync } from "node:fs";
import { join, resolve } from "node:path";
import type { CausalLM } from "@shrinkray/models";
import { generateText } from "@shrinkray/models";
import { RunnerError } from "../cli/errors.js";
import { machineInfo, packageVersions, type Results, type VariantResult } from "../report/results.js";
import { writeRunReport } from "../report/write.js";
import { type Dataset, loadDataset } from "../steps/data.js";
import { withModelsOn } from "../steps/device.js";
import { handleFor, runEvaluation } from "../steps/evaluate.js";
import { loadStored, type StoredModel, writeModelCard } from "../steps/model-store.js";
import { runSensitivity } from "../steps/sensitivity.js";
import { buildVariant, type VariantInfo } from "../steps/variants.js";
import { resolvePath } from "./load.js";
import type { Experiment } from "./schema.js";
import { hashConfig, RunState } from "./state.js";

export interface RunOptions {
  /** Where the run directory goes (default: the experiment's `output`, else runs/<name>). */
  outDir?: string;
  restart?: boolean;
  log?: (line: string) => void;
}

/**
 * Runs an experiment: each variant is built (and checkpointed), every evaluation runs on every
 * variant, then the optional sensitivity scan, then the report. Each finished step is recorded
 * in state.json, so a re-run resumes after the last completed step.
 */
export async function runExperiment(x: Experiment, baseDir: string, opts: RunOptions = {}): Promise<Results> {
  const log = opts.log ?? ((l: string) => process.stderr.write(`${l}\n`));
  const modelDir = resolvePath(baseDir, x.model);
  if (!existsSync(join(modelDir, "config.json"))) {
    throw new RunnerError(
      `${modelDir}: not a model directory (expected a Hugging Face folder with config.json)`,
    );
  }
  const dir = resolve(opts.outDir ?? resolvePath(baseDir, x.output ?? join("runs", x.name)));
  try {
    mkdirSync(dir, { recursive: true });
  } catch (e) {
    throw new RunnerError(`${dir}: cannot create the run directory (${(e as Error).message})`);
  }
  const state = new RunState(dir, hashConfig(x), opts.restart);
  const timings: Record<string, number> = {};
  const step = async <T>(id: string, fn: () => Promise<T>): Promise<T> => {
    if (state.has(id)) {
      log(`[skip] ${id} (done in an earlier run)`);
      timings[id] = state.steps[id].seconds;
      return state.get<T>(id)!;
    }
    log(`[step] ${id}`);
    const t = performance.now();
    const result = await fn();
    const secs = (performance.now() - t) / 1000;
    timings[id] = secs;
    state.record(id, result, secs);
    return result;
  };

  const datasets = new Map<string, Dataset>();
  const data = async (name: string) => {
    let d = datasets.get(name);
    if (!d) {
      d = await loadDataset(name, x.data[name], baseDir);
      datasets.set(name, d);
    }
    return d;
  };

  const device = x.device ?? "cpu";
  const live = new Map<string, CausalLM>();
  const stored = new Map<string, StoredModel>();
  const getModel = async (name: string): Promise<CausalLM> => {
    let m = live.get(name);
    if (!m) {
      const s = stored.get(name);
      if (!s) throw new RunnerError(`variant "${name}" has not been built`);
      m = await loadStored(s);
      live.set(name, m);
    }
    return m;
  };

  const variants: VariantResult[] = [];
  for (const v of x.variants) {
    const info = await step<VariantInfo>(`variant:${v.name}`, async () => {
      const built = await buildVariant(v, {
        experiment: x,
        baseDir,
        modelDir,
        variantDir: join(dir, "variants", v.name),
        workDir: join(dir, "work", v.name),
        parent: v.from ? await getModel(v.from) : null,
        parentDir: v.from ? (stored.get(v.from)?.dir ?? null) : null,
        getModel,
        data,
        log,
      });
      live.set(v.name, built.model);
      return built.info;
    });
    stored.set(v.name, info.stored);
    const result: VariantResult = {
      name: v.name,
      method: info.method,
      bitsPerWeight: info.bitsPerWeight,
      parameters: info.parameters,
      sizeOnDiskBytes: info.sizeOnDiskBytes,
      metrics: [],
      curves: info.curves,
      extra: info.extra,
    };
    for (const [i, e] of x.evaluate.entries()) {
      const outcome = await step(`eval:${v.name}:${i}:${e.task}`, async () => {
        const workDir = join(dir, "evals", v.name, `${i}-${e.task}`);
        mkdirSync(workDir, { recursive: true });
        const m = await getModel(v.name);
        const d = await data(e.data);
        return withModelsOn(device, [m], () => runEvaluation(e, handleFor(m), d, e.data, workDir));
      });
      result.metrics.push(...outcome.metrics);
    }
    // The variant's own directory gets the metrics measured on it in its model card.
    if (info.card && info.stored.dir === join(dir, "variants", v.name) && result.metrics.length)
      await writeModelCard(info.stored.dir, { ...info.card, metrics: result.metrics });
    if (x.samples?.length) {
      result.samples = await step(`samples:${v.name}`, async () => {
        const m = await getModel(v.name);
        const outputs = await withModelsOn(device, [m], () =>
          generateText(m, x.samples!, { maxNewTokens: 64 }),
        );
        return x.samples!.map((prompt, i) => ({ prompt, output: outputs[i] }));
      });
    }
    variants.push(result);
    // Keep memory to what the next steps need: the latest variant and what others derive from.
    for (const name of [...live.keys()]) {
      const needed = x.variants.some(
        (w) =>
          w.from === name || (w.distill?.teacher?.kind === "model" && w.distill.teacher.variant === name),
      );
      if (name !== v.name && !needed) live.delete(name);
    }
  }

  let sensitivity: unknown;
  if (x.sensitivity) {
    const s = x.sensitivity;
    sensitivity = await step("sensitivity", async () =>
      runSensitivity(
        s,
        await getModel(s.variant ?? x.variants[0].name),
        x.evaluate[s.eval],
        await data(x.evaluate[s.eval].data),
        log,
      ),
    );
  }

  const results: Results = {
    experiment: x.name,
    config: x,
    createdAt: new Date().toISOString(),
    versions: packageVersions(),
    machine: machineInfo(),
    timings,
    variants,
    sensitivity,
  };
  writeRunReport(dir, results);
  log(`report: ${join(dir, "report.md")}`);
  return results;
}
