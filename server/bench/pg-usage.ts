import { readFileSync } from 'node:fs';
import pg from 'pg';

/**
 * What the benchmark's database did during a run: transactions and rows (pg_stat_database, the whole
 * database, so other clients of it count too) and the CPU of PostgreSQL's backends serving it. CPU is
 * read from /proc per backend, so only for a server on this machine (else `null`); a backend that
 * ended during the run (a pool connection idle past its timeout) takes its CPU with it: an undercount.
 */
export interface PgUsage {
  transactions: number;
  rowsRead: number;
  rowsWritten: number;
  /** WAL bytes written by the whole cluster (pg_stat_wal, PostgreSQL 14+; else `null`). */
  walBytes: number | null;
  /**
   * WAL flushes to disk (pg_stat_wal.wal_sync): one per synchronous commit that found its WAL not yet
   * flushed, plus the WAL writer's, so concurrent commits sharing a flush count once.
   */
  walSyncs: number | null;
  /** CPU seconds by backend pid; `null` when /proc does not show them (PostgreSQL elsewhere). */
  backendCpu: Map<number, number> | null;
}

const TICKS_PER_SECOND = 100;

function processCpuSeconds(pid: number): number | null {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
    return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
  } catch {
    return null;
  }
}

export async function pgUsage(databaseUrl: string): Promise<PgUsage> {
  const client = new pg.Client({ connectionString: databaseUrl, application_name: 'icmp-bench-stats' });
  await client.connect();
  try {
    // Counters are per transaction snapshot: clear it so each call reads fresh figures.
    await client.query('select pg_stat_clear_snapshot()');
    const stats = await client.query<{ xacts: string; read: string; written: string }>(
      `select xact_commit + xact_rollback as xacts, tup_returned + tup_fetched as read,
              tup_inserted + tup_updated + tup_deleted as written
         from pg_stat_database where datname = current_database()`,
    );
    const wal = await client
      .query<{ bytes: string; syncs: string }>(
        'select wal_bytes as bytes, wal_sync as syncs from pg_stat_wal',
      )
      .then((result) => result.rows[0] ?? null)
      .catch(() => null);
    const backends = await client.query<{ pid: number }>(
      `select pid from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid()`,
    );
    let cpu: Map<number, number> | null = new Map();
    for (const { pid } of backends.rows) {
      const seconds = processCpuSeconds(pid);
      if (seconds === null) {
        cpu = null;
        break;
      }
      cpu.set(pid, seconds);
    }
    const row = stats.rows[0];
    return {
      // This client's own statements add a few; negligible against a run's thousands.
      transactions: Number(row?.xacts ?? 0),
      rowsRead: Number(row?.read ?? 0),
      rowsWritten: Number(row?.written ?? 0),
      walBytes: wal ? Number(wal.bytes) : null,
      walSyncs: wal ? Number(wal.syncs) : null,
      backendCpu: cpu,
    };
  } finally {
    await client.end();
  }
}

/** `after - before`, per message. */
export function pgUsagePerMessage(before: PgUsage, after: PgUsage, messages: number) {
  const per = (a: number, b: number) => Number(((a - b) / messages).toFixed(2));
  return {
    pg_transactions_per_message: per(after.transactions, before.transactions),
    pg_rows_read_per_message: per(after.rowsRead, before.rowsRead),
    pg_rows_written_per_message: per(after.rowsWritten, before.rowsWritten),
    pg_wal_kb_per_message:
      after.walBytes === null || before.walBytes === null
        ? null
        : Number(((after.walBytes - before.walBytes) / 1024 / messages).toFixed(2)),
    pg_wal_syncs_per_message:
      after.walSyncs === null || before.walSyncs === null ? null : per(after.walSyncs, before.walSyncs),
    pg_backend_cpu_ms_per_message: backendCpuMs(before, after, messages),
  };
}

/** CPU of the backends alive at the end: what each used since the first snapshot (all of it if new). */
function backendCpuMs(before: PgUsage, after: PgUsage, messages: number): number | null {
  if (!before.backendCpu || !after.backendCpu) return null;
  let seconds = 0;
  for (const [pid, now] of after.backendCpu) seconds += now - (before.backendCpu.get(pid) ?? 0);
  return Number(((seconds * 1000) / messages).toFixed(2));
}

/**
 * `VACUUM ANALYZE` of the bench's database before a run, as autovacuum would do in production: where it
 * is off (as on the shared bench machine) or slow, dead index entries left by earlier runs' updates
 * made each run slower than the one before, and the product (measured after the floor) paid for more of
 * them; and without statistics the planner misjudged the turn's statements (a turn's writes on a
 * conversation of 96,000 messages: 2.4–4.3 ms of PostgreSQL time without, 1.2–1.7 ms with).
 */
export async function vacuumDatabase(databaseUrl: string) {
  const client = new pg.Client({ connectionString: databaseUrl, application_name: 'icmp-bench-stats' });
  await client.connect();
  try {
    await client.query('vacuum analyze');
  } finally {
    await client.end();
  }
}
