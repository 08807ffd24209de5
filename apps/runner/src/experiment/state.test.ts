import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { hashConfig, RunState } from "./state.js";

describe("run state", () => {
  it("remembers finished steps across runs of the same configuration", () => {
    const dir = mkdtempSync(join(tmpdir(), "sr-state-"));
    const h = hashConfig({ a: 1 });
    const s1 = new RunState(dir, h);
    s1.record("variant:base", { ok: true }, 1.5);
    const s2 = new RunState(dir, h);
    expect(s2.has("variant:base")).toBe(true);
    expect(s2.get("variant:base")).toEqual({ ok: true });
    expect(s2.has("eval:base:0")).toBe(false);
  });

  it("refuses to resume with a changed configuration unless restarted", () => {
    const dir = mkdtempSync(join(tmpdir(), "sr-state-"));
    new RunState(dir, hashConfig({ a: 1 })).record("x", 1, 0);
    expect(() => new RunState(dir, hashConfig({ a: 2 }))).toThrow(/experiment changed.*--restart/);
    expect(new RunState(dir, hashConfig({ a: 2 }), true).has("x")).toBe(false);
  });
});
