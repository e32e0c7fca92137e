import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
/** A random, URL-safe secret of 32 bytes (43 characters after the prefix). */
export function generateSecret(prefix) {
    return `${prefix}_${randomBytes(32).toString('base64url')}`;
}
/** Keys are high-entropy random secrets, so one SHA-256 is a sound, fast storage hash. */
export function hashSecret(secret) {
    return createHash('sha256').update(secret, 'utf8').digest('hex');
}
export function hashesEqual(a, b) {
    const left = Buffer.from(a, 'hex');
    const right = Buffer.from(b, 'hex');
    return left.length === right.length && left.length > 0 && timingSafeEqual(left, right);
}
//# sourceMappingURL=keys.js.map