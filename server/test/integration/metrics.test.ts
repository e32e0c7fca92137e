/**
 * What GET /metrics exposes after real traffic (one message through the pipeline and the fake LLM),
 * and that the Grafana dashboard and the Prometheus alert rules in deploy/ only name metrics that a
 * real scrape has (a renamed metric breaks this test, not a dashboard in production). promtool is not
 * available here, so the rules' PromQL itself is not evaluated — only parsed for metric names.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { messages } from '../../src/db/schema.js';
import { createMetrics } from '../../src/plugins/metrics.js';
import { expectError } from '../helpers/assertions.js';
import { bearer, createBusiness, createUser, insertConversationWithMessage } from '../helpers/factories.js';
import { type PipelineApp, scriptedModel, startPipelineApp } from '../helpers/pipeline-fixture.js';

const DEPLOY = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../deploy');
const METRICS_TOKEN = 'metrics-token-for-tests-0123456789abcdef';

let p: PipelineApp;
let scrape: string;

/** `name{labels} value` sample lines of a scrape, by metric sample name. */
function samples(text: string, name: string) {
  return text
    .split('\n')
    .filter((line) => line.startsWith(`${name}{`) || line.startsWith(`${name} `))
    .map((line) => {
      const match = /^([\w:]+)(?:\{(.*)\})? (\S+)$/.exec(line);
      if (!match) throw new Error(`unreadable sample line: ${line}`);
      const labels = Object.fromEntries(
        [...(match[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((m) => [m[1], m[2]]),
      );
      return { labels, value: Number(match[3]) };
    });
}

const getMetrics = (headers: Record<string, string>) =>
  p.t.app.inject({ method: 'GET', url: '/metrics', headers });

beforeAll(async () => {
  // A priced model, so the cost counter moves.
  p = await startPipelineApp({ LLM_MODEL: 'gpt-4o-mini', METRICS_TOKEN });
  p.llm.setDefault(scriptedModel({ respond: () => 'Hello!' }));
  const business = await createBusiness(p.t.app, p.t.masterKey);
  const response = await p.t.app.inject({
    method: 'POST',
    url: '/api/message',
    headers: bearer(business.api_key),
    payload: { content: 'Hi there' },
  });
  expect(response.statusCode, response.body).toBe(200);
  // A scan of random paths: each is a 404 that must not become a route label of its own.
  for (let i = 0; i < 5; i++) {
    await p.t.app.inject({ method: 'GET', url: `/no-such-page-${i}-${Math.random()}` });
  }
  // An unanswered customer message waiting in the database (a pending turn) for the backlog gauges.
  const user = await createUser(p.t.app, business.api_key);
  const { conversationId } = await insertConversationWithMessage(p.t.database.db, {
    businessId: business.business_id,
    userId: user.user_id,
  });
  await p.t.database.db.insert(messages).values({
    conversationId,
    businessId: business.business_id,
    senderType: 'user',
    messageContent: 'still waiting',
    sequenceNumber: 2,
    status: 'pending',
    createdAt: new Date(Date.now() - 120_000),
  });
  const scraped = await getMetrics(bearer(p.t.masterKey));
  expect(scraped.statusCode).toBe(200);
  scrape = scraped.body;
}, 180_000);
afterAll(async () => p?.close());

describe('GET /metrics after one message', () => {
  it('counts the LLM calls by provider, model, call type and outcome, with tokens and cost', () => {
    const calls = samples(scrape, 'icmp_llm_calls_total');
    expect(calls.map((s) => s.labels.call_type).sort()).toEqual(['data_extraction', 'response_generation']);
    for (const call of calls) {
      expect(call.labels).toMatchObject({ provider: 'openai', model: 'gpt-4o-mini', outcome: 'ok' });
      expect(call.value).toBe(1);
    }
    const tokens = samples(scrape, 'icmp_llm_tokens_total');
    expect(tokens.map((s) => s.labels.kind).sort()).toEqual(['completion', 'prompt']);
    for (const sample of tokens) expect(sample.value).toBeGreaterThan(0);
    const [cost] = samples(scrape, 'icmp_llm_cost_usd_total');
    expect(cost?.value).toBeGreaterThan(0);
  });

  it('times each pipeline step and the whole turn, and counts step outcomes', () => {
    const steps = Object.fromEntries(
      samples(scrape, 'icmp_pipeline_steps_total').map((s) => [s.labels.step, s.labels.outcome]),
    );
    // One stage: selection is skipped; extraction and the reply ran.
    expect(steps).toEqual({
      stage_selection: 'skipped',
      data_extraction: 'ok',
      response_generation: 'ok',
    });
    const stepCounts = samples(scrape, 'icmp_pipeline_step_duration_seconds_count');
    expect(stepCounts.map((s) => s.labels.step).sort()).toEqual(['data_extraction', 'response_generation']);
    expect(samples(scrape, 'icmp_turn_duration_seconds_count')).toEqual([
      { labels: { outcome: 'llm' }, value: 1 },
    ]);
    expect(samples(scrape, 'icmp_turn_lease_wait_seconds_count')[0]?.value).toBe(1);
  });

  it('reads the backlog from the database: the pending message and its age', () => {
    expect(samples(scrape, 'icmp_inbound_pending')[0]?.value).toBe(1);
    expect(samples(scrape, 'icmp_inbound_oldest_age_seconds')[0]?.value).toBeGreaterThanOrEqual(100);
    expect(samples(scrape, 'icmp_outbox_pending')[0]?.value).toBe(0);
    expect(samples(scrape, 'icmp_outbox_oldest_age_seconds')[0]?.value).toBe(0);
    expect(samples(scrape, 'icmp_database_up')[0]?.value).toBe(1);
  });

  it('reports the bus, the pool (PostgreSQL only), the live streams and the event loop', () => {
    expect(samples(scrape, 'icmp_bus_connected')[0]?.value).toBe(1);
    const pool = samples(scrape, 'icmp_db_pool_connections');
    if (p.t.database.kind === 'postgres') {
      expect(pool.map((s) => s.labels.state).sort()).toEqual(['idle', 'total', 'waiting']);
      expect(pool.find((s) => s.labels.state === 'total')?.value).toBeGreaterThan(0);
    } else {
      expect(pool).toEqual([]);
    }
    expect(samples(scrape, 'icmp_inbox_streams_open')[0]?.value).toBe(0);
    expect(samples(scrape, 'icmp_widget_streams_open')[0]?.value).toBe(0);
    expect(samples(scrape, 'nodejs_eventloop_lag_p99_seconds')).toHaveLength(1);
  });

  it('labels requests by route pattern: unknown paths are one `unmatched` series', () => {
    const routes = new Set(
      samples(scrape, 'icmp_http_request_duration_seconds_count').map((s) => s.labels.route),
    );
    expect(routes).toContain('/api/message');
    expect(routes).toContain('unmatched');
    expect([...routes].filter((route) => route?.includes('no-such-page'))).toEqual([]);
    const unmatched = samples(scrape, 'icmp_http_request_duration_seconds_count').filter(
      (s) => s.labels.route === 'unmatched' && s.labels.status === '404',
    );
    expect(unmatched.reduce((sum, s) => sum + s.value, 0)).toBeGreaterThanOrEqual(5);
  });
});

describe('model label', () => {
  it('counts a model outside the configured ones as `other`', async () => {
    const metrics = createMetrics({
      statementCount: () => 0,
      poolStats: () => null,
      busConnected: () => true,
      knownModels: ['gpt-4o-mini'],
    });
    const call = { ok: true, provider: 'openai', latencyMs: 5, tokensIn: 3, tokensOut: 2, costUsd: 0 };
    metrics.recordLlmCall('response_generation', { ...call, model: 'gpt-4o-mini' });
    metrics.recordLlmCall('response_generation', { ...call, model: 'some-model-nobody-configured' });
    metrics.recordLlmCall('response_generation', { ...call, ok: false, error: 'timeout', model: 'x' });
    const text = await metrics.registry.metrics();
    const models = samples(text, 'icmp_llm_calls_total').map((s) => [s.labels.model, s.labels.outcome]);
    expect(models.sort()).toEqual([
      ['gpt-4o-mini', 'ok'],
      ['other', 'ok'],
      ['other', 'timeout'],
    ]);
  });
});

describe('METRICS_TOKEN', () => {
  it('reads /metrics and nothing else; a wrong token is refused', async () => {
    const response = await getMetrics(bearer(METRICS_TOKEN));
    expect(response.statusCode).toBe(200);
    expect(response.body).toMatch(/^icmp_database_up /m);
    expectError(await getMetrics(bearer(`${METRICS_TOKEN}x`)), 401, 'AUTHENTICATION_ERROR');
    expectError(await getMetrics({ 'x-api-key': METRICS_TOKEN }), 401, 'AUTHENTICATION_ERROR');
    const elsewhere = await p.t.app.inject({
      method: 'GET',
      url: '/api/businesses',
      headers: bearer(METRICS_TOKEN),
    });
    expectError(elsewhere, 401, 'AUTHENTICATION_ERROR');
  });
});

/** Metric names in PromQL: our own (`icmp_`) and Node's default metrics (`nodejs_`, `process_`). */
function metricNames(expression: string): string[] {
  return [...expression.matchAll(/\b((?:icmp|nodejs|process)_[a-zA-Z0-9_:]+)/g)].map((m) => m[1] as string);
}

/** Every PromQL expression of the dashboard (`targets[].expr`, panels nested in rows too). */
function dashboardExpressions(dashboard: { panels?: unknown[] }): string[] {
  const found: string[] = [];
  const walk = (panels: unknown[] | undefined) => {
    for (const panel of panels ?? []) {
      const { targets, panels: inner } = panel as { targets?: { expr?: string }[]; panels?: unknown[] };
      for (const target of targets ?? []) if (target.expr) found.push(target.expr);
      walk(inner);
    }
  };
  walk(dashboard.panels);
  return found;
}

describe('deploy/: alert rules and dashboard', () => {
  /** Sample names of the scrape, plus declared metrics (a labelled counter has no sample until used). */
  const exposed = () => {
    const names = new Set<string>();
    for (const line of scrape.split('\n')) {
      const declared = /^# TYPE (\S+) (\w+)/.exec(line);
      if (declared?.[1]) {
        names.add(declared[1]);
        if (declared[2] === 'histogram') {
          for (const suffix of ['_bucket', '_sum', '_count']) names.add(`${declared[1]}${suffix}`);
        }
      }
      const sample = /^([\w:]+)[{ ]/.exec(line);
      if (sample?.[1]) names.add(sample[1]);
    }
    return names;
  };

  it('every alert rule names existing metrics and links its runbook section', () => {
    const file = parseYaml(readFileSync(path.join(DEPLOY, 'prometheus/alerts.yml'), 'utf8')) as {
      groups: { name: string; rules: Record<string, unknown>[] }[];
    };
    const runbook = readFileSync(path.resolve(DEPLOY, '../docs/alerts.md'), 'utf8');
    const anchors = new Set(
      [...runbook.matchAll(/^#{2,3} (.+)$/gm)].map((m) =>
        (m[1] as string)
          .trim()
          .toLowerCase()
          .replace(/[^\w\s-]/g, '')
          .replace(/\s+/g, '-'),
      ),
    );
    const names = exposed();
    const rules = file.groups.flatMap((group) => group.rules);
    expect(rules.length).toBeGreaterThanOrEqual(6);
    for (const rule of rules) {
      const alert = rule.alert as string;
      expect(alert, JSON.stringify(rule)).toMatch(/^[A-Z][A-Za-z]+$/);
      const expr = rule.expr as string;
      expect(typeof expr).toBe('string');
      const annotations = rule.annotations as Record<string, string>;
      expect(annotations.summary, alert).toBeTruthy();
      expect(annotations.description, alert).toBeTruthy();
      const anchor = /docs\/alerts\.md#([\w-]+)$/.exec(annotations.runbook_url ?? '')?.[1];
      expect(anchor, `${alert} runbook_url`).toBeTruthy();
      expect(anchors, `${alert}: docs/alerts.md has no section #${anchor}`).toContain(anchor);
      expect((rule.labels as Record<string, string>)?.severity, alert).toMatch(/^(critical|warning)$/);
      const used = metricNames(expr);
      // `up` (DB down by the scrape failing) is Prometheus's own; every other rule names ours.
      if (!/\bup\b/.test(expr)) expect(used.length, `${alert} names no metric`).toBeGreaterThan(0);
      for (const name of used) expect(names, `${alert} uses ${name}`).toContain(name);
    }
  });

  it('every dashboard query names existing metrics; the datasource is a variable', () => {
    const text = readFileSync(path.join(DEPLOY, 'grafana/icmp-dashboard.json'), 'utf8');
    const dashboard = JSON.parse(text) as {
      panels: unknown[];
      templating: { list: { name: string; type: string }[] };
      title: string;
    };
    expect(dashboard.title).toBeTruthy();
    expect(dashboard.templating.list).toContainEqual(
      expect.objectContaining({ name: 'datasource', type: 'datasource' }),
    );
    // No panel is tied to one Grafana's datasource uid.
    for (const match of text.matchAll(/"datasource":\s*\{[^}]*"uid":\s*"([^"]+)"/g)) {
      expect(match[1]).toMatch(/^\$\{datasource\}$/);
    }
    const expressions = dashboardExpressions(dashboard);
    expect(expressions.length).toBeGreaterThanOrEqual(12);
    const names = exposed();
    for (const expression of expressions) {
      const used = metricNames(expression);
      expect(used.length, expression).toBeGreaterThan(0);
      for (const name of used) expect(names, `dashboard query ${expression}`).toContain(name);
    }
  });
});
