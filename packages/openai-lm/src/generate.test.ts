import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { cutAtStop } from "./generate.js";
import { type MockServer, startMockServer } from "./mock-server.js";
import { OpenAICompatibleLM } from "./openai-lm.js";
import { MC_ITEMS, mcModel, quietFastRetries } from "./test-fixtures.js";

const model = mcModel();
let server: MockServer;
beforeAll(async () => {
  server = await startMockServer(model);
});
afterAll(() => server.close());
afterEach(() => {
  server.requests.length = 0;
});

/** What the mock's greedy decoding produces, computed in-process. */
function greedyText(prompt: string, n: number): string {
  const tokens = model.tokenize(prompt);
  let text = "";
  for (let i = 0; i < n; i++) {
    const dist = model.logprobs(tokens);
    const next = model.vocab[dist.indexOf(Math.max(...dist))];
    tokens.push(next);
    text += next;
  }
  return text;
}

const lm = (extra: Partial<ConstructorParameters<typeof OpenAICompatibleLM>[0]> = {}) =>
  new OpenAICompatibleLM({ endpoint: server.url, model: "mock", ...quietFastRetries, ...extra });

describe("generate", () => {
  const prompts = MC_ITEMS.map((it) => it.context);

  it("completes each prompt through /v1/completions, greedy by default, in request order", async () => {
    const reqs = prompts.map((prompt, i) => ({ prompt, maxNewTokens: 2 + (i % 2) }));
    server.faults.push({ status: 429, retryAfter: "0" });
    const out = await lm({ batchSize: 8, seed: 7 }).generate(reqs);
    expect(out).toEqual(reqs.map((r) => greedyText(r.prompt, r.maxNewTokens)));
    // Two groups of max_tokens, each one request (plus the retried 429).
    expect(server.requests.filter((r) => r.path === "/v1/completions")).toHaveLength(3);
    const body = server.requests.at(-1)!.body;
    expect(body).toMatchObject({ model: "mock", temperature: 0, seed: 7 });
    expect(body.prompt).toHaveLength(2);
  });

  it("sends stop strings and excludes them from the result", async () => {
    const full = greedyText(prompts[0], 4);
    const stop = model.tokenize(full)[2];
    const [out] = await lm().generate([{ prompt: prompts[0], maxNewTokens: 4, stop: [stop] }]);
    expect(server.requests[0].body.stop).toEqual([stop]);
    expect(out).toBe(full.slice(0, full.indexOf(stop)));
  });

  it("applies stop strings beyond maxStopSequences itself", async () => {
    const full = greedyText(prompts[1], 4);
    const stop = model.tokenize(full)[1];
    const [out] = await lm({ maxStopSequences: 1 }).generate([
      { prompt: prompts[1], maxNewTokens: 4, stop: ["never appears", stop] },
    ]);
    expect(server.requests[0].body.stop).toEqual(["never appears"]);
    expect(out).toBe(full.slice(0, full.indexOf(stop)));
  });

  it("uses /v1/chat/completions with the prompt as one user message", async () => {
    const [out] = await lm({ chat: true, temperature: 0.5 }).generate([
      { prompt: prompts[2], maxNewTokens: 3 },
    ]);
    expect(out).toBe(greedyText(prompts[2], 3));
    expect(server.requests[0].path).toBe("/v1/chat/completions");
    expect(server.requests[0].body).toMatchObject({
      messages: [{ role: "user", content: prompts[2] }],
      max_tokens: 3,
      temperature: 0.5,
    });
  });

  it("takes a custom message builder", async () => {
    const buildMessages = (p: string) => [
      { role: "system" as const, content: "Q:" },
      { role: "user" as const, content: p },
    ];
    await lm({ chat: true, buildMessages }).generate([{ prompt: "The sky is", maxNewTokens: 1 }]);
    expect(server.requests[0].body.messages).toEqual(buildMessages("The sky is"));
  });
});

describe("cutAtStop", () => {
  it("cuts at the earliest stop string", () => {
    expect(cutAtStop("a\n\nQ: b", ["Q:", "\n\n"])).toBe("a");
    expect(cutAtStop("abc", [""])).toBe("abc");
    expect(cutAtStop("abc", undefined)).toBe("abc");
  });
});
