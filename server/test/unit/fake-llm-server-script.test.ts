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

function chat(
  content: string,
  extra: Record<string, unknown> = {},
  init: RequestInit = {},
): Promise<Response> {
  return fetch(`${fake.url}/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'm', messages: [{ role: 'user', content }], ...extra }),
    ...init,
  });
}

async function contentOf(response: Response): Promise<string> {
  const body = (await response.json()) as { choices: { message: { content: string } }[] };
  return body.choices[0]?.message.content ?? '';
}

describe('fake LLM server: scripted answers', () => {
  it('answers with scripted content and JSON', async () => {
    fake.script({ match: 'stage', json: { stage: 'Booking' } });
    fake.script({ match: /^reply/i, content: 'Sure, booked!' });
    expect(JSON.parse(await contentOf(await chat('Pick a stage')))).toEqual({ stage: 'Booking' });
    expect(await contentOf(await chat('Reply to the customer'))).toBe('Sure, booked!');
    expect(await contentOf(await chat('something else'))).toBe('OK');
  });

  it('matches by predicate over the parsed request', async () => {
    fake.script({ match: (request) => request.model === 'special', content: 'special answer' });
    expect(await contentOf(await chat('x', { model: 'special' }))).toBe('special answer');
    expect(await contentOf(await chat('x', { model: 'other' }))).toBe('OK');
  });

  it('computes an answer per request with respond()', async () => {
    fake.script({ respond: (request) => ({ content: `echo: ${request.text}` }) });
    expect(await contentOf(await chat('ping'))).toBe('echo: ping');
  });

  it('limits a rule with times and then falls through to later rules', async () => {
    const first = fake.script({ times: 2, content: 'first' });
    fake.script({ content: 'second' });
    const answers = [];
    for (let i = 0; i < 3; i += 1) answers.push(await contentOf(await chat('hi')));
    expect(answers).toEqual(['first', 'first', 'second']);
    expect(first.hits).toBe(2);
  });

  it('answers only the Nth match with nth', async () => {
    fake.script({ match: 'retry', nth: 2, content: 'second try' });
    const answers = [];
    for (let i = 0; i < 3; i += 1) answers.push(await contentOf(await chat('retry me')));
    expect(answers).toEqual(['OK', 'second try', 'OK']);
  });

  it('stops answering with a removed rule', async () => {
    const rule = fake.script({ content: 'temporary' });
    rule.remove();
    expect(await contentOf(await chat('hi'))).toBe('OK');
  });

  it('replies with an HTTP error and an OpenAI-style or custom body', async () => {
    fake.script({ times: 1, status: 429 });
    fake.script({ times: 1, status: 500, body: { error: { message: 'boom' } } });
    const limited = await chat('hi');
    expect(limited.status).toBe(429);
    expect(await limited.json()).toMatchObject({ error: { message: expect.stringContaining('429') } });
    const failed = await chat('hi');
    expect(failed.status).toBe(500);
    expect(await failed.json()).toEqual({ error: { message: 'boom' } });
  });

  it('sends a malformed body with status 200, streaming or not', async () => {
    fake.script({ malformed: true });
    const plain = await chat('hi');
    expect(plain.status).toBe(200);
    await expect(plain.json()).rejects.toThrow();
    const streamed = await chat('hi', { stream: true });
    const firstEvent = (await streamed.text()).split('\n\n')[0] ?? '';
    expect(() => JSON.parse(firstEvent.replace(/^data: /, ''))).toThrow();
  });

  it('hangs until the client aborts', async () => {
    fake.script({ times: 1, hang: true });
    const started = Date.now();
    await expect(chat('hi', {}, { signal: AbortSignal.timeout(150) })).rejects.toThrow();
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
    expect(await contentOf(await chat('after'))).toBe('OK');
  });

  it('lets close() finish while a request hangs, failing that request', async () => {
    const other = await startFakeLlmServer();
    other.script({ hang: true });
    const pending = fetch(`${other.url}/chat/completions`, {
      method: 'POST',
      body: JSON.stringify({ messages: [] }),
    });
    await new Promise((resolve) => setTimeout(resolve, 50));
    await other.close();
    await expect(pending).rejects.toThrow();
  });

  it('uses setDefault for unmatched requests until reset', async () => {
    fake.setDefault((request) => ({ content: `default for ${request.messages.length} message(s)` }));
    expect(await contentOf(await chat('hi'))).toBe('default for 1 message(s)');
    fake.reset();
    expect(await contentOf(await chat('hi'))).toBe('OK');
  });

  it('turns an answerer that throws into a 500', async () => {
    fake.setDefault(() => {
      throw new Error('bad script');
    });
    expect((await chat('hi')).status).toBe(500);
  });
});

describe('fake LLM server: latency', () => {
  it('delays every answer by the server latency', async () => {
    fake.setLatency(120);
    const started = Date.now();
    expect(await contentOf(await chat('hi'))).toBe('OK');
    expect(Date.now() - started).toBeGreaterThanOrEqual(110);
  });

  it('adds a per-rule delay, also to errors', async () => {
    fake.script({ delayMs: 100, status: 503 });
    const started = Date.now();
    expect((await chat('hi')).status).toBe(503);
    expect(Date.now() - started).toBeGreaterThanOrEqual(90);
  });

  it('keeps answering other requests while one is delayed', async () => {
    fake.script({ match: 'slow', delayMs: 300, content: 'slow' });
    const finished: string[] = [];
    const slow = chat('slow please')
      .then(contentOf)
      .then((text) => finished.push(text));
    const fast = chat('fast')
      .then(contentOf)
      .then((text) => finished.push(text));
    await Promise.all([slow, fast]);
    expect(finished).toEqual(['OK', 'slow']);
  });

  it('takes the initial latency from the options', async () => {
    const slow = await startFakeLlmServer({ latencyMs: 80 });
    try {
      const started = Date.now();
      await fetch(`${slow.url}/chat/completions`, { method: 'POST', body: JSON.stringify({ messages: [] }) });
      expect(Date.now() - started).toBeGreaterThanOrEqual(70);
    } finally {
      await slow.close();
    }
  });
});
