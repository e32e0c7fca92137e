import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { existsSync, linkSync, mkdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const KEY_FILE = 'channel-secrets.key';
const VERSION = 'v1';

/**
 * Encrypts secrets at rest (channel access tokens, app secrets) with AES-256-GCM. The context string
 * (for example `business-id/whatsapp/access_token`) is authenticated with the ciphertext, so a value
 * copied to another row or field does not decrypt.
 */
export interface SecretBox {
  seal(plaintext: string, context: string): string;
  /** `null` when the value was sealed with another key or for another context, or was tampered with. */
  open(sealed: string, context: string): string | null;
}

export function createSecretBox(key: Buffer): SecretBox {
  if (key.length !== 32) throw new Error('The channel secrets key must be 32 bytes');
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
      if (version !== VERSION || !iv || !tag || body === undefined) return null;
      try {
        const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
        decipher.setAAD(Buffer.from(context, 'utf8'));
        decipher.setAuthTag(Buffer.from(tag, 'base64url'));
        return Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString(
          'utf8',
        );
      } catch {
        return null;
      }
    },
  };
}

const encode = (part: string | Buffer) => (typeof part === 'string' ? part : part.toString('base64url'));

/** One key per process when nothing is configured or persisted (in-memory test databases). */
let ephemeralKey: Buffer | undefined;

/**
 * The key comes from CHANNEL_SECRETS_KEY (base64 of 32 bytes); otherwise it is generated once and
 * kept in DATA_DIR next to the database it protects. Several machines sharing one PostgreSQL must
 * share the key through the environment.
 */
export function resolveSecretsKey(configured: string | undefined, dataDir: string | null): Buffer {
  if (configured)
    return Buffer.from(
      configured,
      configured.includes('-') || configured.includes('_') ? 'base64url' : 'base64',
    );
  if (dataDir === null) {
    ephemeralKey ??= randomBytes(32);
    return ephemeralKey;
  }
  const dir = path.resolve(dataDir);
  const file = path.join(dir, KEY_FILE);
  if (existsSync(file)) return readKeyFile(file);
  const key = randomBytes(32);
  mkdirSync(dir, { recursive: true });
  // Written aside, then linked into place: processes starting together on one DATA_DIR (a cluster's
  // workers, a scaled deployment) never read the file before its key is in it.
  const draft = `${file}.${process.pid}.${randomBytes(4).toString('hex')}`;
  writeFileSync(draft, `${key.toString('base64')}\n`, { mode: 0o600, flag: 'wx' });
  try {
    linkSync(draft, file);
    return key;
  } catch (error) {
    // Another process sharing DATA_DIR linked its key first: use theirs.
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return readKeyFile(file);
    throw error;
  } finally {
    unlinkSync(draft);
  }
}

function readKeyFile(file: string): Buffer {
  const key = Buffer.from(readFileSync(file, 'utf8').trim(), 'base64');
  if (key.length !== 32) throw new Error(`${file} does not hold a 32-byte key (base64)`);
  return key;
}
