import { describe, expect, it } from "vitest";
import { Generator, Tensor, tidy } from "../index.js";
import {
  Dropout,
  Embedding,
  LayerNorm,
  Linear,
  Module,
  ModuleList,
  ModulePathError,
  Sequential,
  StateDictError,
} from "./index.js";

class Attention extends Module {
  qProj: Linear;
  oProj: Linear;
  constructor(d: number, g: Generator) {
    super();
    this.qProj = this.child("q_proj", new Linear(d, d, { generator: g }));
    this.oProj = this.child("o_proj", new Linear(d, d, { bias: false, generator: g }));
  }
  forward(x: Tensor): Tensor {
    return this.oProj.call(this.qProj.call(x));
  }
}

class Block extends Module {
  attn: Attention;
  norm: LayerNorm;
  drop: Dropout;
  constructor(d: number, g: Generator) {
    super();
    this.attn = this.child("attn", new Attention(d, g));
    this.norm = this.child("norm", new LayerNorm(d));
    this.drop = this.child("drop", new Dropout(0.1));
  }
  forward(x: Tensor): Tensor {
    return this.drop.call(this.attn.call(this.norm.call(x)));
  }
}

class Tiny extends Module {
  embed: Embedding;
  layers: ModuleList<Block>;
  head: Linear;
  constructor(d = 4, vocab = 10, n = 2, seed = 0) {
    super();
    const g = new Generator(seed);
    this.embed = this.child("embed", new Embedding(vocab, d, { generator: g }));
    this.layers = this.child("layers", new ModuleList(Array.from({ length: n }, () => new Block(d, g))));
    this.head = this.child("head", new Linear(d, vocab, { bias: false, generator: g }));
    this.buffer("positions", Tensor.arange(8).cast("float32"));
    this.buffer("rope_cache", Tensor.zeros([8, d]), { persistent: false });
  }
  forward(ids: Tensor): Tensor {
    let x = this.embed.call(ids);
    for (const b of this.layers) x = b.call(x);
    return this.head.call(x);
  }
}

/** A stand-in for a compressed replacement (a low-rank or quantized Linear). */
class Doubler extends Module {
  forward(x: Tensor): Tensor {
    return x.mul(2);
  }
}

describe("Module naming", () => {
  it("gives PyTorch-style dotted names in registration order", () => {
    const m = new Tiny();
    expect(m.namedParameters().map(([n]) => n)).toEqual([
      "embed.weight",
      "layers.0.attn.q_proj.weight",
      "layers.0.attn.q_proj.bias",
      "layers.0.attn.o_proj.weight",
      "layers.0.norm.weight",
      "layers.0.norm.bias",
      "layers.1.attn.q_proj.weight",
      "layers.1.attn.q_proj.bias",
      "layers.1.attn.o_proj.weight",
      "layers.1.norm.weight",
      "layers.1.norm.bias",
      "head.weight",
    ]);
    expect(m.namedModules().map(([n]) => n)).toEqual([
      "",
      "embed",
      "layers",
      "layers.0",
      "layers.0.attn",
      "layers.0.attn.q_proj",
      "layers.0.attn.o_proj",
      "layers.0.norm",
      "layers.0.drop",
      "layers.1",
      "layers.1.attn",
      "layers.1.attn.q_proj",
      "layers.1.attn.o_proj",
      "layers.1.norm",
      "layers.1.drop",
      "head",
    ]);
    expect(m.namedBuffers().map(([n]) => n)).toEqual(["positions", "rope_cache"]);
    expect(m.parameters().every((p) => p.requiresGrad)).toBe(true);
  });

  it("counts parameters, once for tied weights", () => {
    const m = new Tiny(4, 10, 2);
    const perBlock = 4 * 4 + 4 + 4 * 4 + 4 + 4;
    expect(m.numParameters()).toBe(10 * 4 + 2 * perBlock + 10 * 4);
    // Tie the head to the embedding, as GPT-2 does.
    (m as any).head.weight = (m.head as any).param("weight", m.embed.weight);
    expect(m.head.weight).toBe(m.embed.weight);
    expect(m.numParameters()).toBe(10 * 4 + 2 * perBlock);
    expect(m.namedParameters().some(([n]) => n === "head.weight")).toBe(false);
    expect([...m.stateDict().keys()]).toContain("head.weight");
  });

  it("gets submodules and parameters by path, with errors naming what exists", () => {
    const m = new Tiny();
    expect(m.get("layers.1.attn.q_proj")).toBe(m.layers.at(1).attn.qProj);
    expect(m.get("")).toBe(m);
    expect(m.getParameter("layers.0.norm.weight")).toBe(m.layers.at(0).norm.weight);
    expect(() => m.get("layers.5.attn")).toThrow(ModulePathError);
    expect(() => m.get("layers.5.attn")).toThrow(
      /"layers" \(ModuleList\) has no child "5"; its children are: 0, 1/,
    );
    expect(() => m.getParameter("layers.0.attn.o_proj.bias")).toThrow(/no parameter .*parameters: weight/);
  });

  it("propagates train/eval to every descendant", () => {
    const m = new Tiny();
    m.eval();
    expect(m.modules().every((x) => !x.training)).toBe(true);
    m.train();
    expect(m.modules().every((x) => x.training)).toBe(true);
  });

  it("rejects dotted or clashing names", () => {
    class Bad extends Module {
      constructor(kind: "dot" | "clash") {
        super();
        if (kind === "dot") this.param("a.b", Tensor.zeros([1]));
        else {
          this.param("w", Tensor.zeros([1]));
          this.child("w", new Doubler());
        }
      }
      forward(x: Tensor) {
        return x;
      }
    }
    expect(() => new Bad("dot")).toThrow(/contain no "."/);
    expect(() => new Bad("clash")).toThrow(/already used/);
  });

  it("prints the tree", () => {
    const s = new Tiny(4, 10, 1).toString();
    expect(s).toContain("(q_proj): Linear(in=4, out=4, bias=true)");
    expect(s).toContain("(layers): ModuleList");
  });
});

describe("Module.replace", () => {
  it("swaps a submodule inside a ModuleList and repoints the parent's field", () => {
    const m = new Tiny();
    const x = Tensor.from([[0.5, -1, 2, 0.25]]);
    const old = m.layers.at(0).attn.qProj;
    const got = m.replace("layers.0.attn.q_proj", new Doubler());
    expect(got).toBe(old);
    expect(m.get("layers.0.attn.q_proj")).toBeInstanceOf(Doubler);
    // forward goes through the field, which now holds the Doubler
    const attn = m.layers.at(0).attn;
    expect((attn.qProj as unknown) instanceof Doubler).toBe(true);
    const y = attn.call(x).toArray();
    const expected = attn.oProj.call(x.mul(2)).toArray();
    expect(y).toEqual(expected);
    expect(m.namedParameters().some(([n]) => n.startsWith("layers.0.attn.q_proj"))).toBe(false);
  });

  it("replaces a whole list item", () => {
    const m = new Tiny();
    const b = new Block(4, new Generator(9));
    m.replace("layers.1", b);
    expect(m.layers.at(1)).toBe(b);
    expect([...m.layers][1]).toBe(b);
  });

  it("throws a clear error for a path that does not exist", () => {
    const m = new Tiny();
    expect(() => m.replace("layers.0.mlp", new Doubler())).toThrow(
      /no submodule "layers.0.mlp": "layers.0" \(Block\) has no child "mlp"; its children are: attn, norm, drop/,
    );
    expect(() => m.replace("layers.9.attn", new Doubler())).toThrow(ModulePathError);
    expect(() => m.replace("", new Doubler())).toThrow(/empty/);
  });
});

describe("stateDict / loadStateDict", () => {
  it("round-trips into a differently initialised model, in place", () => {
    const a = new Tiny(4, 10, 2, 1);
    const b = new Tiny(4, 10, 2, 2);
    const ref = b.layers.at(0).attn.qProj.weight;
    const sd = a.stateDict();
    expect([...sd.keys()]).toContain("positions");
    expect([...sd.keys()]).not.toContain("rope_cache");
    const r = b.loadStateDict(sd);
    expect(r).toEqual({ missing: [], unexpected: [] });
    expect(b.layers.at(0).attn.qProj.weight).toBe(ref); // same object: optimizers keep working
    for (const [k, t] of b.stateDict()) expect(t.toArray()).toEqual(sd.get(k)!.toArray());
    const ids = Tensor.from([[1, 2, 3]], undefined, { dtype: "int32" });
    expect(b.eval().call(ids).toArray()).toEqual(a.eval().call(ids).toArray());
  });

  it("accepts a plain record and casts a bfloat16 checkpoint into float32 parameters", () => {
    const m = new Linear(2, 2);
    const w = Tensor.from([
      [1.5, -2],
      [0.25, 3],
    ]).cast("bfloat16");
    m.loadStateDict({ weight: w, bias: Tensor.from([1, 2]).cast("bfloat16") });
    expect(m.weight.dtype).toBe("float32");
    expect(m.weight.toArray()).toEqual([
      [1.5, -2],
      [0.25, 3],
    ]);
    expect(m.bias!.toArray()).toEqual([1, 2]);
  });

  it("lists missing, unexpected and mis-shaped keys, and writes nothing", () => {
    const m = new Tiny();
    const before = m.embed.weight.toArray();
    const sd = new Map(m.stateDict());
    sd.delete("head.weight");
    sd.delete("layers.1.norm.bias");
    sd.set("layers.0.mlp.weight", Tensor.zeros([2]));
    sd.set("embed.weight", Tensor.zeros([11, 4]));
    sd.set("layers.0.attn.q_proj.weight", Tensor.zeros([4, 5]));
    let err: StateDictError | undefined;
    try {
      m.loadStateDict(sd);
    } catch (e) {
      err = e as StateDictError;
    }
    expect(err).toBeInstanceOf(StateDictError);
    expect(err!.missing).toEqual(["layers.1.norm.bias", "head.weight"]);
    expect(err!.unexpected).toEqual(["layers.0.mlp.weight"]);
    expect(err!.mismatched).toEqual([
      { key: "embed.weight", expected: [10, 4], got: [11, 4] },
      { key: "layers.0.attn.q_proj.weight", expected: [4, 4], got: [4, 5] },
    ]);
    expect(err!.message).toContain("missing keys (2): layers.1.norm.bias, head.weight");
    expect(err!.message).toContain("unexpected keys (1): layers.0.mlp.weight");
    expect(err!.message).toContain("embed.weight: expected [10, 4], got [11, 4]");
    expect(m.embed.weight.toArray()).toEqual(before);
  });

  it("with strict: false skips missing/unexpected keys but still rejects shape mismatches", () => {
    const m = new Tiny();
    const src = new Tiny(4, 10, 2, 7);
    const sd = new Map(src.stateDict());
    sd.delete("head.weight");
    sd.set("extra", Tensor.zeros([1]));
    const r = m.loadStateDict(sd, { strict: false });
    expect(r).toEqual({ missing: ["head.weight"], unexpected: ["extra"] });
    expect(m.embed.weight.toArray()).toEqual(src.embed.weight.toArray());
    sd.set("embed.weight", Tensor.zeros([3]));
    expect(() => m.loadStateDict(sd, { strict: false })).toThrow(
      /embed.weight: expected \[10, 4\], got \[3\]/,
    );
  });

  it("does not report a tied weight as missing when its twin was loaded", () => {
    const m = new Tiny();
    (m.head as any).weight = (m.head as any).param("weight", m.embed.weight);
    const sd = new Map(new Tiny(4, 10, 2, 3).stateDict());
    sd.delete("head.weight");
    expect(m.loadStateDict(sd).missing).toEqual([]);
    expect(m.head.weight.toArray()).toEqual(sd.get("embed.weight")!.toArray());
  });
});

describe("Module utilities", () => {
  it("zeroGrad clears gradients; apply visits every module", () => {
    const m = new Tiny();
    const ids = Tensor.from([[1, 2]], undefined, { dtype: "int32" });
    m.call(ids).sum().backward();
    expect(m.parameters().every((p) => p.grad !== null)).toBe(true);
    m.zeroGrad();
    expect(m.parameters().every((p) => p.grad === null)).toBe(true);
    const names: string[] = [];
    m.apply((x) => names.push(x.constructor.name));
    expect(names.length).toBe(m.modules().length);
    expect(names[names.length - 1]).toBe("Tiny");
  });

  it("forward hooks see inputs and may replace outputs", () => {
    const lin = new Linear(2, 3, { generator: new Generator(1) });
    const seen: number[][] = [];
    const remove = lin.registerForwardHook((_m, [x], out) => {
      seen.push(x.shape as number[]);
      return out.mul(0);
    });
    let calls = 0;
    lin.registerForwardHook(() => {
      calls++;
    });
    const y = lin.call(Tensor.ones([5, 2]));
    expect(seen).toEqual([[5, 2]]);
    expect(calls).toBe(1);
    expect((y.toArray() as number[][]).flat().every((v) => v === 0)).toBe(true);
    remove();
    expect((lin.call(Tensor.ones([1, 2])).toArray() as number[][]).flat().some((v) => v !== 0)).toBe(true);
  });

  it("Sequential chains modules; ModuleList has push/at/length/iteration", () => {
    const g = new Generator(4);
    const s = new Sequential(
      new Linear(3, 5, { generator: g }),
      new Doubler(),
      new Linear(5, 2, { generator: g }),
    );
    const x = Tensor.from([[1, 2, 3]]);
    const l0 = s.get<Linear>("0");
    const l2 = s.get<Linear>("2");
    expect(s.call(x).toArray()).toEqual(l2.call(l0.call(x).mul(2)).toArray());
    expect(s.namedParameters().map(([n]) => n)).toEqual(["0.weight", "0.bias", "2.weight", "2.bias"]);
    const list = new ModuleList<Linear>().push(new Linear(1, 1), new Linear(1, 2));
    expect(list.length).toBe(2);
    expect(list.at(-1).outFeatures).toBe(2);
    expect(() => list.at(2)).toThrow(/has 2 modules/);
    expect([...list].map((l) => l.outFeatures)).toEqual([1, 2]);
  });

  it("parameters made inside tidy() survive it", () => {
    const m = tidy(() => ({ lin: new Linear(2, 2) })).lin;
    expect(m.weight.isDisposed).toBe(false);
  });
});
