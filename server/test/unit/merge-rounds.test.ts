import { describe, expect, it } from 'vitest';
import { mergeRounds } from '../../bench/merge-rounds.js';

describe("an interleaved bench's rounds merged into one scenario's figures", () => {
  it('adds counts, weights per-message figures by messages, and takes throughput over the total time', () => {
    const merged = mergeRounds([
      { messages: 100, errors: 1, throughput_per_s: 100, p50_ms: 10, server_cpu_ms_per_message: 1 },
      { messages: 300, errors: 0, throughput_per_s: 150, p50_ms: 30, server_cpu_ms_per_message: 2 },
      { messages: 200, errors: 2, throughput_per_s: 200, p50_ms: 20, server_cpu_ms_per_message: 0.5 },
    ]);
    // 600 messages in 1 + 2 + 1 seconds; CPU (100·1 + 300·2 + 200·0.5) / 600.
    expect(merged).toEqual({
      messages: 600,
      errors: 3,
      throughput_per_s: 150,
      p50_ms: 20,
      server_cpu_ms_per_message: 1.33,
    });
  });

  it('takes the median of an even number of rounds between the middle two, and one round as it is', () => {
    const two = mergeRounds([
      { messages: 10, throughput_per_s: 10, p95_ms: 4 },
      { messages: 10, throughput_per_s: 10, p95_ms: 8 },
    ]);
    expect(two.p95_ms).toBe(6);
    const one = { messages: 7, throughput_per_s: 3.5, p99_ms: 12, llm_calls_per_message: 3 };
    expect(mergeRounds([one])).toEqual(one);
  });
});
