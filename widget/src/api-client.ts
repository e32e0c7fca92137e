import { readEventStream } from './sse';

export interface WidgetSession {
  visitor_token: string;
  conversation_id: string | null;
  title: string;
  greeting: string;
  color: string;
}

export interface WidgetMessage {
  message_id: string;
  conversation_id: string;
  sender_type: 'customer' | 'assistant' | 'agent';
  content: string;
  created_at: string;
}

export interface SendResult {
  success: boolean;
  response: string | null;
  conversation_id: string;
  message_id: string;
  response_id: string | null;
  ai_stopped: boolean;
}

export class WidgetApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

async function failure(response: Response): Promise<WidgetApiError> {
  let code = 'HTTP_ERROR';
  let message = `The chat service answered ${response.status}`;
  try {
    const body = (await response.json()) as { error?: { code?: string; message?: string } };
    code = body.error?.code ?? code;
    message = body.error?.message ?? message;
  } catch {
    // not JSON: keep the generic message
  }
  return new WidgetApiError(response.status, code, message);
}

/** The widget's calls to /api/widget/*; every call but the session one carries the visitor token. */
export function createApiClient(apiOrigin: string, token: () => string | null, fetchImpl = fetch) {
  const url = (path: string) => `${apiOrigin}${path}`;
  const auth = (): Record<string, string> => {
    const value = token();
    return value ? { authorization: `Bearer ${value}` } : {};
  };

  return {
    async openSession(key: string, visitorToken: string | null): Promise<WidgetSession> {
      const response = await fetchImpl(url('/api/widget/sessions'), {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(visitorToken ? { key, visitor_token: visitorToken } : { key }),
        credentials: 'omit',
      });
      if (!response.ok) throw await failure(response);
      return (await response.json()) as WidgetSession;
    },

    async history(after?: string): Promise<WidgetMessage[]> {
      const query = after ? `?after=${encodeURIComponent(after)}` : '';
      const response = await fetchImpl(url(`/api/widget/messages${query}`), {
        headers: auth(),
        credentials: 'omit',
      });
      if (!response.ok) throw await failure(response);
      return ((await response.json()) as { messages: WidgetMessage[] }).messages;
    },

    /** Posts the visitor's message and streams the reply: `onToken` gets each piece as it comes. */
    async send(content: string, onToken: (text: string) => void): Promise<SendResult> {
      const response = await fetchImpl(url('/api/widget/messages'), {
        method: 'POST',
        headers: { ...auth(), 'content-type': 'application/json', accept: 'text/event-stream' },
        body: JSON.stringify({ content }),
        credentials: 'omit',
      });
      if (!response.ok) throw await failure(response);
      if (!(response.headers.get('content-type') ?? '').includes('text/event-stream')) {
        return (await response.json()) as SendResult;
      }
      const outcome: { result?: SendResult; error?: WidgetApiError } = {};
      await readEventStream(response, (event) => {
        const data = JSON.parse(event.data);
        if (event.event === 'token') onToken(String(data.text ?? ''));
        else if (event.event === 'done') outcome.result = data as SendResult;
        else if (event.event === 'error')
          outcome.error = new WidgetApiError(
            500,
            data.error?.code ?? 'ERROR',
            data.error?.message ?? 'failed',
          );
      });
      if (outcome.error) throw outcome.error;
      if (!outcome.result) throw new WidgetApiError(502, 'STREAM_ENDED', 'The reply stream ended early');
      return outcome.result;
    },

    /** Opens the live event stream; resolves when the server closes it, rejects on a failure. */
    async events(
      lastEventId: string | null,
      onEvent: (event: { event: string; data: string; id: string }) => void,
      signal: AbortSignal,
    ): Promise<void> {
      const headers: Record<string, string> = { ...auth(), accept: 'text/event-stream' };
      if (lastEventId) headers['last-event-id'] = lastEventId;
      const response = await fetchImpl(url('/api/widget/events'), {
        headers,
        signal,
        credentials: 'omit',
        cache: 'no-store',
      });
      if (!response.ok) throw await failure(response);
      await readEventStream(response, onEvent);
    },
  };
}

export type ApiClient = ReturnType<typeof createApiClient>;
