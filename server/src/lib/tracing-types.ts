import type { IncomingMessage, ServerResponse } from 'node:http';

/** The shapes of `tracing.ts`, apart so that `otel-tracing.ts` (loaded by it lazily) needs no import back. */
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

export interface TracingSettings {
  tracesUrl: string;
  protocol: 'http/protobuf' | 'http/json';
  headers: Readonly<Record<string, string>>;
  serviceName: string;
  serviceVersion: string;
}
