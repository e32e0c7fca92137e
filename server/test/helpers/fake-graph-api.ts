// A fake Meta Graph API over real HTTP: the WhatsApp Cloud API and Messenger Send API endpoints our
// delivery code calls (text sends, Messenger sender actions, WhatsApp mark-as-read with a typing
// indicator) and the Messenger User Profile API, with recorded requests and scripted failures,
// latency, hangs and resets.
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface GraphRequest {
  method: string;
  /** Path without the API version prefix, e.g. `/123456/messages` or `/me/messages`. */
  path: string;
  /**
   * `whatsapp` for `/{phone_number_id}/messages`, `messenger` for `/me/messages` and for a profile
   * lookup (`GET /{psid}`).
   */
  channel: 'whatsapp' | 'messenger' | 'other';
  /**
   * `message`: a text send; `typing`: a Messenger `sender_action` or a WhatsApp mark-as-read (with or
   * without `typing_indicator`); `profile`: `GET /{psid}?fields=…`; `other`: anything else (404).
   */
  kind: 'message' | 'typing' | 'profile' | 'other';
  /** The phone number id of a WhatsApp send. */
  phoneNumberId: string | null;
  token: string | null;
  body: Record<string, unknown> | null;
  /** The text sent (`text.body` or `message.text`). */
  text: string | null;
  /** The recipient of a text send (`to` or `recipient.id`); null for every other kind. */
  to: string | null;
  /**
   * Whom the call is about, whatever its kind: the recipient of a send or sender action, the PSID of
   * a profile lookup, the message id a WhatsApp mark-as-read names.
   */
  subject: string | null;
  /** Query parameters (a profile lookup's `fields`). */
  query: Record<string, string>;
  /** What was answered: the status, or `hang` / `reset`. */
  outcome: number | 'hang' | 'reset';
  /** The Graph message id answered on success. */
  messageId: string | null;
  /** When it arrived (ms since the epoch). */
  at: number;
}

export interface MetaErrorBody {
  message: string;
  type?: string;
  code: number;
  error_subcode?: number;
}

export type GraphFault =
  | { status: number; error?: MetaErrorBody; retryAfterSeconds?: number }
  | { hang: true }
  | { reset: true };

export interface GraphRule {
  /** Which requests the rule applies to (default all). */
  match?: (request: GraphRequest) => boolean;
  /** Apply to at most this many requests (default 1). */
  times?: number;
  /** Extra delay before answering. */
  delayMs?: number;
  fault?: GraphFault;
}

export interface FakeGraphApi {
  /** Base URL including a version segment, as GRAPH_API_BASE_URL takes it. */
  readonly url: string;
  readonly port: number;
  readonly requests: GraphRequest[];
  /** Successful text sends only (status 200). */
  sent(channel?: 'whatsapp' | 'messenger'): GraphRequest[];
  /** Sets (or, with null, removes) the Messenger profile `GET /{psid}` answers; unknown PSIDs get Meta's error. */
  setProfile(psid: string, profile: { first_name: string; last_name: string } | null): void;
  /** Tokens accepted (any when empty). */
  setTokens(tokens: string[]): void;
  setLatency(ms: number): void;
  script(rule: GraphRule): void;
  /** Calls `listener` for every request as it arrives; returns the unsubscribe function. */
  onRequest(listener: (request: GraphRequest) => void): () => void;
  /** Resolves once `count` requests (of any outcome, matching `filter`) have arrived. */
  waitForRequests(
    count: number,
    options?: { timeoutMs?: number; filter?: (r: GraphRequest) => boolean },
  ): Promise<GraphRequest[]>;
  reset(): void;
  close(): Promise<void>;
}

const VERSION = 'v21.0';

function metaError(
  res: ServerResponse,
  status: number,
  error: MetaErrorBody,
  headers: Record<string, string> = {},
) {
  const body = JSON.stringify({
    error: { type: 'OAuthException', ...error, fbtrace_id: `Fake${randomBytes(6).toString('hex')}` },
  });
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(body),
    ...headers,
  });
  res.end(body);
}

const defaultErrorFor = (status: number): MetaErrorBody =>
  status === 429
    ? { message: '(#130429) Rate limit hit', type: 'OAuthException', code: 130429 }
    : status >= 500
      ? { message: 'An unknown error has occurred.', type: 'OAuthException', code: 1, error_subcode: 99 }
      : { message: '(#100) Invalid parameter', type: 'OAuthException', code: 100 };

export interface FakeGraphOptions {
  port?: number;
  tokens?: string[];
  latencyMs?: number;
  /** Keep requests in `requests` (default true); long benchmarks use `onRequest` instead. */
  record?: boolean;
}

export async function startFakeGraphApi(options: FakeGraphOptions = {}): Promise<FakeGraphApi> {
  const record = options.record ?? true;
  const listeners = new Set<(request: GraphRequest) => void>();
  const requests: GraphRequest[] = [];
  const waiters = new Set<() => void>();
  const timers = new Set<NodeJS.Timeout>();
  let tokens = new Set(options.tokens ?? []);
  let latency = options.latencyMs ?? 0;
  let rules: { rule: GraphRule; used: number }[] = [];
  let counter = 0;
  const profiles = new Map<string, { first_name: string; last_name: string }>();

  const takeRule = (request: GraphRequest) => {
    for (const active of rules) {
      if (active.used >= (active.rule.times ?? 1)) continue;
      if (active.rule.match && !active.rule.match(request)) continue;
      active.used += 1;
      return active.rule;
    }
    return undefined;
  };

  function answer(req: IncomingMessage, res: ServerResponse, raw: string) {
    const [rawPath = '', search = ''] = (req.url ?? '').split('?');
    const path = rawPath.replace(/^\/v\d+\.\d+/, '');
    const query = Object.fromEntries(new URLSearchParams(search));
    const auth = req.headers.authorization;
    const token = auth?.startsWith('Bearer ') ? auth.slice(7) : null;
    let body: Record<string, unknown> | null = null;
    try {
      body = JSON.parse(raw) as Record<string, unknown>;
    } catch {}
    const method = req.method ?? '';
    const wa = /^\/([^/]+)\/messages$/.exec(path);
    const profile = method === 'GET' ? /^\/([^/]+)$/.exec(path) : null;
    const channel =
      path === '/me/messages' || profile ? 'messenger' : wa && method === 'POST' ? 'whatsapp' : 'other';
    const isTyping =
      method === 'POST' &&
      ((channel === 'messenger' && body?.sender_action !== undefined) ||
        (channel === 'whatsapp' && body?.status === 'read'));
    const kind = profile
      ? 'profile'
      : isTyping
        ? 'typing'
        : channel !== 'other' && method === 'POST'
          ? 'message'
          : 'other';
    const text =
      kind !== 'message'
        ? null
        : channel === 'whatsapp'
          ? ((body?.text as { body?: string } | undefined)?.body ?? null)
          : ((body?.message as { text?: string } | undefined)?.text ?? null);
    const recipient =
      channel === 'whatsapp'
        ? ((body?.to as string | undefined) ?? null)
        : ((body?.recipient as { id?: string } | undefined)?.id ?? null);
    const subject =
      kind === 'profile'
        ? decodeURIComponent(profile?.[1] ?? '')
        : kind === 'typing' && channel === 'whatsapp'
          ? ((body?.message_id as string | undefined) ?? null)
          : recipient;
    const request: GraphRequest = {
      method,
      path,
      channel,
      kind,
      phoneNumberId: channel === 'whatsapp' ? (wa?.[1] ?? null) : null,
      token,
      body,
      text,
      to: kind === 'message' ? recipient : null,
      subject,
      query,
      outcome: 200,
      messageId: null,
      at: Date.now(),
    };
    if (record) requests.push(request);
    for (const listener of listeners) listener(request);
    const respond = () => {
      for (const wake of waiters) wake();
      const rule = takeRule(request);
      const run = () => reply(req, res, request, rule?.fault);
      const delay = latency + (rule?.delayMs ?? 0);
      if (delay <= 0) return run();
      const timer = setTimeout(() => {
        timers.delete(timer);
        run();
      }, delay);
      timers.add(timer);
    };
    respond();
  }

  function reply(
    _req: IncomingMessage,
    res: ServerResponse,
    request: GraphRequest,
    fault: GraphFault | undefined,
  ) {
    if (res.destroyed) return;
    if (fault && 'hang' in fault) {
      request.outcome = 'hang';
      return;
    }
    if (fault && 'reset' in fault) {
      request.outcome = 'reset';
      res.socket?.destroy();
      return;
    }
    if (request.kind === 'other') {
      request.outcome = 404;
      return metaError(res, 404, { message: 'Unknown path components', code: 2500 });
    }
    if (!request.token || (tokens.size > 0 && !tokens.has(request.token))) {
      request.outcome = 401;
      return metaError(res, 401, { message: 'Invalid OAuth access token.', code: 190 });
    }
    if (fault) {
      request.outcome = fault.status;
      const headers: Record<string, string> = fault.retryAfterSeconds
        ? { 'retry-after': String(fault.retryAfterSeconds) }
        : {};
      return metaError(res, fault.status, fault.error ?? defaultErrorFor(fault.status), headers);
    }
    if (request.kind === 'profile') {
      const found = profiles.get(request.subject ?? '');
      if (!found) {
        // What Meta answers for an id the page cannot see.
        request.outcome = 400;
        return metaError(res, 400, {
          message: `Unsupported get request. Object with ID '${request.subject}' does not exist, cannot be loaded due to missing permissions, or does not support this operation.`,
          type: 'GraphMethodException',
          code: 100,
          error_subcode: 33,
        });
      }
      const fields = (request.query.fields ?? 'first_name,last_name').split(',');
      const answer: Record<string, string> = { id: request.subject ?? '' };
      for (const field of fields) {
        const value = found[field as keyof typeof found];
        if (value !== undefined) answer[field] = value;
      }
      return json(res, answer);
    }
    const invalid = validate(request);
    if (invalid) {
      request.outcome = 400;
      return metaError(res, 400, { message: invalid, code: 100 });
    }
    if (request.kind === 'typing') {
      return json(
        res,
        request.channel === 'whatsapp' ? { success: true } : { recipient_id: request.subject },
      );
    }
    counter += 1;
    const payload =
      request.channel === 'whatsapp'
        ? (() => {
            request.messageId = `wamid.FAKE${String(counter).padStart(6, '0')}${randomBytes(4).toString('hex')}`;
            return {
              messaging_product: 'whatsapp',
              contacts: [{ input: request.to, wa_id: request.to }],
              messages: [{ id: request.messageId }],
            };
          })()
        : (() => {
            request.messageId = `m_FAKE${String(counter).padStart(6, '0')}${randomBytes(4).toString('hex')}`;
            return { recipient_id: request.to, message_id: request.messageId };
          })();
    json(res, payload);
  }

  function json(res: ServerResponse, payload: unknown) {
    const text = JSON.stringify(payload);
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
    res.end(text);
  }

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => answer(req, res, Buffer.concat(chunks).toString('utf8')));
  });
  server.keepAliveTimeout = 10_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}/${VERSION}`,
    port,
    requests,
    sent: (channel) =>
      requests.filter(
        (r) => r.kind === 'message' && r.outcome === 200 && (!channel || r.channel === channel),
      ),
    setProfile: (psid, profile) => {
      if (profile) profiles.set(psid, profile);
      else profiles.delete(psid);
    },
    setTokens: (list) => {
      tokens = new Set(list);
    },
    setLatency: (ms) => {
      latency = Math.max(0, ms);
    },
    script: (rule) => {
      rules.push({ rule, used: 0 });
    },
    onRequest: (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    waitForRequests(count, { timeoutMs = 15_000, filter } = {}) {
      const matching = () => requests.filter((r) => !filter || filter(r));
      return new Promise((resolve, reject) => {
        const check = () => {
          const found = matching();
          if (found.length < count) return false;
          cleanup();
          resolve(found);
          return true;
        };
        const timer = setTimeout(() => {
          cleanup();
          reject(
            new Error(`fake Graph API: ${matching().length} of ${count} requests after ${timeoutMs} ms`),
          );
        }, timeoutMs);
        const wake = () => void check();
        const cleanup = () => {
          clearTimeout(timer);
          waiters.delete(wake);
        };
        waiters.add(wake);
        check();
      });
    },
    reset() {
      requests.length = 0;
      rules = [];
      profiles.clear();
      latency = options.latencyMs ?? 0;
    },
    close() {
      for (const timer of timers) clearTimeout(timer);
      return new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}

/** The request shapes api.md names; anything else is a 400 as Meta would answer it. */
function validate(request: GraphRequest): string | null {
  const body = request.body;
  if (!body) return 'The request body is not valid JSON';
  if (request.kind === 'typing') {
    if (request.channel === 'whatsapp') {
      if (body.messaging_product !== 'whatsapp') return '(#100) The parameter messaging_product is required.';
      if (!request.subject) return '(#100) The parameter message_id is required.';
      const indicator = body.typing_indicator as { type?: unknown } | undefined;
      if (indicator !== undefined && indicator?.type !== 'text')
        return '(#100) Param typing_indicator[type] must be one of {text}';
      return null;
    }
    if (!request.subject) return '(#100) The parameter recipient is required';
    if (!['typing_on', 'typing_off', 'mark_seen'].includes(String(body.sender_action)))
      return '(#100) Param sender_action must be one of {typing_on, typing_off, mark_seen}';
    if (body.message !== undefined) return '(#100) sender_action cannot be sent with message';
    return null;
  }
  if (request.channel === 'whatsapp') {
    if (body.messaging_product !== 'whatsapp') return '(#100) The parameter messaging_product is required.';
    if (!request.to) return '(#100) The parameter to is required.';
    if (body.type !== 'text' || !request.text) return '(#100) Param text[body] is required';
    if (request.text.length > 4096) return '(#100) Param text[body] must be at most 4096 characters long.';
    return null;
  }
  if (!request.to) return '(#100) The parameter recipient is required';
  if (!request.text) return '(#100) The parameter message[text] is required';
  if (request.text.length > 2000)
    return '(#100) Length of param message[text] must be less than or equal to 2000';
  return null;
}
