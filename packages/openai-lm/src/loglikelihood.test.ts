import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MalformedResponseError, NoPromptLogprobsError, UnscorableTokenError } from "./errors.js";
import { scoreContinuation } from "./loglikelihood.js";
import { type MockServer, startMockServer } from "./mock-server.js";
import { OpenAICompatibleLM } from "./openai-lm.js";
import {
  argmax,
  fastRetries,
  greedyContinuation,
  MC_ITEMS,
  mcModel,
  referenceLoglikelihood,
} from "./test-fixtures.js";

const model = mcModel();
let server: MockServer;
beforeAll(async () => {
  server = await startMockServer(model);
});
afterAll(() => server.close());

const lm = (extra: Partial<ConstructorParameters<typeof OpenAICompatibleLM>[0]> = {}) =>
  new OpenAICompatibleLM({ endpoint: server.url, model: "mock", ...fastRetries, ...extra });

const mcRequests = MC_ITEMS.flatMap((it) =>
  it.choices.map((continuation) => ({ context: it.context, continuation })),
);

function expectSameAsReference(results: { logprob: number; greedy: boolean }[]) {
  const reference = mcRequests.map((r) => referenceLoglikelihood(model, r.context, r.continuation));
  results.forEach((r, i) => {
    expect(r.logprob).toBeCloseTo(reference[i].logprob, 10);
    expect(r.greedy).toBe(reference[i].greedy);
  });
  // And therefore the same answer per item.
  let at = 0;
  for (const item of MC_ITEMS) {
    const n = item.choices.length;
    const mine = argmax(results.slice(at, at + n).map((r) => r.logprob));
    const theirs = argmax(reference.slice(at, at + n).map((r) => r.logprob));
    expect(mine).toBe(theirs);
    at += n;
  }
}

describe("loglikelihood through the mock server", () => {
  it("matches log-likelihoods read directly off the model's table", async () => {
    server.requests.length = 0;
    const results = await lm({ batchSize: 4, concurrency: 2 }).loglikelihood(mcRequests);
    expectSameAsReference(results);
    expect(server.requests).toHaveLength(Math.ceil(mcRequests.length / 4));
    const body = server.requests[0].body;
    expect(body).toMatchObject({ model: "mock", echo: true, logprobs: 1, max_tokens: 0, temperature: 0 });
    expect(body.prompt).toEqual(mcRequests.slice(0, 4).map((r) => r.context + r.continuation));
  });

  it("gives the same results with one prompt per request, and with faults injected", async () => {
    server.faults.push({ status: 429, retryAfter: "0" }, { status: 500 }, { reset: true }, { status: 503 });
    expectSameAsReference(await lm().loglikelihood(mcRequests));
  });

  it("ignores the generated token when scoring with max_tokens 1", async () => {
    expectSameAsReference(await lm({ scoringMaxTokens: 1, batchSize: 3 }).loglikelihood(mcRequests));
  });

  it("reports greedy for the model's own continuation", async () => {
    const items = MC_ITEMS.flatMap((it) => {
      const continuation = greedyContinuation(model, it.context, 2);
      return continuation === undefined ? [] : [{ context: it.context, continuation }];
    });
    expect(items.length).toBeGreaterThan(0);
    for (const r of await lm().loglikelihood(items)) expect(r.greedy).toBe(true);
  });

  it("counts a token that straddles the context boundary with the continuation", async () => {
    const [straddled] = await lm().loglikelihood([{ context: "The sky is ", continuation: "blue." }]);
    const aligned = referenceLoglikelihood(model, "The sky is", " blue.");
    expect(straddled.logprob).toBeCloseTo(aligned.logprob, 10);
  });

  it("refuses to score the first prompt token (empty context)", async () => {
    await expect(lm().loglikelihood([{ context: "", continuation: "The sky" }])).rejects.toThrow(
      UnscorableTokenError,
    );
  });

  it("explains a server that refuses echo + logprobs, naming endpoint and model", async () => {
    server.refuseEcho = true;
    try {
      const err: any = await lm()
        .loglikelihood(mcRequests.slice(0, 1))
        .catch((e) => e);
      expect(err).toBeInstanceOf(NoPromptLogprobsError);
      expect(err.message).toContain(`${server.url}/v1`);
      expect(err.message).toContain("model mock");
      expect(err.message).toContain("echo");
    } finally {
      server.refuseEcho = false;
    }
  });

  it("explains a server that answers without prompt log-probabilities", async () => {
    server.faults.push({ dropField: "logprobs" });
    await expect(lm().loglikelihood(mcRequests.slice(0, 1))).rejects.toThrow(NoPromptLogprobsError);
  });

  it("names the missing field of a malformed answer", async () => {
    server.faults.push({ dropField: "text_offset" });
    const err: any = await lm()
      .loglikelihood(mcRequests.slice(0, 1))
      .catch((e) => e);
    expect(err).toBeInstanceOf(MalformedResponseError);
    expect(err.field).toBe("choices[0].logprobs.text_offset");
    expect(err.message).toContain(server.url);
  });
});

describe("scoreContinuation", () => {
  const origin = { endpoint: "http://127.0.0.1:1/v1", model: "m" };
  const lp = {
    tokens: ["A", " b", " c"],
    tokenLogprobs: [null, -1, -2],
    textOffset: [0, 1, 3],
    top: [
      null,
      [{ token: " b", logprob: -1 }],
      [
        { token: " x", logprob: -2 },
        { token: " c", logprob: -2 },
      ],
    ],
  };

  it("sums the continuation tokens and treats a tie with the top-1 as greedy", () => {
    expect(scoreContinuation(lp, 1, 5, origin)).toEqual({ logprob: -3, greedy: true });
    expect(scoreContinuation(lp, 3, 5, origin)).toEqual({ logprob: -2, greedy: true });
  });

  it("is not greedy when a continuation token is below the top-1", () => {
    const worse = { ...lp, top: [null, [{ token: " z", logprob: -0.5 }], lp.top[2]] };
    expect(scoreContinuation(worse, 1, 5, origin).greedy).toBe(false);
  });

  it("scores nothing for an empty continuation", () => {
    expect(scoreContinuation(lp, 5, 5, origin)).toEqual({ logprob: 0, greedy: true });
  });
});
