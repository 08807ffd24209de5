import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { ApiClient, type ClientOptions, normaliseEndpoint, type RetryInfo } from "./client.js";
import { ConfigError, HttpStatusError, MalformedResponseError, NetworkError } from "./errors.js";
import { type MockServer, startMockServer, TableModel } from "./mock-server.js";

let server: MockServer;
beforeAll(async () => {
  server = await startMockServer(new TableModel(["a", " b", " c"]));
});
afterAll(() => server.close());
afterEach(() => {
  server.faults.length = 0;
  server.requests.length = 0;
  vi.unstubAllEnvs();
  vi.restoreAllMocks();
});

const body = { prompt: "a b", max_tokens: 1 };

/** A client whose back-off is recorded, not waited for, and whose retries are collected. */
function client(extra: Partial<ClientOptions> = {}) {
  const sleeps: number[] = [];
  const retries: RetryInfo[] = [];
  const c = new ApiClient({
    endpoint: server.url,
    model: "mock",
    backoff: { initialMs: 100, maxMs: 1000 },
    random: () => 1,
    sleep: async (ms) => {
      sleeps.push(ms);
    },
    onRetry: (r) => retries.push(r),
    ...extra,
  });
  return { c, sleeps, retries };
}

describe("ApiClient retries", () => {
  it("honours Retry-After on 429, in seconds", async () => {
    server.faults.push({ status: 429, retryAfter: "2" }, { status: 429, retryAfter: "0.5" });
    const { c, sleeps } = client();
    expect(await c.post("completions", body)).toHaveProperty("choices");
    expect(sleeps).toEqual([2000, 500]);
  });

  it("caps an excessive Retry-After, and says so", async () => {
    server.faults.push({ status: 429, retryAfter: "3600" });
    const { c, sleeps, retries } = client({ maxRetryAfterMs: 5000 });
    await c.post("completions", body);
    expect(sleeps).toEqual([5000]);
    expect(retries).toEqual([
      {
        origin: { endpoint: `${server.url}/v1`, model: "mock" },
        attempt: 1,
        maxRetries: 5,
        delayMs: 5000,
        retryAfterMs: 3_600_000,
        reason: "HTTP 429",
      },
    ]);
  });

  it("logs each retry on stderr with its reason and wait when no onRetry is given", async () => {
    server.faults.push({ status: 429, retryAfter: "3600" }, { delayMs: 400 });
    const lines: string[] = [];
    vi.spyOn(process.stderr, "write").mockImplementation((s) => {
      lines.push(String(s));
      return true;
    });
    const { c } = client({ maxRetryAfterMs: 5000, timeoutMs: 50, maxRetries: 3, onRetry: undefined });
    await c.post("completions", body);
    expect(lines).toEqual([
      `openai-lm: ${server.url}/v1 (model mock): HTTP 429; retry 1/3 in 5.0 s (Retry-After 3600.0 s, capped)\n`,
      `openai-lm: ${server.url}/v1 (model mock): timeout after 50 ms; retry 2/3 in 0.2 s\n`,
    ]);
  });

  it("does not retry a status the request calls permanent", async () => {
    server.faults.push({ status: 500, body: '{"error":{"message":"Only no echo is supported"}}' });
    const { c, sleeps } = client();
    const err: any = await c
      .post("completions", body, { permanent: (status, text) => status === 500 && text.includes("echo") })
      .catch((e) => e);
    expect(err).toBeInstanceOf(HttpStatusError);
    expect(err.attempts).toBe(1);
    expect(sleeps).toEqual([]);
  });

  it("backs off exponentially, with jitter, on 5xx", async () => {
    server.faults.push({ status: 500 }, { status: 502 }, { status: 503 }, { status: 504 }, { status: 500 });
    const { c, sleeps } = client({ random: () => 0 });
    await c.post("completions", body);
    expect(sleeps).toEqual([50, 100, 200, 400, 500]);
    const { c: c2, sleeps: s2, retries } = client();
    server.faults.push({ status: 503 }, { status: 500 });
    await c2.post("completions", body);
    expect(s2).toEqual([100, 200]);
    expect(retries.map((r) => [r.reason, r.attempt, r.delayMs])).toEqual([
      ["HTTP 503", 1, 100],
      ["HTTP 500", 2, 200],
    ]);
  });

  it("gives up after maxRetries with the last status", async () => {
    server.faults.push({ status: 500 }, { status: 500 }, { status: 500 });
    const err: any = await client({ maxRetries: 2 })
      .c.post("completions", body)
      .catch((e) => e);
    expect(err).toBeInstanceOf(HttpStatusError);
    expect(err.status).toBe(500);
    expect(err.attempts).toBe(3);
    expect(err.message).toContain(`${server.url}/v1 (model mock)`);
  });

  it("does not retry a 400", async () => {
    server.faults.push({ status: 400, body: '{"error":"bad request"}' });
    const err: any = await client()
      .c.post("completions", body)
      .catch((e) => e);
    expect(err).toBeInstanceOf(HttpStatusError);
    expect(err.message).toContain("bad request");
    expect(server.requests).toHaveLength(1);
  });

  it("retries a dropped connection", async () => {
    server.faults.push({ reset: true });
    const { c, sleeps } = client();
    expect(await c.post("completions", body)).toHaveProperty("choices");
    expect(sleeps).toHaveLength(1);
  });

  it("times out a slow answer and retries it", async () => {
    server.faults.push({ delayMs: 400 });
    const { c, retries } = client({ timeoutMs: 50 });
    expect(await c.post("completions", body)).toHaveProperty("choices");
    expect(retries.map((r) => r.reason)).toEqual(["timeout after 50 ms"]);
  });

  it("reports a timeout when every attempt is slow", async () => {
    server.faults.push({ delayMs: 400 }, { delayMs: 400 });
    const err: any = await client({ timeoutMs: 30, maxRetries: 1 })
      .c.post("completions", body)
      .catch((e) => e);
    expect(err).toBeInstanceOf(NetworkError);
    expect(err.message).toMatch(/timeout after 30 ms \(after 2 attempts\)/);
  });

  it("reports an unreachable server", async () => {
    const err: any = await new ApiClient({
      endpoint: "http://127.0.0.1:1",
      model: "m",
      maxRetries: 0,
      onRetry: () => {},
    })
      .post("completions", body)
      .catch((e) => e);
    expect(err).toBeInstanceOf(NetworkError);
    expect(err.message).toContain("http://127.0.0.1:1/v1");
  });

  it("names malformed JSON and does not retry it", async () => {
    server.faults.push({ malformed: true });
    const err: any = await client()
      .c.post("completions", body)
      .catch((e) => e);
    expect(err).toBeInstanceOf(MalformedResponseError);
    expect(err.field).toBe("body");
    expect(err.message).toContain(`${server.url}/v1 (model mock): malformed response: body is not JSON`);
    expect(server.requests).toHaveLength(1);
  });
});

describe("ApiClient API key", () => {
  it("sends the key from the named variable as a bearer token and never puts it in an error", async () => {
    vi.stubEnv("SHRINKRAY_TEST_KEY", "sk-very-secret");
    server.faults.push({ status: 401 });
    const { c } = client({ apiKeyEnv: "SHRINKRAY_TEST_KEY" });
    const err: any = await c.post("completions", body).catch((e) => e);
    expect(server.requests[0].headers.authorization).toBe("Bearer sk-very-secret");
    expect(`${err.message} ${err.stack} ${JSON.stringify(err)} ${JSON.stringify(c)}`).not.toContain(
      "sk-very-secret",
    );
  });

  it("uses OPENAI_API_KEY by default and sends nothing when it is unset", async () => {
    vi.stubEnv("OPENAI_API_KEY", "sk-default");
    await client().c.post("completions", body);
    vi.stubEnv("OPENAI_API_KEY", "");
    await client().c.post("completions", body);
    expect(server.requests[0].headers.authorization).toBe("Bearer sk-default");
    expect(server.requests[1].headers.authorization).toBeUndefined();
  });

  it("rejects a named variable that is unset", () => {
    expect(() => client({ apiKeyEnv: "SHRINKRAY_SURELY_UNSET" })).toThrow(ConfigError);
  });
});

describe("ApiClient concurrency", () => {
  it("keeps at most `concurrency` requests in flight", async () => {
    for (let i = 0; i < 8; i++) server.faults.push({ delayMs: 20 });
    server.maxInFlight = 0;
    const { c } = client({ concurrency: 3 });
    await Promise.all(Array.from({ length: 8 }, () => c.post("completions", body)));
    expect(server.maxInFlight).toBe(3);
  });
});

describe("normaliseEndpoint", () => {
  it("accepts a host, a /v1 base or a full endpoint URL", () => {
    for (const e of [
      "http://h:8000",
      "http://h:8000/",
      "http://h:8000/v1",
      "http://h:8000/v1/",
      "http://h:8000/v1/completions",
    ]) {
      expect(normaliseEndpoint(e)).toBe("http://h:8000/v1");
    }
    expect(normaliseEndpoint("https://x.ai/openai/v1/chat/completions")).toBe("https://x.ai/openai/v1");
    expect(() => normaliseEndpoint("localhost:8000")).toThrow(ConfigError);
  });
});
