// The fake must satisfy the real client the product uses, not only our reading of the protocol.
import { createOpenAICompatible } from '@ai-sdk/openai-compatible';
import { generateText, jsonSchema, Output, streamText } from 'ai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type FakeLlm, startFakeLlmServer } from '../helpers/fake-llm-server.js';

let fake: FakeLlm;
let provider: ReturnType<typeof createOpenAICompatible>;

beforeAll(async () => {
  fake = await startFakeLlmServer();
  provider = createOpenAICompatible({
    name: 'fake',
    baseURL: fake.url,
    apiKey: 'test-key',
    includeUsage: true,
    supportsStructuredOutputs: true,
  });
});
afterAll(async () => {
  await fake.close();
});
beforeEach(() => {
  fake.reset();
});

describe('fake LLM server with the Vercel AI SDK', () => {
  it('serves generateText with token usage', async () => {
    fake.script({ match: 'Where is my order', content: 'It ships tomorrow.' });
    const result = await generateText({
      model: provider.chatModel('m'),
      system: 'Be brief',
      prompt: 'Where is my order?',
      maxRetries: 0,
    });
    expect(result.text).toBe('It ships tomorrow.');
    expect(result.usage.inputTokens).toBe(Math.ceil(('Be brief'.length + 'Where is my order?'.length) / 4));
    expect(result.usage.outputTokens).toBe(Math.ceil('It ships tomorrow.'.length / 4));
    expect(fake.requests[0]?.messages.map((message) => message.role)).toEqual(['system', 'user']);
  });

  it('serves streamText, delivering the text in several parts', async () => {
    fake.script({ content: 'Hello, how can I help you today?' });
    const result = streamText({ model: provider.chatModel('m'), prompt: 'Hi', maxRetries: 0 });
    const parts: string[] = [];
    for await (const part of result.textStream) parts.push(part);
    expect(parts.join('')).toBe('Hello, how can I help you today?');
    expect(parts.length).toBeGreaterThan(1);
    expect((await result.usage).outputTokens).toBe(8);
    expect(fake.requests[0]?.stream).toBe(true);
  });

  it('serves structured output with a JSON schema enum', async () => {
    fake.script({ match: (request) => request.response_format !== undefined, json: { stage: 'Booking' } });
    const schema = jsonSchema<{ stage: string }>({
      type: 'object',
      properties: { stage: { type: 'string', enum: ['Greeting', 'Booking'] } },
      required: ['stage'],
      additionalProperties: false,
    });
    const result = await generateText({
      model: provider.chatModel('m'),
      prompt: 'Pick a stage',
      output: Output.object({ schema }),
      maxRetries: 0,
    });
    expect(result.output).toEqual({ stage: 'Booking' });
    expect(fake.requests[0]?.response_format).toMatchObject({ type: 'json_schema' });
  });

  it('surfaces scripted HTTP errors and malformed bodies as client errors', async () => {
    fake.script({ times: 1, status: 500 });
    await expect(
      generateText({ model: provider.chatModel('m'), prompt: 'x', maxRetries: 0 }),
    ).rejects.toThrow();
    fake.script({ times: 1, malformed: true });
    await expect(
      generateText({ model: provider.chatModel('m'), prompt: 'x', maxRetries: 0 }),
    ).rejects.toThrow();
  });

  it('lets the client time out a hanging request', async () => {
    fake.script({ hang: true });
    await expect(
      generateText({
        model: provider.chatModel('m'),
        prompt: 'x',
        maxRetries: 0,
        abortSignal: AbortSignal.timeout(100),
      }),
    ).rejects.toThrow();
  });
});
