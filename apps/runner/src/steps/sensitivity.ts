import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { dequantizeModel } from "@shrinkray/gptq";
import type { CausalLM } from "@shrinkray/models";
import { mergeSparse } from "@shrinkray/sparse-layers";
import {
  type BitWidth,
  greedyLower,
  greedyPathTable,
  makeSwitchable,
  sensitivityScan,
  sensitivityTable,
} from "@shrinkray/switchable-quant";
import type { EvalSpec, Experiment } from "../experiment/schema.js";
import type { Dataset } from "./data.js";
import { handleFor, runEvaluation } from "./evaluate.js";

/**
 * Sensitivity per layer or sub-module at a low bit-width, then a greedy allocation under the
 * budget: the model's Linear layers become switchable (fake-quantized) for the scan only.
 */
export async function runSensitivity(
  s: NonNullable<Experiment["sensitivity"]>,
  model: CausalLM,
  evalSpec: EvalSpec,
  data: Dataset,
  log: (l: string) => void,
) {
  // The scan fake-quantizes Linear layers: a GPTQ model's packed layers and a sparse model's
  // grouped + low-rank ones become the float Linears they compute first.
  const dequantized = dequantizeModel(model);
  const merged = mergeSparse(model);
  if (dequantized.length)
    log(`sensitivity: ${dequantized.length} GPTQ layers dequantized to float for the scan`);
  if (merged.length)
    log(`sensitivity: ${merged.length} grouped/low-rank layers merged to dense for the scan`);
  // The head stays in full precision, as GPTQ leaves lm_head.
  makeSwitchable(model, { bits: 16, dynamic: { "-:lm_head": {} } });
  const scratch = mkdtempSync(join(tmpdir(), "shrinkray-sens-"));
  let calls = 0;
  const metric = async (m: unknown) => {
    const out = await runEvaluation(
      evalSpec,
      handleFor(m as CausalLM),
      data,
      evalSpec.data,
      join(scratch, String(calls++)),
    );
    return out.metrics[0].value;
  };
  const higherIsBetter = evalSpec.task !== "perplexity";
  const granularity = s.granularity === "layer" ? "coarse" : "fine";
  log(`sensitivity: flipping each ${s.granularity ?? "module"} to ${s.bits} bits`);
  const scan = await sensitivityScan(model, metric, {
    low: { bits: s.bits, groupSize: 32 },
    granularity,
    higherIsBetter,
  });
  const greedy = await greedyLower(model, metric, {
    ladder: [...new Set<BitWidth>([s.bits === 2 ? 4 : 8, s.bits])],
    budget: { relative: s.budget ?? 0.1 },
    granularity,
    higherIsBetter,
    groupSize: 32,
  });
  const layers = [...new Set(scan.rows.map((r) => r.layer).filter((l) => l !== null))] as number[];
  const subs = [...new Set(scan.rows.map((r) => r.sub).filter((x) => x !== null))] as string[];
  const drops = layers.map((l) =>
    subs.map((sub) => scan.rows.find((r) => r.layer === l && r.sub === sub)?.drop ?? Number.NaN),
  );
  return {
    scan,
    table: sensitivityTable(scan),
    greedy,
    greedyTable: greedyPathTable(greedy),
    plot: { rows: layers.map((l) => `layer ${l}`), cols: subs, drops },
  };
}
