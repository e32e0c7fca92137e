import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { hashSecret } from '../../src/lib/keys.js';
import { MASTER_KEY_HASH_FILE, resolveMasterKey } from '../../src/master-key.js';

describe('resolveMasterKey', () => {
  const temps: string[] = [];
  afterEach(() => {
    for (const dir of temps.splice(0)) rmSync(dir, { recursive: true, force: true });
  });
  const tempDir = () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'icmp-master-key-'));
    temps.push(dir);
    return dir;
  };

  it('generates a key once, stores only its hash, and does not regenerate', () => {
    const dataDir = path.join(tempDir(), 'nested', 'data');
    const config = loadConfig({ DATA_DIR: dataDir });
    const first = resolveMasterKey(config);
    expect(first.source).toBe('generated');
    expect(first.generated).toMatch(/^icmp_admin_[\w-]{40,}$/);
    expect(first.hash).toBe(hashSecret(first.generated as string));

    const file = path.join(dataDir, MASTER_KEY_HASH_FILE);
    expect(existsSync(file)).toBe(true);
    const stored = readFileSync(file, 'utf8');
    expect(stored.trim()).toBe(first.hash);
    expect(stored).not.toContain(first.generated as string);
    if (process.platform !== 'win32') expect(statSync(file).mode & 0o077).toBe(0);

    const second = resolveMasterKey(config);
    expect(second.source).toBe('data-dir');
    expect(second.generated).toBeUndefined();
    expect(second.hash).toBe(first.hash);
    expect(readFileSync(file, 'utf8')).toBe(stored);
  });

  it('generates different keys for different data directories', () => {
    const a = resolveMasterKey(loadConfig({ DATA_DIR: tempDir() }));
    const b = resolveMasterKey(loadConfig({ DATA_DIR: tempDir() }));
    expect(a.generated).not.toBe(b.generated);
    expect(a.hash).not.toBe(b.hash);
  });

  it('uses ICMP_API_KEY when set and writes nothing', () => {
    const dataDir = tempDir();
    const key = 'my-own-master-key-1234567890-abcdef';
    const resolved = resolveMasterKey(loadConfig({ DATA_DIR: dataDir, ICMP_API_KEY: key }));
    expect(resolved).toEqual({ hash: hashSecret(key), source: 'environment' });
    expect(existsSync(path.join(dataDir, MASTER_KEY_HASH_FILE))).toBe(false);
  });
});
