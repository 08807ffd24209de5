/*
 * The one place HTTP happens: a JSON POST with a concurrency cap, a per-attempt timeout, and
 * retries with exponential back-off on the failures that go away by themselves (rate limits,
 * overloaded or restarting servers, dropped connections). Everything above it deals in parsed
 * JSON and never sees a socket.
 */
import {
  ConfigError,
  type ErrorOrigin,
  HttpStatusError,
  MalformedResponseError,
  NetworkError,
} from "./errors.js";
import { Semaphore } from "./semaphore.js";

export interface RetryInfo {
  /** Where the failed request went. */
  origin: ErrorOrigin;
  /** 1-based number of the attempt that failed. */
  attempt: number;
  /** Retries allowed after the first attempt; this wait is for retry number `attempt` of them. */
  maxRetries: number;
  /** How long the client waits before the next attempt. */
  delayMs: number;
  /** The wait the server asked for in `Retry-After`, before the cap; absent when it asked none. */
  retryAfterMs?: number;
  /** "HTTP 429", "HTTP 503", "timeout after 30000 ms", "ECONNRESET", ... */
  reason: string;
}

/** Per-request choices of `ApiClient.post`. */
export interface PostOptions {
  /**
   * A failed status that retrying cannot fix although it looks transient, e.g. llama.cpp's 500
   * for a refused parameter: it is thrown at once instead of being retried.
   */
  permanent?: (status: number, body: string) => boolean;
}

export interface ClientOptions {
  /** Server base URL: `http://host:8000`, `http://host:8000/v1` or a full `.../v1/completions` URL. */
  endpoint: string;
  /** The `model` field of every request (the served model's name). */
  model: string;
  /**
   * Environment variable holding the API key, sent as `Authorization: Bearer`. Default
   * `OPENAI_API_KEY`; when the default is unset no header is sent (local servers need none), when
   * a variable named here is unset that is an error.
   */
  apiKeyEnv?: string;
  /** Requests in flight at once (default 4). */
  concurrency?: number;
  /** Per-attempt timeout, including reading the body (default 120 000 ms). */
  timeoutMs?: number;
  /** Retries after the first attempt on 408/429/5xx and network errors (default 5). */
  maxRetries?: number;
  /** Back-off before retry n is min(maxMs, initialMs * 2^(n-1)), jittered to 50-100% (defaults 500, 30 000). */
  backoff?: { initialMs?: number; maxMs?: number };
  /** Upper bound on an honoured `Retry-After` (default 120 000 ms). */
  maxRetryAfterMs?: number;
  /** Extra headers (e.g. an organisation id). */
  headers?: Record<string, string>;
  /**
   * Called before each back-off, so a slow or rate-limited server is visible while it happens.
   * Default: one line on stderr per retry with the reason and the wait (`logRetry`); pass your own
   * to route it into a progress display, or `() => {}` to silence it.
   */
  onRetry?: (info: RetryInfo) => void;
  /** Injected for tests and custom schedulers. */
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
  fetch?: typeof fetch;
}

const DEFAULT_API_KEY_ENV = "OPENAI_API_KEY";
const BODY_SNIPPET = 500;

/** The default `onRetry`: "openai-lm: http://h:8000/v1 (model m): HTTP 429; retry 1/5 in 2.0 s (Retry-After 3600 s, capped)". */
export function logRetry(info: RetryInfo): void {
  const { origin, attempt, maxRetries, delayMs, retryAfterMs, reason } = info;
  let wait = `${(delayMs / 1000).toFixed(1)} s`;
  if (retryAfterMs !== undefined)
    wait += ` (Retry-After ${(retryAfterMs / 1000).toFixed(1)} s${retryAfterMs > delayMs ? ", capped" : ""})`;
  process.stderr.write(
    `openai-lm: ${origin.endpoint} (model ${origin.model}): ${reason}; retry ${attempt}/${maxRetries} in ${wait}\n`,
  );
}

/** `http://h:8000`, `http://h:8000/v1/`, `http://h:8000/v1/completions` all become `http://h:8000/v1`. */
export function normaliseEndpoint(endpoint: string): string {
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    throw new ConfigError("endpoint", `"${endpoint}" is not a URL (expected e.g. http://localhost:8000/v1)`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new ConfigError("endpoint", `"${endpoint}" must be http:// or https://`);
  }
  let base = `${url.origin}${url.pathname}`.replace(/\/+$/, "");
  base = base.replace(/\/(chat\/)?completions$/, "");
  return base.endsWith("/v1") ? base : `${base}/v1`;
}

export class ApiClient {
  readonly origin: ErrorOrigin;
  readonly #apiKey: string | undefined;
  readonly #sem: Semaphore;
  readonly #opts: ClientOptions;
  readonly #sleep: (ms: number) => Promise<void>;
  readonly #random: () => number;
  readonly #fetch: typeof fetch;

  constructor(opts: ClientOptions) {
    if (typeof opts.model !== "string" || opts.model === "")
      throw new ConfigError("model", "must be a non-empty string");
    this.origin = { endpoint: normaliseEndpoint(opts.endpoint), model: opts.model };
    const envName = opts.apiKeyEnv ?? DEFAULT_API_KEY_ENV;
    this.#apiKey = process.env[envName] || undefined;
    if (opts.apiKeyEnv !== undefined && this.#apiKey === undefined) {
      throw new ConfigError("apiKeyEnv", `environment variable ${envName} is not set`);
    }
    this.#opts = opts;
    this.#sem = new Semaphore(opts.concurrency ?? 4);
    this.#sleep = opts.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms)));
    this.#random = opts.random ?? Math.random;
    this.#fetch = opts.fetch ?? fetch;
  }

  /** POSTs `body` to `<endpoint>/<path>` and returns the parsed JSON. */
  post(path: string, body: unknown, opts: PostOptions = {}): Promise<unknown> {
    // The slot is held through back-off too: releasing it on a 429 would only let another
    // request hit the same rate limit.
    return this.#sem.run(() => this.#postWithRetries(path, body, opts));
  }

  async #postWithRetries(path: string, body: unknown, opts: PostOptions): Promise<unknown> {
    const url = `${this.origin.endpoint}/${path}`;
    const json = JSON.stringify(body);
    const maxRetries = this.#opts.maxRetries ?? 5;
    for (let attempt = 1; ; attempt++) {
      const outcome = await this.#attempt(url, json);
      if (outcome.kind === "ok") return this.#parse(outcome.text);
      const permanent =
        outcome.status !== undefined && opts.permanent?.(outcome.status, outcome.body ?? "") === true;
      if (outcome.kind === "fatal" || permanent || attempt > maxRetries)
        throw this.#failure(outcome, attempt);
      const retryAfterMs = outcome.retryAfterMs;
      const delayMs =
        retryAfterMs === undefined ? this.#backoff(attempt) : Math.min(retryAfterMs, this.#maxRetryAfter());
      (this.#opts.onRetry ?? logRetry)({
        origin: this.origin,
        attempt,
        maxRetries,
        delayMs,
        retryAfterMs,
        reason: outcome.reason,
      });
      await this.#sleep(delayMs);
    }
  }

  async #attempt(url: string, json: string): Promise<Outcome> {
    const timeoutMs = this.#opts.timeoutMs ?? 120_000;
    const ctrl = new AbortController();
    const timer = setTimeout(() => ctrl.abort(), timeoutMs);
    try {
      const res = await this.#fetch(url, {
        method: "POST",
        headers: this.#headers(),
        body: json,
        signal: ctrl.signal,
      });
      const text = await res.text();
      if (res.ok) return { kind: "ok", text };
      const retryable = res.status === 408 || res.status === 429 || res.status >= 500;
      return {
        kind: retryable ? "retry" : "fatal",
        reason: `HTTP ${res.status}`,
        status: res.status,
        body: snippet(text),
        retryAfterMs: retryable ? this.#retryAfter(res.headers.get("retry-after")) : undefined,
      };
    } catch (err) {
      const reason = ctrl.signal.aborted ? `timeout after ${timeoutMs} ms` : networkReason(err);
      return { kind: "retry", reason, cause: err };
    } finally {
      clearTimeout(timer);
    }
  }

  #headers(): Record<string, string> {
    const h: Record<string, string> = { "content-type": "application/json", ...this.#opts.headers };
    if (this.#apiKey !== undefined) h.authorization = `Bearer ${this.#apiKey}`;
    return h;
  }

  #parse(text: string): unknown {
    try {
      return JSON.parse(text);
    } catch {
      throw new MalformedResponseError(
        this.origin,
        "body",
        `is not JSON: ${JSON.stringify(snippet(text, 200))}`,
      );
    }
  }

  #backoff(attempt: number): number {
    const initial = this.#opts.backoff?.initialMs ?? 500;
    const max = this.#opts.backoff?.maxMs ?? 30_000;
    // Jitter spreads out clients that failed together, so they do not come back together.
    return Math.min(max, initial * 2 ** (attempt - 1)) * (0.5 + 0.5 * this.#random());
  }

  #maxRetryAfter(): number {
    return this.#opts.maxRetryAfterMs ?? 120_000;
  }

  /**
   * The wait `Retry-After` asks for (seconds or an HTTP date), before the cap; anything else is
   * ignored in favour of back-off.
   */
  #retryAfter(header: string | null): number | undefined {
    if (header === null || header.trim() === "") return undefined;
    const seconds = Number(header);
    if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
    const date = Date.parse(header);
    if (Number.isNaN(date)) return undefined;
    return Math.max(0, date - Date.now());
  }

  #failure(outcome: Exclude<Outcome, { kind: "ok" }>, attempts: number): Error {
    if (outcome.status !== undefined)
      return new HttpStatusError(this.origin, outcome.status, outcome.body ?? "", attempts);
    return new NetworkError(this.origin, `request failed: ${outcome.reason}`, attempts, outcome.cause);
  }
}

type Outcome =
  | { kind: "ok"; text: string }
  | {
      kind: "retry" | "fatal";
      reason: string;
      status?: number;
      body?: string;
      retryAfterMs?: number;
      cause?: unknown;
    };

function snippet(text: string, max = BODY_SNIPPET): string {
  return text.length > max ? `${text.slice(0, max)}...` : text;
}

/** undici reports "fetch failed" and hides the useful part (ECONNREFUSED, ...) in `cause`. */
function networkReason(err: unknown): string {
  const cause = (err as { cause?: { code?: string; message?: string } })?.cause;
  if (cause?.code) return cause.code;
  if (cause?.message) return cause.message;
  return err instanceof Error ? err.message : String(err);
}
