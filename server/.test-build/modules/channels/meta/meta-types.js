export const isMetaChannel = (channel) => channel === 'whatsapp' || channel === 'messenger';
/**
 * Our idempotency key on a Graph send (`<message id>:<part>`), returned in WhatsApp statuses and
 * Messenger echoes; the settings page's test message carries `TEST_REFERENCE`.
 */
export const REFERENCE = /^([0-9a-f-]{36}):(\d+)$/;
export const TEST_REFERENCE = 'icmp-test';
export const isOurReference = (reference) => reference === TEST_REFERENCE || REFERENCE.test(reference);
//# sourceMappingURL=meta-types.js.map