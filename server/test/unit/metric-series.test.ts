import { AggregatorRegistry, Counter, Histogram, Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { SeriesCounter, SeriesHistogram } from '../../src/plugins/metric-series.js';

// Each metric is fed the same values as prom-client's own Counter or Histogram of the same name, in a
// registry of its own; `/metrics`' text and the JSON a cluster worker sends must come out the same.

const BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2.5];
// Below the first bound, on a bound, between bounds, above the last, zero.
const VALUES = [0.01, 0.05, 0.07, 0.1, 0.3, 2.5, 3, 40, 0];

function pair() {
  const ours = new Registry();
  const theirs = new Registry();
  return { ours, theirs };
}

async function expectSameExposition(ours: Registry, theirs: Registry) {
  expect(await ours.metrics()).toBe(await theirs.metrics());
  expect(JSON.parse(JSON.stringify(await ours.getMetricsAsJSON()))).toEqual(
    JSON.parse(JSON.stringify(await theirs.getMetricsAsJSON())),
  );
}

describe('series metrics, shown as prom-client shows its own', () => {
  it('a labelled histogram: buckets, sum and count per series, series in first-use order', async () => {
    const { ours, theirs } = pair();
    const config = {
      name: 'test_call_duration_seconds',
      help: 'Call latency',
      labelNames: ['call_type', 'status'] as const,
      buckets: BUCKETS,
    };
    const a = new SeriesHistogram({ ...config, registers: [ours] });
    const b = new Histogram({ ...config, registers: [theirs] });
    for (const [i, value] of VALUES.entries()) {
      const labels = {
        call_type: i % 3 ? 'response_generation' : 'stage_selection',
        status: i === 7 ? 'error' : 'success',
      };
      a.observe(labels, value);
      b.observe(labels, value);
    }
    await expectSameExposition(ours, theirs);
    expect(await ours.metrics()).toContain(
      'test_call_duration_seconds_bucket{le="0.1",call_type="response_generation",status="success"} 3',
    );
  });

  it('a histogram without labels is shown at zero before its first observation', async () => {
    const { ours, theirs } = pair();
    const config = { name: 'test_wait_seconds', help: 'Wait', buckets: BUCKETS };
    const a = new SeriesHistogram({ ...config, registers: [ours] });
    const b = new Histogram({ ...config, registers: [theirs] });
    await expectSameExposition(ours, theirs);
    for (const value of VALUES) {
      a.observe(value);
      b.observe(value);
    }
    await expectSameExposition(ours, theirs);
  });

  it('counters: by one, by an amount, label values that need escaping, and without labels', async () => {
    const { ours, theirs } = pair();
    const labelled = { name: 'test_tokens_total', help: 'Tokens', labelNames: ['model', 'kind'] as const };
    const plain = { name: 'test_events_total', help: 'Events' };
    const a = new SeriesCounter({ ...labelled, registers: [ours] });
    const b = new Counter({ ...labelled, registers: [theirs] });
    const c = new SeriesCounter({ ...plain, registers: [ours] });
    const d = new Counter({ ...plain, registers: [theirs] });
    await expectSameExposition(ours, theirs);
    for (const [labels, amount] of [
      [{ model: 'gpt-4o-mini', kind: 'prompt' }, 512],
      [{ model: 'gpt-4o-mini', kind: 'completion' }, 30],
      [{ model: 'a "quoted"\\model\n', kind: 'prompt' }, 0.25],
      [{ model: 'gpt-4o-mini', kind: 'prompt' }, undefined],
    ] as const) {
      a.inc(labels, amount);
      b.inc(labels, amount);
    }
    c.inc();
    d.inc();
    c.inc(2);
    d.inc(2);
    await expectSameExposition(ours, theirs);
    expect(await ours.metrics()).toContain('test_tokens_total{model="gpt-4o-mini",kind="prompt"} 513');
  });

  it('workers’ metrics aggregate in the cluster primary as prom-client’s do', async () => {
    const workers = [pair(), pair()];
    for (const [n, { ours, theirs }] of workers.entries()) {
      const config = {
        name: 'test_turn_seconds',
        help: 'Turn',
        labelNames: ['outcome'] as const,
        buckets: BUCKETS,
      };
      const a = new SeriesHistogram({ ...config, registers: [ours] });
      const b = new Histogram({ ...config, registers: [theirs] });
      const counted = { name: 'test_turns_total', help: 'Turns', labelNames: ['outcome'] as const };
      const c = new SeriesCounter({ ...counted, registers: [ours] });
      const d = new Counter({ ...counted, registers: [theirs] });
      for (const value of VALUES.slice(n)) {
        a.observe({ outcome: n ? 'llm' : 'fallback' }, value);
        b.observe({ outcome: n ? 'llm' : 'fallback' }, value);
        c.inc({ outcome: 'llm' });
        d.inc({ outcome: 'llm' });
      }
    }
    const aggregate = async (side: 'ours' | 'theirs') =>
      AggregatorRegistry.aggregate(
        await Promise.all(workers.map((worker) => worker[side].getMetricsAsJSON())),
      ).metrics();
    expect(await aggregate('ours')).toBe(await aggregate('theirs'));
  });

  it('refuses what prom-client refuses: a value that is not a number, a counter going down, a label left out', () => {
    const registers = [new Registry()];
    const histogram = new SeriesHistogram({
      name: 'h',
      help: 'h',
      labelNames: ['a'] as const,
      buckets: BUCKETS,
      registers,
    });
    const counter = new SeriesCounter({ name: 'c', help: 'c', labelNames: ['a'] as const, registers });
    expect(() => histogram.observe({ a: 'x' }, Number.NaN)).toThrow(TypeError);
    expect(() => counter.inc({ a: 'x' }, -1)).toThrow(TypeError);
    expect(() => counter.inc({} as { a: string })).toThrow(/label "a"/);
  });

  it('reset() empties the series, as the registry’s resetMetrics() expects', async () => {
    const registry = new Registry();
    const counter = new SeriesCounter({
      name: 'c_total',
      help: 'c',
      labelNames: ['a'] as const,
      registers: [registry],
    });
    counter.inc({ a: 'x' });
    registry.resetMetrics();
    expect((await counter.get()).values).toEqual([]);
  });
});
