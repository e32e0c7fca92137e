import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { createLlmClient, type LlmClient } from '../../src/llm/llm-client.js';
import { startFakeLlmServer } from '../helpers/fake-llm-server.js';
import type { FakeLlm } from '../helpers/fake-llm-types.js';

let fake: FakeLlm;
let client: LlmClient;
/** A short per-attempt deadline, only for the hang test: elsewhere a busy machine must not cause retries. */
let impatientClient: LlmClient;

const clientWithTimeout = (timeoutMs: number) =>
  createLlmClient(
    loadConfig({
      NODE_ENV: 'test',
      OPENAI_BASE_URL: fake.url,
      OPENAI_API_KEY: 'sk-test',
      LLM_MODEL: 'gpt-4o-mini',
      LLM_TIMEOUT_MS: String(timeoutMs),
      LLM_MAX_RETRIES: '2',
    }),
  ) as LlmClient;

beforeAll(async () => {
  fake = await startFakeLlmServer();
  client = clientWithTimeout(15_000);
  impatientClient = clientWithTimeout(300);
});
afterAll(async () => fake.close());
beforeEach(() => fake.reset());

describe('the OpenAI-compatible client against the fake chat-completions server', () => {
  it('sends system and user messages with the bearer key and reads content, usage and cost', async () => {
    fake.script({ content: 'Hello there' });
    const result = await client.complete({
      system: 'be brief',
      prompt: 'hi',
      output: { kind: 'text' },
      temperature: 0.2,
    });
    expect(result).toMatchObject({
      ok: true,
      text: 'Hello there',
      provider: 'openai',
      model: 'gpt-4o-mini',
      attempts: 1,
    });
    expect(result.tokensIn).toBeGreaterThan(0);
    expect(result.costUsd).toBeGreaterThan(0);
    const [request] = fake.requests;
    expect(request?.headers.authorization).toBe('Bearer sk-test');
    expect(request?.messages).toEqual([
      { role: 'system', content: 'be brief' },
      { role: 'user', content: 'hi' },
    ]);
    expect((request?.body as { temperature?: number } | undefined)?.temperature).toBe(0.2);
  });

  it('asks for a JSON-schema enum for stage choice and a JSON object for extraction', async () => {
    fake.script({ json: { stage: 'Booking' } });
    const choice = await client.complete({
      system: '',
      prompt: 'route',
      output: { kind: 'choice', options: ['General', 'Booking'] },
    });
    expect(JSON.parse(choice.text)).toEqual({ stage: 'Booking' });
    expect(JSON.stringify(fake.requests[0]?.response_format)).toContain('"enum":["General","Booking"]');
    fake.script({ json: { email: 'a@b.co' } });
    await client.complete({ system: '', prompt: 'extract', output: { kind: 'json' } });
    expect(fake.requests[1]?.response_format).toEqual({ type: 'json_object' });
  });

  it('streams tokens in order and still reports usage', async () => {
    fake.script({ content: 'one two three four' });
    const tokens: string[] = [];
    const result = await client.complete({
      system: '',
      prompt: 'go',
      output: { kind: 'text' },
      onToken: (t) => tokens.push(t),
    });
    expect(tokens.join('')).toBe('one two three four');
    expect(tokens.length).toBeGreaterThan(1);
    expect(result.text).toBe('one two three four');
    expect(result.tokensOut).toBeGreaterThan(0);
    expect(fake.requests[0]?.stream).toBe(true);
  });

  it('retries a 503 and succeeds, but does not retry a 400', async () => {
    fake.script({ status: 503, times: 1 });
    fake.script({ content: 'recovered' });
    const recovered = await client.complete({ system: '', prompt: 'x', output: { kind: 'text' } });
    expect(recovered).toMatchObject({ ok: true, text: 'recovered', attempts: 2 });
    fake.reset();
    fake.script({ status: 400, body: { error: { message: 'bad model' } } });
    const refused = await client.complete({ system: '', prompt: 'x', output: { kind: 'text' } });
    expect(refused).toMatchObject({ ok: false, attempts: 1 });
    expect(refused.error).toMatch(/400/);
  });

  it('gives up after the retries when the model hangs, within the per-attempt deadlines', async () => {
    fake.script({ hang: true });
    const started = performance.now();
    const result = await impatientClient.complete({ system: '', prompt: 'x', output: { kind: 'text' } });
    const elapsed = performance.now() - started;
    expect(result).toMatchObject({ ok: false, error: 'timeout', attempts: 3 });
    // Three attempts, each given its whole deadline (no upper bound: a busy machine is only slower).
    expect(elapsed).toBeGreaterThanOrEqual(900);
  });

  it('treats a malformed body as a failure and never throws', async () => {
    fake.script({ malformed: true });
    const result = await client.complete({ system: '', prompt: 'x', output: { kind: 'json' } });
    expect(result.ok).toBe(false);
    expect(result.text).toBe('');
  });

  it('is absent when no provider is configured (offline engine)', () => {
    expect(createLlmClient(loadConfig({ NODE_ENV: 'test' }))).toBeNull();
  });
});
