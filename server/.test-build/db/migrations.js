import { readFileSync } from 'node:fs';
import path from 'node:path';
import { sql } from 'drizzle-orm';
export function readJournal(migrationsFolder) {
    const journal = JSON.parse(readFileSync(path.join(migrationsFolder, 'meta', '_journal.json'), 'utf8'));
    return journal.entries.map(({ tag, when }) => ({ tag, when }));
}
/**
 * The migrations not applied yet, decided as Drizzle's migrator decides: every journal entry newer
 * than the newest row of drizzle.__drizzle_migrations (none at all on an empty database).
 */
export async function pendingMigrations(db, migrationsFolder) {
    const journal = readJournal(migrationsFolder);
    const [exists] = rowsOf(await db.execute(sql `select to_regclass('drizzle.__drizzle_migrations') as name`));
    if (!exists?.name)
        return journal.map((entry) => entry.tag);
    const [last] = rowsOf(await db.execute(sql `select max(created_at)::text as created_at from drizzle.__drizzle_migrations`));
    const lastApplied = last?.created_at === null || last?.created_at === undefined ? -1 : Number(last.created_at);
    return journal.filter((entry) => entry.when > lastApplied).map((entry) => entry.tag);
}
/** node-postgres answers a QueryResult, PGlite a Results: both carry `rows`. */
function rowsOf(result) {
    return result.rows;
}
export class PendingMigrationsError extends Error {
    pending;
    constructor(pending) {
        super(`the database schema is not current: ${pending.length} migration(s) pending (${pending.join(', ')}). ` +
            'Run `npm run db:migrate` (MIGRATE_ON_START=false is set, so the server does not migrate by itself).');
        this.pending = pending;
    }
}
//# sourceMappingURL=migrations.js.map