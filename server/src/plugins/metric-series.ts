import type { Registry } from 'prom-client';

/**
 * Counters and histograms for what a turn records, shown through prom-client's registry.
 *
 * A turn makes about 25 observations (three LLM calls, three steps, the turn, its lease wait, the HTTP
 * request). prom-client's own `observe`/`inc` validate the label object, hash it by its sorted names and,
 * for a histogram, find the bucket through an object keyed by floats: ~3 % of the product's CPU per
 * message in the bench's profile (issue 14). Here a series is found through nested maps by its label
 * values and an observation is an addition to an array.
 *
 * `get()` and `getForPromString()` answer in prom-client's own shapes, so `/metrics`' text, the JSON
 * the cluster's workers send and the primary's aggregation are prom-client's code, unchanged;
 * `metric-series.test.ts` compares all three with prom-client's `Counter` and `Histogram` fed the same
 * values.
 */

interface SeriesConfig<L extends string> {
  name: string;
  help: string;
  labelNames?: readonly L[];
  registers: readonly Registry[];
}

interface Series<L extends string, D> {
  labels: Readonly<Record<L, string>>;
  data: D;
}

/** Per label, in `labelNames` order, a map from its value to the next level; the last holds the series. */
type SeriesTree<L extends string, D> = Map<string, SeriesTree<L, D> | Series<L, D>>;

abstract class SeriesMetric<L extends string, D> {
  readonly aggregator = 'sum';
  readonly name: string;
  readonly help: string;
  readonly labelNames: readonly L[];
  private tree: SeriesTree<L, D> = new Map();
  /** Every series in first-use order, the order prom-client shows them in. */
  private inOrder: Series<L, D>[] = [];

  constructor(
    config: SeriesConfig<L>,
    private readonly newData: () => D,
  ) {
    this.name = config.name;
    this.help = config.help;
    this.labelNames = config.labelNames ?? [];
    this.reset();
    for (const registry of config.registers) registry.registerMetric(this as never);
  }

  /**
   * The series of these label values, created on first use. Nested maps rather than one map keyed by
   * the values joined: the values are the same few strings every time (routes, models, outcomes), whose
   * hashes V8 keeps, so a lookup builds no string.
   */
  protected seriesOf(labels: Readonly<Record<L, string>>): Series<L, D> {
    const names = this.labelNames;
    if (names.length === 0) return this.inOrder[0] as Series<L, D>;
    let level = this.tree;
    const last = names.length - 1;
    for (let i = 0; i < last; i++) {
      const value = labels[names[i] as L];
      let next = level.get(value) as SeriesTree<L, D> | undefined;
      if (!next) {
        next = new Map();
        level.set(this.checked(names[i] as L, value), next);
      }
      level = next;
    }
    const value = labels[names[last] as L];
    let found = level.get(value) as Series<L, D> | undefined;
    if (!found) {
      found = this.newSeries(labels);
      level.set(this.checked(names[last] as L, value), found);
    }
    return found;
  }

  private checked(name: L, value: string | undefined): string {
    if (typeof value !== 'string') throw new TypeError(`label "${name}" of ${this.name} is not a string`);
    return value;
  }

  private newSeries(labels: Readonly<Record<L, string>>): Series<L, D> {
    const own = {} as Record<L, string>;
    for (const name of this.labelNames) own[name] = this.checked(name, labels[name]);
    const series = { labels: own, data: this.newData() };
    this.inOrder.push(series);
    return series;
  }

  protected allSeries(): readonly Series<L, D>[] {
    return this.inOrder;
  }

  reset() {
    this.tree = new Map();
    this.inOrder = [];
    // A metric without labels is shown from the start, at zero, as prom-client shows it.
    if (this.labelNames.length === 0) this.newSeries({} as Record<L, string>);
  }
}

export class SeriesCounter<L extends string = never> extends SeriesMetric<L, { value: number }> {
  readonly type = 'counter';

  constructor(config: SeriesConfig<L>) {
    super(config, () => ({ value: 0 }));
  }

  inc(
    ...args: [L] extends [never] ? [value?: number] : [labels: Readonly<Record<L, string>>, value?: number]
  ) {
    const labels = (this.labelNames.length ? args[0] : {}) as Readonly<Record<L, string>>;
    const value = (this.labelNames.length ? args[1] : args[0]) as number | undefined;
    const amount = value ?? 1;
    if (!Number.isFinite(amount) || amount < 0) throw new TypeError(`${this.name}: cannot add ${amount}`);
    this.seriesOf(labels).data.value += amount;
  }

  async get() {
    const values = [];
    for (const { labels, data } of this.allSeries()) values.push({ value: data.value, labels });
    return { help: this.help, name: this.name, type: this.type, values, aggregator: this.aggregator };
  }
}

interface HistogramData {
  /** Per bucket, observations at or below its bound (not cumulative); the last slot is above every bound. */
  counts: Float64Array;
  sum: number;
}

export class SeriesHistogram<L extends string = never> extends SeriesMetric<L, HistogramData> {
  readonly type = 'histogram';
  private readonly bounds: readonly number[];

  constructor(config: SeriesConfig<L> & { buckets: readonly number[] }) {
    const { buckets } = config;
    super(config, () => ({ counts: new Float64Array(buckets.length + 1), sum: 0 }));
    // Ascending, as prom-client takes them too.
    this.bounds = [...buckets];
  }

  observe(
    ...args: [L] extends [never] ? [value: number] : [labels: Readonly<Record<L, string>>, value: number]
  ) {
    const labels = (this.labelNames.length ? args[0] : {}) as Readonly<Record<L, string>>;
    const value = (this.labelNames.length ? args[1] : args[0]) as number;
    if (!Number.isFinite(value)) throw new TypeError(`${this.name}: cannot observe ${value}`);
    const data = this.seriesOf(labels).data;
    const bounds = this.bounds;
    let at = 0;
    while (at < bounds.length && value > (bounds[at] as number)) at++;
    data.counts[at] = (data.counts[at] as number) + 1;
    data.sum += value;
  }

  /** prom-client's text shape: each series' labels apart (`sharedLabels`), after `le`. */
  async getForPromString() {
    const bucketName = `${this.name}_bucket`;
    const values: Array<{
      labels: Record<string, string | number>;
      sharedLabels: Readonly<Record<string, string>>;
      value: number;
      metricName: string;
      exemplar?: null;
    }> = [];
    for (const { labels, data } of this.allSeries()) {
      let cumulative = 0;
      this.bounds.forEach((bound, i) => {
        cumulative += data.counts[i] as number;
        values.push({
          labels: { le: bound },
          sharedLabels: labels,
          value: cumulative,
          metricName: bucketName,
          exemplar: null,
        });
      });
      // Every observation is in one slot, so the last cumulative count is the series' count.
      const count = cumulative + (data.counts[this.bounds.length] as number);
      values.push({
        labels: { le: '+Inf' },
        sharedLabels: labels,
        value: count,
        metricName: bucketName,
        exemplar: null,
      });
      values.push({ labels: {}, sharedLabels: labels, value: data.sum, metricName: `${this.name}_sum` });
      values.push({ labels: {}, sharedLabels: labels, value: count, metricName: `${this.name}_count` });
    }
    return { name: this.name, help: this.help, type: this.type, values, aggregator: this.aggregator };
  }

  /** prom-client's JSON shape (what a cluster worker sends): each value's labels in one object. */
  async get() {
    const data = await this.getForPromString();
    return {
      ...data,
      values: data.values.map(({ sharedLabels, labels, ...rest }) => ({
        ...rest,
        labels: { ...labels, ...sharedLabels },
      })),
    };
  }
}
