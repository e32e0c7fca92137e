import { createHmac, hkdfSync, randomBytes, timingSafeEqual } from 'node:crypto';
/** Every visitor token starts with this, so the auth plugin can tell it from an API key at a glance. */
export const VISITOR_TOKEN_PREFIX = 'wvt_';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const VISITOR_ID = /^[A-Za-z0-9_-]{22}$/;
export const isVisitorToken = (value) => !!value?.startsWith(VISITOR_TOKEN_PREFIX);
/**
 * The signing key, derived from the server's channel secrets key (CHANNEL_SECRETS_KEY or DATA_DIR,
 * shared by every process) so that no second secret needs managing, yet a different key is used.
 */
export const visitorTokenKey = (secretsKey) => Buffer.from(hkdfSync('sha256', secretsKey, Buffer.alloc(0), 'icmp widget visitor tokens v1', 32));
/**
 * Visitor tokens are signed, not stored: `wvt_<visitor id>.<business id>.<HMAC-SHA256>` with a server
 * key, so a token names exactly one visitor of one business and cannot be altered to name another.
 * Nothing is written to the database until the visitor actually sends a message, so page views of a
 * site with the widget cost no rows.
 */
export function createVisitorTokens(key) {
    const sign = (businessId, visitorId) => createHmac('sha256', key).update(`icmp-widget-visitor:v1:${businessId}:${visitorId}`).digest();
    return {
        issue(businessId, visitorId = randomBytes(16).toString('base64url')) {
            return `${VISITOR_TOKEN_PREFIX}${visitorId}.${businessId}.${sign(businessId, visitorId).toString('base64url')}`;
        },
        /** The identity a token carries, or null when it is malformed or its signature does not match. */
        verify(token) {
            if (!token?.startsWith(VISITOR_TOKEN_PREFIX) || token.length > 200)
                return null;
            const [visitorId, businessId, signature, extra] = token.slice(VISITOR_TOKEN_PREFIX.length).split('.');
            if (extra !== undefined || !visitorId || !businessId || !signature)
                return null;
            if (!VISITOR_ID.test(visitorId) || !UUID.test(businessId))
                return null;
            // Compare the text, not decoded bytes: base64url decoding ignores stray bits of the last character.
            const given = Buffer.from(signature);
            const expected = Buffer.from(sign(businessId, visitorId).toString('base64url'));
            if (given.length !== expected.length || !timingSafeEqual(given, expected))
                return null;
            return { businessId, visitorId };
        },
    };
}
//# sourceMappingURL=visitor-token.js.map