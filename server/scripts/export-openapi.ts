/** Writes the server's OpenAPI document to server/openapi.json, from which the web client is typed. */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildApp } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { openDatabase } from '../src/db/client.js';
import { hashSecret } from '../src/lib/keys.js';

const config = loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent' });
const database = await openDatabase({ dataDir: null });
const app = await buildApp(config, { database, masterKeyHash: hashSecret('openapi-export-only') });
await app.ready();
const target = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../openapi.json');
writeFileSync(target, `${JSON.stringify(app.swagger(), null, 2)}\n`);
await app.close();
await database.close();
console.log(`wrote ${target}`);
