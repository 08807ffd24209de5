/**
 * Building an ONNX graph by calling ops: each call appends a node and returns the name of its
 * output, so graph code reads like the forward it mirrors. Node names follow the module path
 * (`/model/layers.3/self_attn/q_proj/MatMul`), as optimum's exports do, so a runtime error or a
 * profile points at the layer. Weights above a few bytes go to the external data file as they
 * are added; small constants stay inline and are shared.
 */
import {
  type AttributeValue,
  DataType,
  type DataTypeCode,
  type Dim,
  type Initializer,
  type Model,
  type Node,
  type ValueInfo,
} from "../proto/onnx.js";
import type { ExternalData } from "./external-data.js";

export type WeightArray = Float32Array | Int32Array | Uint8Array | Int8Array | BigInt64Array;

export type Attributes = Record<string, AttributeValue>;

export const MS_DOMAIN = "com.microsoft";

function typeOf(a: WeightArray): DataTypeCode {
  if (a instanceof Float32Array) return DataType.FLOAT;
  if (a instanceof Int32Array) return DataType.INT32;
  if (a instanceof Uint8Array) return DataType.UINT8;
  if (a instanceof Int8Array) return DataType.INT8;
  return DataType.INT64;
}

export class GraphBuilder {
  readonly nodes: Node[] = [];
  readonly initializers: Initializer[] = [];
  readonly inputs: ValueInfo[] = [];
  readonly outputs: ValueInfo[] = [];
  private readonly scopes: string[] = [];
  private readonly nodeNames = new Map<string, number>();
  private readonly constants = new Map<string, string>();
  private readonly names = new Set<string>();
  private readonly domains = new Set<string>();

  /** `data`: where weights go (null keeps every initializer inline, for tests and tiny graphs). */
  constructor(
    private readonly data: ExternalData | null,
    private readonly inlineLimit = 1024,
  ) {}

  /** Runs `fn` (sync or async; exports run one step at a time) with node names under `/…/name`. */
  scoped<T>(name: string, fn: () => T): T {
    this.scopes.push(name);
    let r: T;
    try {
      r = fn();
    } catch (e) {
      this.scopes.pop();
      throw e;
    }
    if (r instanceof Promise) return r.finally(() => this.scopes.pop()) as T;
    this.scopes.pop();
    return r;
  }

  input(name: string, type: DataTypeCode, dims: Dim[]): string {
    this.claim(name);
    this.inputs.push({ name, type, dims });
    return name;
  }

  /** Declares `value` a graph output under `name` (through an Identity when they differ). */
  output(value: string, name: string, type: DataTypeCode, dims: Dim[]): void {
    if (value !== name) {
      this.claim(name);
      this.nodes.push({ name: `/${name}/Identity`, opType: "Identity", inputs: [value], outputs: [name] });
    }
    this.outputs.push({ name, type, dims });
  }

  /** A named initializer: to the external data file when it is larger than the inline limit. */
  weight(name: string, values: WeightArray, dims: number[]): string {
    const expect = dims.reduce((a, d) => a * d, 1);
    if (values.length !== expect)
      throw new RangeError(`initializer ${name}: ${values.length} values for dims [${dims.join(", ")}]`);
    this.claim(name);
    const raw = new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
    const data =
      this.data && raw.byteLength > this.inlineLimit ? this.data.append(raw) : { raw: raw.slice() };
    this.initializers.push({ name, type: typeOf(values), dims, data });
    return name;
  }

  /** A 1-D int64 constant (shapes, axes, split sizes), shared between uses. */
  int64s(values: number[]): string {
    return this.constant(`const_i64_[${values.join(",")}]`, BigInt64Array.from(values.map(BigInt)), [
      values.length,
    ]);
  }

  /** A float32 scalar constant, shared between uses. */
  scalar(value: number): string {
    return this.constant(`const_f32_${Object.is(value, -0) ? "-0" : value}`, Float32Array.of(value), []);
  }

  private constant(name: string, values: WeightArray, dims: number[]): string {
    let n = this.constants.get(name);
    if (!n) {
      n = name;
      this.claim(n);
      const raw = new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
      this.initializers.push({ name: n, type: typeOf(values), dims, data: { raw } });
      this.constants.set(name, n);
    }
    return n;
  }

  /** One node with one output; returns the output's name. */
  op(opType: string, inputs: string[], attributes?: Attributes, domain?: string): string {
    return this.opN(opType, inputs, 1, attributes, domain)[0];
  }

  /** One node with `outputs` outputs. An empty input name is an omitted optional input. */
  opN(opType: string, inputs: string[], outputs: number, attributes?: Attributes, domain?: string): string[] {
    const base = `/${[...this.scopes, opType].join("/")}`;
    const k = this.nodeNames.get(base) ?? 0;
    this.nodeNames.set(base, k + 1);
    const name = k ? `${base}_${k}` : base;
    const outs = Array.from({ length: outputs }, (_, i) => `${name}/output_${i}`);
    for (const o of outs) this.claim(o);
    if (domain) this.domains.add(domain);
    this.nodes.push({ name, opType, domain, inputs, outputs: outs, attributes });
    return outs;
  }

  model(opts: { docString?: string; metadata?: Record<string, string>; producerVersion: string }): Model {
    return {
      // IR 8 / opset 17: what onnxruntime 1.14+ and onnxruntime-web load (LayerNormalization is 17).
      irVersion: 8,
      opsets: [{ domain: "", version: 17 }, ...[...this.domains].map((domain) => ({ domain, version: 1 }))],
      producer: { name: "shrinkray", version: opts.producerVersion },
      graphName: "main_graph",
      docString: opts.docString,
      nodes: this.nodes,
      initializers: this.initializers,
      inputs: this.inputs,
      outputs: this.outputs,
      metadata: opts.metadata,
    };
  }

  private claim(name: string): void {
    if (this.names.has(name)) throw new Error(`graph value ${name} is defined twice`);
    this.names.add(name);
  }
}
