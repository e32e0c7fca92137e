import { ApiError, networkError, toApiError } from '@/lib/api/errors';
import type { MessageResponse, ProcessingStep } from '@/lib/api/models';
import type { paths } from '@/lib/api/schema';
import { readSse } from '@/lib/sse';

/** The body of POST /api/message, as the server declares it. */
export type SendMessageInput = NonNullable<
  paths['/api/message']['post']['requestBody']
>['content']['application/json'];

export interface StreamHandlers {
  onStage?: (e: { stage_id: string; stage_name: string; previous_stage_id: string | null }) => void;
  onExtracted?: (e: { extracted_data: Record<string, unknown> }) => void;
  onStep?: (step: ProcessingStep) => void;
  onToken?: (text: string) => void;
}

/**
 * POST /api/message with `Accept: text/event-stream` (EventSource cannot POST). Resolves with the
 * final response (the `done` event, or a plain JSON answer such as the 202 "AI stopped" one).
 * Openapi-fetch is not used here because the body is a stream, not a JSON document.
 */
export async function streamMessage(
  input: SendMessageInput,
  handlers: StreamHandlers,
  signal?: AbortSignal,
): Promise<MessageResponse> {
  let res: Response;
  try {
    res = await fetch('/api/message', {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'Content-Type': 'application/json', Accept: 'text/event-stream' },
      body: JSON.stringify(input),
      signal,
    });
  } catch (e) {
    if ((e as Error).name === 'AbortError') throw e;
    throw networkError(e);
  }
  const type = res.headers.get('Content-Type') ?? '';
  if (!res.ok) {
    const body = type.includes('json') ? await res.json().catch(() => null) : null;
    throw toApiError(res.status, body, res.headers.get('Retry-After'));
  }
  if (!type.includes('text/event-stream') || !res.body) return (await res.json()) as MessageResponse;

  for await (const evt of readSse(res.body, signal)) {
    let data: unknown;
    try {
      data = evt.data ? JSON.parse(evt.data) : {};
    } catch {
      data = evt.data;
    }
    switch (evt.event) {
      case 'stage':
        handlers.onStage?.(data as Parameters<NonNullable<StreamHandlers['onStage']>>[0]);
        break;
      case 'extracted':
        handlers.onExtracted?.(data as { extracted_data: Record<string, unknown> });
        break;
      case 'step':
        handlers.onStep?.(data as ProcessingStep);
        break;
      case 'token':
        handlers.onToken?.(typeof data === 'string' ? data : ((data as { text?: string }).text ?? ''));
        break;
      case 'done':
        return data as MessageResponse;
      case 'error': {
        const err = (data as { error?: { code: string; message: string; details?: Record<string, unknown> } })
          .error;
        throw new ApiError(
          500,
          err?.code ?? 'INTERNAL_ERROR',
          err?.message ?? 'The reply failed.',
          err?.details ?? {},
        );
      }
      default:
        break;
    }
  }
  throw new ApiError(0, 'NETWORK_ERROR', 'The stream ended before the reply was complete.');
}
