import type { MetaChannel } from './meta-types.js';

export interface GraphSendInput {
  channel: MetaChannel;
  baseUrl: string;
  accessToken: string;
  /** WhatsApp phone_number_id; unused for Messenger (the page token names the page). */
  senderId: string;
  /** wa_id or PSID. */
  to: string;
  text: string;
  /**
   * Our idempotency key for this part: WhatsApp returns it in every status webhook
   * (`biz_opaque_callback_data`), Messenger in the echo (`message.metadata`), so a send whose answer
   * was lost can be reconciled instead of repeated.
   */
  reference?: string;
  timeoutMs: number;
}

export type GraphSendResult =
  | { ok: true; messageId: string; raw: unknown }
  | {
      ok: false;
      /** Network error, timeout, 429, 5xx or one of Meta's throttling codes: worth another attempt. */
      retryable: boolean;
      /** The request may have reached Meta (timeout, connection lost mid-call): a resend could duplicate. */
      ambiguous: boolean;
      status: number | null;
      /** Readable, secret-free text for the transcript and logs. */
      error: string;
      retryAfterMs?: number;
      raw?: unknown;
    };

// Meta's throttling / temporary error codes that arrive with a 4xx status.
const TEMPORARY_CODES = new Set([1, 2, 4, 17, 32, 613, 80007, 130429, 131000, 131016, 131048, 131056]);

// Connection errors that prove the request never reached the server.
const NOT_SENT_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);

export function graphRequest(input: GraphSendInput): { url: string; body: Record<string, unknown> } {
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
export async function sendGraphText(input: GraphSendInput): Promise<GraphSendResult> {
  const { url, body } = graphRequest(input);
  let response: Response;
  try {
    response = await fetch(url, {
      method: 'POST',
      headers: { authorization: `Bearer ${input.accessToken}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(input.timeoutMs),
    });
  } catch (error) {
    const name = (error as Error).name;
    const timedOut = name === 'TimeoutError' || name === 'AbortError';
    const code = ((error as { cause?: { code?: string } }).cause?.code ?? name) || 'network error';
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
  let raw: unknown = null;
  try {
    raw = await response.json();
  } catch {
    raw = null;
  }
  if (response.ok) {
    const id = messageIdOf(input.channel, raw);
    if (id) return { ok: true, messageId: id, raw };
    return {
      ok: false,
      retryable: false,
      ambiguous: false,
      status: response.status,
      error: 'Graph API answered without a message id',
      raw,
    };
  }
  const err = (raw as { error?: { message?: unknown; code?: unknown; error_subcode?: unknown } } | null)
    ?.error;
  const code = typeof err?.code === 'number' ? err.code : null;
  const message = typeof err?.message === 'string' ? err.message.slice(0, 500) : response.statusText;
  const retryable =
    response.status === 429 || response.status >= 500 || (code !== null && TEMPORARY_CODES.has(code));
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

function messageIdOf(channel: MetaChannel, raw: unknown): string | null {
  if (!raw || typeof raw !== 'object') return null;
  if (channel === 'whatsapp') {
    const id = (raw as { messages?: { id?: unknown }[] }).messages?.[0]?.id;
    return typeof id === 'string' ? id : null;
  }
  const id = (raw as { message_id?: unknown }).message_id;
  return typeof id === 'string' ? id : null;
}
