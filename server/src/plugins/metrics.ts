import cluster from 'node:cluster';
import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { AggregatorRegistry, collectDefaultMetrics, Gauge, Registry } from 'prom-client';
import { SeriesCounter, SeriesHistogram } from './metric-series.js';

/**
 * What `/metrics` shows. One registry per app instance (tests run several apps in one process); with
 * several server processes each has its own, Prometheus scrapes every one (a pod, or each worker's
 * port) and sums or takes the max in PromQL — see docs/alerts.md. Label values are bounded: routes are
 * Fastify's route patterns (`unmatched` for a 404), models are the configured ones (`other` else).
 */
export interface MetricsSources {
  /** SQL statements sent since start. */
  statementCount: () => number;
  /** pg pool connections; `null` on PGlite. */
  poolStats: () => { total: number; idle: number; waiting: number } | null;
  /** Whether the cross-process bus (Redis or PostgreSQL LISTEN) is connected. */
  busConnected: () => boolean;
  /** Models allowed as a label value; any other name is counted as `other`. */
  knownModels: readonly string[];
}

const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
const LLM_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];
const TURN_BUCKETS = [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2, 4, 8, 15, 30, 60];

export type StepOutcome = 'ok' | 'fallback' | 'error' | 'timeout' | 'skipped';

export function createMetrics(sources: MetricsSources) {
  const registry = new Registry();
  // Includes nodejs_eventloop_lag_p99_seconds (from monitorEventLoopDelay), heap, GC and handles.
  collectDefaultMetrics({ register: registry });
  const registers = [registry];
  new Gauge({
    name: 'icmp_db_statements_total',
    help: 'SQL statements sent to the database since start (BEGIN/COMMIT included)',
    registers,
    collect() {
      this.set(sources.statementCount());
    },
  });
  new Gauge({
    name: 'icmp_db_pool_connections',
    help: 'PostgreSQL pool connections of this process by state (total, idle, waiting = queries waiting for one); absent on PGlite',
    labelNames: ['state'] as const,
    registers,
    collect() {
      const stats = sources.poolStats();
      if (!stats) return;
      this.set({ state: 'total' }, stats.total);
      this.set({ state: 'idle' }, stats.idle);
      this.set({ state: 'waiting' }, stats.waiting);
    },
  });
  new Gauge({
    name: 'icmp_bus_connected',
    help: 'Whether the cross-process invalidation bus (Redis or PostgreSQL LISTEN) is connected (1) or not (0); 1 with no bus',
    registers,
    collect() {
      this.set(sources.busConnected() ? 1 : 0);
    },
  });
  const known = new Set(sources.knownModels);
  const modelLabel = (model: string) => (known.has(model) ? model : 'other');

  const llmCalls = new SeriesCounter({
    name: 'icmp_llm_calls_total',
    help: 'LLM calls (after retries) by provider, model, call type and outcome (ok, error, timeout)',
    labelNames: ['provider', 'model', 'call_type', 'outcome'] as const,
    registers,
  });
  const llmTokens = new SeriesCounter({
    name: 'icmp_llm_tokens_total',
    help: 'LLM tokens by provider, model and kind (prompt, completion)',
    labelNames: ['provider', 'model', 'kind'] as const,
    registers,
  });
  const llmCost = new SeriesCounter({
    name: 'icmp_llm_cost_usd_total',
    help: 'Estimated LLM cost in US dollars (model-pricing.ts) by provider and model',
    labelNames: ['provider', 'model'] as const,
    registers,
  });
  const llmDuration = new SeriesHistogram({
    name: 'icmp_llm_call_duration_seconds',
    help: 'LLM call latency, retries included',
    labelNames: ['call_type', 'status'] as const,
    buckets: LLM_BUCKETS,
    registers,
  });
  const stepDuration = new SeriesHistogram({
    name: 'icmp_pipeline_step_duration_seconds',
    help: 'Pipeline step latency (stage_selection, data_extraction, response_generation); skipped steps not observed',
    labelNames: ['step'] as const,
    buckets: LLM_BUCKETS,
    registers,
  });
  const steps = new SeriesCounter({
    name: 'icmp_pipeline_steps_total',
    help: 'Pipeline steps by outcome: ok, fallback (the reply was the fallback text), error, timeout, skipped',
    labelNames: ['step', 'outcome'] as const,
    registers,
  });

  return {
    registry,
    httpDuration: new SeriesHistogram({
      name: 'icmp_http_request_duration_seconds',
      help: 'HTTP request duration by method, route pattern and status',
      labelNames: ['method', 'route', 'status'] as const,
      buckets: LATENCY_BUCKETS,
      registers,
    }),
    messagesProcessed: new SeriesCounter({
      name: 'icmp_messages_processed_total',
      help: 'Inbound customer messages processed by the pipeline',
      labelNames: ['outcome'] as const,
      registers,
    }),
    turnDuration: new SeriesHistogram({
      name: 'icmp_turn_duration_seconds',
      help: 'A whole turn: from the lease to the stored reply (select, extract, respond, persist)',
      labelNames: ['outcome'] as const,
      buckets: TURN_BUCKETS,
      registers,
    }),
    leaseWait: new SeriesHistogram({
      name: 'icmp_turn_lease_wait_seconds',
      help: 'Time a turn waited for its conversation (the in-process queue and the lease of another process)',
      buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers,
    }),
    backgroundTurns: new Gauge({
      name: 'icmp_background_turns',
      help: 'Webhook turns of this process waiting for a slot (queued) or being processed (running)',
      labelNames: ['state'] as const,
      registers,
    }),
    llmCalls: llmDuration,
    /** One finished LLM call: latency, outcome, tokens and cost, with a bounded model label. */
    recordLlmCall(
      callType: string,
      result: {
        ok: boolean;
        provider: string;
        model: string;
        latencyMs: number;
        tokensIn: number;
        tokensOut: number;
        costUsd: number;
        error?: string | undefined;
      },
    ) {
      const model = modelLabel(result.model);
      const outcome = result.ok ? 'ok' : result.error === 'timeout' ? 'timeout' : 'error';
      llmDuration.observe(
        { call_type: callType, status: result.ok ? 'success' : 'error' },
        result.latencyMs / 1000,
      );
      llmCalls.inc({ provider: result.provider, model, call_type: callType, outcome });
      if (result.tokensIn)
        llmTokens.inc({ provider: result.provider, model, kind: 'prompt' }, result.tokensIn);
      if (result.tokensOut) {
        llmTokens.inc({ provider: result.provider, model, kind: 'completion' }, result.tokensOut);
      }
      if (result.costUsd) llmCost.inc({ provider: result.provider, model }, result.costUsd);
    },
    /** One pipeline step of a finished turn. */
    recordStep(step: string, outcome: StepOutcome, latencyMs: number) {
      steps.inc({ step, outcome });
      if (outcome !== 'skipped') stepDuration.observe({ step }, latencyMs / 1000);
    },
  };
}

export type Metrics = ReturnType<typeof createMetrics>;

export function registerRequestMetrics(app: FastifyInstance, metrics: Metrics) {
  app.addHook('onResponse', (request, reply, done) => {
    metrics.httpDuration.observe(
      {
        method: request.method,
        // The route pattern (`/api/conversations/:conversation_id`), never the raw URL: a scan of
        // random paths must not create a series per path.
        route: request.is404 ? 'unmatched' : (request.routeOptions.url ?? 'unmatched'),
        status: String(reply.statusCode),
      },
      reply.elapsedTime / 1000,
    );
    done();
  });
}

/**
 * node:cluster support (prom-client's AggregatorRegistry). A worker calls `enableClusterMetrics` with
 * its app's registry (app.ts does, when it runs as a cluster worker); the primary calls
 * `clusterMetrics()` to serve one text for all workers: counters and histograms summed, per-process
 * gauges summed, database-wide gauges (backlog, database up) by their max. A supervisor that starts
 * plain processes has no such channel: Prometheus then scrapes each process and PromQL aggregates.
 */
export function enableClusterMetrics(registry: Registry) {
  if (!cluster.isWorker) return;
  new AggregatorRegistry(); // installs the worker's answer to the primary's requests (idempotent)
  AggregatorRegistry.setRegistries([registry]);
}

let aggregator: AggregatorRegistry<'text/plain; version=0.0.4; charset=utf-8'> | undefined;

export async function clusterMetrics(): Promise<{ contentType: string; text: string }> {
  if (!cluster.isPrimary) throw new Error('clusterMetrics() is for the cluster primary');
  aggregator ??= new AggregatorRegistry();
  return { contentType: aggregator.contentType, text: await aggregator.clusterMetrics() };
}

const METRICS_REQUEST = 'icmp:cluster-metrics';
const METRICS_ANSWER = 'icmp:cluster-metrics-answer';
type MetricsAnswer = {
  type: typeof METRICS_ANSWER;
  id: string;
  contentType?: string;
  text?: string;
  error?: string;
};

/**
 * The primary answers its workers' requests for the whole cluster's metrics, so GET /metrics on the
 * shared port reads the same totals whichever worker the connection lands on.
 */
export function serveClusterMetrics() {
  cluster.on('message', (worker, message: { type?: unknown; id?: unknown }) => {
    if (message?.type !== METRICS_REQUEST || typeof message.id !== 'string') return;
    const id = message.id;
    clusterMetrics().then(
      (result) => worker.send({ type: METRICS_ANSWER, id, ...result } satisfies MetricsAnswer),
      (error: unknown) =>
        worker.send({ type: METRICS_ANSWER, id, error: String((error as Error)?.message ?? error) }),
    );
  });
}

/** In a cluster worker: every worker's metrics, aggregated by the primary. `null` outside a cluster. */
export function metricsOfCluster(timeoutMs = 10_000): Promise<{ contentType: string; text: string }> | null {
  const send = process.send?.bind(process);
  if (!cluster.isWorker || !send) return null;
  const id = randomUUID();
  return new Promise((resolve, reject) => {
    const onMessage = (message: MetricsAnswer) => {
      if (message?.type !== METRICS_ANSWER || message.id !== id) return;
      clearTimeout(timer);
      process.off('message', onMessage);
      if (message.error !== undefined || message.text === undefined) {
        reject(new Error(`cluster metrics: ${message.error ?? 'no answer'}`));
      } else resolve({ contentType: message.contentType ?? 'text/plain', text: message.text });
    };
    const timer = setTimeout(() => {
      process.off('message', onMessage);
      reject(new Error('cluster metrics: the primary did not answer'));
    }, timeoutMs);
    process.on('message', onMessage);
    send({ type: METRICS_REQUEST, id });
  });
}
