import type { Static } from '@sinclair/typebox';
import type { AppContext } from '../../context.js';
import type { BusinessSettings } from '../../db/schema.js';
import { conflict, invalid, notFound } from '../../errors.js';
import type { Principal } from '../../lib/principal.js';
import type { Page } from '../../lib/schemas.js';
import { isModelAllowed } from '../../llm/llm-client.js';
import { createPrimaryKey, rotatePrimaryKey } from '../api-keys/api-keys.service.js';
import { actorOf, recordAudit } from '../audit/index.js';
import { findStage, insertStage } from '../stages/index.js';
import { DEFAULT_STAGE, DEFAULT_TEMPLATES, TEMPLATE_ROLES } from '../templates/default-templates.js';
import { insertTemplates } from '../templates/index.js';
import {
  type BusinessRow,
  deleteBusiness,
  findBusiness,
  findBusinessByName,
  insertBusiness,
  listBusinesses,
  updateBusiness,
} from './businesses.repository.js';
import type { Business, CreateBusinessBody, UpdateBusinessBody } from './businesses.schemas.js';

export type BusinessProfileInput = Static<typeof CreateBusinessBody>;

export function serializeBusiness(row: BusinessRow): Business {
  return {
    business_id: row.businessId,
    business_name: row.businessName,
    business_description: row.businessDescription,
    address: row.address,
    phone_number: row.phoneNumber,
    website: row.website,
    owner_id: row.ownerId,
    first_stage_id: row.firstStageId,
    settings: row.settings ?? {},
    has_api_key: true,
    created_at: row.createdAt.toISOString(),
    updated_at: row.updatedAt.toISOString(),
  };
}

const unavailable = 'That business name is not available; choose another';

/** Creates the tenant with its entry stage and default templates, and returns its key once. */
/** LLM_ALLOWED_MODELS: a business's model override must be one the operator allows. */
function assertAllowedModel(ctx: AppContext, settings: { llm_model?: string | undefined } | undefined) {
  const model = settings?.llm_model?.trim();
  if (model && !isModelAllowed(ctx.config, model)) {
    throw invalid(`The model "${model}" is not allowed on this installation`, {
      'settings.llm_model': 'is not one of the allowed models (LLM_ALLOWED_MODELS)',
    });
  }
}

export async function createBusiness(ctx: AppContext, principal: Principal, input: BusinessProfileInput) {
  assertAllowedModel(ctx, input.settings);
  const name = input.business_name.trim();
  if (!name) throw invalid('business_name must not be blank', { business_name: 'must not be blank' });
  if (await findBusinessByName(ctx.db, name)) {
    throw conflict(`A business named "${name}" already exists`, {
      field_errors: { business_name: 'is taken' },
    });
  }
  let apiKey = '';
  const business = await ctx.db.transaction(async (tx) => {
    const created = await insertBusiness(tx, {
      businessName: name,
      businessDescription: input.business_description ?? '',
      address: input.address ?? null,
      phoneNumber: input.phone_number ?? null,
      website: input.website ?? null,
      ownerId: input.owner_id ?? null,
      settings: mergeSettings({}, input.settings),
    });
    apiKey = await createPrimaryKey(tx, principal, created.businessId);
    const templateRows = await insertTemplates(tx, [
      ...TEMPLATE_ROLES.map((role) => ({
        businessId: created.businessId,
        templateName: DEFAULT_TEMPLATES[role].templateName,
        templateType: `default_${role}`,
        content: DEFAULT_TEMPLATES[role].content,
        systemPrompt: DEFAULT_TEMPLATES[role].systemPrompt,
        isDefault: true,
      })),
      ...TEMPLATE_ROLES.map((role) => ({
        businessId: created.businessId,
        templateName: `${DEFAULT_STAGE.stageName} — ${role.replace('_', ' ')}`,
        templateType: role,
        content: DEFAULT_TEMPLATES[role].content,
        systemPrompt: DEFAULT_TEMPLATES[role].systemPrompt,
      })),
    ]);
    const byType = new Map(templateRows.map((t) => [t.templateType, t.templateId]));
    const stage = await insertStage(tx, {
      businessId: created.businessId,
      stageName: DEFAULT_STAGE.stageName,
      stageDescription: DEFAULT_STAGE.stageDescription,
      stageType: DEFAULT_STAGE.stageType,
      stageSelectionTemplateId: byType.get('stage_selection') as string,
      dataExtractionTemplateId: byType.get('data_extraction') as string,
      responseGenerationTemplateId: byType.get('response_generation') as string,
    });
    const withStage = (await updateBusiness(tx, created.businessId, {
      firstStageId: stage.stageId,
    })) as BusinessRow;
    await recordAudit(tx, actorOf(principal), {
      businessId: created.businessId,
      action: 'create',
      entityType: 'business',
      entityId: created.businessId,
      before: null,
      after: serializeBusiness(withStage),
    });
    return withStage;
  });
  return { ...serializeBusiness(business), api_key: apiKey };
}

export async function getBusiness(ctx: AppContext, businessId: string) {
  const row = await findBusiness(ctx.db, businessId);
  if (!row) throw notFound('Business');
  return serializeBusiness(row);
}

export async function listAllBusinesses(ctx: AppContext, page: Page) {
  const { rows, total } = await listBusinesses(ctx.db, page);
  return { businesses: rows.map(serializeBusiness), total, page: page.page, per_page: page.perPage };
}

export type BusinessUpdateInput = Static<typeof UpdateBusinessBody>;

export async function changeBusiness(
  ctx: AppContext,
  principal: Principal,
  businessId: string,
  input: BusinessUpdateInput,
) {
  assertAllowedModel(ctx, input.settings);
  const current = await findBusiness(ctx.db, businessId);
  if (!current) throw notFound('Business');
  const values: Parameters<typeof updateBusiness>[2] = {};
  if (input.business_name !== undefined) {
    const name = input.business_name.trim();
    if (!name) throw invalid('business_name must not be blank', { business_name: 'must not be blank' });
    const clash = await findBusinessByName(ctx.db, name);
    if (clash && clash.businessId !== businessId) {
      // Names are unique across the platform, but a tenant is told only that this one is not available:
      // never another business's name as stored, nor its id.
      throw conflict(
        principal.role === 'admin' ? `A business named "${clash.businessName}" already exists` : unavailable,
        { field_errors: { business_name: 'is not available' } },
      );
    }
    values.businessName = name;
  }
  if (input.business_description !== undefined) values.businessDescription = input.business_description;
  if (input.address !== undefined) values.address = input.address;
  if (input.phone_number !== undefined) values.phoneNumber = input.phone_number;
  if (input.website !== undefined) values.website = input.website;
  if (input.owner_id !== undefined) values.ownerId = input.owner_id;
  if (input.first_stage_id !== undefined) {
    const stage = await findStage(ctx.db, input.first_stage_id, businessId);
    if (!stage) {
      throw invalid('first_stage_id must be one of this business’s stages', {
        first_stage_id: 'is not a stage of this business',
      });
    }
    values.firstStageId = input.first_stage_id;
  }
  const updated = await ctx.db.transaction(async (tx) => {
    // Read again under a lock: settings merge into what is there now, and the audit's "before" is exact.
    const locked = await findBusiness(tx, businessId, { lock: 'no key update' });
    if (!locked) throw notFound('Business');
    if (input.settings !== undefined) values.settings = mergeSettings(locked.settings, input.settings);
    const row = await updateBusiness(tx, businessId, values);
    if (!row) throw notFound('Business');
    await recordAudit(tx, actorOf(principal), {
      businessId,
      action: 'update',
      entityType: 'business',
      entityId: businessId,
      before: serializeBusiness(locked),
      after: serializeBusiness(row),
    });
    return row;
  });
  ctx.bus.publish('business', businessId);
  return serializeBusiness(updated);
}

/** The entry is installation-wide (business_id null): the business's own audit entries go with it. */
export async function removeBusiness(ctx: AppContext, principal: Principal, businessId: string) {
  await ctx.db.transaction(async (tx) => {
    const current = await findBusiness(tx, businessId, { lock: 'update' });
    if (!current || !(await deleteBusiness(tx, businessId))) throw notFound('Business');
    await recordAudit(tx, actorOf(principal), {
      businessId: null,
      action: 'delete',
      entityType: 'business',
      entityId: businessId,
      before: serializeBusiness(current),
      after: null,
    });
  });
  ctx.bus.publish('business-key', businessId);
  ctx.bus.publish('business', businessId);
}

/** The key itself is secret: the entry says who rotated it and when, with no snapshot to compare. */
export async function rotateBusinessKey(ctx: AppContext, principal: Principal, businessId: string) {
  const apiKey = await ctx.db.transaction(async (tx) => {
    if (!(await findBusiness(tx, businessId))) throw notFound('Business');
    const rotated = await rotatePrimaryKey(tx, principal, businessId);
    await recordAudit(tx, actorOf(principal), {
      businessId,
      action: 'rotate_key',
      entityType: 'api_key',
      entityId: rotated.keyId,
      before: null,
      after: null,
      details: { key: rotated.name },
    });
    return rotated.apiKey;
  });
  ctx.bus.publish('business-key', businessId);
  return { api_key: apiKey };
}

/** An update's settings over the stored ones; a null removes that setting (back to no budget, say). */
function mergeSettings(stored: BusinessSettings, update: BusinessUpdateInput['settings']): BusinessSettings {
  const merged: Record<string, unknown> = { ...stored, ...update };
  for (const [key, value] of Object.entries(merged)) if (value === null) delete merged[key];
  return merged as BusinessSettings;
}
