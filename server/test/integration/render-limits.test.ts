import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { llmCalls } from '../../src/db/schema.js';
import { expectError } from '../helpers/assertions.js';
import { bearer, type CreatedBusiness, createBusiness } from '../helpers/factories.js';
import { type PipelineApp, scriptedModel, startPipelineApp } from '../helpers/pipeline-fixture.js';

/**
 * Issue 12 finding 1, render amplification: a short template repeating a large value used to build
 * the whole string (a 126 KB request rendered 520 MB, blocked the event loop and ended in a 500).
 */
let p: PipelineApp;
let business: CreatedBusiness;
let templateId: string;

beforeAll(async () => {
  p = await startPipelineApp({ MAX_PROMPT_CHARS: '200000' });
  business = await createBusiness(p.t.app, p.t.masterKey);
  const stage = await p.t.app.inject({
    method: 'GET',
    url: `/api/stages/${business.first_stage_id}`,
    headers: bearer(business.api_key),
  });
  templateId = stage.json().response_generation_template_id;
});
afterAll(async () => p.close());
beforeEach(() => p.llm.reset());

const post = (url: string, payload: unknown, key = business.api_key) =>
  p.t.app.inject({ method: 'POST', url, headers: bearer(key), payload: payload as Record<string, unknown> });

// 100 KB of `{{b}}` (20 000 placeholders) and one 26 KB value: ~126 KB of request, 520 MB rendered.
const amplifying = { content: '{{b}}'.repeat(20_000), variables: { b: 'x'.repeat(26_000) } };

describe('render amplification', () => {
  it('POST /render answers the 126 KB request that rendered 520 MB with 413 in the envelope', async () => {
    expect(JSON.stringify(amplifying).length).toBeLessThan(130_000);
    const response = await post(`/api/templates/${templateId}/render`, amplifying);
    const error = expectError(response, 413, 'PAYLOAD_TOO_LARGE');
    expect(error.details).toMatchObject({ limit_chars: 200_000 });
    // The process is still answering.
    expect((await p.t.app.inject({ method: 'GET', url: '/ping' })).statusCode).toBe(200);
  });

  it('POST /test answers 413 and never sends the inflated prompt to the model', async () => {
    const response = await post(`/api/templates/${templateId}/test`, amplifying);
    expectError(response, 413, 'PAYLOAD_TOO_LARGE');
    expect(p.llm.requestCount).toBe(0);
  });

  it('bounds one variable value and the template itself', async () => {
    const value = await post(`/api/templates/${templateId}/render`, {
      content: 'short {{b}}',
      variables: { b: 'v'.repeat(p.t.config.prompt.maxVariableChars + 1) },
    });
    expect(expectError(value, 413, 'PAYLOAD_TOO_LARGE').details).toMatchObject({ variable: 'b' });
    const fits = await post(`/api/templates/${templateId}/render`, {
      content: 'short {{b}}',
      variables: { b: 'v'.repeat(1000) },
    });
    expect(fits.statusCode, fits.body).toBe(200);
    expect(fits.json().rendered_content).toHaveLength(1006);
  });

  it('a pipeline turn whose prompt would pass MAX_PROMPT_CHARS falls back without calling the model', async () => {
    const own = await createBusiness(p.t.app, p.t.masterKey, { settings: { fallback_reply: 'Back soon.' } });
    p.llm.setDefault(scriptedModel());
    const stage = (
      await p.t.app.inject({
        method: 'GET',
        url: `/api/stages/${own.first_stage_id}`,
        headers: bearer(own.api_key),
      })
    ).json();
    // 60 copies of a 4 000-character message: 240 000 characters, past the 200 000 limit.
    const changed = await p.t.app.inject({
      method: 'PUT',
      url: `/api/templates/${stage.response_generation_template_id}`,
      headers: bearer(own.api_key),
      payload: { content: '{{message_content}}\n'.repeat(60) },
    });
    expect(changed.statusCode, changed.body).toBe(200);
    const response = await post('/api/message', { content: 'm'.repeat(4000) }, own.api_key);
    expect(response.statusCode, response.body).toBe(200);
    expect(response.json()).toMatchObject({ response: 'Back soon.', fallback: true });
    // Extraction ran; the reply never reached the model.
    expect(p.llm.requests.every((r) => r.text.length < 200_000)).toBe(true);
    expect(p.llm.requests.filter((r) => !r.response_format)).toHaveLength(0);
    const calls = await p.t.database.db
      .select()
      .from(llmCalls)
      .where(eq(llmCalls.messageId, response.json().message_id));
    const reply = calls.find((c) => c.callType === 'response_generation');
    expect(reply).toMatchObject({ status: 'error', prompt: '' });
    expect(reply?.error).toMatch(/longer than 200000 characters/);
  });
});
