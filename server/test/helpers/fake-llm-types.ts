// Types of the fake OpenAI-compatible chat-completions server (see fake-llm-server.ts).
import type { IncomingHttpHeaders } from 'node:http';
import type { FakeChatMessage } from './fake-llm-protocol.js';

export type { FakeChatMessage } from './fake-llm-protocol.js';

export interface FakeLlmRequest {
  headers: IncomingHttpHeaders;
  /** The parsed JSON body; null when it was not valid JSON. */
  body: unknown;
  messages: FakeChatMessage[];
  model: string | undefined;
  response_format: unknown;
  stream: boolean;
  stream_options: unknown;
  /** All message contents joined by newlines: what string and RegExp matchers search. */
  text: string;
  /**
   * When the server received the whole request and when it finished answering, in `performance.now()`
   * milliseconds of the server's process (the test's own clock when the server runs in the test): a
   * call that starts after another's `answeredAt` waited for it. Compare them with each other only.
   */
  receivedAt?: number;
  answeredAt?: number;
}

export type FakeAnswer =
  | { content: string }
  | { json: unknown }
  | { status: number; body?: unknown }
  | { hang: true }
  | { malformed: true };

export type FakeAnswerer = (request: FakeLlmRequest) => FakeAnswer;
export type FakeMatcher = string | RegExp | ((request: FakeLlmRequest) => boolean);

export interface ScriptOptions {
  /** Substring or RegExp over `text`, or a predicate; omitted matches every request. */
  match?: FakeMatcher;
  /** Answer only the Nth matching request (1-based); other matches fall through to later rules. */
  nth?: number;
  /** Answer at most this many requests, then stop matching. */
  times?: number;
  /** Extra delay for this rule, on top of the server latency. */
  delayMs?: number;
}

export type ScriptRule = ScriptOptions & (FakeAnswer | { respond: FakeAnswerer });

export interface ScriptHandle {
  /** How many requests this rule answered. */
  readonly hits: number;
  remove(): void;
}

export interface FakeLlmOptions {
  port?: number;
  host?: string;
  latencyMs?: number;
  /**
   * Streamed answers (`stream: true`): the first token comes after the latency, each further piece this
   * many ms later (default 0: the whole answer at once), so time to first token differs from the total.
   */
  streamIntervalMs?: number;
  defaultAnswer?: FakeAnswerer;
  /** Keep received bodies in `requests` (default true). Long benchmarks turn this off to bound memory. */
  record?: boolean;
  /** Model id listed by GET /v1/models and used when a request names none. */
  model?: string;
  /**
   * `response_format` types this server does not support (as many llama.cpp, Ollama and vLLM set-ups):
   * a request asking for one is refused with 400 naming it, as those servers do.
   */
  refuseFormats?: ResponseFormatType[];
  /** Random errors and hangs (see FakeFaults); none by default. */
  faults?: FakeFaults;
}

export type ResponseFormatType = 'json_schema' | 'json_object';

/** Random faults for chaos runs: each request fails with 500 or hangs with these probabilities. */
export interface FakeFaults {
  /** 0–1: share of requests answered 500 (before any scripted rule). */
  errorRate?: number;
  /** 0–1: share of requests never answered (the client's timeout ends them). */
  hangRate?: number;
  /** Source of randomness (default Math.random): a seeded one makes a run repeatable. */
  random?: () => number;
}

export interface FakeLlm {
  /** Base URL ending in `/v1`, for an OpenAI-compatible client's baseURL. */
  readonly url: string;
  readonly port: number;
  readonly requests: FakeLlmRequest[];
  /** Chat-completion requests received, counted even when recording is off. */
  readonly requestCount: number;
  /** Completions answered and the tokens their usage reported (also at `GET /v1/_served`). */
  readonly served: { completions: number; prompt_tokens: number; completion_tokens: number };
  /** Rules are tried in the order they were added; the first that matches answers. */
  script(rule: ScriptRule): ScriptHandle;
  setDefault(answerer: FakeAnswerer): void;
  setLatency(ms: number): void;
  /** Pause between streamed pieces from now on (see FakeLlmOptions.streamIntervalMs). */
  setStreamInterval(ms: number): void;
  /** Which `response_format` types to refuse from now on (see FakeLlmOptions.refuseFormats). */
  refuseFormats(types: ResponseFormatType[]): void;
  /** Random errors and hangs from now on (`{}` turns them off). */
  setFaults(faults: FakeFaults): void;
  /** Requests answered with an injected fault so far. */
  readonly faultCounts: { errors: number; hangs: number };
  /** Forget requests and rules; restore the default answer, the initial latency, stream interval and refused formats. */
  reset(): void;
  close(): Promise<void>;
}
