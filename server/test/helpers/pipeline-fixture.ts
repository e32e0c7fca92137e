import { expect } from 'vitest';
import { buildTestApp, type TestApp } from './build-test-app.js';
import { startFakeLlmServer } from './fake-llm-server.js';
import type { FakeAnswer, FakeLlm, FakeLlmRequest } from './fake-llm-types.js';

export type CallKind = 'stage_selection' | 'data_extraction' | 'response_generation';

/** Which pipeline step a chat-completions request is, from the structure the client asked for. */
export function classify(request: FakeLlmRequest): CallKind {
  const format = request.response_format as { type?: string; json_schema?: { name?: string } } | undefined;
  // Selection's schema is named `stage`; a typed extraction's (`extracted_data`) may hold enums too.
  if (format?.type === 'json_schema' && format.json_schema?.name === 'stage') return 'stage_selection';
  if (format?.type === 'json_object' || format?.type === 'json_schema') return 'data_extraction';
  return 'response_generation';
}

/** The customer's message as the default templates quote it: between triple quotes. */
export function customerMessage(request: FakeLlmRequest): string {
  const user = [...request.messages].reverse().find((m) => m.role === 'user');
  const quoted = user?.content.match(/"""([\s\S]*?)"""/);
  return quoted?.[1] ?? user?.content ?? '';
}

export interface ScriptedPipeline {
  /** Stage name the model picks for a customer message (default: stay, by naming no stage). */
  route?: (message: string, request: FakeLlmRequest) => string | undefined;
  extract?: (message: string, request: FakeLlmRequest) => Record<string, unknown>;
  respond?: (message: string, request: FakeLlmRequest) => string;
}

/** A default answerer that plays a well-behaved model for each of the three steps. */
export function scriptedModel(script: ScriptedPipeline = {}) {
  return (request: FakeLlmRequest): FakeAnswer => {
    const message = customerMessage(request);
    switch (classify(request)) {
      case 'stage_selection':
        return { json: { result: script.route?.(message, request) ?? 'no-such-stage' } };
      case 'data_extraction':
        return { json: script.extract?.(message, request) ?? {} };
      default:
        return { content: script.respond?.(message, request) ?? `Reply to: ${message}` };
    }
  };
}

export interface PipelineApp {
  t: TestApp;
  llm: FakeLlm;
  close(): Promise<void>;
}

export async function startPipelineApp(env: Record<string, string> = {}): Promise<PipelineApp> {
  const llm = await startFakeLlmServer();
  const t = await buildTestApp({
    OPENAI_BASE_URL: llm.url,
    OPENAI_API_KEY: 'sk-test-not-a-real-key',
    LLM_MODEL: 'fake-model',
    LLM_TIMEOUT_MS: '1500',
    LLM_MAX_RETRIES: '1',
    ...env,
  });
  return {
    t,
    llm,
    async close() {
      await t.close();
      await llm.close();
    },
  };
}

/** POST /api/message through the app with a business key. */
export const sendMessage = (p: PipelineApp, key: string, payload: Record<string, unknown>) =>
  p.t.app.inject({
    method: 'POST',
    url: '/api/message',
    headers: { authorization: `Bearer ${key}` },
    payload,
  });

/**
 * The fewest statements one of four sends ran: the count is the process's, and a background statement
 * can land in any of them (the Meta delivery worker's claim query once a second: on a loaded CI machine
 * one extra statement showed in both of two samples; with Redis, the configuration's invalidation from
 * template edits may arrive after the warm-up; a lease heartbeat on a slow machine). A cost paid on
 * every message shows in all four.
 */
export async function fewestStatements(
  p: PipelineApp,
  send: (content: string) => ReturnType<typeof sendMessage>,
) {
  const counts: number[] = [];
  for (const content of ['and again', 'once more', 'a third time', 'and a fourth']) {
    const before = p.t.database.statementCount();
    const sent = await send(content);
    expect(sent.statusCode, sent.body).toBe(200);
    counts.push(p.t.database.statementCount() - before);
  }
  return Math.min(...counts);
}

/** The statements a message runs in a conversation that already has one (`fewestStatements`). */
export async function laterMessageStatements(p: PipelineApp, key: string, conversationId?: string) {
  let conversation = conversationId;
  if (!conversation) {
    const first = await sendMessage(p, key, { content: 'hello' });
    expect(first.statusCode, first.body).toBe(200);
    conversation = first.json().conversation_id as string;
  }
  return fewestStatements(p, (content) => sendMessage(p, key, { content, conversation_id: conversation }));
}

/** The statements a customer's first message runs: no user or conversation given (`fewestStatements`). */
export function firstContactStatements(p: PipelineApp, key: string) {
  return fewestStatements(p, (content) => sendMessage(p, key, { content }));
}
