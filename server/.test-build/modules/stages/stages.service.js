import { conflict, invalid, notFound, quotaReached } from '../../errors.js';
import { findAgent } from '../agents/index.js';
import { actorOf, recordAudit } from '../audit/index.js';
import { DEFAULT_TEMPLATES, TEMPLATE_ROLES } from '../templates/default-templates.js';
import { findDefaultTemplates, findTemplatesByIds, insertTemplates, serializeTemplate, } from '../templates/index.js';
import { ROLE_FIELDS } from '../templates/template-types.js';
import { countStages, countTransitions, deleteStage, findStage, findStageByName, findStageWithNames, insertStage, listStages, lockBusinessStages, updateStage, } from './stages.repository.js';
export function serializeStage({ stage, ...names }) {
    return {
        stage_id: stage.stageId,
        business_id: stage.businessId,
        agent_id: stage.agentId,
        stage_name: stage.stageName,
        stage_description: stage.stageDescription,
        stage_type: stage.stageType,
        stage_selection_template_id: stage.stageSelectionTemplateId,
        data_extraction_template_id: stage.dataExtractionTemplateId,
        response_generation_template_id: stage.responseGenerationTemplateId,
        stage_selection_template_name: names.stageSelectionTemplateName,
        data_extraction_template_name: names.dataExtractionTemplateName,
        response_generation_template_name: names.responseGenerationTemplateName,
        fallback_reply: stage.fallbackReply,
        handoff: stage.handoff,
        created_at: stage.createdAt.toISOString(),
        updated_at: stage.updatedAt.toISOString(),
    };
}
const COLUMN = {
    stage_selection: 'stageSelectionTemplateId',
    data_extraction: 'dataExtractionTemplateId',
    response_generation: 'responseGenerationTemplateId',
};
const roleLabel = (role) => role.replace('_', ' ');
async function cleanName(ctx, businessId, name, exceptStageId) {
    const trimmed = name.trim();
    if (!trimmed)
        throw invalid('stage_name must not be blank', { stage_name: 'must not be blank' });
    if (await findStageByName(ctx.db, businessId, trimmed, exceptStageId))
        throw nameTaken(trimmed);
    return trimmed;
}
const nameTaken = (name) => conflict(`A stage named "${name}" already exists in this business`, {
    field_errors: { stage_name: 'is taken' },
});
async function checkAgent(ctx, businessId, agentId) {
    if (!agentId)
        return;
    if (!(await findAgent(ctx.db, agentId, businessId))) {
        throw invalid('agent_id must be an agent of this business', {
            agent_id: 'is not an agent of this business',
        });
    }
}
/** Every given template must exist in this business and have the type of the role it fills. */
async function checkTemplates(ctx, businessId, input) {
    const given = TEMPLATE_ROLES.flatMap((role) => {
        const id = input[ROLE_FIELDS[role]];
        return id ? [{ role, id }] : [];
    });
    const found = new Map((await findTemplatesByIds(ctx.db, given.map((g) => g.id))).map((t) => [t.templateId, t]));
    const errors = {};
    for (const { role, id } of given) {
        const template = found.get(id);
        if (!template || template.businessId !== businessId)
            errors[ROLE_FIELDS[role]] = 'is not a template of this business';
        else if (template.templateType !== role) {
            errors[ROLE_FIELDS[role]] = `must be a ${role} template (this one is ${template.templateType})`;
        }
    }
    if (Object.keys(errors).length > 0)
        throw invalid('A template does not fit its role in the stage', errors);
    return found;
}
const isUniqueViolation = (error) => {
    for (let e = error, depth = 0; e && depth < 4; depth++) {
        if (e.code === '23505')
            return true;
        e = e.cause;
    }
    return false;
};
const namesOf = (stage, templates) => ({
    stage,
    stageSelectionTemplateName: templates.get(stage.stageSelectionTemplateId)?.templateName ?? null,
    dataExtractionTemplateName: templates.get(stage.dataExtractionTemplateId)?.templateName ?? null,
    responseGenerationTemplateName: templates.get(stage.responseGenerationTemplateId)?.templateName ?? null,
});
/** Creates a stage; a role without a template gets a fresh copy of the business's default for it. */
export async function createStage(ctx, principal, businessId, input) {
    const quotas = ctx.config.quotas;
    if ((await countStages(ctx.db, businessId)) >= quotas.stages)
        throw quotaReached('stages', quotas.stages);
    const name = await cleanName(ctx, businessId, input.stage_name ?? '');
    await checkAgent(ctx, businessId, input.agent_id);
    const templates = await checkTemplates(ctx, businessId, input);
    const missing = TEMPLATE_ROLES.filter((role) => !input[ROLE_FIELDS[role]]);
    let stage;
    try {
        stage = await ctx.db.transaction(async (tx) => {
            const defaults = missing.length ? await findDefaultTemplates(tx, businessId) : [];
            const copies = await insertTemplates(tx, missing.map((role) => {
                // A business that deleted its default falls back to the platform's.
                const source = defaults.find((t) => t.templateType === `default_${role}`);
                return {
                    businessId,
                    templateName: `${name} — ${roleLabel(role)}`,
                    templateType: role,
                    content: source?.content ?? DEFAULT_TEMPLATES[role].content,
                    systemPrompt: source?.systemPrompt ?? DEFAULT_TEMPLATES[role].systemPrompt,
                };
            }));
            for (const copy of copies)
                templates.set(copy.templateId, copy);
            const ids = Object.fromEntries(TEMPLATE_ROLES.map((role) => [
                COLUMN[role],
                input[ROLE_FIELDS[role]] ?? copies.find((c) => c.templateType === role).templateId,
            ]));
            const created = await insertStage(tx, {
                businessId,
                stageName: name,
                stageDescription: input.stage_description ?? '',
                stageType: input.stage_type?.trim() || 'conversation',
                agentId: input.agent_id ?? null,
                fallbackReply: input.fallback_reply ?? null,
                handoff: input.handoff ?? false,
                ...ids,
            });
            const actor = actorOf(principal);
            for (const copy of copies) {
                await recordAudit(tx, actor, {
                    businessId,
                    action: 'create',
                    entityType: 'template',
                    entityId: copy.templateId,
                    before: null,
                    after: serializeTemplate(copy),
                });
            }
            await recordAudit(tx, actor, {
                businessId,
                action: 'create',
                entityType: 'stage',
                entityId: created.stageId,
                before: null,
                after: serializeStage(namesOf(created, templates)),
                ...(missing.length ? { details: { copied_default_templates: missing } } : {}),
            });
            return created;
        });
    }
    catch (error) {
        if (isUniqueViolation(error))
            throw nameTaken(name);
        throw error;
    }
    ctx.bus.publish('stages', businessId);
    if (missing.length)
        ctx.bus.publish('templates', businessId);
    return serializeStage(namesOf(stage, templates));
}
export async function getStage(ctx, stageId, scope) {
    const row = await findStageWithNames(ctx.db, stageId, scope);
    if (!row)
        throw notFound('Stage');
    return serializeStage(row);
}
export async function listBusinessStages(ctx, businessId, filters, page) {
    const { rows, total } = await listStages(ctx.db, businessId, { agentId: filters.agent_id }, page);
    return { stages: rows.map(serializeStage), total, page: page.page, per_page: page.perPage };
}
export async function changeStage(ctx, principal, stageId, scope, input) {
    const current = await findStage(ctx.db, stageId, scope);
    if (!current)
        throw notFound('Stage');
    const businessId = current.businessId;
    const values = {};
    if (input.stage_name !== undefined)
        values.stageName = await cleanName(ctx, businessId, input.stage_name, stageId);
    if (input.stage_description !== undefined)
        values.stageDescription = input.stage_description;
    if (input.stage_type !== undefined)
        values.stageType = input.stage_type.trim() || 'conversation';
    if (input.fallback_reply !== undefined)
        values.fallbackReply = input.fallback_reply;
    if (input.handoff !== undefined)
        values.handoff = input.handoff;
    if (input.agent_id !== undefined) {
        await checkAgent(ctx, businessId, input.agent_id);
        values.agentId = input.agent_id;
    }
    await checkTemplates(ctx, businessId, input);
    for (const role of TEMPLATE_ROLES) {
        const id = input[ROLE_FIELDS[role]];
        if (id)
            values[COLUMN[role]] = id;
    }
    try {
        await ctx.db.transaction(async (tx) => {
            const before = await findStageWithNames(tx, stageId, businessId, { forUpdate: true });
            if (!before || !(await updateStage(tx, stageId, values)))
                throw notFound('Stage');
            const updated = await findStageWithNames(tx, stageId, businessId);
            if (!updated)
                throw notFound('Stage');
            await recordAudit(tx, actorOf(principal), {
                businessId,
                action: 'update',
                entityType: 'stage',
                entityId: stageId,
                before: serializeStage(before),
                after: serializeStage(updated),
            });
        });
    }
    catch (error) {
        if (isUniqueViolation(error))
            throw nameTaken(values.stageName ?? '');
        throw error;
    }
    ctx.bus.publish('stages', businessId);
    return getStage(ctx, stageId, businessId);
}
/**
 * The entry stage and the last stage cannot go. Conversations in the deleted stage keep going from
 * the entry stage (conversations.stage_id becomes null); the stage's templates stay with the business.
 */
export async function removeStage(ctx, principal, stageId, scope) {
    const current = await findStage(ctx.db, stageId, scope);
    if (!current)
        throw notFound('Stage');
    await ctx.db.transaction(async (tx) => {
        const state = await lockBusinessStages(tx, current.businessId);
        if (!state)
            throw notFound('Stage');
        if (state.firstStageId === stageId) {
            throw conflict('This is the business’s entry stage; make another stage the entry stage first', {
                reason: 'entry_stage',
            });
        }
        if (state.stageCount <= 1) {
            throw conflict('A business needs at least one stage; this is its last', { reason: 'last_stage' });
        }
        const before = await findStageWithNames(tx, stageId, current.businessId, { forUpdate: true });
        if (!before || !(await deleteStage(tx, stageId)))
            throw notFound('Stage');
        await recordAudit(tx, actorOf(principal), {
            businessId: current.businessId,
            action: 'delete',
            entityType: 'stage',
            entityId: stageId,
            before: serializeStage(before),
            after: null,
        });
    });
    ctx.bus.publish('stages', current.businessId);
}
export async function listTransitions(ctx, businessId) {
    const rows = await countTransitions(ctx.db, businessId);
    return {
        transitions: rows.map((row) => ({
            from_stage_id: row.fromStageId,
            to_stage_id: row.toStageId,
            count: Number(row.count),
        })),
    };
}
//# sourceMappingURL=stages.service.js.map