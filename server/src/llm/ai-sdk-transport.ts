import { generateText, jsonSchema, type LanguageModel, NoObjectGeneratedError, Output, streamText } from 'ai';
import type { LlmAttempt, LlmRequest } from './llm-types.js';
import { StructureMismatch } from './structure-mismatch.js';

// The SDK's console warnings (e.g. a provider ignoring an option) would bypass our redacting logger.
(globalThis as { AI_SDK_LOG_WARNINGS?: boolean }).AI_SDK_LOG_WARNINGS = false;

/** One attempt through the Vercel AI SDK (used for Anthropic). */
export async function attemptAiSdk(
  model: LanguageModel,
  request: LlmRequest,
  signal: AbortSignal,
): Promise<LlmAttempt> {
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
    const result = streamText({
      ...common,
      onError: ({ error }) => {
        failure = error;
      },
    });
    for await (const part of result.fullStream) {
      if (part.type === 'text-delta') {
        text += part.text;
        request.onToken(part.text);
      } else if (part.type === 'error') {
        failure = part.error;
      }
    }
    if (failure) throw failure instanceof Error ? failure : new Error(String(failure));
    const usage = await result.usage;
    return { text, tokensIn: usage.inputTokens ?? 0, tokensOut: usage.outputTokens ?? 0 };
  }
  try {
    const output =
      request.output.kind === 'choice'
        ? Output.choice({ options: request.output.options, name: 'stage' })
        : request.output.kind === 'json' && request.output.schema
          ? Output.object({ schema: jsonSchema(request.output.schema), name: 'extracted_data' })
          : request.output.kind === 'json'
            ? Output.json({ name: 'extracted_data' })
            : undefined;
    const result = await generateText({ ...common, ...(output ? { output } : {}) });
    return {
      text: result.text,
      tokensIn: result.usage.inputTokens ?? 0,
      tokensOut: result.usage.outputTokens ?? 0,
    };
  } catch (error) {
    // The model answered but not in the requested shape: keep its words, the caller validates them.
    if (NoObjectGeneratedError.isInstance(error)) throw new StructureMismatch(error.text ?? '');
    throw error;
  }
}
