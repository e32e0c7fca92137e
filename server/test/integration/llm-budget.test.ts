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

    const usage = async () =>
      (
        await p.t.app.inject({
          method: 'GET',
          url: '/api/analytics/llm-usage',
          headers: bearer(business.api_key),
        })
      ).json();
    const spent = await usage();
    expect(spent).toMatchObject({ budget_usd: 0.000001, remaining_usd: 0, at_budget: true });
    expect(spent.spent_usd).toBeGreaterThan(0);
    expect(spent.calls).toBeGreaterThan(0);
    expect(spent.month).toBe(new Date().toISOString().slice(0, 7));
    expect(new Date(spent.resets_at).getUTCDate()).toBe(1);

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
    expect(await usage()).toMatchObject({ budget_usd: 100, at_budget: false });
    const third = (await send('third')).json();
    expect(third).toMatchObject({ engine: 'llm', response: 'Reply to: third' });

    const removed = await p.t.app.inject({
      method: 'PATCH',
      url: `/api/businesses/${business.business_id}`,
      headers: bearer(business.api_key),
      payload: { settings: { llm_budget_usd: null } },
    });
    expect(removed.statusCode, removed.body).toBe(200);
    expect(removed.json().settings).not.toHaveProperty('llm_budget_usd');
    expect(await usage()).toMatchObject({ budget_usd: null, remaining_usd: null, at_budget: false });
  });

  it('usage without a budget has no remainder; a fresh business has spent nothing', async () => {
    const business = await createBusiness(p.t.app, p.t.masterKey);
    const usage = await p.t.app.inject({
      method: 'GET',
      url: '/api/analytics/llm-usage',
      headers: bearer(business.api_key),
    });
    expect(usage.statusCode, usage.body).toBe(200);
    expect(usage.json()).toMatchObject({
      spent_usd: 0,
      calls: 0,
      budget_usd: null,
      remaining_usd: null,
      at_budget: false,
    });
    const unknown = await p.t.app.inject({
      method: 'GET',
      url: '/api/analytics/llm-usage?business_id=00000000-0000-4000-8000-000000000000',
      headers: bearer(p.t.masterKey),
    });
    expect(unknown.statusCode).toBe(404);
  });
});
