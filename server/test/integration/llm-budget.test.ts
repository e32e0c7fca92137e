import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, createBusiness } from '../helpers/factories.js';
import { type PipelineApp, scriptedModel, startPipelineApp } from '../helpers/pipeline-fixture.js';

/** Issue 12 finding 2: a business's monthly LLM budget, from the recorded cost. */
let p: PipelineApp;
beforeAll(async () => {
  // A priced model name, so each call records a real cost.
  p = await startPipelineApp({ LLM_MODEL: 'gpt-4o' });
  p.llm.setDefault(scriptedModel());
});
afterAll(async () => p.close());

describe('settings.llm_budget_usd', () => {
  it('at the budget the offline engine answers; raising it brings the model back', async () => {
    const business = await createBusiness(p.t.app, p.t.masterKey, { settings: { llm_budget_usd: 0.000001 } });
    const send = (content: string) =>
      p.t.app.inject({
        method: 'POST',
        url: '/api/message',
        headers: bearer(business.api_key),
        payload: { content },
      });
    const first = (await send('first')).json();
    expect(first).toMatchObject({ engine: 'llm', response: 'Reply to: first' });
    expect(first.processing_steps.some((s: { cost_usd: number }) => s.cost_usd > 0)).toBe(true);

    const before = p.llm.requestCount;
    const second = (await send('second')).json();
    expect(second.engine).toBe('offline');
    expect(p.llm.requestCount).toBe(before);

    const raised = await p.t.app.inject({
      method: 'PATCH',
      url: `/api/businesses/${business.business_id}`,
      headers: bearer(business.api_key),
      payload: { settings: { llm_budget_usd: 100 } },
    });
    expect(raised.statusCode, raised.body).toBe(200);
    const third = (await send('third')).json();
    expect(third).toMatchObject({ engine: 'llm', response: 'Reply to: third' });
  });
});
