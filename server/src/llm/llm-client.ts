import type { Config } from '../config.js';
import { storableText } from '../lib/storable-text.js';
import { tracing } from '../lib/tracing.js';
import { withFields } from '../lib/with-fields.js';
import { AttemptDeadline } from './attempt-deadline.js';
import type { LlmAttempt, LlmRequest } from './llm-types.js';
import { estimateCostUsd } from './model-pricing.js';
import {
  attemptOpenAiChat,
  type FormatMode,
  FormatRefused,
  type OpenAiChatTarget,
  openAiChatTarget,
} from './openai-chat-transport.js';
import { StructureMismatch } from './structure-mismatch.js';

export type { LlmAttempt, LlmOutput, LlmRequest } from './llm-types.js';

export interface LlmResult extends LlmAttempt {
  ok: boolean;
  provider: string;
  model: string;
  latencyMs: number;
  costUsd: number;
  attempts: number;
  /** Why it failed, in generic words a tenant may see (no provider text). */
  error?: string;
  /** The provider's own error text, for the operator's call log only. */
  errorDetail?: string;
}

export interface LlmClient {
  readonly provider: 'openai' | 'anthropic';
  readonly defaultModel: string;
  complete(request: LlmRequest): Promise<LlmResult>;
}

type Attempt = (request: LlmRequest, deadline: AttemptDeadline) => Promise<LlmAttempt>;

interface Route {
  provider: 'openai' | 'anthropic';
  model: string;
  attempt: Attempt;
}

const DEFAULT_OPENAI_MODEL = 'gpt-4o-mini';
const DEFAULT_ANTHROPIC_MODEL = 'claude-3-5-haiku-latest';

/**
 * Whether a business may use `model` as its override: the deployment's own models and those listed in
 * LLM_ALLOWED_MODELS. Anything else would spend the operator's key on a model the operator never chose.
 */
export function isModelAllowed(config: Config, model: string): boolean {
  return allowedModels(config).includes(model);
}

/** The deployment's own models and LLM_ALLOWED_MODELS: every model a call can use (a bounded set). */
export function allowedModels(config: Config): string[] {
  const { llm } = config;
  return [
    llm.model ?? DEFAULT_OPENAI_MODEL,
    llm.anthropicModel ?? DEFAULT_ANTHROPIC_MODEL,
    ...llm.allowedModels,
  ];
}

/** `null` means no provider is configured: the pipeline runs on the offline engine. */
export function createLlmClient(config: Config): LlmClient | null {
  const { llm } = config;
  const hasOpenAi = Boolean(llm.openaiApiKey || llm.openaiBaseUrl);
  const anthropicKey = llm.anthropicApiKey;
  if (!hasOpenAi && !anthropicKey) return null;

  const primary = hasOpenAi ? 'openai' : 'anthropic';
  const openAiModel = llm.model ?? DEFAULT_OPENAI_MODEL;
  const anthropicModel = llm.anthropicModel ?? DEFAULT_ANTHROPIC_MODEL;
  const baseUrl = (llm.openaiBaseUrl ?? 'https://api.openai.com/v1').replace(/\/+$/, '');
  const formats = new FormatMemory();

  const allowed = new Set(allowedModels(config));
  // One route per provider and model, made on first use: the models are a bounded set (allowedModels).
  const routes = new Map<string, Route>();
  const makeRoute = (provider: 'openai' | 'anthropic', model: string): Route => {
    if (provider === 'anthropic' && anthropicKey)
      return {
        provider,
        model,
        attempt: (r, deadline) =>
          attemptAnthropic(anthropicKey, llm.anthropicBaseUrl, model, r, deadline.signal),
      };
    const target = openAiChatTarget(baseUrl, llm.openaiApiKey, model);
    return {
      provider: 'openai',
      model,
      attempt: (r, deadline) => attemptWithFormat(formats, target, r, deadline),
    };
  };
  const route = (request: LlmRequest): Route => {
    const provider =
      request.provider === 'anthropic' && anthropicKey ? 'anthropic' : hasOpenAi ? 'openai' : 'anthropic';
    // A stored override that is not (or no longer) allowed falls back to the deployment's model.
    const override = request.model && allowed.has(request.model) ? request.model : undefined;
    const model = override ?? (provider === 'anthropic' ? anthropicModel : openAiModel);
    const key = `${provider} ${model}`;
    let found = routes.get(key);
    if (!found) {
      found = makeRoute(provider, model);
      routes.set(key, found);
    }
    return found;
  };

  return {
    provider: primary,
    defaultModel: primary === 'openai' ? openAiModel : anthropicModel,
    complete: (request) => {
      const target = route(request);
      if (!tracing().enabled) return completeWithRetries(target, request, llm.timeoutMs, llm.maxRetries);
      const attributes = { 'gen_ai.system': target.provider, 'gen_ai.request.model': target.model };
      // Ids, model, tokens and outcome only: never the prompt or the answer.
      return tracing().span('llm call', attributes, async (span) => {
        const result = await completeWithRetries(target, request, llm.timeoutMs, llm.maxRetries);
        span.set({
          'gen_ai.usage.input_tokens': result.tokensIn,
          'gen_ai.usage.output_tokens': result.tokensOut,
          'icmp.llm.attempts': result.attempts,
          'icmp.llm.outcome': result.ok ? 'ok' : result.error === 'timeout' ? 'timeout' : 'error',
        });
        if (!result.ok) span.fail(result.error === 'timeout' ? 'timeout' : 'llm call failed');
        return result;
      });
    },
  };
}

const RANK: Record<FormatMode, number> = { text: 0, json_object: 1, json_schema: 2 };
const BY_RANK: FormatMode[] = ['text', 'json_object', 'json_schema'];

/**
 * The structured-output mode each endpoint + model accepts, learnt from refusals and kept in memory:
 * after one refusal, later calls start at the mode that worked.
 */
export class FormatMemory {
  private readonly best = new Map<string, FormatMode>();

  /** The mode to ask for: the output's own ceiling (free-form extraction needs no schema), lowered by refusals. */
  modeFor(key: string, output: LlmRequest['output']): FormatMode {
    const ceiling: FormatMode =
      output.kind === 'choice' || (output.kind === 'json' && output.schema) ? 'json_schema' : 'json_object';
    const known = this.best.get(key) ?? 'json_schema';
    return RANK[known] < RANK[ceiling] ? known : ceiling;
  }

  refused(key: string, mode: FormatMode): FormatMode {
    const lower = BY_RANK[RANK[mode] - 1] ?? 'text';
    const known = this.best.get(key) ?? 'json_schema';
    if (RANK[lower] < RANK[known]) this.best.set(key, lower);
    return lower;
  }

  get(key: string) {
    return this.best.get(key);
  }
}

/** One attempt; a refused `response_format` is downgraded at once (not a retry) and remembered. */
async function attemptWithFormat(
  formats: FormatMemory,
  target: OpenAiChatTarget,
  request: LlmRequest,
  deadline: AttemptDeadline,
): Promise<LlmAttempt> {
  const key = `${target.baseUrl} ${target.model}`;
  let mode = formats.modeFor(key, request.output);
  for (;;) {
    try {
      return await attemptOpenAiChat(
        target,
        request,
        deadline,
        request.output.kind === 'text' ? 'text' : mode,
      );
    } catch (error) {
      if (!(error instanceof FormatRefused) || mode === 'text' || request.output.kind === 'text') throw error;
      mode = formats.refused(key, mode);
    }
  }
}

/** The AI SDK is loaded on the first Anthropic call only; OpenAI-compatible deployments never load it. */
async function attemptAnthropic(
  apiKey: string,
  baseURL: string | undefined,
  model: string,
  request: LlmRequest,
  signal: AbortSignal,
) {
  const [{ createAnthropic }, { attemptAiSdk }] = await Promise.all([
    import('@ai-sdk/anthropic'),
    import('./ai-sdk-transport.js'),
  ]);
  return attemptAiSdk(createAnthropic({ apiKey, ...(baseURL ? { baseURL } : {}) })(model), request, signal);
}

function isRetryable(error: unknown): boolean {
  if (error instanceof StructureMismatch) return false;
  const status = (error as { statusCode?: number }).statusCode;
  if (status !== undefined) return status === 408 || status === 409 || status === 429 || status >= 500;
  return true; // network errors, timeouts, broken bodies
}

/**
 * A failure twice: a generic reason for anything a tenant sees (API responses, the dashboard) and the
 * provider's own text for the operator's call log. Provider messages can carry account names, quota
 * and billing details or other tenants' request fragments, so they never reach a tenant.
 */
function describeError(error: unknown, timedOut: boolean): { reason: string; detail: string } {
  const status = (error as { statusCode?: number }).statusCode;
  const message = error instanceof Error ? error.message : String(error);
  const detail = ((status && !message.includes(String(status)) ? `HTTP ${status}: ` : '') + message).slice(
    0,
    500,
  );
  if (timedOut) return { reason: 'timeout', detail: 'timeout' };
  if (status) return { reason: `the model endpoint answered HTTP ${status}`, detail };
  if (error instanceof SyntaxError || /content|stream|answer/i.test(message)) {
    return { reason: 'the model endpoint sent an answer that could not be read', detail };
  }
  return { reason: 'the model endpoint could not be reached', detail };
}

/** Each attempt has its own deadline; retryable failures back off exponentially. Never throws. */
async function completeWithRetries(
  target: Route,
  request: LlmRequest,
  timeoutMs: number,
  maxRetries: number,
): Promise<LlmResult> {
  const started = performance.now();
  // Built property by property: an object spread here (`{ ...answer, …, ...(error ? … : {}) }`) was
  // ~6 µs per call, as much as the rest of the client (bench:layers, issue 14).
  const finish = (
    answer: LlmAttempt,
    attempts: number,
    ok = true,
    error?: { reason: string; detail: string },
  ): LlmResult => {
    const result: LlmResult = {
      text: storableText(answer.text),
      tokensIn: answer.tokensIn,
      tokensOut: answer.tokensOut,
      ok,
      provider: target.provider,
      model: target.model,
      latencyMs: Math.round(performance.now() - started),
      costUsd: estimateCostUsd(target.model, answer.tokensIn, answer.tokensOut),
      attempts,
    };
    if (error) {
      result.error = error.reason;
      result.errorDetail = error.detail;
    }
    return result;
  };
  let lastError = { reason: 'timeout', detail: 'the turn deadline had passed before the call' };
  let attempts = 0;
  const deadline = request.deadline ?? Number.POSITIVE_INFINITY;
  for (let attempt = 0; attempt <= maxRetries; attempt++) {
    const remaining = deadline - Date.now();
    if (remaining <= 0) break;
    attempts++;
    const attemptDeadline = new AttemptDeadline();
    let timedOut = false;
    const timer = setTimeout(
      () => {
        timedOut = true;
        attemptDeadline.abort();
      },
      Math.min(timeoutMs, remaining),
    );
    let emitted = false;
    const { onToken } = request;
    const watched = onToken
      ? withFields(request, {
          onToken: (text: string) => {
            emitted = true;
            onToken(text);
          },
        })
      : request;
    try {
      const answer = await target.attempt(watched, attemptDeadline);
      return finish(answer, attempts);
    } catch (error) {
      if (error instanceof StructureMismatch)
        return finish({ text: error.text, tokensIn: 0, tokensOut: 0 }, attempts);
      lastError = describeError(error, timedOut);
      // Tokens already streamed to the customer cannot be taken back: no retry then.
      if (emitted || !isRetryable(error) || attempt === maxRetries) break;
      const backoff = Math.min(2000, 100 * 2 ** attempt);
      if (Date.now() + backoff >= deadline) break;
      await new Promise((resolve) => setTimeout(resolve, backoff));
    } finally {
      clearTimeout(timer);
    }
  }
  return finish({ text: '', tokensIn: 0, tokensOut: 0 }, attempts, false, lastError);
}
