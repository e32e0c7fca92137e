import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../src/db/client.js';
import {
  createBusinessConfigCache,
  getBusinessConfig,
  loadBusinessConfig,
} from '../../src/modules/config-cache/business-config-cache.js';
import { buildTestAppWithContext, type TestAppWithContext } from '../helpers/app-context.js';
import { callApi } from '../helpers/call-api.js';
import { type CreatedBusiness, createBusiness } from '../helpers/factories.js';

let t: TestAppWithContext;
let biz: CreatedBusiness;

const call = (method: string, url: string, key: string, payload?: unknown) =>
  callApi(t.app, method, url, key, payload);

beforeAll(async () => {
  t = await buildTestAppWithContext();
  biz = await createBusiness(t.app, t.masterKey);
});
afterAll(async () => t.close());

describe('getBusinessConfig', () => {
  it('holds the business, its ordered stages, their templates and the entry stage', async () => {
    const second = await call('POST', '/api/stages', biz.api_key, { stage_name: 'Second' });
    expect(second.status).toBe(201);
    const config = await getBusinessConfig(t.ctx, biz.business_id);
    expect(config?.business.businessId).toBe(biz.business_id);
    expect(config?.stages.map((s) => s.stageName)).toEqual(['General', 'Second']);
    expect(config?.stagesById.get(second.body.stage_id)?.stageName).toBe('Second');
    expect(config?.entryStageId).toBe(biz.first_stage_id);
    const used = config?.stages.flatMap((s) => [
      s.stageSelectionTemplateId,
      s.dataExtractionTemplateId,
      s.responseGenerationTemplateId,
    ]);
    expect([...(config?.templatesById.keys() ?? [])].sort()).toEqual([...new Set(used)].sort());
    // The default_* starting points are not used by a stage, so they are not loaded.
    expect(
      [...(config?.templatesById.values() ?? [])].every((tpl) => !tpl.templateType.startsWith('default_')),
    ).toBe(true);
  });

  it('is served from memory until a write invalidates it', async () => {
    const first = await getBusinessConfig(t.ctx, biz.business_id);
    expect(await getBusinessConfig(t.ctx, biz.business_id)).toBe(first);
  });

  it('returns the new template content right after a PUT', async () => {
    const before = await getBusinessConfig(t.ctx, biz.business_id);
    const stage = before?.stagesById.get(biz.first_stage_id);
    const templateId = stage?.responseGenerationTemplateId as string;
    expect(before?.templatesById.get(templateId)?.content).not.toBe('Brand new {{business_name}}');
    const put = await call('PUT', `/api/templates/${templateId}`, biz.api_key, {
      content: 'Brand new {{business_name}}',
    });
    expect(put.status).toBe(200);
    const after = await getBusinessConfig(t.ctx, biz.business_id);
    expect(after).not.toBe(before);
    expect(after?.templatesById.get(templateId)?.content).toBe('Brand new {{business_name}}');
    expect(after?.templatesById.get(templateId)?.version).toBe(2);

    const restored = await call('POST', `/api/templates/${templateId}/versions/1/restore`, biz.api_key);
    expect(restored.status).toBe(200);
    const again = await getBusinessConfig(t.ctx, biz.business_id);
    expect(again?.templatesById.get(templateId)?.content).toBe(
      before?.templatesById.get(templateId)?.content,
    );
  });

  it('follows stage and business writes', async () => {
    const biz2 = await createBusiness(t.app, t.masterKey);
    const initial = await getBusinessConfig(t.ctx, biz2.business_id);
    expect(initial?.stages).toHaveLength(1);

    const created = await call('POST', '/api/stages', biz2.api_key, { stage_name: 'Orders' });
    const withStage = await getBusinessConfig(t.ctx, biz2.business_id);
    expect(withStage?.stages.map((s) => s.stageName)).toEqual(['General', 'Orders']);
    expect(withStage?.templatesById.has(created.body.response_generation_template_id)).toBe(true);

    await call('PUT', `/api/stages/${created.body.stage_id}`, biz2.api_key, {
      stage_description: 'Order status',
    });
    expect(
      (await getBusinessConfig(t.ctx, biz2.business_id))?.stagesById.get(created.body.stage_id)
        ?.stageDescription,
    ).toBe('Order status');

    await call('PATCH', `/api/businesses/${biz2.business_id}`, biz2.api_key, {
      first_stage_id: created.body.stage_id,
      business_name: `${biz2.business_name} renamed`,
    });
    const moved = await getBusinessConfig(t.ctx, biz2.business_id);
    expect(moved?.entryStageId).toBe(created.body.stage_id);
    expect(moved?.business.businessName).toBe(`${biz2.business_name} renamed`);

    expect((await call('DELETE', `/api/stages/${biz2.first_stage_id}`, biz2.api_key)).status).toBe(204);
    expect((await getBusinessConfig(t.ctx, biz2.business_id))?.stages.map((s) => s.stageName)).toEqual([
      'Orders',
    ]);

    expect((await call('DELETE', `/api/businesses/${biz2.business_id}`, t.masterKey)).status).toBe(204);
    expect(await getBusinessConfig(t.ctx, biz2.business_id)).toBeUndefined();
  });

  it('answers undefined for an unknown business', async () => {
    expect(await getBusinessConfig(t.ctx, '00000000-0000-4000-8000-000000000000')).toBeUndefined();
  });

  it('never stores a load that an invalidation overtook', async () => {
    const cache = createBusinessConfigCache({ db: t.database.db, bus: t.bus });
    const racing = cache.get(biz.business_id);
    t.bus.publish('templates', biz.business_id);
    const stale = await racing;
    const fresh = await cache.get(biz.business_id);
    expect(fresh).not.toBe(stale);
    expect(await cache.get(biz.business_id)).toBe(fresh);
  });

  it('keeps one cache per app instance and shares concurrent loads', async () => {
    const one = createBusinessConfigCache({ db: t.database.db, bus: t.bus });
    const two = createBusinessConfigCache({ db: t.database.db, bus: t.bus });
    const [a1, a2] = await Promise.all([one.get(biz.business_id), one.get(biz.business_id)]);
    expect(a1).toBe(a2);
    expect(await two.get(biz.business_id)).not.toBe(a1);
  });

  it('loads in at most three statements', async () => {
    let statements = 0;
    const counting = new Proxy(t.database.db, {
      get(target, property, receiver) {
        const value = Reflect.get(target, property, receiver);
        if (['select', 'execute', 'insert', 'update', 'delete', 'query'].includes(String(property))) {
          return (...args: unknown[]) => {
            statements += 1;
            return (value as (...a: unknown[]) => unknown).apply(target, args);
          };
        }
        return value;
      },
    }) as Db;
    const config = await loadBusinessConfig(counting, biz.business_id);
    expect(config?.stages.length).toBeGreaterThan(0);
    expect(statements).toBeLessThanOrEqual(3);
  });
});
