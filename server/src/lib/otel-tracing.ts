import type { IncomingMessage } from 'node:http';
import {
  type Context,
  defaultTextMapGetter,
  ROOT_CONTEXT,
  type Span,
  SpanKind,
  SpanStatusCode,
  trace,
} from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter as OtlpJsonExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as OtlpProtoExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import type { ActiveSpan, SpanAttributes, Tracing, TracingSettings } from './tracing-types.js';

/**
 * Now, in epoch milliseconds with the monotonic clock's fraction. The SDK's default start time is
 * `Date.now()`, whole milliseconds, so a span's start could be off by up to 1 ms from its parent's: too
 * coarse for a turn whose statements and calls take a fraction of one (`npm run bench:phases`).
 */
const preciseNow = () => performance.timeOrigin + performance.now();

/**
 * The OpenTelemetry side of `tracing.ts`, loaded only when an OTLP endpoint is configured. Spans are
 * made by hand (ESM auto-instrumentation would need `--import` hooks before any module loads): the
 * HTTP request (around the Node server's handler, so the request's context is active for everything
 * Fastify runs), the turn, its steps and LLM calls (pipeline), and each SQL statement (db/client.ts).
 * Nothing is registered globally: the context manager and provider are this object's own, so a test can
 * start and stop it.
 */
export function createOtelTracing(settings: TracingSettings): Tracing {
  const exporterOptions = { url: settings.tracesUrl, headers: { ...settings.headers } };
  const exporter =
    settings.protocol === 'http/json'
      ? new OtlpJsonExporter(exporterOptions)
      : new OtlpProtoExporter(exporterOptions);
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({
      'service.name': settings.serviceName,
      'service.version': settings.serviceVersion,
      'process.pid': process.pid,
    }),
    spanProcessors: [new BatchSpanProcessor(exporter, { scheduledDelayMillis: 1000 })],
  });
  const tracer = provider.getTracer('icmp', settings.serviceVersion);
  const contexts = new AsyncLocalStorageContextManager().enable();
  const propagator = new W3CTraceContextPropagator();
  const requestSpans = new WeakMap<IncomingMessage, Span>();

  const wrap = (span: Span): ActiveSpan => ({
    set: (attributes) => span.setAttributes(attributes),
    fail: (reason) => span.setStatus({ code: SpanStatusCode.ERROR, message: reason }),
  });
  const child = (name: string, attributes: SpanAttributes, kind = SpanKind.INTERNAL, root = false) => {
    const parent = root ? ROOT_CONTEXT : contexts.active();
    const span = tracer.startSpan(name, { kind, attributes, startTime: preciseNow() }, parent);
    return { span, context: trace.setSpan(parent, span) };
  };
  const failWith = (span: Span, error: unknown) => {
    // The error's class only: messages can carry provider text or SQL values.
    span.setStatus({
      code: SpanStatusCode.ERROR,
      message: error instanceof Error ? error.constructor.name : 'error',
    });
  };

  return {
    enabled: true,
    async span(name, attributes, run, options) {
      const { span, context } = child(name, attributes, SpanKind.INTERNAL, options?.root);
      try {
        return await contexts.with(context, () => run(wrap(span)));
      } catch (error) {
        failWith(span, error);
        throw error;
      } finally {
        span.end(preciseNow());
      }
    },
    sql(statement, run) {
      // Only inside a traced operation: pollers (outbox, recovery sweep) would otherwise send a trace
      // per statement.
      if (!trace.getSpan(contexts.active())) return run();
      const operation = /^\s*(\w+)/.exec(statement)?.[1]?.toUpperCase() ?? 'SQL';
      const { span, context } = child(
        operation,
        { 'db.system': 'postgresql', 'db.operation.name': operation },
        SpanKind.CLIENT,
      );
      let result: ReturnType<typeof run>;
      try {
        result = contexts.with(context, run);
      } catch (error) {
        failWith(span, error);
        span.end(preciseNow());
        throw error;
      }
      if (result && typeof (result as { then?: unknown }).then === 'function') {
        (result as unknown as Promise<unknown>).then(
          () => span.end(preciseNow()),
          (error: unknown) => {
            failWith(span, error);
            span.end(preciseNow());
          },
        );
      } else {
        span.end(preciseNow());
      }
      return result;
    },
    serve(request, response, handle) {
      const method = request.method ?? 'GET';
      // A caller's traceparent makes this request part of its trace.
      const remote: Context = propagator.extract(ROOT_CONTEXT, request.headers, defaultTextMapGetter);
      const span = tracer.startSpan(
        method,
        {
          kind: SpanKind.SERVER,
          startTime: preciseNow(),
          attributes: {
            'http.request.method': method,
            // The path only: a query string may hold search words.
            'url.path': (request.url ?? '/').split('?')[0] ?? '/',
          },
        },
        remote,
      );
      requestSpans.set(request, span);
      response.once('close', () => {
        const status = response.statusCode;
        span.setAttribute('http.response.status_code', status);
        if (status >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
        span.end(preciseNow());
      });
      contexts.with(trace.setSpan(remote, span), handle);
    },
    nameRequest(request, route) {
      const span = requestSpans.get(request);
      if (!span) return;
      span.setAttribute('http.route', route);
      span.updateName(`${request.method ?? 'GET'} ${route}`);
    },
    async shutdown() {
      await provider.shutdown().catch(() => {});
      contexts.disable();
    },
  };
}
