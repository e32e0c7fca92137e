import type { AppContext } from '../../context.js';
import { foldRollupSlots } from './rollup-compaction.repository.js';

const EVERY_MS = 60 * 60_000;

/**
 * Folds the daily rollups' slots (migration 0017: each key striped over up to 16 rows while its day
 * is being written) of past UTC days back into one row per key, at start and then hourly in every
 * process. Readers sum a key's slots, so the fold changes no answer — without it a 30-day overview of a
 * busy business read up to 16 rows per key and day, and its LLM histograms 16 times over. A late row
 * of a past day lands in its writer's slot again and is folded on the next run.
 */
type Log = (details: Record<string, unknown>, message: string) => void;

export function createRollupCompaction(ctx: AppContext, log: { info: Log; warn: Log }) {
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;

  const run = () => {
    running ??= (async () => {
      try {
        const today = new Date().toISOString().slice(0, 10);
        const folded = await foldRollupSlots(ctx.db, today);
        if (folded > 0)
          log.info({ rows: folded, before: today }, 'folded past days of the rollups into one slot');
      } catch (err) {
        // Most often a lock timeout beside a writer: the next run folds what this one left.
        log.warn({ err }, 'folding the rollup slots failed; retrying at the next run');
      } finally {
        running = undefined;
      }
    })();
    return running;
  };

  return {
    run,
    start() {
      // Not awaited: after an upgrade the first run may fold a backlog, and start-up does not wait on it.
      void run();
      timer = setInterval(() => void run(), EVERY_MS);
      timer.unref();
    },
    async stop() {
      if (timer) clearInterval(timer);
      await running;
    },
  };
}
