import type { Static } from '@sinclair/typebox';
import type { AppContext } from '../../context.js';
import { AppError, conflict, notFound, quotaReached } from '../../errors.js';
import type { Principal } from '../../lib/principal.js';
import type { Page } from '../../lib/schemas.js';
import { actorOf, recordAudit } from '../audit/index.js';
import { extractVariableNames, PromptTooLarge } from './render-template.js';
import { isTemplateRole, normaliseTemplateType, type TemplateType } from './template-types.js';
import {
  countTemplates,
  deleteTemplate,
  findStagesUsingTemplate,
  findTemplate,
  findTemplateVersion,
  insertTemplates,
  listTemplates,
  listTemplateVersions,
  type TemplateChanges,
  type TemplateRow,
  type TemplateVersionRow,
  updateTemplateAsNewVersion,
} from './templates.repository.js';
import type { CreateTemplateBody, Template, TemplateVersion } from './templates.schemas.js';
import { BUILT_IN_VARIABLE_NAMES } from './variable-catalogue.js';

export function serializeTemplate(row: TemplateRow): Template {
  return {
    template_id: row.templateId,
    business_id: row.businessId,
    template_name: row.templateName,
    template_type: row.templateType as TemplateType,
    content: row.content,
    system_prompt: row.systemPrompt,
    is_default: row.isDefault,
    version: row.version,
    created_at: row.createdAt.toISOString(),
    updated_at: row.updatedAt.toISOString(),
  };
}

function serializeVersion(row: TemplateVersionRow): TemplateVersion {
  return {
    template_id: row.templateId,
    version: row.version,
    template_name: row.templateName,
    content: row.content,
    system_prompt: row.systemPrompt,
    created_at: row.createdAt.toISOString(),
  };
}

/**
 * Variables neither built in nor obviously extracted: they may well be keys the extraction step
 * will produce, so the author is told, not refused.
 */
export function unknownVariableWarnings(content: string, systemPrompt: string): string[] {
  const names = new Set([...extractVariableNames(content), ...extractVariableNames(systemPrompt)]);
  return [...names]
    .filter((name) => !BUILT_IN_VARIABLE_NAMES.has(name))
    .map(
      (name) =>
        `Unknown variable {{${name}}}: it is not a built-in variable. At run time it is filled from the conversation's extracted data key "${name}" when present, otherwise it renders as empty text.`,
    );
}

const withWarnings = (row: TemplateRow) => ({
  ...serializeTemplate(row),
  warnings: unknownVariableWarnings(row.content, row.systemPrompt),
});

export type TemplateInput = Omit<Static<typeof CreateTemplateBody>, 'business_id'>;

const cleanName = (name: string) => {
  const trimmed = name.trim();
  if (!trimmed) {
    throw new AppError('VALIDATION_ERROR', 'template_name must not be blank', {
      field_errors: { template_name: 'must not be blank' },
    });
  }
  return trimmed;
};

/** MAX_TEMPLATE_CHARS: an operator may hold templates below the schema's own bound. */
function assertTemplateSize(ctx: AppContext, input: Partial<TemplateInput>) {
  const limit = ctx.config.prompt.maxTemplateChars;
  if (Math.max(input.content?.length ?? 0, input.system_prompt?.length ?? 0) > limit) {
    throw new PromptTooLarge('template', limit);
  }
}

export async function createTemplate(
  ctx: AppContext,
  principal: Principal,
  businessId: string,
  input: TemplateInput,
) {
  assertTemplateSize(ctx, input);
  const quota = ctx.config.quotas.templates;
  if ((await countTemplates(ctx.db, businessId)) >= quota) throw quotaReached('templates', quota);
  const row = await ctx.db.transaction(async (tx) => {
    const [created] = await insertTemplates(tx, [
      {
        businessId,
        templateName: cleanName(input.template_name),
        templateType: normaliseTemplateType(input.template_type),
        content: input.content,
        systemPrompt: input.system_prompt ?? '',
        isDefault: input.is_default ?? false,
      },
    ]);
    if (!created) throw new Error('template insert returned nothing');
    await recordAudit(tx, actorOf(principal), {
      businessId,
      action: 'create',
      entityType: 'template',
      entityId: created.templateId,
      before: null,
      after: serializeTemplate(created),
    });
    return created;
  });
  ctx.bus.publish('templates', businessId);
  return withWarnings(row);
}

export async function getTemplate(ctx: AppContext, templateId: string, scope: string | undefined) {
  const row = await findTemplate(ctx.db, templateId, scope);
  if (!row) throw notFound('Template');
  return row;
}

export async function listBusinessTemplates(
  ctx: AppContext,
  businessId: string,
  filters: { template_type?: string; is_default?: boolean },
  page: Page,
) {
  const { rows, total } = await listTemplates(
    ctx.db,
    businessId,
    {
      templateType:
        filters.template_type === undefined ? undefined : normaliseTemplateType(filters.template_type),
      isDefault: filters.is_default,
    },
    page,
  );
  return { templates: rows.map(serializeTemplate), total, page: page.page, per_page: page.perPage };
}

/** A stage uses a template in the role matching its type; a type change must not break that. */
async function assertTypeChangeAllowed(ctx: AppContext, row: TemplateRow, newType: string) {
  if (newType === row.templateType) return;
  const users = await findStagesUsingTemplate(ctx.db, row.businessId, row.templateId);
  const user = users[0];
  if (!user) return;
  const role = isTemplateRole(row.templateType) ? row.templateType : 'template';
  throw conflict(
    `The template is used by the stage "${user.stageName}" as its ${role.replace('_', ' ')} template; its type cannot change`,
    {
      stage_ids: users.map((stage) => stage.stageId),
      field_errors: { template_type: 'is in use by a stage' },
    },
  );
}

export async function changeTemplate(
  ctx: AppContext,
  principal: Principal,
  templateId: string,
  scope: string | undefined,
  input: Partial<TemplateInput>,
) {
  assertTemplateSize(ctx, input);
  const current = await getTemplate(ctx, templateId, scope);
  const changes: TemplateChanges = {};
  if (input.template_name !== undefined) changes.templateName = cleanName(input.template_name);
  if (input.content !== undefined) changes.content = input.content;
  if (input.system_prompt !== undefined) changes.systemPrompt = input.system_prompt;
  if (input.is_default !== undefined) changes.isDefault = input.is_default;
  if (input.template_type !== undefined) {
    changes.templateType = normaliseTemplateType(input.template_type);
    await assertTypeChangeAllowed(ctx, current, changes.templateType);
  }
  const row = await ctx.db.transaction(async (tx) => {
    const locked = await findTemplate(tx, current.templateId, scope, { forUpdate: true });
    if (!locked) throw notFound('Template');
    const updated = await updateTemplateAsNewVersion(tx, current.templateId, changes);
    if (!updated) throw notFound('Template');
    await recordAudit(tx, actorOf(principal), {
      businessId: updated.businessId,
      action: 'update',
      entityType: 'template',
      entityId: updated.templateId,
      before: serializeTemplate(locked),
      after: serializeTemplate(updated),
    });
    return updated;
  });
  ctx.bus.publish('templates', row.businessId);
  return withWarnings(row);
}

type StageUse = Awaited<ReturnType<typeof findStagesUsingTemplate>>[number];

const rolesOf = (stage: StageUse, templateId: string): string[] => [
  ...(stage.stageSelectionTemplateId === templateId ? ['stage_selection'] : []),
  ...(stage.dataExtractionTemplateId === templateId ? ['data_extraction'] : []),
  ...(stage.responseGenerationTemplateId === templateId ? ['response_generation'] : []),
];

const isForeignKeyViolation = (error: unknown): boolean => {
  for (let e = error as { code?: unknown; cause?: unknown } | undefined, depth = 0; e && depth < 4; depth++) {
    if (e.code === '23503') return true;
    e = e.cause as typeof e;
  }
  return false;
};

export async function removeTemplate(
  ctx: AppContext,
  principal: Principal,
  templateId: string,
  scope: string | undefined,
) {
  const current = await getTemplate(ctx, templateId, scope);
  const inUse = (users: StageUse[]) =>
    conflict(
      `The template is used by ${users.length ? users.map((s) => `the stage "${s.stageName}"`).join(', ') : 'a stage'}; assign another template first`,
      {
        stage_ids: users.map((s) => s.stageId),
        uses: users.map((s) => ({
          stage_id: s.stageId,
          stage_name: s.stageName,
          roles: rolesOf(s, current.templateId),
        })),
      },
    );
  const users = await findStagesUsingTemplate(ctx.db, current.businessId, current.templateId);
  if (users.length > 0) throw inUse(users);
  try {
    await ctx.db.transaction(async (tx) => {
      const locked = await findTemplate(tx, current.templateId, scope, { forUpdate: true });
      if (!locked || !(await deleteTemplate(tx, current.templateId))) throw notFound('Template');
      await recordAudit(tx, actorOf(principal), {
        businessId: current.businessId,
        action: 'delete',
        entityType: 'template',
        entityId: current.templateId,
        before: serializeTemplate(locked),
        after: null,
      });
    });
  } catch (error) {
    // A stage started using it between the check and the delete: the foreign key refused.
    if (isForeignKeyViolation(error))
      throw inUse(await findStagesUsingTemplate(ctx.db, current.businessId, current.templateId));
    throw error;
  }
  ctx.bus.publish('templates', current.businessId);
}

export async function listVersions(
  ctx: AppContext,
  templateId: string,
  scope: string | undefined,
  page: Page,
) {
  const template = await getTemplate(ctx, templateId, scope);
  const { rows, total } = await listTemplateVersions(ctx.db, template.templateId, page);
  return {
    versions: rows.map(serializeVersion),
    current_version: template.version,
    total,
    page: page.page,
    per_page: page.perPage,
  };
}

/** Restoring is itself a change: it becomes the newest version, so nothing is ever lost. */
export async function restoreVersion(
  ctx: AppContext,
  principal: Principal,
  templateId: string,
  scope: string | undefined,
  version: number,
) {
  const template = await getTemplate(ctx, templateId, scope);
  const snapshot = await findTemplateVersion(ctx.db, template.templateId, version);
  if (!snapshot) throw notFound(`Version ${version} of the template`);
  const row = await ctx.db.transaction(async (tx) => {
    const locked = await findTemplate(tx, template.templateId, scope, { forUpdate: true });
    if (!locked) throw notFound('Template');
    const updated = await updateTemplateAsNewVersion(tx, template.templateId, {
      templateName: snapshot.templateName,
      content: snapshot.content,
      systemPrompt: snapshot.systemPrompt,
    });
    if (!updated) throw notFound('Template');
    await recordAudit(tx, actorOf(principal), {
      businessId: updated.businessId,
      action: 'restore',
      entityType: 'template',
      entityId: updated.templateId,
      before: serializeTemplate(locked),
      after: serializeTemplate(updated),
      details: { restored_version: version },
    });
    return updated;
  });
  ctx.bus.publish('templates', row.businessId);
  return withWarnings(row);
}
