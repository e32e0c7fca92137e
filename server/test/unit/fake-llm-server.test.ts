import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type FakeLlm, startFakeLlmServer } from '../helpers/fake-llm-server.js';

let fake: FakeLlm;

beforeAll(async () => {
  fake = await startFakeLlmServer();
});
afterAll(async () => {
  await fake.close();
});
beforeEach(() => {
  fake.reset();
});

function chat(body: Record<string, unknown>, init: RequestInit = {}): Promise<Response> {
  return fetch(`${fake.url}/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: 'Bearer test-key' },
    body: JSON.stringify({
      model: 'gpt-test',
      messages: [{ role: 'user', content: 'Hello there' }],
      ...body,
    }),
    ...init,
  });
}

async function contentOf(response: Response): Promise<string> {
  const body = (await response.json()) as { choices: { message: { content: string } }[] };
  return body.choices[0]?.message.content ?? '';
}

describe('fake LLM server: protocol', () => {
  it('listens on 127.0.0.1 with a base URL ending in /v1', () => {
    expect(fake.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/v1$/);
    expect(fake.port).toBeGreaterThan(0);
  });

  it('answers a standard chat completion with usage estimated from characters', async () => {
    const response = await chat({
      messages: [
        { role: 'system', content: 'x'.repeat(9) },
        { role: 'user', content: 'abc' },
      ],
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('application/json');
    const body = await response.json();
    expect(body).toMatchObject({
      object: 'chat.completion',
      model: 'gpt-test',
      choices: [{ index: 0, message: { role: 'assistant', content: 'OK' }, finish_reason: 'stop' }],
      usage: { prompt_tokens: 3, completion_tokens: 1, total_tokens: 4 },
    });
    expect(body.id).toMatch(/^chatcmpl-/);
    expect(typeof body.created).toBe('number');
  });

  it('answers {} by default when JSON output is requested', async () => {
    const asObject = await chat({ response_format: { type: 'json_object' } });
    expect(await contentOf(asObject)).toBe('{}');
    const asSchema = await chat({
      response_format: { type: 'json_schema', json_schema: { name: 's', schema: { type: 'object' } } },
    });
    expect(await contentOf(asSchema)).toBe('{}');
  });

  it('streams chunks, a finish chunk, a usage chunk when asked, then [DONE]', async () => {
    fake.script({ content: 'Hello from the fake model' });
    const response = await chat({ stream: true, stream_options: { include_usage: true } });
    expect(response.headers.get('content-type')).toContain('text/event-stream');
    const events = (await response.text()).split('\n\n').filter(Boolean);
    expect(events.at(-1)).toBe('data: [DONE]');
    const chunks = events.slice(0, -1).map((event) => {
      expect(event.startsWith('data: ')).toBe(true);
      return JSON.parse(event.slice('data: '.length));
    });
    for (const chunk of chunks) expect(chunk.object).toBe('chat.completion.chunk');
    const text = chunks.map((chunk) => chunk.choices[0]?.delta?.content ?? '').join('');
    expect(text).toBe('Hello from the fake model');
    expect(chunks.filter((chunk) => chunk.choices[0]?.delta?.content).length).toBeGreaterThan(1);
    expect(chunks[0].choices[0].delta.role).toBe('assistant');
    const finish = chunks.find((chunk) => chunk.choices[0]?.finish_reason === 'stop');
    expect(finish?.choices[0].delta).toEqual({});
    const usage = chunks.at(-1);
    expect(usage.choices).toEqual([]);
    expect(usage.usage).toEqual({ prompt_tokens: 3, completion_tokens: 7, total_tokens: 10 });
  });

  it('omits the usage chunk unless include_usage is set', async () => {
    const text = await (await chat({ stream: true })).text();
    expect(text).not.toContain('"usage"');
    expect(text.trimEnd().endsWith('data: [DONE]')).toBe(true);
  });

  it('lists a model on GET /v1/models', async () => {
    const response = await fetch(`${fake.url}/models`);
    expect(await response.json()).toEqual({
      object: 'list',
      data: [{ id: 'fake-model', object: 'model', created: 0, owned_by: 'fake-llm' }],
    });
  });

  it('rejects unknown paths, wrong methods and invalid JSON with OpenAI-style errors', async () => {
    const unknown = await fetch(`${fake.url}/embeddings`, { method: 'POST', body: '{}' });
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toMatchObject({ error: { type: 'invalid_request_error' } });
    expect((await fetch(`${fake.url}/chat/completions`)).status).toBe(405);
    const invalid = await fetch(`${fake.url}/chat/completions`, { method: 'POST', body: '{"messages": [' });
    expect(invalid.status).toBe(400);
    const noMessages = await fetch(`${fake.url}/chat/completions`, {
      method: 'POST',
      body: '{"model": "m"}',
    });
    expect(noMessages.status).toBe(400);
  });
});

describe('fake LLM server: recording', () => {
  it('records each request with parsed fields and the concatenated text', async () => {
    const format = { type: 'json_object' };
    await chat({
      messages: [
        { role: 'system', content: 'You route messages' },
        {
          role: 'user',
          content: [
            { type: 'text', text: 'Where is ' },
            { type: 'text', text: 'my order?' },
          ],
        },
      ],
      response_format: format,
      stream: false,
    });
    expect(fake.requests).toHaveLength(1);
    const [request] = fake.requests;
    expect(request?.model).toBe('gpt-test');
    expect(request?.messages).toEqual([
      { role: 'system', content: 'You route messages' },
      { role: 'user', content: 'Where is my order?' },
    ]);
    expect(request?.response_format).toEqual(format);
    expect(request?.stream).toBe(false);
    expect(request?.text).toBe('You route messages\nWhere is my order?');
    expect(request?.headers.authorization).toBe('Bearer test-key');
    expect(fake.requestCount).toBeGreaterThanOrEqual(1);
  });

  it('forgets requests and rules on reset, keeping the same array', async () => {
    const requests = fake.requests;
    fake.script({ content: 'scripted' });
    await chat({});
    fake.reset();
    expect(requests).toHaveLength(0);
    expect(await contentOf(await chat({}))).toBe('OK');
    expect(requests).toHaveLength(1);
  });

  it('can run without recording bodies', async () => {
    const quiet = await startFakeLlmServer({ record: false });
    try {
      await fetch(`${quiet.url}/chat/completions`, {
        method: 'POST',
        body: JSON.stringify({ messages: [] }),
      });
      expect(quiet.requests).toHaveLength(0);
      expect(quiet.requestCount).toBe(1);
    } finally {
      await quiet.close();
    }
  });
});

describe('fake LLM server: injected faults', () => {
  it('answers 500 or hangs by the configured rates, counting each', async () => {
    // A fixed sequence of dice: 0.1 → error (< 0.2), 0.22 → hang (< 0.25), 0.9 → a normal answer.
    const dice = [0.1, 0.22, 0.9];
    const faulty = await startFakeLlmServer({
      faults: { errorRate: 0.2, hangRate: 0.05, random: () => dice.shift() ?? 0.9 },
    });
    try {
      const send = (signal?: AbortSignal) =>
        fetch(`${faulty.url}/chat/completions`, {
          method: 'POST',
          body: JSON.stringify({ messages: [{ role: 'user', content: 'hi' }] }),
          ...(signal ? { signal } : {}),
        });
      expect((await send()).status).toBe(500);
      const hung = send(AbortSignal.timeout(500)).then(
        () => 'answered',
        () => 'hung',
      );
      expect(await hung).toBe('hung');
      expect((await send()).status).toBe(200);
      expect(faulty.faultCounts).toEqual({ errors: 1, hangs: 1 });
      faulty.setFaults({});
      expect((await send()).status).toBe(200);
    } finally {
      await faulty.close();
    }
  });
});

describe('fake LLM server: timing', () => {
  it('records when each call arrived and was answered, so tests can tell parallel calls from a chain', async () => {
    fake.setLatency(50);
    await Promise.all([chat({}), chat({})]);
    await chat({});
    const [a, b, c] = fake.requests;
    for (const r of [a, b, c]) expect(r?.answeredAt).toBeGreaterThanOrEqual(r?.receivedAt ?? Number.NaN);
    // The two parallel calls each arrived before the other was answered; the third after both.
    expect(a?.receivedAt).toBeLessThan(b?.answeredAt ?? 0);
    expect(b?.receivedAt).toBeLessThan(a?.answeredAt ?? 0);
    expect(c?.receivedAt).toBeGreaterThanOrEqual(Math.max(a?.answeredAt ?? 0, b?.answeredAt ?? 0));
  });

  it('streams the first piece after the latency and each further one after the stream interval', async () => {
    fake.setDefault(() => ({ content: 'one two three four' }));
    fake.setStreamInterval(40);
    const response = await chat({ stream: true });
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();
    const decoder = new TextDecoder();
    const reads: string[] = [];
    for (let next = await reader.read(); !next.done; next = await reader.read()) {
      reads.push(decoder.decode(next.value));
    }
    // Separate writes reach the client as separate reads: the first carries the role and first piece.
    expect(reads.length).toBeGreaterThan(2);
    expect(reads[0]).toContain('"role":"assistant"');
    expect(reads[0]).toContain('"content":"one ');
    expect(reads.join('')).toContain('data: [DONE]');
    const request = fake.requests[0];
    // Four pieces, a finish event and [DONE] after the first write: at least 5 intervals.
    expect((request?.answeredAt ?? 0) - (request?.receivedAt ?? 0)).toBeGreaterThanOrEqual(5 * 40 - 5);
  });
});

describe('fake LLM server: what it served, for the bench', () => {
  it('sums completions and the usage they reported, streamed or not, and serves the sums', async () => {
    const before = (await (await fetch(`${fake.url}/_served`)).json()) as typeof fake.served;
    const plain = (await (await chat({})).json()) as {
      usage: { prompt_tokens: number; completion_tokens: number };
    };
    fake.refuseFormats(['json_object']); // a refusal is not a completion
    const refused = await chat({ response_format: { type: 'json_object' } });
    expect(refused.status).toBe(400);
    await (await chat({ stream: true })).text();
    const after = (await (await fetch(`${fake.url}/_served`)).json()) as typeof fake.served;
    expect(after.completions - before.completions).toBe(2);
    expect(after.prompt_tokens - before.prompt_tokens).toBe(2 * plain.usage.prompt_tokens);
    expect(after.completion_tokens - before.completion_tokens).toBe(2 * plain.usage.completion_tokens);
    expect(fake.served).toEqual(after);
  });
});
