import path from 'node:path';
import { MASTER_KEY_HASH_FILE } from './master-key.js';
/** The lines `npm start` prints once the server listens (by the cluster primary when there are several). */
export function startBanner(input) {
    const { config, address, masterKey } = input;
    const lines = [
        '',
        `  ICMP is running at ${address.replace('127.0.0.1', 'localhost')}  (started in ${input.seconds}s)`,
        `  database: ${input.databaseKind === 'pglite' ? `embedded PGlite in ${path.resolve(config.dataDir ?? '', 'pglite')}` : 'PostgreSQL'}`,
        `  LLM: ${input.llmDescription}`,
        `  API docs: ${address}/docs`,
    ];
    if (input.processes > 1) {
        lines.push(`  processes: ${input.processes} (WEB_CONCURRENCY); ${config.redisUrl ? 'shared state in Redis' : 'no REDIS_URL: events through PostgreSQL LISTEN/NOTIFY, rate limits per process'}`);
    }
    if (masterKey.generated) {
        lines.push('', `  Admin (master) key, shown only this once — keep it safe:`, `    ${masterKey.generated}`, `  (only its hash is stored, in ${path.join(config.dataDir ?? '', MASTER_KEY_HASH_FILE)}; delete that file to generate a new key)`);
    }
    else if (masterKey.source === 'data-dir') {
        lines.push('', `  Admin key: the one printed at first start. Lost it? Delete ${path.join(config.dataDir ?? '', MASTER_KEY_HASH_FILE)} and restart.`);
    }
    return `${lines.join('\n')}\n`;
}
//# sourceMappingURL=start-banner.js.map