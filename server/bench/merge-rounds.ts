/** A scenario's figures on one server, as `run-bench.ts` reads them (the fields merging needs). */
export interface RoundFigures {
  messages: number;
  throughput_per_s: number;
  [figure: string]: number | undefined;
}

export const round = (value: number) => Number(value.toFixed(2));

function median(values: number[]) {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2
    ? (sorted[middle] as number)
    : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

/**
 * One scenario's interleaved rounds (`npm run bench -- --interleave`) as one figure: counts added,
 * figures per message weighted by each round's messages, throughput over the rounds' total time, and
 * the latency percentiles the median of the rounds' (a round's own are over its messages alone).
 */
export function mergeRounds<F extends RoundFigures>(rounds: readonly F[]): F {
  const messages = rounds.reduce((sum, r) => sum + r.messages, 0);
  const seconds = rounds.reduce(
    (sum, r) => sum + (r.throughput_per_s > 0 ? r.messages / r.throughput_per_s : 0),
    0,
  );
  const merged: RoundFigures = { ...(rounds[0] as F) };
  for (const key of Object.keys(merged)) {
    const values = rounds.map((r) => r[key]).filter((v): v is number => typeof v === 'number');
    if (key === 'messages' || key === 'errors') merged[key] = values.reduce((sum, v) => sum + v, 0);
    else if (key === 'throughput_per_s') merged[key] = seconds > 0 ? round(messages / seconds) : 0;
    else if (key.endsWith('_per_message'))
      merged[key] = round(
        rounds.reduce((sum, r) => sum + (r[key] ?? 0) * r.messages, 0) / Math.max(1, messages),
      );
    else merged[key] = round(median(values));
  }
  return merged as F;
}
