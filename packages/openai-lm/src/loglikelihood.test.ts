import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MalformedResponseError, NoPromptLogprobsError, UnscorableTokenError } from "./errors.js";
import { type MockServer, startMockServer, TableModel } from "./mock-server.js";
import { OpenAICompatibleLM } from "./openai-lm.js";
import {
  argmax,
  greedyContinuation,
  MC_ITEMS,
  mcModel,
  quietFastRetries,
  referenceLoglikelihood,
} from "./test-fixtures.js";

const model = mcModel();
let server: MockServer;
beforeAll(async () => {
  server = await startMockServer(model);
});
afterAll(() => server.close());

const lm = (extra: Partial<ConstructorParameters<typeof OpenAICompatibleLM>[0]> = {}) =>
  new OpenAICompatibleLM({ endpoint: server.url, model: "mock", ...quietFastRetries, ...extra });

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

describe("loglikelihood from token ids (a local tokenizer)", () => {
  it("matches the reference, sending each prompt as the tokenizer's ids", async () => {
    server.requests.length = 0;
    const results = await lm({ tokenizer: model, batchSize: 3 }).loglikelihood(mcRequests);
    expectSameAsReference(results);
    const first = server.requests[0].body;
    expect(first.prompt).toEqual(mcRequests.slice(0, 3).map((r) => model.encode(r.context + r.continuation)));
    expect(first.return_tokens_as_token_ids).toBe(true);
  });

  it("refuses a continuation with no token before it, before sending anything", async () => {
    server.requests.length = 0;
    await expect(
      lm({ tokenizer: model }).loglikelihood([{ context: "", continuation: "The sky" }]),
    ).rejects.toThrow(UnscorableTokenError);
    expect(server.requests).toHaveLength(0);
  });
});

describe("a model whose tokenizer adds BOS (vLLM with Llama)", () => {
  // " " is a token here, so that a context ending in a space can be tokenised on its own.
  const bosModel = new TableModel([...mcModel().vocab, " "], { bos: "<s>" });
  let bosServer: MockServer;
  beforeAll(async () => {
    bosServer = await startMockServer(bosModel);
  });
  afterAll(() => bosServer.close());
  const bosLm = (extra = {}) =>
    new OpenAICompatibleLM({ endpoint: bosServer.url, model: "mock", ...quietFastRetries, ...extra });

  /** The reference with the BOS in front of the context, where the server puts it. */
  const reference = (r: { context: string; continuation: string }) => {
    const ctx = bosModel.promptTokens(r.context);
    let logprob = 0;
    for (const [j, tok] of bosModel.tokenize(r.continuation).entries()) {
      logprob += bosModel.logprobs([...ctx, ...bosModel.tokenize(r.continuation).slice(0, j)])[
        bosModel.id(tok)
      ];
    }
    return logprob;
  };

  it("scores text prompts from the echo despite the BOS-shifted offsets", async () => {
    const results = await bosLm().loglikelihood(mcRequests);
    results.forEach((r, i) => {
      expect(r.logprob).toBeCloseTo(reference(mcRequests[i]), 10);
    });
  });

  it("counts a token that straddles the context boundary with the continuation, on both paths", async () => {
    const aligned = reference({ context: "The sky is", continuation: " blue." });
    for (const extra of [{}, { tokenizer: bosModel }]) {
      const [straddled] = await bosLm(extra).loglikelihood([
        { context: "The sky is ", continuation: "blue." },
      ]);
      expect(straddled.logprob).toBeCloseTo(aligned, 10);
    }
  });

  it("scores token-id prompts the same, and an empty context against BOS alone", async () => {
    const reqs = [...mcRequests, { context: "", continuation: "The sky" }];
    const results = await bosLm({ tokenizer: bosModel }).loglikelihood(reqs);
    results.forEach((r, i) => {
      expect(r.logprob).toBeCloseTo(reference(reqs[i]), 10);
    });
  });
});
