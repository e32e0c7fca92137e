import { isOurReference } from '../meta/meta-types.js';
const obj = (value) => (value && typeof value === 'object' ? value : {});
const list = (value) => (Array.isArray(value) ? value : []);
const str = (value) => typeof value === 'string' ? value : typeof value === 'number' ? String(value) : null;
/**
 * Every messaging event of a Messenger Platform webhook body, for any number of pages: customer
 * messages and postbacks become inbound messages; deliveries and reads become statuses; an echo of our
 * own send is not a message, but its `metadata` (our reference) confirms that send; the echo of a
 * message the page sent without us (Meta's inbox: no reference of ours) becomes a `fromPage` message.
 */
export function parseMessengerWebhook(body) {
    const events = [];
    for (const entry of list(obj(body).entry)) {
        const pageId = str(obj(entry).id);
        if (!pageId)
            continue;
        for (const raw of list(obj(entry).messaging)) {
            const e = obj(raw);
            const sender = str(obj(e.sender).id);
            const recipient = str(obj(e.recipient).id);
            const timestamp = Number(e.timestamp) || Date.now();
            const message = obj(e.message);
            if (message.is_echo === true) {
                const mid = str(message.mid);
                const reference = str(message.metadata);
                if (!mid || !recipient)
                    continue;
                if (!reference || !isOurReference(reference)) {
                    const readable = readableOf(message);
                    events.push({
                        kind: 'message',
                        channel: 'messenger',
                        recipientId: pageId,
                        customerId: recipient,
                        customerName: null,
                        externalMessageId: mid,
                        timestamp,
                        text: readable.text,
                        type: readable.type,
                        details: readable.details,
                        fromPage: true,
                    });
                    continue;
                }
                events.push({
                    kind: 'status',
                    channel: 'messenger',
                    recipientId: pageId,
                    customerId: recipient,
                    messageIds: [mid],
                    watermark: null,
                    status: 'sent',
                    error: null,
                    reference,
                });
                continue;
            }
            if (!sender)
                continue;
            if (e.delivery || e.read) {
                const part = obj(e.delivery ?? e.read);
                events.push({
                    kind: 'status',
                    channel: 'messenger',
                    recipientId: pageId,
                    customerId: sender,
                    messageIds: list(part.mids)
                        .map(str)
                        .filter((m) => Boolean(m)),
                    watermark: Number(part.watermark) || null,
                    status: e.read ? 'read' : 'delivered',
                    error: null,
                    reference: null,
                });
                continue;
            }
            const postback = obj(e.postback);
            if (e.postback) {
                const mid = str(postback.mid) ?? `postback-${sender}-${timestamp}`;
                events.push({
                    kind: 'message',
                    channel: 'messenger',
                    recipientId: pageId,
                    customerId: sender,
                    customerName: null,
                    externalMessageId: mid,
                    timestamp,
                    text: str(postback.title) ?? str(postback.payload) ?? '[postback]',
                    type: 'postback',
                    details: { payload: str(postback.payload) },
                });
                continue;
            }
            const mid = str(message.mid);
            if (!mid)
                continue;
            const readable = readableOf(message);
            events.push({
                kind: 'message',
                channel: 'messenger',
                recipientId: pageId,
                customerId: sender,
                customerName: null,
                externalMessageId: mid,
                timestamp,
                text: readable.text,
                type: readable.type,
                details: readable.details,
            });
        }
    }
    return events;
}
function readableOf(message) {
    const text = str(message.text);
    const quickReply = str(obj(message.quick_reply).payload);
    if (text)
        return { text, type: 'text', details: quickReply ? { quick_reply: quickReply } : null };
    const attachments = list(message.attachments).map(obj);
    const first = attachments[0];
    if (!first)
        return { text: '[unsupported]', type: 'unsupported', details: null };
    const type = str(first.type) ?? 'attachment';
    const payload = obj(first.payload);
    if (type === 'location') {
        const c = obj(payload.coordinates);
        const title = str(first.title);
        return {
            text: `[location] ${c.lat},${c.long}${title ? ` ${title}` : ''}`,
            type,
            details: { latitude: c.lat, longitude: c.long },
        };
    }
    const urls = attachments.map((a) => str(obj(a.payload).url)).filter(Boolean);
    return {
        text: `[${type}]${attachments.length > 1 ? ` ×${attachments.length}` : ''}`,
        type,
        details: { urls },
    };
}
//# sourceMappingURL=parse-messenger.js.map