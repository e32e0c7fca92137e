import { Agent, type Dispatcher } from 'undici';
import type { AttemptDeadline } from './attempt-deadline.js';
import type { LlmAttempt, LlmRequest } from './llm-types.js';

/**
 * The OpenAI chat-completions protocol, spoken directly. OpenAI, Azure, Ollama, vLLM, llama.cpp and most
 * gateways implement it. Measured on this project's benchmark, the AI SDK's generic layers cost about
 * 2 ms of CPU per call (three calls per message) against 0.3 ms here, so the hot path uses this small
 * client; Anthropic still goes through the AI SDK (ai-sdk-transport.ts).
 *
 * Requests go through undici's `request` on one shared keep-alive `Agent` (a connection pool per
 * origin) rather than the global `fetch`: fetch builds WHATWG Request/Response objects and streams
 * (tee'd bodies, AbortSignal plumbing) for every call, about a sixth of the server's CPU per message
 * in the bench's profile (issue 14); `request` hands back the status and a plain Node stream. The
 * endpoint's origin, path and headers are worked out once per target, not parsed from a URL per call.
 */
const dispatcher: Dispatcher = new Agent({ keepAliveTimeout: 4_000, keepAliveMaxTimeout: 60_000 });

export interface OpenAiChatTarget {
  baseUrl: string;
  model: string;
  origin: string;
  /** The chat-completions path under the base URL's own path (`/v1/chat/completions`). */
  path: string;
  headers: Readonly<Record<string, string>>;
}

export function openAiChatTarget(
  baseUrl: string,
  apiKey: string | undefined,
  model: string,
): OpenAiChatTarget {
  const url = new URL(`${baseUrl}/chat/completions`);
  return {
    baseUrl,
    model,
    origin: url.origin,
    path: `${url.pathname}${url.search}`,
    headers: Object.freeze({
      'content-type': 'application/json',
      ...(apiKey ? { authorization: `Bearer ${apiKey}` } : {}),
    }),
  };
}

export class HttpStatusError extends Error {
  constructor(
    readonly statusCode: number,
    body: string,
  ) {
    super(`the model endpoint answered ${statusCode}: ${body.slice(0, 300)}`);
  }
}

/**
 * How a structured answer is asked for. Strict `json_schema` first; an OpenAI-compatible server that
 * refuses it (many llama.cpp / Ollama / vLLM set-ups) gets `json_object`, then plain text with the
 * shape spelled out in the prompt, parsed leniently (parse-answers.ts).
 */
export type FormatMode = 'json_schema' | 'json_object' | 'text';

/** A 400 that names `response_format`: the server does not support the structure asked for. */
export class FormatRefused extends HttpStatusError {}

const REFUSAL = /response_format|json_schema|json_object|grammar|structured output/i;

export function responseFormat(request: LlmRequest, mode: FormatMode) {
  if (request.output.kind === 'text' || mode === 'text') return undefined;
  if (request.output.kind === 'choice' && mode === 'json_schema') {
    return {
      type: 'json_schema',
      json_schema: {
        name: 'stage',
        strict: true,
        schema: {
          type: 'object',
          properties: { stage: { type: 'string', enum: request.output.options } },
          required: ['stage'],
          additionalProperties: false,
        },
      },
    };
  }
  if (request.output.kind === 'json' && request.output.schema && mode === 'json_schema') {
    return {
      type: 'json_schema',
      json_schema: { name: 'extracted_data', strict: true, schema: request.output.schema },
    };
  }
  return { type: 'json_object' };
}

/** The keys a typed extraction asks for, in words (a server without json_schema sees them this way). */
function keysHint(schema: Record<string, unknown>): string {
  const properties = (schema.properties ?? {}) as Record<string, { description?: string; enum?: unknown[] }>;
  const keys = Object.entries(properties).map(
    ([key, p]) =>
      `"${key}"${p.description ? ` (${p.description})` : ''}${
        p.enum
          ? `: one of ${p.enum
              .filter((v) => v !== null)
              .map((v) => JSON.stringify(v))
              .join(', ')}`
          : ''
      }`,
  );
  return `Answer with only a JSON object with exactly these keys, null when the message does not say: ${keys.join('; ')}.`;
}

/** Without a schema the model is told the shape in words. */
function shapeHint(request: LlmRequest, mode: FormatMode): string {
  const { output } = request;
  if (output.kind === 'choice') {
    const names = output.options.map((name) => JSON.stringify(name)).join(', ');
    if (mode === 'json_object')
      return `Answer with a JSON object {"stage": <one of ${names}>} and nothing else.`;
    if (mode === 'text') return `Answer with only the name of one stage, one of ${names}.`;
  }
  if (output.kind === 'json' && output.schema && mode !== 'json_schema') return keysHint(output.schema);
  if (output.kind === 'json' && mode === 'text') return 'Answer with only a JSON object.';
  return '';
}

/** The chat's messages as JSON: the system prompt (with a format hint, if any) and the user's prompt. */
function messagesJson(request: LlmRequest, mode: FormatMode): string {
  const hint = shapeHint(request, mode);
  const quoted = request.quoted;
  const system = hint ? (request.system ? `${request.system}\n\n${hint}` : hint) : request.system;
  const promptJson = quoted ? quoted.prompt : JSON.stringify(request.prompt);
  if (!system) return `[{"role":"user","content":${promptJson}}]`;
  const systemJson = quoted && !hint ? quoted.system : JSON.stringify(system);
  return `[{"role":"system","content":${systemJson}},{"role":"user","content":${promptJson}}]`;
}

interface ChatCompletion {
  choices?: Array<{ message?: { content?: string | null }; delta?: { content?: string | null } }>;
  usage?: { prompt_tokens?: number; completion_tokens?: number } | null;
}

export async function attemptOpenAiChat(
  target: OpenAiChatTarget,
  request: LlmRequest,
  deadline: AttemptDeadline,
  mode: FormatMode = 'json_schema',
): Promise<LlmAttempt> {
  const streaming = Boolean(request.onToken) && request.output.kind === 'text';
  const format = responseFormat(request, mode);
  const options = JSON.stringify({
    ...(request.temperature !== undefined ? { temperature: request.temperature } : {}),
    ...(format ? { response_format: format } : {}),
    ...(streaming ? { stream: true, stream_options: { include_usage: true } } : {}),
  });
  const response = await dispatcher.request({
    origin: target.origin,
    path: target.path,
    method: 'POST',
    signal: deadline,
    headers: target.headers,
    // Written by hand around the messages so that prompts the caller has quoted are not quoted again.
    body: `{"model":${JSON.stringify(target.model)},"messages":${messagesJson(request, mode)}${
      options === '{}' ? '}' : `,${options.slice(1)}`
    }`,
  });
  const status = response.statusCode;
  if (status < 200 || status > 299) {
    const body = await response.body.text().catch(() => '');
    if (format && status === 400 && REFUSAL.test(body)) throw new FormatRefused(status, body);
    throw new HttpStatusError(status, body);
  }
  if (!streaming) {
    const completion = (await response.body.json()) as ChatCompletion;
    const content = completion.choices?.[0]?.message?.content;
    if (typeof content !== 'string') throw new Error('the model endpoint answered without message content');
    return {
      text: content,
      tokensIn: completion.usage?.prompt_tokens ?? 0,
      tokensOut: completion.usage?.completion_tokens ?? 0,
    };
  }
  return readStream(response, request.onToken as (text: string) => void);
}

async function readStream(
  response: Dispatcher.ResponseData,
  onToken: (text: string) => void,
): Promise<LlmAttempt> {
  const decoder = new TextDecoder();
  let buffer = '';
  let text = '';
  let tokensIn = 0;
  let tokensOut = 0;
  let done = false;
  for await (const chunk of response.body as AsyncIterable<Uint8Array>) {
    buffer += decoder.decode(chunk, { stream: true });
    let newline = buffer.indexOf('\n');
    while (newline !== -1) {
      const line = buffer.slice(0, newline).trim();
      buffer = buffer.slice(newline + 1);
      newline = buffer.indexOf('\n');
      if (!line.startsWith('data:')) continue;
      const data = line.slice(5).trim();
      if (data === '[DONE]') {
        done = true;
        continue;
      }
      const event = JSON.parse(data) as ChatCompletion;
      const piece = event.choices?.[0]?.delta?.content;
      if (piece) {
        text += piece;
        onToken(piece);
      }
      if (event.usage) {
        tokensIn = event.usage.prompt_tokens ?? tokensIn;
        tokensOut = event.usage.completion_tokens ?? tokensOut;
      }
    }
  }
  if (!done && !text) throw new Error('the model stream ended without an answer');
  return { text, tokensIn, tokensOut };
}
