import { randomBytes } from 'node:crypto';
import type { Static } from '@sinclair/typebox';
import type { AppContext } from '../../context.js';
import type { ChannelSecrets } from '../../db/schema.js';
import { conflict, invalid, notFound } from '../../errors.js';
import { generateSecret, hashSecret } from '../../lib/keys.js';
import type { Page } from '../../lib/schemas.js';
import type { Principal } from '../../plugins/auth.js';
import { recordAudit } from '../audit/record-audit.js';
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
  const secrets: ChannelSecrets = row.channelSecrets ?? {};
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
    widget_key: row.widgetKey,
    whatsapp_phone_number_id: row.whatsappPhoneNumberId,
    messenger_page_id: row.messengerPageId,
    has_api_key: Boolean(row.apiKeyHash),
    has_whatsapp_access_token: Boolean(secrets.whatsapp_access_token),
    has_messenger_page_access_token: Boolean(secrets.messenger_page_access_token),
    has_meta_app_secret: Boolean(secrets.meta_app_secret),
    has_meta_verify_token: Boolean(secrets.meta_verify_token),
    created_at: row.createdAt.toISOString(),
    updated_at: row.updatedAt.toISOString(),
  };
}

/** Creates the tenant with its entry stage and default templates, and returns its key once. */
export async function createBusiness(ctx: AppContext, principal: Principal, input: BusinessProfileInput) {
  const name = input.business_name.trim();
  if (!name) throw invalid('business_name must not be blank', { business_name: 'must not be blank' });
  if (await findBusinessByName(ctx.db, name)) {
    throw conflict(`A business named "${name}" already exists`, {
      field_errors: { business_name: 'is taken' },
    });
  }
  const apiKey = generateSecret('icmp');
  const business = await ctx.db.transaction(async (tx) => {
    const created = await insertBusiness(tx, {
      businessName: name,
      businessDescription: input.business_description ?? '',
      address: input.address ?? null,
      phoneNumber: input.phone_number ?? null,
      website: input.website ?? null,
      ownerId: input.owner_id ?? null,
      settings: input.settings ?? {},
      apiKeyHash: hashSecret(apiKey),
      widgetKey: `wk_${randomBytes(18).toString('base64url')}`,
    });
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
    const withStage = await updateBusiness(tx, created.businessId, { firstStageId: stage.stageId });
    await recordAudit(tx, principal, created.businessId, 'create', 'business', created.businessId);
    return withStage as BusinessRow;
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

const SECRET_FIELDS = [
  'whatsapp_access_token',
  'messenger_page_access_token',
  'meta_app_secret',
  'meta_verify_token',
] as const;

export async function changeBusiness(
  ctx: AppContext,
  principal: Principal,
  businessId: string,
  input: BusinessUpdateInput,
) {
  const current = await findBusiness(ctx.db, businessId);
  if (!current) throw notFound('Business');
  const values: Parameters<typeof updateBusiness>[2] = {};
  if (input.business_name !== undefined) {
    const name = input.business_name.trim();
    if (!name) throw invalid('business_name must not be blank', { business_name: 'must not be blank' });
    const clash = await findBusinessByName(ctx.db, name);
    if (clash && clash.businessId !== businessId) {
      throw conflict(`A business named "${name}" already exists`, {
        field_errors: { business_name: 'is taken' },
      });
    }
    values.businessName = name;
  }
  if (input.business_description !== undefined) values.businessDescription = input.business_description;
  if (input.address !== undefined) values.address = input.address;
  if (input.phone_number !== undefined) values.phoneNumber = input.phone_number;
  if (input.website !== undefined) values.website = input.website;
  if (input.owner_id !== undefined) values.ownerId = input.owner_id;
  if (input.whatsapp_phone_number_id !== undefined)
    values.whatsappPhoneNumberId = input.whatsapp_phone_number_id;
  if (input.messenger_page_id !== undefined) values.messengerPageId = input.messenger_page_id;
  if (input.settings !== undefined) values.settings = { ...current.settings, ...input.settings };
  if (SECRET_FIELDS.some((field) => input[field] !== undefined)) {
    const secrets: ChannelSecrets = { ...current.channelSecrets };
    for (const field of SECRET_FIELDS) {
      const value = input[field];
      if (value === null || value === '') delete secrets[field];
      else if (value !== undefined) secrets[field] = value;
    }
    values.channelSecrets = secrets;
  }
  if (input.first_stage_id !== undefined) {
    const stage = await findStage(ctx.db, input.first_stage_id, businessId);
    if (!stage) {
      throw invalid('first_stage_id must be one of this business’s stages', {
        first_stage_id: 'is not a stage of this business',
      });
    }
    values.firstStageId = input.first_stage_id;
  }
  const updated = await updateBusiness(ctx.db, businessId, values);
  if (!updated) throw notFound('Business');
  ctx.bus.publish('business', businessId);
  await recordAudit(ctx.db, principal, businessId, 'update', 'business', businessId, {
    fields: Object.keys(input).filter((k) => !(SECRET_FIELDS as readonly string[]).includes(k)),
  });
  return serializeBusiness(updated);
}

export async function removeBusiness(ctx: AppContext, businessId: string) {
  if (!(await deleteBusiness(ctx.db, businessId))) throw notFound('Business');
  ctx.bus.publish('business-key', businessId);
  ctx.bus.publish('business', businessId);
}

export async function rotateBusinessKey(ctx: AppContext, principal: Principal, businessId: string) {
  const apiKey = generateSecret('icmp');
  const updated = await updateBusiness(ctx.db, businessId, { apiKeyHash: hashSecret(apiKey) });
  if (!updated) throw notFound('Business');
  ctx.bus.publish('business-key', businessId);
  await recordAudit(ctx.db, principal, businessId, 'rotate-key', 'business', businessId);
  return { api_key: apiKey };
}
