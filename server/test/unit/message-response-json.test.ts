import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MessageResponse, type ProcessingStep } from '../../src/modules/pipeline/message.schemas.js';
import { messageResponseJson, processingStepJson } from '../../src/modules/pipeline/message-response.js';
import { jsonArrayOf, keepQuotedTexts, quoteTexts } from '../../src/modules/pipeline/quoted-texts.js';
import { createSchemaController } from '../../src/plugins/validation.js';

// What the response schema's own serializer writes (Fastify's, as every other route answers), to
// compare the hand-written one with, byte for byte.
let app: FastifyInstance;
let next: unknown;
beforeAll(async () => {
  app = Fastify({ schemaController: createSchemaController() });
  app.get('/answer', { schema: { response: { 200: MessageResponse } } }, async () => next);
  await app.ready();
});
afterAll(() => app.close());

async function bySchema(response: unknown) {
  next = response;
  return (await app.inject({ method: 'GET', url: '/answer' })).body;
}

const uuid = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;

function step(name: ProcessingStep['step'], prompt: string, extra: Partial<ProcessingStep> = {}) {
  const system = `You are "Bench"'s assistant.\nStep: ${name} ✓`;
  const made: ProcessingStep = {
    step: name,
    template_id: uuid(9),
    template_name: null,
    prompt,
    system_prompt: system,
    response: '{"stage":"General"}',
    latency_ms: 12,
    skipped: false,
    engine: 'llm',
    provider: 'openai',
    model: 'gpt-4o-mini',
    tokens_in: 512,
    tokens_out: 7,
    cost_usd: 0.000123,
    status: 'success',
    ...extra,
  };
  keepQuotedTexts(made, quoteTexts(prompt, system));
  return made;
}

const HISTORY =
  'User: "Hi" \\ there\nAssistant: Hello 😀\n\tUser: a lone \ud800 surrogate and \u0001 control';

function answer(overrides: Partial<MessageResponse> = {}): MessageResponse {
  return {
    success: true,
    response: 'We open at "9".\nSee you ✓',
    conversation_id: uuid(1),
    user_id: uuid(2),
    message_id: uuid(3),
    response_id: uuid(4),
    stage_id: uuid(5),
    stage_name: 'General',
    previous_stage_id: null,
    extracted_data: { name: 'Ana "A"', nested: { list: [1, null, 'x\ny'] }, none: null },
    fallback: false,
    engine: 'llm',
    ai_stopped: false,
    duplicate: false,
    stage_complete: true,
    processing_steps: [
      step('stage_selection', `Route this.\n${HISTORY}`, { transition_reason: 'rule:asks', reused: true }),
      step('data_extraction', `Extract.\n${HISTORY}`, {
        missing_variables: ['email'],
        rejected_values: [{ field: 'age', value: { given: 'old' }, reason: 'not a number' }],
      }),
      step('response_generation', `Reply.\n${HISTORY}`, {
        status: 'error',
        error: 'timeout',
        disallowed_stage: 'Complaints',
      }),
    ],
    ...overrides,
  };
}

describe("POST /api/message's answer, serialised by hand", () => {
  it('writes what the response schema writes, byte for byte', async () => {
    const full = answer();
    expect(messageResponseJson(full)).toBe(await bySchema(full));
    const bare = answer({
      response: null,
      response_id: null,
      stage_id: null,
      stage_name: null,
      stage_complete: undefined,
      extracted_data: {},
      processing_steps: [],
    });
    delete bare.stage_complete;
    expect(messageResponseJson(bare)).toBe(await bySchema(bare));
  });

  it('writes nothing the schema does not declare', async () => {
    const withExtras = answer();
    Object.assign(withExtras, { internal: 'secret' });
    Object.assign(withExtras.processing_steps[0] as object, { llmRaw: 'secret' });
    const rejected = withExtras.processing_steps[1]?.rejected_values?.[0] as object;
    Object.assign(rejected, { debug: 'secret' });
    const json = messageResponseJson(withExtras);
    expect(json).not.toContain('secret');
    expect(json).toBe(await bySchema(withExtras));
  });

  it("a step copied with another prompt is written with that prompt, not the first one's quoting", async () => {
    const original = step('response_generation', 'the first prompt');
    const copy = { ...original, prompt: 'the "second" prompt', system_prompt: 'another system' };
    const parsed = JSON.parse(processingStepJson(copy)) as ProcessingStep;
    expect(parsed.prompt).toBe('the "second" prompt');
    expect(parsed.system_prompt).toBe('another system');
    const withCopy = answer({ processing_steps: [copy] });
    expect(messageResponseJson(withCopy)).toBe(await bySchema(withCopy));
  });

  it('a step without quoted prompts (read back from the call log) is quoted here', async () => {
    const stored = { ...answer().processing_steps[0], prompt: `Stored.\n${HISTORY}` } as ProcessingStep;
    const fromLog = answer({ duplicate: true, processing_steps: [stored] });
    expect(messageResponseJson(fromLog)).toBe(await bySchema(fromLog));
  });

  it('arrays of JSON texts are concatenated into one JSON array', () => {
    expect(jsonArrayOf([])).toBe('[]');
    expect(jsonArrayOf(['{"a":1}'])).toBe('[{"a":1}]');
    expect(JSON.parse(jsonArrayOf(['{"a":"x,y"}', '2', '"three"']))).toEqual([{ a: 'x,y' }, 2, 'three']);
  });
});
