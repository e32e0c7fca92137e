import type { AppContext } from '../../context.js';
import { FOLDED_TABLES, foldCommittedRows, foldRollupSlots } from './rollup-compaction.repository.js';

type Log = (details: Record<string, unknown>, message: string) => void;

/** Runs `work` at start and then every `everyMs`, one run at a time; a failed run waits for the next. */
function periodic(everyMs: number, work: () => Promise<void>, onError: (err: unknown) => void) {
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  const run = () => {
    running ??= work()
      .catch(onError)
      .finally(() => {
        running = undefined;
      });
    return running;
  };
  return {
    run,
    start() {
      // Not awaited: after an upgrade the first run may fold a backlog, and start-up does not wait on it.
      void run();
      timer = setInterval(() => void run(), everyMs);
      timer.unref();
    },
    async stop() {
      if (timer) clearInterval(timer);
      await running;
    },
  };
}

/**
 * Folds the daily rollups' slots (migration 0017: each key striped over up to 16 rows while its day
 * is being written) of past UTC days back into one row per key, at start and then hourly in every
 * process. Readers sum a key's slots, so the fold changes no answer — without it a 30-day overview of a
 * busy business read up to 16 rows per key and day, and its LLM histograms 16 times over. A late row
 * of a past day lands in its writer's slot again and is folded on the next run.
 */
export function createRollupCompaction(ctx: AppContext, log: { info: Log; warn: Log }) {
  return periodic(
    60 * 60_000,
    async () => {
      const today = new Date().toISOString().slice(0, 10);
      const folded = await foldRollupSlots(ctx.db, today);
      if (folded > 0)
        log.info({ rows: folded, before: today }, 'folded past days of the rollups into one slot');
    },
    // Most often a lock timeout beside a writer: the next run folds what this one left.
    (err) => log.warn({ err }, 'folding the rollup slots failed; retrying at the next run'),
  );
}

/**
 * Adds the LLM calls and the messages committed since their last fold to their rollups (migrations
 * 0025, 0026), every `everyMs` in every process: a run that finds another process's fold under way
 * skips it. It keeps the backlog a dashboard's own fold (before it reads) has to add small; no turn
 * waits on it.
 */
export function createCommittedRowsFold(ctx: AppContext, log: { warn: Log }, everyMs = 5_000) {
  return periodic(
    everyMs,
    async () => {
      // Each table on its own: a fold that fails (most often its lock timeout beside a writer) does
      // not hold the other back.
      for (const table of FOLDED_TABLES) {
        await foldCommittedRows(ctx.db, table, { wait: false }).catch((err: unknown) =>
          log.warn(
            { err, table },
            'folding committed rows into their rollup failed; retrying at the next run',
          ),
        );
      }
    },
    (err) => log.warn({ err }, 'folding committed rows into their rollups failed; retrying at the next run'),
  );
}
