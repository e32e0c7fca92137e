import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { generateSecret, hashesEqual, hashSecret } from '../../src/lib/keys.js';

describe('the storage hash of keys and tokens', () => {
  it('is the SHA-256 of the UTF-8 text in hex, so hashes stored before still match', () => {
    // FIPS 180-2's test vector.
    expect(hashSecret('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    for (const secret of [generateSecret('icmp'), 'clé-ü-日本-🔑', '']) {
      expect(hashSecret(secret)).toBe(createHash('sha256').update(secret, 'utf8').digest('hex'));
    }
  });

  it('compares hashes in constant time, and never matches an empty or malformed one', () => {
    const hash = hashSecret(generateSecret('icmp'));
    expect(hashesEqual(hash, hash)).toBe(true);
    expect(hashesEqual(hash, hashSecret('other'))).toBe(false);
    expect(hashesEqual('', '')).toBe(false);
    expect(hashesEqual(hash, hash.slice(0, 10))).toBe(false);
  });
});
