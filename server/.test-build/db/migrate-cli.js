import { loadConfig } from '../config.js';
import { openDatabase } from './client.js';
// `npm run db:migrate`: applies every pending migration (forward only) and says which, then exits.
// Run it as a deployment step before starting servers with MIGRATE_ON_START=false.
const config = loadConfig();
const database = await openDatabase({
    databaseUrl: config.databaseUrl,
    dataDir: config.dataDir,
    poolSize: 2,
    migrate: true,
});
const where = database.kind === 'postgres' ? 'PostgreSQL' : `PGlite in ${config.dataDir}`;
if (database.migrationsApplied.length) {
    console.log(`applied ${database.migrationsApplied.length} migration(s) to ${where}:`);
    for (const tag of database.migrationsApplied)
        console.log(`  ${tag}`);
}
else {
    console.log(`${where}: the schema is current, nothing to apply`);
}
await database.close();
//# sourceMappingURL=migrate-cli.js.map