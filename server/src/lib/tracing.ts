import type { IncomingMessage, ServerResponse } from 'node:http';

/**
 * Tracing as the rest of the code sees it. Off (the default) it is a handful of no-op functions and no
 * OpenTelemetry module is loaded; `startTracing` swaps in the OpenTelemetry implementation
 * (`otel-tracing.ts`, imported lazily) when OTEL_EXPORTER_OTLP_ENDPOINT is set.
 *
 * Span attributes carry ids, stage and step names, models, token counts and outcomes — never a prompt,
 * a reply, SQL parameters or anything else a customer wrote.
 */
export type SpanAttributes = Record<string, string | number | boolean>;

export interface ActiveSpan {
  set(attributes: SpanAttributes): void;
  /** Marks the span as failed with a generic reason (no provider or customer text). */
  fail(reason: string): void;
}

export interface Tracing {
  readonly enabled: boolean;
  /**
   * Runs `run` inside a child span of the active one (a new trace with `root`: work that outlives the
   * request that started it); the span ends when it settles.
   */
  span<T>(
    name: string,
    attributes: SpanAttributes,
    run: (span: ActiveSpan) => Promise<T>,
    options?: { root?: boolean },
  ): Promise<T>;
  /**
   * One SQL statement, as a child of the active span (untraced outside one: pollers); `statement` is
   * only used for its first keyword. `run` may return a promise.
   */
  sql<T>(statement: string, run: () => T): T;
  /** Wraps a Node HTTP request: everything the handler starts runs inside the request's span. */
  serve(request: IncomingMessage, response: ServerResponse, handle: () => void): void;
  /** Names the request's span by its matched route (`POST /api/message`), once routing knows it. */
  nameRequest(request: IncomingMessage, route: string): void;
  /** Sends what is still buffered and stops. */
  shutdown(): Promise<void>;
}

const noSpan: ActiveSpan = { set() {}, fail() {} };

export const noTracing: Tracing = {
  enabled: false,
  span: (_name, _attributes, run) => run(noSpan),
  sql: (_statement, run) => run(),
  serve: (_request, _response, handle) => handle(),
  nameRequest() {},
  shutdown: async () => {},
};

let current: Tracing = noTracing;

/** The process's tracing (OpenTelemetry's context is process-wide too). */
export function tracing(): Tracing {
  return current;
}

export interface TracingSettings {
  tracesUrl: string;
  protocol: 'http/protobuf' | 'http/json';
  headers: Readonly<Record<string, string>>;
  serviceName: string;
  serviceVersion: string;
}

/**
 * Starts OpenTelemetry tracing for this process when `settings` is given (idempotent: a second app in
 * the same process shares it). Returns a stop function that flushes and switches tracing off again.
 */
export async function startTracing(settings: TracingSettings | null): Promise<() => Promise<void>> {
  if (!settings) return async () => {};
  if (current.enabled) return async () => {};
  const { createOtelTracing } = await import('./otel-tracing.js');
  const started = createOtelTracing(settings);
  current = started;
  return async () => {
    if (current === started) current = noTracing;
    await started.shutdown();
  };
}
