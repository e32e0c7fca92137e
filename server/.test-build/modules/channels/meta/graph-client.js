// Meta's throttling / temporary error codes that arrive with a 4xx status.
const TEMPORARY_CODES = new Set([1, 2, 4, 17, 32, 613, 80007, 130429, 131000, 131016, 131048, 131056]);
// Connection errors that prove the request never reached the server.
const NOT_SENT_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);
export function graphRequest(input) {
    if (input.channel === 'whatsapp') {
        return {
            url: `${input.baseUrl}/${encodeURIComponent(input.senderId)}/messages`,
            body: {
                messaging_product: 'whatsapp',
                recipient_type: 'individual',
                to: input.to,
                type: 'text',
                text: { body: input.text },
                ...(input.reference ? { biz_opaque_callback_data: input.reference } : {}),
            },
        };
    }
    return {
        url: `${input.baseUrl}/me/messages`,
        body: {
            recipient: { id: input.to },
            messaging_type: 'RESPONSE',
            message: { text: input.text, ...(input.reference ? { metadata: input.reference } : {}) },
        },
    };
}
/** One text send through the Graph API, classified for the retry policy; never throws. */
export async function sendGraphText(input) {
    const { url, body } = graphRequest(input);
    const result = await graphCall({
        method: 'POST',
        url,
        body,
        accessToken: input.accessToken,
        timeoutMs: input.timeoutMs,
    });
    if (!result.ok)
        return result;
    const id = messageIdOf(input.channel, result.raw);
    if (id)
        return { ok: true, messageId: id, raw: result.raw };
    return {
        ok: false,
        retryable: false,
        ambiguous: false,
        status: result.status,
        error: 'Graph API answered without a message id',
        raw: result.raw,
    };
}
/**
 * "Typing…" on the customer's screen while a turn runs: Messenger's `sender_action: typing_on`, or
 * WhatsApp's mark-as-read with `typing_indicator` (which names the customer's message, and also shows
 * it as read). Both end when our reply arrives, or by themselves after 20–25 s. Null when the call
 * cannot be made (no recipient / message id). One attempt, never retried.
 */
export function typingRequest(input) {
    if (input.channel === 'whatsapp') {
        if (!input.inboundMessageId)
            return null;
        return {
            url: `${input.baseUrl}/${encodeURIComponent(input.senderId)}/messages`,
            body: {
                messaging_product: 'whatsapp',
                status: 'read',
                message_id: input.inboundMessageId,
                typing_indicator: { type: 'text' },
            },
        };
    }
    if (!input.to)
        return null;
    return {
        url: `${input.baseUrl}/me/messages`,
        body: { recipient: { id: input.to }, sender_action: 'typing_on' },
    };
}
export async function sendGraphTyping(input) {
    const request = typingRequest(input);
    if (!request)
        return null;
    return graphCall({
        method: 'POST',
        url: request.url,
        body: request.body,
        accessToken: input.accessToken,
        timeoutMs: input.timeoutMs,
    });
}
/**
 * The Messenger User Profile API: `GET /{psid}?fields=first_name,last_name` with the page access
 * token (in the Authorization header, so it is never part of a URL that could be logged).
 */
export async function getMessengerProfile(input) {
    const result = await graphCall({
        method: 'GET',
        url: `${input.baseUrl}/${encodeURIComponent(input.psid)}?fields=first_name,last_name`,
        accessToken: input.accessToken,
        timeoutMs: input.timeoutMs,
    });
    if (!result.ok)
        return result;
    const raw = (result.raw ?? {});
    const text = (value) => (typeof value === 'string' ? value.trim().slice(0, 100) : '');
    return { ok: true, firstName: text(raw.first_name), lastName: text(raw.last_name) };
}
/** One Graph API request, its failure classified for the retry policies; never throws. */
export async function graphCall(input) {
    let response;
    try {
        response = await fetch(input.url, {
            method: input.method,
            headers: {
                authorization: `Bearer ${input.accessToken}`,
                ...(input.body ? { 'content-type': 'application/json' } : {}),
            },
            ...(input.body ? { body: JSON.stringify(input.body) } : {}),
            signal: AbortSignal.timeout(input.timeoutMs),
        });
    }
    catch (error) {
        const name = error.name;
        const timedOut = name === 'TimeoutError' || name === 'AbortError';
        const code = (error.cause?.code ?? name) || 'network error';
        return {
            ok: false,
            retryable: true,
            ambiguous: !NOT_SENT_CODES.has(code),
            status: null,
            error: timedOut
                ? `Graph API did not answer within ${input.timeoutMs} ms`
                : `Graph API unreachable (${code})`,
        };
    }
    let raw = null;
    try {
        raw = await response.json();
    }
    catch {
        raw = null;
    }
    if (response.ok)
        return { ok: true, status: response.status, raw };
    const err = raw
        ?.error;
    const code = typeof err?.code === 'number' ? err.code : null;
    const message = typeof err?.message === 'string' ? err.message.slice(0, 500) : response.statusText;
    const retryable = response.status === 429 || response.status >= 500 || (code !== null && TEMPORARY_CODES.has(code));
    const retryAfter = Number(response.headers.get('retry-after'));
    return {
        ok: false,
        retryable,
        ambiguous: false,
        status: response.status,
        error: `Graph API ${response.status}: ${message}${code !== null ? ` (code ${code}${err?.error_subcode ? `/${err.error_subcode}` : ''})` : ''}`,
        ...(Number.isFinite(retryAfter) && retryAfter > 0 ? { retryAfterMs: retryAfter * 1000 } : {}),
        raw,
    };
}
function messageIdOf(channel, raw) {
    if (!raw || typeof raw !== 'object')
        return null;
    if (channel === 'whatsapp') {
        const id = raw.messages?.[0]?.id;
        return typeof id === 'string' ? id : null;
    }
    const id = raw.message_id;
    return typeof id === 'string' ? id : null;
}
//# sourceMappingURL=graph-client.js.map