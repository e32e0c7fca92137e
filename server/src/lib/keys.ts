import { hash, randomBytes, timingSafeEqual } from 'node:crypto';

/** A random, URL-safe secret of 32 bytes (43 characters after the prefix). */
export function generateSecret(prefix: string): string {
  return `${prefix}_${randomBytes(32).toString('base64url')}`;
}

/**
 * Keys are high-entropy random secrets, so one SHA-256 is a sound, fast storage hash. The one-shot
 * `hash` (Node ≥ 20.12; the engines field asks for 20.19): every request with a key takes one, and a
 * `createHash` object cost ~3× as much.
 */
export function hashSecret(secret: string): string {
  return hash('sha256', secret, 'hex');
}

export function hashesEqual(a: string, b: string): boolean {
  const left = Buffer.from(a, 'hex');
  const right = Buffer.from(b, 'hex');
  return left.length === right.length && left.length > 0 && timingSafeEqual(left, right);
}
