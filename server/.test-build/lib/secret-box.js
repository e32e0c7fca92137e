import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
const KEY_FILE = 'channel-secrets.key';
const VERSION = 'v1';
export function createSecretBox(key) {
    if (key.length !== 32)
        throw new Error('The channel secrets key must be 32 bytes');
    return {
        seal(plaintext, context) {
            const iv = randomBytes(12);
            const cipher = createCipheriv('aes-256-gcm', key, iv);
            cipher.setAAD(Buffer.from(context, 'utf8'));
            const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
            return [VERSION, iv, cipher.getAuthTag(), body].map(encode).join('.');
        },
        open(sealed, context) {
            const [version, iv, tag, body] = sealed.split('.');
            if (version !== VERSION || !iv || !tag || body === undefined)
                return null;
            try {
                const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
                decipher.setAAD(Buffer.from(context, 'utf8'));
                decipher.setAuthTag(Buffer.from(tag, 'base64url'));
                return Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString('utf8');
            }
            catch {
                return null;
            }
        },
    };
}
const encode = (part) => (typeof part === 'string' ? part : part.toString('base64url'));
/** One key per process when nothing is configured or persisted (in-memory test databases). */
let ephemeralKey;
/**
 * The key comes from CHANNEL_SECRETS_KEY (base64 of 32 bytes); otherwise it is generated once and
 * kept in DATA_DIR next to the database it protects. Several machines sharing one PostgreSQL must
 * share the key through the environment.
 */
export function resolveSecretsKey(configured, dataDir) {
    if (configured)
        return Buffer.from(configured, configured.includes('-') || configured.includes('_') ? 'base64url' : 'base64');
    if (dataDir === null) {
        ephemeralKey ??= randomBytes(32);
        return ephemeralKey;
    }
    const dir = path.resolve(dataDir);
    const file = path.join(dir, KEY_FILE);
    if (existsSync(file))
        return Buffer.from(readFileSync(file, 'utf8').trim(), 'base64');
    const key = randomBytes(32);
    mkdirSync(dir, { recursive: true });
    try {
        writeFileSync(file, `${key.toString('base64')}\n`, { mode: 0o600, flag: 'wx' });
        return key;
    }
    catch (error) {
        // Another process sharing DATA_DIR wrote it first: use theirs.
        if (error.code === 'EEXIST')
            return resolveSecretsKey(undefined, dataDir);
        throw error;
    }
}
//# sourceMappingURL=secret-box.js.map