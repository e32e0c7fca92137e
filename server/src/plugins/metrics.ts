import type { FastifyInstance } from 'fastify';
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';

/** One registry per app instance so tests can run several apps in one process. */
export function createMetrics(statementCount: () => number) {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  new Gauge({
    name: 'icmp_db_statements_total',
    help: 'SQL statements sent to the database since start (BEGIN/COMMIT included)',
    registers: [registry],
    collect() {
      this.set(statementCount());
    },
  });
  return {
    registry,
    httpDuration: new Histogram({
      name: 'icmp_http_request_duration_seconds',
      help: 'HTTP request duration',
      labelNames: ['method', 'route', 'status'] as const,
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    }),
    messagesProcessed: new Counter({
      name: 'icmp_messages_processed_total',
      help: 'Inbound customer messages processed by the pipeline',
      labelNames: ['outcome'] as const,
      registers: [registry],
    }),
    backgroundTurns: new Gauge({
      name: 'icmp_background_turns',
      help: 'Webhook turns of this process waiting for a slot (queued) or being processed (running)',
      labelNames: ['state'] as const,
      registers: [registry],
    }),
    llmCalls: new Histogram({
      name: 'icmp_llm_call_duration_seconds',
      help: 'LLM call latency',
      labelNames: ['call_type', 'status'] as const,
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers: [registry],
    }),
  };
}

export type Metrics = ReturnType<typeof createMetrics>;

export function registerRequestMetrics(app: FastifyInstance, metrics: Metrics) {
  app.addHook('onResponse', async (request, reply) => {
    metrics.httpDuration.observe(
      {
        method: request.method,
        route: request.routeOptions.url ?? 'unmatched',
        status: String(reply.statusCode),
      },
      reply.elapsedTime / 1000,
    );
  });
}
