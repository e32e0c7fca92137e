import { createServer, type RequestListener } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { createLlmClient, type LlmClient, type LlmOutput } from '../../src/llm/llm-client.js';
import { parseExtractionAnswer, parseStageAnswer } from '../../src/llm/parse-answers.js';
import { startFakeLlmServer } from '../helpers/fake-llm-server.js';
import type { FakeLlm } from '../helpers/fake-llm-types.js';

/** A raw HTTP endpoint on a free local port, for answers the fake LLM does not play. */
async function rawEndpoint(handler: RequestListener) {
  const server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    port,
    close: () => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(resolve));
    },
  };
}

const anthropicClientAt = (port: number, env: Record<string, string> = {}) =>
  createLlmClient(
    loadConfig({
      NODE_ENV: 'test',
      ANTHROPIC_API_KEY: 'sk-ant-test',
      ANTHROPIC_BASE_URL: `http://127.0.0.1:${port}/v1/`,
      LLM_MAX_RETRIES: '0',
      ...env,
    }),
  ) as LlmClient;

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
      // The models the local-model tests name, each with its own remembered format.
      LLM_ALLOWED_MODELS: 'local-object,other-model,local-text,plain-400,hinted',
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

describe('local models without structured output (json_schema / json_object refused)', () => {
  const formatsSent = (from: number) =>
    fake.requests
      .slice(from)
      .map((r) => (r.response_format as { type?: string } | undefined)?.type ?? 'text');
  const route = (model: string) =>
    client.complete({
      system: 'Pick a stage.',
      prompt: 'I want to book',
      output: { kind: 'choice', options: ['General', 'Booking'] },
      model,
    });

  it('sends prompts the caller quoted as they are; a format hint is added to the system prompt', async () => {
    const system = 'Pick a "stage".\nNever guess \\ ✓';
    const prompt = 'Line 1: "book" 😀\n\tLine 2';
    const quoted = { system: JSON.stringify(system), prompt: JSON.stringify(prompt) };
    fake.setDefault(() => ({ json: { stage: 'Booking' } }));
    await client.complete({ system, prompt, quoted, output: { kind: 'text' } });
    expect(fake.requests[0]?.messages).toEqual([
      { role: 'system', content: system },
      { role: 'user', content: prompt },
    ]);
    fake.refuseFormats(['json_schema']);
    const choice: LlmOutput = { kind: 'choice', options: ['General', 'Booking'] };
    await client.complete({ system, prompt, quoted, output: choice, model: 'hinted' });
    const hinted = fake.requests.at(-1);
    expect(hinted?.response_format).toEqual({ type: 'json_object' });
    expect(hinted?.messages).toEqual([
      {
        role: 'system',
        content: `${system}\n\nAnswer with a JSON object {"stage": <one of "General", "Booking">} and nothing else.`,
      },
      { role: 'user', content: prompt },
    ]);
  });

  it('json_schema refused: downgrades to json_object at once, and the next call starts there', async () => {
    fake.refuseFormats(['json_schema']);
    fake.setDefault((r) =>
      (r.response_format as { type?: string } | undefined)?.type === 'json_object'
        ? { json: { stage: 'Booking' } }
        : { content: 'OK' },
    );
    const first = await route('local-object');
    expect(first).toMatchObject({ ok: true, attempts: 1 });
    expect(parseStageAnswer(first.text, STAGES)).toBe('booking-id');
    expect(formatsSent(0)).toEqual(['json_schema', 'json_object']);
    expect(fake.requests[1]?.messages[0]?.content).toMatch(/JSON object \{"stage"/);
    await route('local-object');
    expect(formatsSent(2)).toEqual(['json_object']);
    // Another model on the same endpoint is asked with the schema first: the memory is per endpoint+model.
    await route('other-model');
    expect(formatsSent(3)).toEqual(['json_schema', 'json_object']);
  });

  it('both refused: plain text with the shape in the prompt, parsed leniently, remembered', async () => {
    fake.refuseFormats(['json_schema', 'json_object']);
    fake.setDefault((r) =>
      r.response_format
        ? { content: 'unreachable' }
        : r.text.includes('only the name of one stage')
          ? { content: 'The customer wants Booking.' }
          : { content: 'Sure! {"email": "ana@example.com"} is what I found.' },
    );
    const first = await route('local-text');
    expect(first.ok).toBe(true);
    expect(parseStageAnswer(first.text, STAGES)).toBe('booking-id');
    expect(formatsSent(0)).toEqual(['json_schema', 'json_object', 'text']);
    await route('local-text');
    expect(formatsSent(3)).toEqual(['text']);
    const extraction = await client.complete({
      system: '',
      prompt: 'extract',
      output: { kind: 'json' },
      model: 'local-text',
    });
    expect(formatsSent(4)).toEqual(['text']);
    expect(fake.requests[4]?.messages[0]?.content).toBe('Answer with only a JSON object.');
    expect(parseExtractionAnswer(extraction.text)).toEqual({ email: 'ana@example.com' });
  });

  it('a 400 that is not about the format is an error, not a downgrade', async () => {
    fake.script({ status: 400, body: { error: { message: 'context length exceeded' } } });
    const result = await route('plain-400');
    expect(result.ok).toBe(false);
    expect(formatsSent(0)).toEqual(['json_schema']);
  });
});

const STAGES = [
  { stageId: 'general-id', stageName: 'General' },
  { stageId: 'booking-id', stageName: 'Booking' },
];

describe('parseStageAnswer on prose', () => {
  it('takes the one stage named as a word; two stages or a part of a word is no answer', () => {
    expect(parseStageAnswer('I would say **Booking**.', STAGES)).toBe('booking-id');
    expect(parseStageAnswer('Either General or Booking', STAGES)).toBeNull();
    expect(parseStageAnswer('Rebooking needed', STAGES)).toBeNull();
    expect(parseStageAnswer('{"other": "Booking x"}', STAGES)).toBeNull();
  });
});

describe('ANTHROPIC_BASE_URL', () => {
  it('sends Anthropic calls to the configured base URL', async () => {
    const seen: Array<{ url: string | undefined; key: string | undefined }> = [];
    const endpoint = await rawEndpoint((req, res) => {
      seen.push({ url: req.url, key: req.headers['x-api-key'] as string | undefined });
      req.resume();
      res.writeHead(400, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ type: 'error', error: { type: 'invalid_request_error', message: 'nope' } }));
    });
    try {
      const anthropic = anthropicClientAt(endpoint.port);
      const result = await anthropic.complete({ system: '', prompt: 'hi', output: { kind: 'text' } });
      expect(result).toMatchObject({ ok: false, provider: 'anthropic' });
      expect(seen).toEqual([{ url: '/v1/messages', key: 'sk-ant-test' }]);
    } finally {
      await endpoint.close();
    }
  });
});

describe('an attempt whose answer stalls after it has begun', () => {
  /** A model endpoint that sends its headers and the first part of the answer, then nothing more. */
  async function stallingServer(firstPart: string) {
    const paths: Array<string | undefined> = [];
    const endpoint = await rawEndpoint((req, res) => {
      paths.push(req.url);
      let body = '';
      req.on('data', (chunk) => {
        body += chunk;
      });
      req.on('end', () => {
        const streaming = (JSON.parse(body) as { stream?: boolean }).stream === true;
        res.writeHead(200, { 'content-type': streaming ? 'text/event-stream' : 'application/json' });
        res.write(firstPart);
      });
    });
    return {
      paths,
      client: createLlmClient(
        loadConfig({
          NODE_ENV: 'test',
          // A base URL with a path of its own: calls go to <its path>/chat/completions.
          OPENAI_BASE_URL: `http://127.0.0.1:${endpoint.port}/gateway/v1/`,
          OPENAI_API_KEY: 'sk-test',
          LLM_TIMEOUT_MS: '300',
          LLM_MAX_RETRIES: '1',
        }),
      ) as LlmClient,
      close: endpoint.close,
    };
  }

  it('a body that never ends times out, and the attempt is retried', async () => {
    const stalling = await stallingServer('{"choices":[{"message":{"content":"Hel');
    try {
      const result = await stalling.client.complete({ system: '', prompt: 'hi', output: { kind: 'text' } });
      expect(result).toMatchObject({ ok: false, error: 'timeout', attempts: 2, text: '' });
      expect(stalling.paths).toEqual(['/gateway/v1/chat/completions', '/gateway/v1/chat/completions']);
    } finally {
      await stalling.close();
    }
  });

  it('a stream that stops after its first token times out, and is not retried (the token was shown)', async () => {
    const stalling = await stallingServer(
      `data: ${JSON.stringify({ choices: [{ delta: { content: 'Hel' } }] })}\n\n`,
    );
    try {
      const tokens: string[] = [];
      const result = await stalling.client.complete({
        system: '',
        prompt: 'hi',
        output: { kind: 'text' },
        onToken: (token) => tokens.push(token),
      });
      expect(tokens).toEqual(['Hel']);
      expect(result).toMatchObject({ ok: false, error: 'timeout', attempts: 1 });
      expect(stalling.paths).toHaveLength(1);
    } finally {
      await stalling.close();
    }
  });

  it('an Anthropic call that gets no answer times out too', async () => {
    const endpoint = await rawEndpoint(() => {
      // Never answers.
    });
    try {
      const anthropic = anthropicClientAt(endpoint.port, { LLM_TIMEOUT_MS: '300' });
      const result = await anthropic.complete({ system: '', prompt: 'hi', output: { kind: 'text' } });
      expect(result).toMatchObject({ ok: false, provider: 'anthropic', error: 'timeout', attempts: 1 });
    } finally {
      await endpoint.close();
    }
  });
});
