import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createSecretBox, resolveSecretsKey } from '../../src/lib/secret-box.js';
import { makeTempDir } from '../helpers/build-test-app.js';

describe('secret box', () => {
  const box = createSecretBox(randomBytes(32));

  it('opens what it sealed, and the sealed text does not contain the secret', () => {
    const sealed = box.seal('EAAG-secret-token', 'b1/whatsapp/access_token');
    expect(sealed).not.toContain('EAAG');
    expect(box.open(sealed, 'b1/whatsapp/access_token')).toBe('EAAG-secret-token');
    expect(box.seal('same', 'c')).not.toBe(box.seal('same', 'c'));
  });

  it('refuses another context, another key and tampered text', () => {
    const sealed = box.seal('token', 'b1/whatsapp/access_token');
    expect(box.open(sealed, 'b2/whatsapp/access_token')).toBeNull();
    expect(createSecretBox(randomBytes(32)).open(sealed, 'b1/whatsapp/access_token')).toBeNull();
    const parts = sealed.split('.');
    const body = Buffer.from(parts[3] as string, 'base64url');
    body[0] = (body[0] as number) ^ 1;
    parts[3] = body.toString('base64url');
    expect(box.open(parts.join('.'), 'b1/whatsapp/access_token')).toBeNull();
    expect(box.open('not sealed', 'x')).toBeNull();
  });

  it('takes the key from the environment, else generates one in DATA_DIR and keeps it', () => {
    const configured = randomBytes(32);
    expect(resolveSecretsKey(configured.toString('base64'), null).equals(configured)).toBe(true);
    expect(resolveSecretsKey(configured.toString('base64url'), null).equals(configured)).toBe(true);
    const temp = makeTempDir();
    try {
      const first = resolveSecretsKey(undefined, temp.dir);
      const file = path.join(temp.dir, 'channel-secrets.key');
      expect(statSync(file).mode & 0o077).toBe(0);
      expect(Buffer.from(readFileSync(file, 'utf8').trim(), 'base64').equals(first)).toBe(true);
      expect(resolveSecretsKey(undefined, temp.dir).equals(first)).toBe(true);
      // The key is written aside and linked into place: nothing else is left in DATA_DIR.
      expect(readdirSync(temp.dir)).toEqual(['channel-secrets.key']);
    } finally {
      temp.remove();
    }
  });

  it('refuses a key file that does not hold a 32-byte key, naming it', () => {
    const temp = makeTempDir();
    try {
      writeFileSync(path.join(temp.dir, 'channel-secrets.key'), '');
      expect(() => resolveSecretsKey(undefined, temp.dir)).toThrow(
        /channel-secrets\.key does not hold a 32-byte key/,
      );
    } finally {
      temp.remove();
    }
  });
});
