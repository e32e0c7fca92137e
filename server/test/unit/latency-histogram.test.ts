import { describe, expect, it } from 'vitest';
import {
  addToHistogram,
  type Histogram,
  LATENCY_BUCKETS,
  latencyBucket,
  percentileOf,
} from '../../src/modules/analytics/latency-histogram.js';

/** PostgreSQL's percentile_cont: linear interpolation between the closest ranks. */
function exactPercentile(values: number[], fraction: number) {
  const sorted = [...values].sort((x, y) => x - y);
  const position = fraction * (sorted.length - 1);
  const low = Math.floor(position);
  const lowValue = sorted[low] ?? 0;
  return lowValue + ((sorted[Math.ceil(position)] ?? lowValue) - lowValue) * (position - low);
}

function histogramOf(values: number[]): Histogram {
  const histogram: Histogram = new Map();
  for (const value of values) addToHistogram(histogram, latencyBucket(value), 1);
  return histogram;
}

// A small deterministic generator: the same cases on every run.
function* random(seed: number) {
  let x = seed;
  for (;;) {
    x = (x * 1_103_515_245 + 12_345) % 2 ** 31;
    yield x / 2 ** 31;
  }
}

describe('latency histogram', () => {
  it('puts every whole millisecond in the bucket whose bounds hold it', () => {
    expect(latencyBucket(0)).toBe(0);
    expect(latencyBucket(1)).toBe(1);
    expect(latencyBucket(10 ** 9)).toBe(LATENCY_BUCKETS - 1);
    for (let ms = 1; ms < 200_000; ms += ms < 1000 ? 1 : 97) {
      const bucket = latencyBucket(ms);
      expect(1.05 ** (bucket - 1)).toBeLessThanOrEqual(ms * (1 + 1e-12));
      expect(ms).toBeLessThan(1.05 ** bucket * (1 + 1e-12));
    }
  });

  it('is exact where each bucket holds one whole millisecond, and within 5 % above', () => {
    const small = [3, 3, 4, 7, 9, 12, 15, 18, 20];
    for (const fraction of [0.5, 0.95, 0.99]) {
      expect(percentileOf(histogramOf(small), fraction)).toBeCloseTo(exactPercentile(small, fraction), 9);
    }
    const dice = random(42);
    for (let round = 0; round < 50; round++) {
      const n = 1 + Math.floor((dice.next().value as number) * 2000);
      const values = Array.from({ length: n }, () =>
        Math.floor(20 + 30_000 * (dice.next().value as number) ** 3),
      );
      const histogram = histogramOf(values);
      for (const fraction of [0.5, 0.95, 0.99]) {
        const exact = exactPercentile(values, fraction);
        const estimate = percentileOf(histogram, fraction) as number;
        expect(Math.abs(estimate - exact)).toBeLessThanOrEqual(exact * 0.05 + 0.5);
      }
    }
  });

  it('answers null without calls and adds counts of several days', () => {
    expect(percentileOf(new Map(), 0.5)).toBeNull();
    const days: Histogram = new Map();
    addToHistogram(days, latencyBucket(100), 2);
    addToHistogram(days, latencyBucket(100), 1);
    addToHistogram(days, latencyBucket(5), 0);
    expect([...days.entries()]).toEqual([[latencyBucket(100), 3]]);
    expect(percentileOf(days, 0.5)).toBeGreaterThanOrEqual(96);
    expect(percentileOf(days, 0.5)).toBeLessThanOrEqual(104);
  });
});
