import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { generateSecret, hashSecret } from './lib/keys.js';
const HASH_FILE = 'master-key.sha256';
/**
 * The master key comes from ICMP_API_KEY; outside production one is generated on first start.
 * Only its hash is kept on disk, so the key is shown exactly once.
 */
export function resolveMasterKey(config) {
    if (config.masterKey)
        return { hash: hashSecret(config.masterKey), source: 'environment' };
    const dir = path.resolve(config.dataDir ?? './data');
    const file = path.join(dir, HASH_FILE);
    if (existsSync(file))
        return { hash: readFileSync(file, 'utf8').trim(), source: 'data-dir' };
    const key = generateSecret('icmp_admin');
    mkdirSync(dir, { recursive: true });
    writeFileSync(file, `${hashSecret(key)}\n`, { mode: 0o600 });
    return { hash: hashSecret(key), generated: key, source: 'generated' };
}
export const MASTER_KEY_HASH_FILE = HASH_FILE;
//# sourceMappingURL=master-key.js.map