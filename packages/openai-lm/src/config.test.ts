import { describe, expect, it } from "vitest";
import { createRemoteLM, createRemoteTeacher, parseRemoteTeacherConfig } from "./config.js";
import { ConfigError } from "./errors.js";

describe("remote configs", () => {
  it("accepts { endpoint, model, topK, apiKeyEnv? }", () => {
    expect(parseRemoteTeacherConfig({ endpoint: "http://127.0.0.1:8000/v1", model: "m", topK: 20 })).toEqual({
      endpoint: "http://127.0.0.1:8000/v1",
      model: "m",
      topK: 20,
    });
  });

  it("names the bad field", () => {
    const bad = (v: unknown) => {
      try {
        parseRemoteTeacherConfig(v, "distill.teacher");
      } catch (e) {
        return (e as ConfigError).field;
      }
    };
    expect(bad(null)).toBe("distill.teacher");
    expect(bad({ model: "m", topK: 5 })).toBe("distill.teacher.endpoint");
    expect(bad({ endpoint: "http://x", topK: 5 })).toBe("distill.teacher.model");
    expect(bad({ endpoint: "http://x", model: "m", topK: 0 })).toBe("distill.teacher.topK");
    expect(bad({ endpoint: "http://x", model: "m", topK: 5, apiKeyEnv: 3 })).toBe(
      "distill.teacher.apiKeyEnv",
    );
  });

  it("builds a language model and a teacher", () => {
    expect(createRemoteLM({ endpoint: "http://127.0.0.1:9/", model: "m" }).client.origin.endpoint).toBe(
      "http://127.0.0.1:9/v1",
    );
    expect(createRemoteTeacher({ endpoint: "http://127.0.0.1:9", model: "m", topK: 4 }).topK).toBe(4);
    expect(() => createRemoteLM({ endpoint: "nonsense", model: "m" })).toThrow(ConfigError);
  });
});
