export interface LoadResult {
  requests: number;
  errors: number;
  errorSamples: string[];
  seconds: number;
  throughput: number;
  p50: number;
  p95: number;
  p99: number;
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  const index = Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1);
  return sorted[Math.max(0, index)] as number;
}

/**
 * Closed-loop load: `concurrency` workers each send their next request as soon as the previous one
 * answers, until `total` requests are done or `seconds` have passed.
 */
export async function runLoad(options: {
  concurrency: number;
  total?: number;
  seconds?: number;
  send: (worker: number, n: number) => Promise<Response>;
}): Promise<LoadResult> {
  const latencies: number[] = [];
  const errorSamples: string[] = [];
  let errors = 0;
  let issued = 0;
  const started = performance.now();
  const deadline = options.seconds ? started + options.seconds * 1000 : Number.POSITIVE_INFINITY;
  const total = options.total ?? Number.POSITIVE_INFINITY;

  async function worker(id: number) {
    while (issued < total && performance.now() < deadline) {
      const n = issued++;
      const t0 = performance.now();
      try {
        const response = await options.send(id, n);
        const body = await response.text();
        if (response.status !== 200) {
          errors++;
          if (errorSamples.length < 3) errorSamples.push(`${response.status} ${body.slice(0, 200)}`);
        } else {
          latencies.push(performance.now() - t0);
        }
      } catch (error) {
        errors++;
        if (errorSamples.length < 3) errorSamples.push(String(error));
      }
    }
  }
  await Promise.all(Array.from({ length: options.concurrency }, (_, i) => worker(i)));
  const seconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  return {
    requests: latencies.length + errors,
    errors,
    errorSamples,
    seconds,
    throughput: latencies.length / seconds,
    p50: percentile(latencies, 50),
    p95: percentile(latencies, 95),
    p99: percentile(latencies, 99),
  };
}
