/**
 * Issue 14's ratio targets, read off a `npm run bench` run: each one's median product/floor ratio, the
 * ratio of every run, and whether the median meets it. Against the bare floor (the issue's yardstick)
 * and, with `--schema-floor`, against the floor on the product's own tables (what the product's code
 * costs above its schema), with that floor against the bare one (what the tables cost). The 300 ms rows
 * and time to first token are judged by `round-trips.ts`.
 */
import { percentile } from './load.js';

type Ratios = Record<string, Record<string, number>>;
/** The part of a bench row (one run at one LLM latency) the targets read. */
export interface TargetRow {
  processes: number;
  product_vs_floor?: Ratios;
  product_vs_schema_floor?: Ratios;
  schema_floor_vs_floor?: Ratios;
  variant_vs_product?: Ratios;
}

interface RatioTarget {
  measure: string;
  scenario: string;
  figure: 'p50_ms' | 'throughput_per_s' | 'server_cpu_ms_per_message';
  /** `most`: the ratio may not exceed `bound`; `least`: it may not fall below it. */
  at: 'most' | 'least';
  bound: number;
}

const RATIO_TARGETS: readonly RatioTarget[] = [
  { measure: 'c=1, LLM 0 ms, p50', scenario: 'c1', figure: 'p50_ms', at: 'most', bound: 1.15 },
  {
    measure: 'c=32, LLM 0 ms, throughput',
    scenario: 'c32',
    figure: 'throughput_per_s',
    at: 'least',
    bound: 0.9,
  },
  {
    measure: 'c=32, server CPU per message',
    scenario: 'c32',
    figure: 'server_cpu_ms_per_message',
    at: 'most',
    bound: 1.3,
  },
  {
    measure: 'c=256, LLM 300 ms, throughput',
    scenario: 'c256',
    figure: 'throughput_per_s',
    at: 'least',
    bound: 0.9,
  },
];

export interface TargetReading {
  measure: string;
  target: string;
  /** Per run, in run order. */
  runs: number[];
  median: number;
  met: boolean;
}

/**
 * The floor is a yardstick only while it makes the product's calls: the same number of LLM calls with
 * the same prompts (the fake LLM counts both). A ratio outside this band of 1.00 in any run's target
 * scenario means the two servers did unequal work (the product's templates or the bench's business
 * changed, and the floor's prompts did not follow), and the run says so.
 */
const SAME_CALLS_TOLERANCE = 0.02;

/** Each run's target scenario where the product's LLM calls or prompt tokens per message differ from the floor's. */
export function unequalCalls(runs: TargetRow[][], against: 'product_vs_floor' | 'product_vs_schema_floor') {
  const found: string[] = [];
  runs.forEach((rows, index) => {
    for (const row of rows) {
      for (const [scenario, ratios] of Object.entries(row[against] ?? {})) {
        if (!RATIO_TARGETS.some((t) => t.scenario === scenario)) continue;
        for (const figure of ['llm_calls_per_message', 'prompt_tokens_per_message']) {
          const ratio = ratios[figure];
          if (ratio !== undefined && Math.abs(ratio - 1) > SAME_CALLS_TOLERANCE)
            found.push(`run ${index + 1}, ${scenario}: ${figure} ${ratio.toFixed(2)}×`);
        }
      }
    }
  });
  return found;
}

const targetText = (t: RatioTarget) => `${t.at === 'most' ? '≤' : '≥'} ${t.bound}×`;

type Comparison =
  | 'product_vs_floor'
  | 'product_vs_schema_floor'
  | 'schema_floor_vs_floor'
  | 'variant_vs_product';

/** Every run's ratio of a target's figure in the comparison `against`, and their median. */
function ratiosAcrossRuns(runs: TargetRow[][], against: Comparison, target: RatioTarget) {
  const values = runs.flatMap((rows) =>
    rows
      // With --processes=1,2 the issue's figures are those of the first process count.
      .filter((row) => row.processes === rows[0]?.processes)
      .map((row) => row[against]?.[target.scenario]?.[target.figure])
      .filter((value): value is number => value !== undefined && Number.isFinite(value)),
  );
  const median = values.length
    ? Number(
        percentile(
          [...values].sort((a, b) => a - b),
          50,
        ).toFixed(2),
      )
    : Number.NaN;
  return { runs: values, median };
}

/** One reading per target measured in these runs, against the floor `against` names. */
export function readTargets(runs: TargetRow[][], against: Exclude<Comparison, 'variant_vs_product'>) {
  const readings: TargetReading[] = [];
  for (const target of RATIO_TARGETS) {
    const { runs: values, median } = ratiosAcrossRuns(runs, against, target);
    if (!values.length) continue;
    readings.push({
      measure: target.measure,
      target: targetText(target),
      runs: values,
      median,
      met: target.at === 'most' ? median <= target.bound : median >= target.bound,
    });
  }
  return readings;
}

/**
 * `--variant`: each target's measure as variant/product, from the same rounds. No verdict: the targets
 * judge the product against the floor; this says which of two settings of the product does better.
 */
export function readVariant(runs: TargetRow[][]) {
  return RATIO_TARGETS.map((target) => ({
    measure: target.measure,
    ...ratiosAcrossRuns(runs, 'variant_vs_product', target),
  })).filter((reading) => reading.runs.length > 0);
}

/** A reading as its median ratio with each run's ratio in brackets: "1.04× (1.02 / 1.04 / 1.10)". */
const medianAndRuns = (reading: { median: number; runs: number[] }) =>
  `${reading.median.toFixed(2)}× (${reading.runs.map((v) => v.toFixed(2)).join(' / ')})`;

/** The `--variant` readings as a table: the variant does better below 1× for p50 and CPU, above 1× for throughput. */
export function printVariant(readings: ReturnType<typeof readVariant>, flags: string[], runCount: number) {
  if (!readings.length) return;
  console.log(
    `\n== Variant (${flags.join(' ')}) against the product, same rounds: median of ${runCount} run${runCount > 1 ? 's' : ''} ==`,
  );
  console.log('| measure | variant/product |');
  console.log('|---|---|');
  for (const reading of readings) console.log(`| ${reading.measure} | ${medianAndRuns(reading)} |`);
}

const cell = (reading: TargetReading | undefined) =>
  reading ? `${medianAndRuns(reading)} | ${reading.met ? 'met' : 'unmet'}` : '– | –';

/**
 * The targets as a table. With the schema floor measured, two more pairs of columns: the product
 * against it (the code's share alone), and it against the bare floor (the tables' share alone, judged by
 * the same target: can even the floor's code meet it on the product's tables?).
 */
export function printTargets(
  bare: TargetReading[],
  schema: TargetReading[],
  tables: TargetReading[],
  runCount: number,
  unequal: string[] = [],
) {
  if (!bare.length && !schema.length) return;
  const withSchema = schema.length > 0;
  console.log(
    `\n== Issue 14 targets: median of ${runCount} run${runCount > 1 ? 's' : ''} (each run's ratio in brackets) ==`,
  );
  console.log(
    `| measure | target | product/bare floor | verdict |${
      withSchema ? " product/floor on the product's tables | verdict | that floor/bare floor | verdict |" : ''
    }`,
  );
  console.log(`|---|---|---|---|${withSchema ? '---|---|---|---|' : ''}`);
  for (const target of RATIO_TARGETS) {
    const find = (readings: TargetReading[]) => readings.find((r) => r.measure === target.measure);
    const b = find(bare);
    const s = find(schema);
    const measured = b ?? s;
    if (!measured) continue;
    console.log(
      `| ${target.measure} | ${measured.target} | ${cell(b)} |${withSchema ? ` ${cell(s)} | ${cell(find(tables))} |` : ''}`,
    );
  }
  if (unequal.length)
    console.log(
      `The floor did not make the product's calls (product/floor; these ratios compare unequal work): ${unequal.join('; ')}`,
    );
}
