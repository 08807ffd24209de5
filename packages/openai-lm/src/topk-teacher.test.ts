import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createRemoteTeacher } from "./config.js";
import { HttpStatusError, MalformedResponseError, NoPromptLogprobsError, OpenAILMError } from "./errors.js";
import { type MockServer, startMockServer } from "./mock-server.js";
import { mcModel, quietFastRetries } from "./test-fixtures.js";

const model = mcModel();
let server: MockServer;
let dir: string;
beforeAll(async () => {
  server = await startMockServer(model);
});
afterAll(() => server.close());
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "openai-lm-teacher-"));
});
afterEach(async () => {
  server.requests.length = 0;
  await rm(dir, { recursive: true, force: true });
});

const texts = ["The sky is blue.", "Q: 2 + 2 = 4"];

/** The top-k the model's table gives after each prefix of `text`. */
function referenceTopk(text: string, k: number) {
  const tokens = model.tokenize(text);
  return tokens.slice(1).map((_, t) => {
    const dist = model.logprobs(tokens.slice(0, t + 1));
    const order = dist
      .map((l, id) => ({ l, id }))
      .sort((a, b) => b.l - a.l)
      .slice(0, k);
    return {
      ids: order.map((o) => o.id),
      tokens: order.map((o) => model.vocab[o.id]),
      logprobs: order.map((o) => o.l),
    };
  });
}

const teacher = (extra = {}) =>
  createRemoteTeacher({ endpoint: server.url, model: "mock", topK: 3 }, { ...quietFastRetries, ...extra });

/** The mock model's vocabulary as a served tokenizer would decode it. */
const vocabulary = {
  size: model.vocab.length,
  decode: (ids: number[]) => ids.map((id) => model.vocab[id]).join(""),
};

describe("RemoteTopkTeacher", () => {
  it("returns the top-k per position with exact ids, aligned with next-token logits", async () => {
    const out = await teacher({ batchSize: 2 }).topkLogprobs(texts);
    expect(server.requests).toHaveLength(1);
    expect(server.requests[0].body).toMatchObject({
      echo: true,
      logprobs: 3,
      max_tokens: 0,
      prompt: texts,
      return_tokens_as_token_ids: true,
    });
    texts.forEach((text, i) => {
      expect(out[i].ids).toEqual(model.tokenize(text).map((t) => model.id(t)));
      const ref = referenceTopk(text, 3);
      expect(out[i].positions).toHaveLength(ref.length);
      out[i].positions.forEach((p, t) => {
        expect(p.ids).toEqual(ref[t].ids);
        p.logprobs.forEach((l, j) => {
          expect(l).toBeCloseTo(ref[t].logprobs[j], 12);
        });
      });
    });
  });

  it("gives token texts without ids when asked not to request ids and given no vocabulary", async () => {
    const [out] = await teacher({ returnTokenIds: false }).topkLogprobs(texts.slice(0, 1));
    expect(server.requests[0].body.return_tokens_as_token_ids).toBeUndefined();
    expect(out.tokens).toEqual(model.tokenize(texts[0]));
    expect(out.ids).toBeUndefined();
    expect(out.positions.map((p) => p.tokens)).toEqual(referenceTopk(texts[0], 3).map((r) => r.tokens));
  });

  it("maps token texts back to ids through the vocabulary", async () => {
    const [out] = await teacher({ returnTokenIds: false, vocabulary }).topkLogprobs(texts.slice(0, 1), 2);
    expect(out.ids).toEqual(model.tokenize(texts[0]).map((t) => model.id(t)));
    expect(out.positions.map((p) => p.ids)).toEqual(referenceTopk(texts[0], 2).map((r) => r.ids));
  });

  it("refuses a token text that several ids decode to", async () => {
    // Every id of this vocabulary decodes to "The" as well: no text has one exact id.
    const alike = { size: 2, decode: (ids: number[]) => (ids[0] === 0 ? "The" : "The") };
    const err: any = await teacher({ returnTokenIds: false, vocabulary: alike })
      .topkLogprobs(texts.slice(0, 1))
      .catch((e) => e);
    expect(err).toBeInstanceOf(OpenAILMError);
    expect(err.message).toContain('"The", which several token ids decode to');
  });

  it("takes token-id inputs and checks the echo against them", async () => {
    const ids = model.tokenize(texts[1]).map((t) => model.id(t));
    const [out] = await teacher().topkLogprobs([ids]);
    expect(server.requests[0].body).toMatchObject({ return_tokens_as_token_ids: true, prompt: ids });
    expect(out.ids).toEqual(ids);
    expect(out.tokens[0]).toBe(`token_id:${ids[0]}`);
    expect(out.positions.map((p) => p.ids)).toEqual(referenceTopk(texts[1], 3).map((r) => r.ids));
  });

  it("queries each text once, across teacher instances sharing a cache directory", async () => {
    const first = await teacher({ cacheDir: dir }).topkLogprobs(texts);
    const t2 = teacher({ cacheDir: dir });
    const again = await t2.topkLogprobs([texts[1], "The sky is", texts[0], "The sky is"]);
    expect(again[0]).toEqual(first[1]);
    expect(again[2]).toEqual(first[0]);
    expect(again[3]).toEqual(again[1]);
    expect(server.requests).toHaveLength(3); // two texts, then only the new one
    await t2.close();
    await teacher({ cacheDir: dir }).topkLogprobs(texts, 2); // another k is another question
    expect(server.requests).toHaveLength(5);
  });

  it("names a position with fewer alternatives than k", async () => {
    const err: any = await teacher()
      .topkLogprobs(["The sky"], model.vocab.length + 5)
      .catch((e) => e);
    expect(err).toBeInstanceOf(MalformedResponseError);
    expect(err.field).toBe("choices[0].logprobs.top_logprobs[1]");
  });

  it("passes on a refused k as the server's own error, not as missing echo support", async () => {
    server.faults.push({
      status: 400,
      body: "Requested sample logprobs of 50, which is greater than max allowed: 20",
    });
    const err: any = await teacher()
      .topkLogprobs(["The sky"], 50)
      .catch((e) => e);
    expect(err).toBeInstanceOf(HttpStatusError);
    expect(err).not.toBeInstanceOf(NoPromptLogprobsError);
    expect(err.message).toContain("max allowed: 20");
  });
});
