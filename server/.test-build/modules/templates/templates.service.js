import { AppError, conflict, notFound, quotaReached } from '../../errors.js';
import { actorOf, recordAudit } from '../audit/index.js';
import { extractVariableNames, PromptTooLarge } from './render-template.js';
import { isTemplateRole, normaliseTemplateType } from './template-types.js';
import { countTemplates, deleteTemplate, findStagesUsingTemplate, findTemplate, findTemplateVersion, insertTemplates, listTemplates, listTemplateVersions, updateTemplateAsNewVersion, } from './templates.repository.js';
import { BUILT_IN_VARIABLE_NAMES } from './variable-catalogue.js';
export function serializeTemplate(row) {
    return {
        template_id: row.templateId,
        business_id: row.businessId,
        template_name: row.templateName,
        template_type: row.templateType,
        content: row.content,
        system_prompt: row.systemPrompt,
        is_default: row.isDefault,
        version: row.version,
        created_at: row.createdAt.toISOString(),
        updated_at: row.updatedAt.toISOString(),
    };
}
function serializeVersion(row) {
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
export function unknownVariableWarnings(content, systemPrompt) {
    const names = new Set([...extractVariableNames(content), ...extractVariableNames(systemPrompt)]);
    return [...names]
        .filter((name) => !BUILT_IN_VARIABLE_NAMES.has(name))
        .map((name) => `Unknown variable {{${name}}}: it is not a built-in variable. At run time it is filled from the conversation's extracted data key "${name}" when present, otherwise it renders as empty text.`);
}
const withWarnings = (row) => ({
    ...serializeTemplate(row),
    warnings: unknownVariableWarnings(row.content, row.systemPrompt),
});
const cleanName = (name) => {
    const trimmed = name.trim();
    if (!trimmed) {
        throw new AppError('VALIDATION_ERROR', 'template_name must not be blank', {
            field_errors: { template_name: 'must not be blank' },
        });
    }
    return trimmed;
};
/** MAX_TEMPLATE_CHARS: an operator may hold templates below the schema's own bound. */
function assertTemplateSize(ctx, input) {
    const limit = ctx.config.prompt.maxTemplateChars;
    if (Math.max(input.content?.length ?? 0, input.system_prompt?.length ?? 0) > limit) {
        throw new PromptTooLarge('template', limit);
    }
}
export async function createTemplate(ctx, principal, businessId, input) {
    assertTemplateSize(ctx, input);
    const quota = ctx.config.quotas.templates;
    if ((await countTemplates(ctx.db, businessId)) >= quota)
        throw quotaReached('templates', quota);
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
        if (!created)
            throw new Error('template insert returned nothing');
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
export async function getTemplate(ctx, templateId, scope) {
    const row = await findTemplate(ctx.db, templateId, scope);
    if (!row)
        throw notFound('Template');
    return row;
}
export async function listBusinessTemplates(ctx, businessId, filters, page) {
    const { rows, total } = await listTemplates(ctx.db, businessId, {
        templateType: filters.template_type === undefined ? undefined : normaliseTemplateType(filters.template_type),
        isDefault: filters.is_default,
    }, page);
    return { templates: rows.map(serializeTemplate), total, page: page.page, per_page: page.perPage };
}
/** A stage uses a template in the role matching its type; a type change must not break that. */
async function assertTypeChangeAllowed(ctx, row, newType) {
    if (newType === row.templateType)
        return;
    const users = await findStagesUsingTemplate(ctx.db, row.businessId, row.templateId);
    const user = users[0];
    if (!user)
        return;
    const role = isTemplateRole(row.templateType) ? row.templateType : 'template';
    throw conflict(`The template is used by the stage "${user.stageName}" as its ${role.replace('_', ' ')} template; its type cannot change`, {
        stage_ids: users.map((stage) => stage.stageId),
        field_errors: { template_type: 'is in use by a stage' },
    });
}
export async function changeTemplate(ctx, principal, templateId, scope, input) {
    assertTemplateSize(ctx, input);
    const current = await getTemplate(ctx, templateId, scope);
    const changes = {};
    if (input.template_name !== undefined)
        changes.templateName = cleanName(input.template_name);
    if (input.content !== undefined)
        changes.content = input.content;
    if (input.system_prompt !== undefined)
        changes.systemPrompt = input.system_prompt;
    if (input.is_default !== undefined)
        changes.isDefault = input.is_default;
    if (input.template_type !== undefined) {
        changes.templateType = normaliseTemplateType(input.template_type);
        await assertTypeChangeAllowed(ctx, current, changes.templateType);
    }
    const row = await ctx.db.transaction(async (tx) => {
        const locked = await findTemplate(tx, current.templateId, scope, { forUpdate: true });
        if (!locked)
            throw notFound('Template');
        const updated = await updateTemplateAsNewVersion(tx, current.templateId, changes);
        if (!updated)
            throw notFound('Template');
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
const rolesOf = (stage, templateId) => [
    ...(stage.stageSelectionTemplateId === templateId ? ['stage_selection'] : []),
    ...(stage.dataExtractionTemplateId === templateId ? ['data_extraction'] : []),
    ...(stage.responseGenerationTemplateId === templateId ? ['response_generation'] : []),
];
const isForeignKeyViolation = (error) => {
    for (let e = error, depth = 0; e && depth < 4; depth++) {
        if (e.code === '23503')
            return true;
        e = e.cause;
    }
    return false;
};
export async function removeTemplate(ctx, principal, templateId, scope) {
    const current = await getTemplate(ctx, templateId, scope);
    const inUse = (users) => conflict(`The template is used by ${users.length ? users.map((s) => `the stage "${s.stageName}"`).join(', ') : 'a stage'}; assign another template first`, {
        stage_ids: users.map((s) => s.stageId),
        uses: users.map((s) => ({
            stage_id: s.stageId,
            stage_name: s.stageName,
            roles: rolesOf(s, current.templateId),
        })),
    });
    const users = await findStagesUsingTemplate(ctx.db, current.businessId, current.templateId);
    if (users.length > 0)
        throw inUse(users);
    try {
        await ctx.db.transaction(async (tx) => {
            const locked = await findTemplate(tx, current.templateId, scope, { forUpdate: true });
            if (!locked || !(await deleteTemplate(tx, current.templateId)))
                throw notFound('Template');
            await recordAudit(tx, actorOf(principal), {
                businessId: current.businessId,
                action: 'delete',
                entityType: 'template',
                entityId: current.templateId,
                before: serializeTemplate(locked),
                after: null,
            });
        });
    }
    catch (error) {
        // A stage started using it between the check and the delete: the foreign key refused.
        if (isForeignKeyViolation(error))
            throw inUse(await findStagesUsingTemplate(ctx.db, current.businessId, current.templateId));
        throw error;
    }
    ctx.bus.publish('templates', current.businessId);
}
export async function listVersions(ctx, templateId, scope, page) {
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
export async function restoreVersion(ctx, principal, templateId, scope, version) {
    const template = await getTemplate(ctx, templateId, scope);
    const snapshot = await findTemplateVersion(ctx.db, template.templateId, version);
    if (!snapshot)
        throw notFound(`Version ${version} of the template`);
    const row = await ctx.db.transaction(async (tx) => {
        const locked = await findTemplate(tx, template.templateId, scope, { forUpdate: true });
        if (!locked)
            throw notFound('Template');
        const updated = await updateTemplateAsNewVersion(tx, template.templateId, {
            templateName: snapshot.templateName,
            content: snapshot.content,
            systemPrompt: snapshot.systemPrompt,
        });
        if (!updated)
            throw notFound('Template');
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
//# sourceMappingURL=templates.service.js.map