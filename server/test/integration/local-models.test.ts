import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { bearer, createBusiness } from '../helpers/factories.js';
import type { ResponseFormatType } from '../helpers/fake-llm-types.js';
import { customerMessage, type PipelineApp, startPipelineApp } from '../helpers/pipeline-fixture.js';

/**
 * Issue 12 finding 4: an OpenAI-compatible server without `json_schema` (or without any
 * response_format) must not turn every multi-stage turn into the fallback.
 */
let p: PipelineApp;
beforeAll(async () => {
  p = await startPipelineApp();
});
afterAll(async () => p.close());
beforeEach(() => p.llm.reset());

/** A local model: answers in whatever shape it was asked for (schema, JSON object, or words). */
function localModel() {
  p.llm.setDefault((r) => {
    const format = (r.response_format as { type?: string } | undefined)?.type;
    const system = r.messages.find((m) => m.role === 'system')?.content ?? '';
    const routing = format === 'json_schema' || /"stage"|one stage/.test(system);
    if (routing) return format ? { json: { stage: 'Billing' } } : { content: 'Billing, clearly.' };
    if (format === 'json_object' || /only a JSON object/.test(system)) {
      return format ? { json: { invoice: 'A-17' } } : { content: 'Here: {"invoice": "A-17"}' };
    }
    return { content: `Reply to: ${customerMessage(r)}` };
  });
}

describe.each<[string, ResponseFormatType[]]>([
  ['a server with json_schema', []],
  ['a server without json_schema', ['json_schema']],
  ['a server without any response_format', ['json_schema', 'json_object']],
])('a multi-stage turn against %s', (_label, refused) => {
  it('routes, extracts and replies without falling back', async () => {
    const business = await createBusiness(p.t.app, p.t.masterKey);
    const billing = await p.t.app.inject({
      method: 'POST',
      url: '/api/stages',
      headers: bearer(business.api_key),
      payload: { stage_name: 'Billing', stage_description: 'invoices', stage_type: 'conversation' },
    });
    expect(billing.statusCode, billing.body).toBe(201);
    p.llm.refuseFormats(refused);
    localModel();
    for (const content of ['invoice A-17 is wrong', 'and again']) {
      const response = await p.t.app.inject({
        method: 'POST',
        url: '/api/message',
        headers: bearer(business.api_key),
        payload: { content },
      });
      expect(response.statusCode, response.body).toBe(200);
      expect(response.json()).toMatchObject({
        fallback: false,
        stage_name: 'Billing',
        extracted_data: { invoice: 'A-17' },
        response: `Reply to: ${content}`,
      });
    }
    // Refused formats are asked for once per endpoint+model, then remembered.
    const refusedAsks = p.llm.requests.filter((r) =>
      refused.includes((r.response_format as { type?: string } | undefined)?.type as ResponseFormatType),
    );
    expect(refusedAsks.length).toBeLessThanOrEqual(refused.length);
  });
});
