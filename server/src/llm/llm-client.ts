import { createAnthropic } from '@ai-sdk/anthropic';
import { createOpenAICompatible } from '@ai-sdk/openai-compatible';
import { type LanguageModel, NoObjectGeneratedError, Output, generateText, streamText } from 'ai';
import type { Config } from '../config.js';
import { estimateCostUsd } from './model-pricing.js';

export type LlmOutput = { kind: 'text' } | { kind: 'choice'; options: string[] } | { kind: 'json' };

export interface LlmRequest {
  system: string;
  prompt: string;
  output: LlmOutput;
  /** A business's model override. */
  model?: string | undefined;
  provider?: 'openai' | 'anthropic' | undefined;
  temperature?: number | undefined;
  /** Streaming: called with each piece of text as it arrives. */
  onToken?: (text: string) => void;
}

export interface LlmResult {
  ok: boolean;
  /** The model's raw answer (also when it failed to match the requested structure). */
  text: string;
  provider: string;
  model: string;
  tokensIn: number;
  tokensOut: number;
  latencyMs: number;
  costUsd: number;
  attempts: number;
  error?: string;
}

export interface LlmClient {
  readonly provider: string;
  readonly defaultModel: string;
  complete(request: LlmRequest): Promise<LlmResult>;
}

// The SDK's console warnings (e.g. a provider ignoring an option) would bypass our redacting logger.
(globalThis as { AI_SDK_LOG_WARNINGS?: boolean }).AI_SDK_LOG_WARNINGS = false;

const DEFAULT_OPENAI_MODEL = 'gpt-4o-mini';
const DEFAULT_ANTHROPIC_MODEL = 'claude-3-5-haiku-latest';

/** `null` means no provider is configured: the pipeline runs on the offline engine. */
export function createLlmClient(config: Config): LlmClient | null {
  const { llm } = config;
  const openai =
    llm.openaiApiKey || llm.openaiBaseUrl
      ? createOpenAICompatible({
          name: 'openai',
          baseURL: llm.openaiBaseUrl ?? 'https://api.openai.com/v1',
          apiKey: llm.openaiApiKey,
          includeUsage: true,
          supportsStructuredOutputs: true,
        })
      : undefined;
  const anthropic = llm.anthropicApiKey ? createAnthropic({ apiKey: llm.anthropicApiKey }) : undefined;
  if (!openai && !anthropic) return null;

  const primary = openai ? 'openai' : 'anthropic';
  const defaultModel = openai ? (llm.model ?? DEFAULT_OPENAI_MODEL) : (llm.anthropicModel ?? DEFAULT_ANTHROPIC_MODEL);

  const resolveModel = (request: LlmRequest): { model: LanguageModel; provider: string; name: string } => {
    const provider = request.provider === 'anthropic' && anthropic ? 'anthropic' : request.provider === 'openai' && openai ? 'openai' : primary;
    if (provider === 'anthropic' && anthropic) {
      const name = request.model ?? (primary === 'anthropic' ? defaultModel : (llm.anthropicModel ?? DEFAULT_ANTHROPIC_MODEL));
      return { model: anthropic(name), provider, name };
    }
    const name = request.model ?? (primary === 'openai' ? defaultModel : (llm.model ?? DEFAULT_OPENAI_MODEL));
    return { model: (openai as NonNullable<typeof openai>).chatModel(name), provider: 'openai', name };
  };

  return {
    provider: primary,
    defaultModel,
    complete: (request) => completeWithRetries(resolveModel(request), request, llm.timeoutMs, llm.maxRetries),
  };
}

interface Attempt {
  text: string;
  tokensIn: number;
  tokensOut: number;
}

class StructureMismatch extends Error {
  constructor(readonly text: string) {
    super('The model answer did not match the requested structure');
  }
}

async function attemptOnce(model: LanguageModel, request: LlmRequest, signal: AbortSignal): Promise<Attempt> {
  const common = {
    model,
    system: request.system || undefined,
    prompt: request.prompt,
    temperature: request.temperature,
    maxRetries: 0,
    abortSignal: signal,
  };
  if (request.onToken && request.output.kind === 'text') {
    let text = '';
    let failure: unknown;
    const result = streamText({ ...common, onError: ({ error }) => void (failure = error) });
    for await (const part of result.fullStream) {
      if (part.type === 'text-delta') {
        text += part.text;
        request.onToken(part.text);
      } else if (part.type === 'error') {
        failure = part.error;
      }
    }
    if (failure) throw Object.assign(failure instanceof Error ? failure : new Error(String(failure)), { partial: text });
    const usage = await result.usage;
    return { text, tokensIn: usage.inputTokens ?? 0, tokensOut: usage.outputTokens ?? 0 };
  }
  try {
    const output =
      request.output.kind === 'choice'
        ? Output.choice({ options: request.output.options, name: 'stage' })
        : request.output.kind === 'json'
          ? Output.json({ name: 'extracted_data' })
          : undefined;
    const result = await generateText({ ...common, ...(output ? { output } : {}) });
    return { text: result.text, tokensIn: result.usage.inputTokens ?? 0, tokensOut: result.usage.outputTokens ?? 0 };
  } catch (error) {
    // The model answered but not in the requested shape: keep its words, the caller validates them.
    if (NoObjectGeneratedError.isInstance(error)) throw new StructureMismatch(error.text ?? '');
    throw error;
  }
}

function isRetryable(error: unknown): boolean {
  if (error instanceof StructureMismatch) return false;
  const status = (error as { statusCode?: number }).statusCode;
  if (status !== undefined) return status === 408 || status === 409 || status === 429 || status >= 500;
  return true; // network errors, timeouts, broken bodies
}

function describeError(error: unknown, timedOut: boolean): string {
  if (timedOut) return 'timeout';
  const status = (error as { statusCode?: number }).statusCode;
  const message = error instanceof Error ? error.message : String(error);
  return (status ? `HTTP ${status}: ` : '') + message.slice(0, 500);
}

async function completeWithRetries(
  target: { model: LanguageModel; provider: string; name: string },
  request: LlmRequest,
  timeoutMs: number,
  maxRetries: number,
): Promise<LlmResult> {
  const started = performance.now();
  let lastError = '';
  let attempts = 0;
  for (let attempt = 0; attempt <= maxRetries; attempt++) {
    attempts++;
    const controller = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, timeoutMs);
    let emitted = false;
    const onToken = request.onToken && ((t: string) => ((emitted = true), request.onToken?.(t)));
    try {
      const answer = await attemptOnce(target.model, { ...request, onToken }, controller.signal);
      clearTimeout(timer);
      return {
        ok: true,
        text: answer.text,
        provider: target.provider,
        model: target.name,
        tokensIn: answer.tokensIn,
        tokensOut: answer.tokensOut,
        latencyMs: Math.round(performance.now() - started),
        costUsd: estimateCostUsd(target.name, answer.tokensIn, answer.tokensOut),
        attempts,
      };
    } catch (error) {
      clearTimeout(timer);
      if (error instanceof StructureMismatch) {
        return {
          ok: true,
          text: error.text,
          provider: target.provider,
          model: target.name,
          tokensIn: 0,
          tokensOut: 0,
          latencyMs: Math.round(performance.now() - started),
          costUsd: 0,
          attempts,
        };
      }
      lastError = describeError(error, timedOut);
      // Tokens already streamed to the customer cannot be taken back: no retry then.
      if (emitted || !isRetryable(error) || attempt === maxRetries) break;
      await new Promise((resolve) => setTimeout(resolve, Math.min(2000, 100 * 2 ** attempt)));
    }
  }
  return {
    ok: false,
    text: '',
    provider: target.provider,
    model: target.name,
    tokensIn: 0,
    tokensOut: 0,
    latencyMs: Math.round(performance.now() - started),
    costUsd: 0,
    attempts,
    error: lastError,
  };
}
