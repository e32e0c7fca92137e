import { STATUS_CODES } from 'node:http';
import { Agent, type Dispatcher, request as httpRequest } from 'undici';
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
  const result = await graphCall({
    method: 'POST',
    url,
    body,
    accessToken: input.accessToken,
    timeoutMs: input.timeoutMs,
  });
  if (!result.ok) return result;
  const id = messageIdOf(input.channel, result.raw);
  if (id) return { ok: true, messageId: id, raw: result.raw };
  return {
    ok: false,
    retryable: false,
    ambiguous: false,
    status: result.status,
    error: 'Graph API answered without a message id',
    raw: result.raw,
  };
}

export interface GraphTypingInput {
  channel: MetaChannel;
  baseUrl: string;
  accessToken: string;
  /** WhatsApp phone_number_id. */
  senderId: string;
  /** Messenger: the PSID the page shows typing to. */
  to: string | null;
  /** WhatsApp: the customer's message (wamid) marked as read while the indicator shows. */
  inboundMessageId: string | null;
  timeoutMs: number;
}

/**
 * "Typing…" on the customer's screen while a turn runs: Messenger's `sender_action: typing_on`, or
 * WhatsApp's mark-as-read with `typing_indicator` (which names the customer's message, and also shows
 * it as read). Both end when our reply arrives, or by themselves after 20–25 s. Null when the call
 * cannot be made (no recipient / message id). One attempt, never retried.
 */
export function typingRequest(
  input: GraphTypingInput,
): { url: string; body: Record<string, unknown> } | null {
  if (input.channel === 'whatsapp') {
    if (!input.inboundMessageId) return null;
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
  if (!input.to) return null;
  return {
    url: `${input.baseUrl}/me/messages`,
    body: { recipient: { id: input.to }, sender_action: 'typing_on' },
  };
}

export async function sendGraphTyping(input: GraphTypingInput): Promise<GraphCallResult | null> {
  const request = typingRequest(input);
  if (!request) return null;
  return graphCall({
    method: 'POST',
    url: request.url,
    body: request.body,
    accessToken: input.accessToken,
    timeoutMs: input.timeoutMs,
  });
}

export type GraphProfileResult =
  | { ok: true; firstName: string; lastName: string }
  | Extract<GraphCallResult, { ok: false }>;

/**
 * The Messenger User Profile API: `GET /{psid}?fields=first_name,last_name` with the page access
 * token (in the Authorization header, so it is never part of a URL that could be logged).
 */
export async function getMessengerProfile(input: {
  baseUrl: string;
  accessToken: string;
  psid: string;
  timeoutMs: number;
}): Promise<GraphProfileResult> {
  const result = await graphCall({
    method: 'GET',
    url: `${input.baseUrl}/${encodeURIComponent(input.psid)}?fields=first_name,last_name`,
    accessToken: input.accessToken,
    timeoutMs: input.timeoutMs,
  });
  if (!result.ok) return result;
  const raw = (result.raw ?? {}) as { first_name?: unknown; last_name?: unknown };
  const text = (value: unknown) => (typeof value === 'string' ? value.trim().slice(0, 100) : '');
  return { ok: true, firstName: text(raw.first_name), lastName: text(raw.last_name) };
}

export type GraphCallResult =
  | { ok: true; status: number; raw: unknown }
  | Extract<GraphSendResult, { ok: false }>;

/**
 * Graph API requests go through undici's `request` on one keep-alive Agent, like the LLM calls
 * (openai-chat-transport.ts): the global fetch's WHATWG streams were a visible share of the server's
 * CPU in the webhook bench, where every reply is one Graph send.
 */
const graphDispatcher: Dispatcher = new Agent({ keepAliveTimeout: 4_000, keepAliveMaxTimeout: 60_000 });

/** One Graph API request, its failure classified for the retry policies; never throws. */
export async function graphCall(input: {
  method: 'GET' | 'POST';
  url: string;
  accessToken: string;
  body?: Record<string, unknown>;
  timeoutMs: number;
}): Promise<GraphCallResult> {
  const signal = AbortSignal.timeout(input.timeoutMs);
  let status: number;
  let headers: Record<string, string | string[] | undefined>;
  let raw: unknown = null;
  try {
    const response = await httpRequest(input.url, {
      method: input.method,
      dispatcher: graphDispatcher,
      headers: {
        authorization: `Bearer ${input.accessToken}`,
        ...(input.body ? { 'content-type': 'application/json' } : {}),
      },
      ...(input.body ? { body: JSON.stringify(input.body) } : {}),
      signal,
    });
    status = response.statusCode;
    headers = response.headers;
    const text = await response.body.text();
    try {
      raw = text ? JSON.parse(text) : null;
    } catch {
      raw = null;
    }
  } catch (error) {
    const failure = error as Error & { code?: string; cause?: { code?: string } };
    const timedOut = signal.aborted || failure.name === 'TimeoutError' || failure.name === 'AbortError';
    const code = failure.code ?? failure.cause?.code ?? failure.name ?? 'network error';
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
  if (status >= 200 && status < 300) return { ok: true, status, raw };
  const err = (raw as { error?: { message?: unknown; code?: unknown; error_subcode?: unknown } } | null)
    ?.error;
  const code = typeof err?.code === 'number' ? err.code : null;
  const message = typeof err?.message === 'string' ? err.message.slice(0, 500) : (STATUS_CODES[status] ?? '');
  const retryable = status === 429 || status >= 500 || (code !== null && TEMPORARY_CODES.has(code));
  const retryAfter = Number(headers['retry-after']);
  return {
    ok: false,
    retryable,
    ambiguous: false,
    status,
    error: `Graph API ${status}: ${message}${code !== null ? ` (code ${code}${err?.error_subcode ? `/${err.error_subcode}` : ''})` : ''}`,
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
