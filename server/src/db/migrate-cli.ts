import { loadConfig } from '../config.js';
import { openDatabase } from './client.js';

// `npm run db:migrate`: opening the database applies every pending migration.
const config = loadConfig();
const database = await openDatabase({
  databaseUrl: config.databaseUrl,
  dataDir: config.dataDir,
  poolSize: 2,
});
console.log(`migrations applied (${database.kind})`);
await database.close();
