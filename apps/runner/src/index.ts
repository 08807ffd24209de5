export { main } from "./cli.js";
export { loadExperiment } from "./experiment/load.js";
export { type RunOptions, runExperiment } from "./experiment/run.js";
export type { DataSpec, EvalSpec, Experiment, QuantizeSpec, VariantSpec } from "./experiment/schema.js";
export { type PullOptions, pull } from "./pull/hub.js";
export type { MetricValue, Results, VariantResult } from "./report/results.js";
