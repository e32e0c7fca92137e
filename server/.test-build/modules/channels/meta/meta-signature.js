import { createHmac, timingSafeEqual } from 'node:crypto';
const HEADER = /^sha256=([0-9a-f]{64})$/i;
/**
 * True when `header` (X-Hub-Signature-256) is the HMAC-SHA256 of exactly `raw` with `secret`.
 * Compared in constant time; a malformed header never matches.
 */
export function verifyMetaSignature(raw, header, secret) {
    const match = header ? HEADER.exec(header.trim()) : null;
    if (!match?.[1])
        return false;
    const expected = createHmac('sha256', secret).update(raw).digest();
    const given = Buffer.from(match[1], 'hex');
    return given.length === expected.length && timingSafeEqual(given, expected);
}
//# sourceMappingURL=meta-signature.js.map