// The OpenAI chat-completions wire format, as produced by the fake LLM server.
import type { IncomingHttpHeaders, ServerResponse } from 'node:http';
import type { FakeLlmRequest } from './fake-llm-types.js';

export interface FakeChatMessage {
  role: string;
  /** Text content; array content parts are joined. */
  content: string;
}

export interface CompletionContext {
  id: string;
  model: string;
  promptChars: number;
  includeUsage: boolean;
}

const STREAM_PIECES = 4;

export function estimateTokens(chars: number): number {
  return Math.ceil(chars / 4);
}

function normaliseMessages(raw: unknown): FakeChatMessage[] {
  if (!Array.isArray(raw)) return [];
  return raw.map((entry) => {
    const message = (entry ?? {}) as { role?: unknown; content?: unknown };
    return { role: String(message.role ?? ''), content: textOf(message.content) };
  });
}

function textOf(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return content == null ? '' : JSON.stringify(content);
  return content
    .map((part) =>
      part && typeof part === 'object' && 'text' in part ? String((part as { text: unknown }).text) : '',
    )
    .join('');
}

export function usageOf(context: CompletionContext, content: string) {
  const prompt = estimateTokens(context.promptChars);
  const completion = estimateTokens(content.length);
  return { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion };
}

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const payload = typeof body === 'string' ? body : JSON.stringify(body);
  res.writeHead(status, {
    'content-type': typeof body === 'string' ? 'text/plain; charset=utf-8' : 'application/json',
    'content-length': Buffer.byteLength(payload),
  });
  res.end(payload);
}

export function sendError(
  res: ServerResponse,
  status: number,
  message: string,
  type = 'invalid_request_error',
): void {
  sendJson(res, status, { error: { message, type, param: null, code: null } });
}

export function sendCompletion(res: ServerResponse, context: CompletionContext, content: string): void {
  sendJson(res, 200, {
    id: context.id,
    object: 'chat.completion',
    created: Math.floor(Date.now() / 1000),
    model: context.model,
    choices: [{ index: 0, message: { role: 'assistant', content }, logprobs: null, finish_reason: 'stop' }],
    usage: usageOf(context, content),
  });
}

/** The server-sent events of a streamed completion, one string per event (first: the role, then content). */
export function completionStreamEvents(context: CompletionContext, content: string): string[] {
  const created = Math.floor(Date.now() / 1000);
  const chunk = (choices: unknown[], extra: Record<string, unknown> = {}) =>
    `data: ${JSON.stringify({ id: context.id, object: 'chat.completion.chunk', created, model: context.model, choices, ...extra })}\n\n`;
  const delta = (value: Record<string, unknown>) =>
    chunk([{ index: 0, delta: value, logprobs: null, finish_reason: null }]);

  const events = [delta({ role: 'assistant', content: '' })];
  const size = Math.max(1, Math.ceil(content.length / STREAM_PIECES));
  for (let start = 0; start < content.length; start += size)
    events.push(delta({ content: content.slice(start, start + size) }));
  events.push(chunk([{ index: 0, delta: {}, logprobs: null, finish_reason: 'stop' }]));
  if (context.includeUsage) events.push(chunk([], { usage: usageOf(context, content) }));
  events.push('data: [DONE]\n\n');
  return events;
}

export function sendCompletionStream(res: ServerResponse, context: CompletionContext, content: string): void {
  writeEventStream(res, completionStreamEvents(context, content).join(''));
}

/** Writes the stream's headers; the caller writes the events (with pauses between them) and ends it. */
export function startEventStream(res: ServerResponse): void {
  res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache' });
}

export function sendMalformed(res: ServerResponse, stream: boolean): void {
  if (stream) writeEventStream(res, 'data: {"id":"chatcmpl-broken","choices":[{"delta":\n\ndata: [DONE]\n\n');
  else {
    const payload = '{"id":"chatcmpl-broken","object":"chat.completion","choices":[{"message":';
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) });
    res.end(payload);
  }
}

function writeEventStream(res: ServerResponse, body: string): void {
  res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache' });
  res.end(body);
}

export function findInvalidBody(body: unknown): string | undefined {
  if (body === null || typeof body !== 'object') return 'Request body is not valid JSON';
  if (!Array.isArray((body as { messages?: unknown }).messages)) return "'messages' is required";
  return undefined;
}

export function parseRequest(headers: IncomingHttpHeaders, raw: string): FakeLlmRequest {
  let body: unknown = null;
  try {
    body = JSON.parse(raw);
  } catch {
    body = null;
  }
  const fields = (body !== null && typeof body === 'object' ? body : {}) as Record<string, unknown>;
  const messages = normaliseMessages(fields.messages);
  return {
    headers,
    body,
    messages,
    model: typeof fields.model === 'string' ? fields.model : undefined,
    response_format: fields.response_format,
    stream: fields.stream === true,
    stream_options: fields.stream_options,
    text: messages.map((message) => message.content).join('\n'),
  };
}
