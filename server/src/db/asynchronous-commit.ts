import { sql } from 'drizzle-orm';

/**
 * A CTE that makes the statement's own (implicit) transaction commit without waiting for its WAL to
 * reach the disk: `set_config(…, true)` lasts until the transaction ends, and PostgreSQL reads
 * `synchronous_commit` when it commits. The row is visible to other sessions at once; only a crash of
 * the database (not of our process) within ~3 × `wal_writer_delay` can lose it. The CTE runs only
 * where the statement scans it: join it to the rows the statement writes.
 *
 * For writes whose loss costs nothing — a lease, which would lapse anyway — never for what the product
 * promises to keep (a customer's message, a reply). In an explicit transaction it switches the whole
 * transaction.
 */
export const asynchronousCommit = sql`asynchronous_commit AS (SELECT set_config('synchronous_commit', 'off', true))`;
