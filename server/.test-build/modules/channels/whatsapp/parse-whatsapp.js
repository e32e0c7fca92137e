const obj = (value) => (value && typeof value === 'object' ? value : {});
const list = (value) => (Array.isArray(value) ? value : []);
const str = (value) => typeof value === 'string' ? value : typeof value === 'number' ? String(value) : null;
/**
 * Every message and status of a WhatsApp Cloud API webhook body (any number of entries and changes,
 * for any number of phone numbers). Unknown fields and malformed items are skipped, not fatal.
 */
export function parseWhatsAppWebhook(body) {
    const events = [];
    for (const entry of list(obj(body).entry)) {
        for (const change of list(obj(entry).changes)) {
            const { field, value } = obj(change);
            if (field !== 'messages')
                continue;
            const v = obj(value);
            const phoneNumberId = str(obj(v.metadata).phone_number_id);
            if (!phoneNumberId)
                continue;
            const names = new Map();
            for (const contact of list(v.contacts)) {
                const waId = str(obj(contact).wa_id);
                const name = str(obj(obj(contact).profile).name);
                if (waId && name)
                    names.set(waId, name);
            }
            for (const message of list(v.messages)) {
                const event = toInbound(phoneNumberId, obj(message), names);
                if (event)
                    events.push(event);
            }
            for (const status of list(v.statuses)) {
                const event = toStatus(phoneNumberId, obj(status));
                if (event)
                    events.push(event);
            }
        }
    }
    return events;
}
function toInbound(phoneNumberId, m, names) {
    const from = str(m.from);
    const id = str(m.id);
    const type = str(m.type) ?? 'unknown';
    if (!from || !id)
        return null;
    const readable = readableOf(type, m);
    return {
        kind: 'message',
        channel: 'whatsapp',
        recipientId: phoneNumberId,
        customerId: from,
        customerName: names.get(from) ?? null,
        externalMessageId: id,
        timestamp: Number(m.timestamp) * 1000 || Date.now(),
        text: readable.text,
        type,
        details: readable.details,
    };
}
/** The text we store and answer: the words themselves, or "[type] …" for what is not text. */
function readableOf(type, m) {
    const part = obj(m[type]);
    switch (type) {
        case 'text':
            return { text: str(part.body) ?? '', details: null };
        case 'interactive': {
            const kind = str(part.type) ?? '';
            const reply = obj(part[kind]);
            // Button and list replies are answered like text: the customer "said" the title they chose.
            return {
                text: str(reply.title) ?? `[${kind}]`,
                details: { interactive: kind, reply_id: str(reply.id) },
            };
        }
        case 'button':
            return {
                text: str(part.text) ?? str(part.payload) ?? '[button]',
                details: { payload: str(part.payload) },
            };
        case 'location': {
            const label = [str(part.name), str(part.address)].filter(Boolean).join(', ');
            return {
                text: `[location] ${part.latitude},${part.longitude}${label ? ` ${label}` : ''}`,
                details: {
                    latitude: part.latitude,
                    longitude: part.longitude,
                    name: str(part.name),
                    address: str(part.address),
                },
            };
        }
        case 'image':
        case 'video':
        case 'audio':
        case 'document':
        case 'sticker': {
            const caption = str(part.caption) ?? str(part.filename);
            return {
                text: `[${type}]${caption ? ` ${caption}` : ''}`,
                details: { media_id: str(part.id), mime_type: str(part.mime_type), ...(caption ? { caption } : {}) },
            };
        }
        case 'reaction':
            return {
                text: `[reaction] ${str(part.emoji) ?? ''}`.trim(),
                details: { message_id: str(part.message_id) },
            };
        case 'contacts':
            return { text: '[contacts]', details: { contacts: m.contacts ?? null } };
        default:
            return { text: `[${type}]`, details: m.errors ? { errors: m.errors } : null };
    }
}
function toStatus(phoneNumberId, s) {
    const id = str(s.id);
    const status = str(s.status);
    if (!id || (status !== 'sent' && status !== 'delivered' && status !== 'read' && status !== 'failed'))
        return null;
    const firstError = obj(list(s.errors)[0]);
    const details = str(obj(firstError.error_data).details);
    const title = str(firstError.message) ?? str(firstError.title);
    const error = status === 'failed'
        ? `${title ?? 'Delivery failed'}${details && details !== title ? ` — ${details}` : ''}${firstError.code ? ` (code ${firstError.code})` : ''}`
        : null;
    return {
        kind: 'status',
        channel: 'whatsapp',
        recipientId: phoneNumberId,
        customerId: str(s.recipient_id) ?? '',
        messageIds: [id],
        watermark: null,
        status,
        error,
        reference: str(s.biz_opaque_callback_data),
    };
}
//# sourceMappingURL=parse-whatsapp.js.map