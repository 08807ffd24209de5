import { nn } from "@shrinkray/tensor-cuda";
import { groupedFromLinear, groupedLoraFromLinear } from "../init/from-linear.js";
import {
  groupedFlops,
  groupedLoraFlops,
  groupedLoraParams,
  groupedParams,
  linearFlops,
  linearParams,
} from "../layers/counts.js";
import { GroupedLinear } from "../layers/grouped-linear.js";
import { GroupedLoRALinear } from "../layers/grouped-lora-linear.js";
import { describeLayer, type SparseLayerConfig, type SparseModule } from "./config.js";
import { type SparsifyPolicy, type SparsifyRule, toRegExp } from "./policy.js";

/** One Linear the policy looked at: what it was, what it became, or why it stayed. */
export interface ModuleReport {
  name: string;
  inFeatures: number;
  outFeatures: number;
  groups: number;
  rank: number;
  paramsBefore: number;
  paramsAfter: number;
  flopsBefore: number;
  flopsAfter: number;
  replaced: boolean;
  /** Why a matched layer stayed dense. */
  skipped?: string;
}

export interface SparsifyReport {
  modules: ModuleReport[];
  /** The whole model's parameter count (tied weights once), before and after. */
  modelParamsBefore: number;
  modelParamsAfter: number;
}

/** A replacement made, with the dense layer kept for layer-wise fitting and error measurement. */
export interface ReplacedLayer {
  name: string;
  dense: nn.Linear;
  sparse: SparseModule;
  config: SparseLayerConfig;
}

/**
 * Replaces the model's Linear layers named by the policy with grouped (+ low-rank) layers, in
 * place through Module.replace, and reports parameters before and after. Works on any Module
 * tree: layers are found by walking it, never by architecture.
 */
export function sparsify(
  model: nn.AnyModule,
  policy: SparsifyPolicy,
): { report: SparsifyReport; replaced: ReplacedLayer[] } {
  const exclude = (policy.exclude ?? []).map(toRegExp);
  const rules = policy.rules.map((r) => ({ ...r, re: toRegExp(r.pattern) }));
  const modelParamsBefore = model.numParameters();
  const targets = model
    .namedModules()
    .filter((e): e is [string, nn.Linear] => e[1] instanceof nn.Linear)
    .filter(([name]) => name !== "" && !exclude.some((re) => re.test(name)));
  const modules: ModuleReport[] = [];
  const replaced: ReplacedLayer[] = [];
  for (const [name, dense] of targets) {
    const rule = rules.find((r) => r.re.test(name));
    if (!rule) continue;
    const row = plan(name, dense, rule);
    modules.push(row);
    if (row.skipped) continue;
    if (!(policy.onlyIfSmaller ?? true) || row.paramsAfter < row.paramsBefore) {
      const sparse = build(name, dense, rule, policy);
      model.replace(name, sparse);
      replaced.push({ name, dense, sparse, config: describeLayer(name, sparse) });
      row.replaced = true;
    } else {
      row.skipped = `replacement would have ${row.paramsAfter} parameters, not fewer than ${row.paramsBefore}`;
      row.paramsAfter = row.paramsBefore;
      row.flopsAfter = row.flopsBefore;
    }
  }
  return { report: { modules, modelParamsBefore, modelParamsAfter: model.numParameters() }, replaced };
}

function plan(name: string, dense: nn.Linear, rule: SparsifyRule): ModuleReport {
  const { inFeatures: i, outFeatures: o } = dense;
  const bias = dense.bias !== null;
  const row: ModuleReport = {
    name,
    inFeatures: i,
    outFeatures: o,
    groups: rule.groups,
    rank: rule.rank,
    paramsBefore: linearParams(i, o, bias),
    paramsAfter: linearParams(i, o, bias),
    flopsBefore: linearFlops(i, o, bias),
    flopsAfter: linearFlops(i, o, bias),
    replaced: false,
  };
  if (i % rule.groups !== 0 || o % rule.groups !== 0) {
    row.skipped = `groups = ${rule.groups} does not divide in = ${i} and out = ${o}`;
    return row;
  }
  const probe =
    rule.rank > 0
      ? groupedLoraParams(i, o, rule.groups, rule.rank, bias)
      : groupedParams(i, o, rule.groups, bias);
  row.paramsAfter = probe;
  // From the formulas, so pricing a policy never allocates a layer.
  row.flopsAfter =
    rule.rank > 0
      ? groupedLoraFlops(i, o, rule.groups, rule.rank, bias)
      : groupedFlops(i, o, rule.groups, bias);
  return row;
}

function build(name: string, dense: nn.Linear, rule: SparsifyRule, policy: SparsifyPolicy): SparseModule {
  const init = policy.init ?? "svd";
  const permutation = rule.permutation ?? "none";
  const bias = dense.bias !== null;
  if (rule.rank === 0) {
    return init === "none"
      ? new GroupedLinear(dense.inFeatures, dense.outFeatures, rule.groups, { bias, permutation })
      : groupedFromLinear(dense, rule.groups, { permutation });
  }
  if (init === "svd") {
    const gram = policy.gram?.(name);
    return groupedLoraFromLinear(dense, rule.groups, rule.rank, {
      ...policy.initOptions,
      permutation,
      alpha: rule.alpha,
      gram,
    }).module;
  }
  const m = new GroupedLoRALinear(dense.inFeatures, dense.outFeatures, rule.groups, rule.rank, {
    bias,
    permutation,
    alpha: rule.alpha,
  });
  if (init === "blocks") {
    const g = groupedFromLinear(dense, rule.groups, { permutation });
    m.grouped.weight.assign(g.weight);
    if (g.bias && m.grouped.bias) m.grouped.bias.assign(g.bias);
  }
  return m;
}

/** Puts the dense layers back (undoes sparsify), e.g. to measure the original model again. */
export function restoreDense(model: nn.AnyModule, replaced: readonly ReplacedLayer[]): void {
  for (const r of replaced) model.replace(r.name, r.dense);
}

/** Puts the sparse layers (back) in place. */
export function applySparse(model: nn.AnyModule, replaced: readonly ReplacedLayer[]): void {
  for (const r of replaced) model.replace(r.name, r.sparse);
}

/** A Markdown table of a report, one row per layer plus the model totals. */
export function formatReport(report: SparsifyReport): string {
  const n = (x: number) => x.toLocaleString("en-US");
  const lines = [
    "| module | in → out | groups | rank | params before | params after | ratio | note |",
    "|---|---|---|---|---|---|---|---|",
    ...report.modules.map(
      (m) =>
        `| ${m.name} | ${m.inFeatures} → ${m.outFeatures} | ${m.groups} | ${m.rank} | ${n(m.paramsBefore)} | ${n(m.paramsAfter)} | ` +
        `${(m.paramsAfter / m.paramsBefore).toFixed(3)} | ${m.skipped ?? ""} |`,
    ),
    `| **model** | | | | ${n(report.modelParamsBefore)} | ${n(report.modelParamsAfter)} | ${(report.modelParamsAfter / report.modelParamsBefore).toFixed(3)} | |`,
  ];
  return lines.join("\n");
}
