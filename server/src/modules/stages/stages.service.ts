import type { Static } from '@sinclair/typebox';
import type { AppContext } from '../../context.js';
import type { DbOrTx } from '../../db/client.js';
import { conflict, invalid, notFound, quotaReached } from '../../errors.js';
import type { Principal } from '../../lib/principal.js';
import type { Page } from '../../lib/schemas.js';
import { findAgent } from '../agents/index.js';
import { actorOf, recordAudit } from '../audit/index.js';
import { authoredValue, readBusinessFields } from '../fields/index.js';
import { DEFAULT_TEMPLATES, TEMPLATE_ROLES, type TemplateRole } from '../templates/default-templates.js';
import {
  findDefaultTemplates,
  findTemplatesByIds,
  insertTemplates,
  serializeTemplate,
  type TemplateRow,
} from '../templates/index.js';
import { ROLE_FIELDS } from '../templates/template-types.js';
import {
  countStages,
  countTransitions,
  deleteStage,
  dropStageFromTransitions,
  findStage,
  findStageByName,
  findStagesByIds,
  findStageWithNames,
  insertStage,
  listStages,
  lockBusinessStages,
  type NewStage,
  type StageRow,
  type StageWithTemplateNames,
  updateStage,
} from './stages.repository.js';
import type { Stage, TransitionRuleInput, UpdateStageBody } from './stages.schemas.js';

export function serializeStage({ stage, ...names }: StageWithTemplateNames): Stage {
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
    required_fields: stage.requiredFields,
    optional_fields: stage.optionalFields,
    allowed_next_stage_ids: stage.allowedNextStageIds ?? null,
    transition_rules: stage.transitionRules,
    created_at: stage.createdAt.toISOString(),
    updated_at: stage.updatedAt.toISOString(),
  };
}

export type StageInput = Static<typeof UpdateStageBody>;

const COLUMN: Record<
  TemplateRole,
  'stageSelectionTemplateId' | 'dataExtractionTemplateId' | 'responseGenerationTemplateId'
> = {
  stage_selection: 'stageSelectionTemplateId',
  data_extraction: 'dataExtractionTemplateId',
  response_generation: 'responseGenerationTemplateId',
};

const roleLabel = (role: TemplateRole) => role.replace('_', ' ');

async function cleanName(ctx: AppContext, businessId: string, name: string, exceptStageId?: string) {
  const trimmed = name.trim();
  if (!trimmed) throw invalid('stage_name must not be blank', { stage_name: 'must not be blank' });
  if (await findStageByName(ctx.db, businessId, trimmed, exceptStageId)) throw nameTaken(trimmed);
  return trimmed;
}

const nameTaken = (name: string) =>
  conflict(`A stage named "${name}" already exists in this business`, {
    field_errors: { stage_name: 'is taken' },
  });

async function checkAgent(ctx: AppContext, businessId: string, agentId: string | null | undefined) {
  if (!agentId) return;
  if (!(await findAgent(ctx.db, agentId, businessId))) {
    throw invalid('agent_id must be an agent of this business', {
      agent_id: 'is not an agent of this business',
    });
  }
}

/**
 * Stage goals name fields of the business, each once, and a field is required or optional, not both.
 * Returns the lists to store (given ones, else the stage's current ones).
 */
async function checkGoals(
  ctx: AppContext,
  businessId: string,
  input: StageInput,
  current?: { requiredFields: string[]; optionalFields: string[] },
) {
  const required = input.required_fields ?? current?.requiredFields ?? [];
  const optional = input.optional_fields ?? current?.optionalFields ?? [];
  if (input.required_fields === undefined && input.optional_fields === undefined) return undefined;
  const known = new Set((await readBusinessFields(ctx.db, businessId))?.map((f) => f.name));
  const errors: Record<string, string> = {};
  for (const [key, list] of [
    ['required_fields', required],
    ['optional_fields', optional],
  ] as const) {
    const unknown = list.filter((name) => !known.has(name));
    if (unknown.length) errors[key] = `names no field of this business: ${unknown.join(', ')}`;
    else if (new Set(list).size !== list.length) errors[key] = 'names a field twice';
  }
  const both = required.filter((name) => optional.includes(name));
  if (both.length && !errors.optional_fields)
    errors.optional_fields = `also in required_fields: ${both.join(', ')}`;
  if (Object.keys(errors).length > 0)
    throw invalid('The stage goals name unknown or repeated fields', errors);
  return { requiredFields: required, optionalFields: optional };
}

/**
 * Allowed next stages and transition rules name other stages of this business, each allowed stage
 * once; a rule's field is a field of the business and its value one of that field's type (stored
 * normalised, as extraction stores collected values). `stageId` is undefined for a new stage.
 */
async function checkTransitions(
  db: DbOrTx,
  businessId: string,
  stageId: string | undefined,
  input: StageInput,
): Promise<Pick<NewStage, 'allowedNextStageIds' | 'transitionRules'>> {
  const allowed = input.allowed_next_stage_ids;
  const rules = input.transition_rules;
  if (allowed === undefined && rules === undefined) return {};
  const referenced = [...(allowed ?? []), ...(rules ?? []).map((r) => r.target_stage_id)];
  const found = new Map((await findStagesByIds(db, referenced)).map((s) => [s.stageId, s.businessId]));
  const stageError = (id: string) =>
    id === stageId
      ? 'is this stage itself'
      : !found.has(id)
        ? `is not a stage (${id})`
        : found.get(id) !== businessId
          ? `is a stage of another business (${id})`
          : undefined;
  const errors: Record<string, string> = {};
  if (allowed) {
    const problem = allowed.map((id) => stageError(id)).find(Boolean);
    if (problem)
      errors.allowed_next_stage_ids = problem.startsWith('is this stage')
        ? 'names this stage itself (staying is always allowed)'
        : `names a stage that ${problem}`;
    else if (new Set(allowed).size !== allowed.length) errors.allowed_next_stage_ids = 'names a stage twice';
  }
  const stored: TransitionRuleInput[] = [];
  if (rules) {
    const fields = (await readBusinessFields(db, businessId)) ?? [];
    rules.forEach((rule, i) => {
      const key = `transition_rules.${i}`;
      const targetProblem = stageError(rule.target_stage_id);
      if (targetProblem) {
        errors[key] = `target_stage_id ${targetProblem}`;
        return;
      }
      if (rule.kind !== 'field_equals') {
        stored.push(rule);
        return;
      }
      const field = fields.find((f) => f.name === rule.field);
      if (!field) {
        errors[key] = `field "${rule.field}" is not a field of this business`;
        return;
      }
      const normalised = authoredValue(field, rule.value);
      if ('reason' in normalised) {
        errors[key] =
          `value ${JSON.stringify(rule.value)} for the ${field.type} field "${field.name}" ${normalised.reason}`;
        return;
      }
      stored.push({ ...rule, value: normalised.value });
    });
  }
  if (Object.keys(errors).length > 0)
    throw invalid(`The stage's transitions are invalid: ${Object.values(errors).join('; ')}`, errors);
  return {
    ...(allowed !== undefined ? { allowedNextStageIds: allowed } : {}),
    ...(rules !== undefined ? { transitionRules: stored } : {}),
  };
}

/**
 * checkTransitions in the transaction that writes them, the business row locked first (as a stage
 * delete locks it), so a target stage cannot be deleted between the check and the write.
 */
async function lockedTransitions(
  tx: DbOrTx,
  businessId: string,
  stageId: string | undefined,
  input: StageInput,
) {
  if (input.allowed_next_stage_ids === undefined && input.transition_rules === undefined) return {};
  await lockBusinessStages(tx, businessId);
  return checkTransitions(tx, businessId, stageId, input);
}

/** Every given template must exist in this business and have the type of the role it fills. */
async function checkTemplates(ctx: AppContext, businessId: string, input: StageInput) {
  const given = TEMPLATE_ROLES.flatMap((role) => {
    const id = input[ROLE_FIELDS[role]];
    return id ? [{ role, id }] : [];
  });
  const found = new Map(
    (
      await findTemplatesByIds(
        ctx.db,
        given.map((g) => g.id),
      )
    ).map((t) => [t.templateId, t]),
  );
  const errors: Record<string, string> = {};
  for (const { role, id } of given) {
    const template = found.get(id);
    if (!template || template.businessId !== businessId)
      errors[ROLE_FIELDS[role]] = 'is not a template of this business';
    else if (template.templateType !== role) {
      errors[ROLE_FIELDS[role]] = `must be a ${role} template (this one is ${template.templateType})`;
    }
  }
  if (Object.keys(errors).length > 0) throw invalid('A template does not fit its role in the stage', errors);
  return found;
}

const isUniqueViolation = (error: unknown): boolean => {
  for (let e = error as { code?: unknown; cause?: unknown } | undefined, depth = 0; e && depth < 4; depth++) {
    if (e.code === '23505') return true;
    e = e.cause as typeof e;
  }
  return false;
};

const namesOf = (stage: StageRow, templates: Map<string, TemplateRow>): StageWithTemplateNames => ({
  stage,
  stageSelectionTemplateName: templates.get(stage.stageSelectionTemplateId)?.templateName ?? null,
  dataExtractionTemplateName: templates.get(stage.dataExtractionTemplateId)?.templateName ?? null,
  responseGenerationTemplateName: templates.get(stage.responseGenerationTemplateId)?.templateName ?? null,
});

/** Creates a stage; a role without a template gets a fresh copy of the business's default for it. */
export async function createStage(
  ctx: AppContext,
  principal: Principal,
  businessId: string,
  input: StageInput,
) {
  const quotas = ctx.config.quotas;
  if ((await countStages(ctx.db, businessId)) >= quotas.stages) throw quotaReached('stages', quotas.stages);
  const name = await cleanName(ctx, businessId, input.stage_name ?? '');
  await checkAgent(ctx, businessId, input.agent_id);
  const templates = await checkTemplates(ctx, businessId, input);
  const goals = await checkGoals(ctx, businessId, input);
  const missing = TEMPLATE_ROLES.filter((role) => !input[ROLE_FIELDS[role]]);
  let stage: StageRow;
  try {
    stage = await ctx.db.transaction(async (tx) => {
      const transitions = await lockedTransitions(tx, businessId, undefined, input);
      const defaults = missing.length ? await findDefaultTemplates(tx, businessId) : [];
      const copies = await insertTemplates(
        tx,
        missing.map((role) => {
          // A business that deleted its default falls back to the platform's.
          const source = defaults.find((t) => t.templateType === `default_${role}`);
          return {
            businessId,
            templateName: `${name} — ${roleLabel(role)}`,
            templateType: role,
            content: source?.content ?? DEFAULT_TEMPLATES[role].content,
            systemPrompt: source?.systemPrompt ?? DEFAULT_TEMPLATES[role].systemPrompt,
          };
        }),
      );
      for (const copy of copies) templates.set(copy.templateId, copy);
      const ids = Object.fromEntries(
        TEMPLATE_ROLES.map((role) => [
          COLUMN[role],
          input[ROLE_FIELDS[role]] ?? (copies.find((c) => c.templateType === role) as TemplateRow).templateId,
        ]),
      ) as Pick<NewStage, (typeof COLUMN)[TemplateRole]>;
      const created = await insertStage(tx, {
        businessId,
        stageName: name,
        stageDescription: input.stage_description ?? '',
        stageType: input.stage_type?.trim() || 'conversation',
        agentId: input.agent_id ?? null,
        fallbackReply: input.fallback_reply ?? null,
        handoff: input.handoff ?? false,
        ...goals,
        ...transitions,
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
  } catch (error) {
    if (isUniqueViolation(error)) throw nameTaken(name);
    throw error;
  }
  ctx.bus.publish('stages', businessId);
  if (missing.length) ctx.bus.publish('templates', businessId);
  return serializeStage(namesOf(stage, templates));
}

export async function getStage(ctx: AppContext, stageId: string, scope: string | undefined) {
  const row = await findStageWithNames(ctx.db, stageId, scope);
  if (!row) throw notFound('Stage');
  return serializeStage(row);
}

export async function listBusinessStages(
  ctx: AppContext,
  businessId: string,
  filters: { agent_id?: string },
  page: Page,
) {
  const { rows, total } = await listStages(ctx.db, businessId, { agentId: filters.agent_id }, page);
  return { stages: rows.map(serializeStage), total, page: page.page, per_page: page.perPage };
}

export async function changeStage(
  ctx: AppContext,
  principal: Principal,
  stageId: string,
  scope: string | undefined,
  input: StageInput,
) {
  const current = await findStage(ctx.db, stageId, scope);
  if (!current) throw notFound('Stage');
  const businessId = current.businessId;
  const values: Partial<NewStage> = {};
  if (input.stage_name !== undefined)
    values.stageName = await cleanName(ctx, businessId, input.stage_name, stageId);
  if (input.stage_description !== undefined) values.stageDescription = input.stage_description;
  if (input.stage_type !== undefined) values.stageType = input.stage_type.trim() || 'conversation';
  if (input.fallback_reply !== undefined) values.fallbackReply = input.fallback_reply;
  if (input.handoff !== undefined) values.handoff = input.handoff;
  if (input.agent_id !== undefined) {
    await checkAgent(ctx, businessId, input.agent_id);
    values.agentId = input.agent_id;
  }
  await checkTemplates(ctx, businessId, input);
  Object.assign(values, await checkGoals(ctx, businessId, input, current));
  for (const role of TEMPLATE_ROLES) {
    const id = input[ROLE_FIELDS[role]];
    if (id) values[COLUMN[role]] = id;
  }
  try {
    await ctx.db.transaction(async (tx) => {
      Object.assign(values, await lockedTransitions(tx, businessId, stageId, input));
      const before = await findStageWithNames(tx, stageId, businessId, { forUpdate: true });
      if (!before || !(await updateStage(tx, stageId, values))) throw notFound('Stage');
      const updated = await findStageWithNames(tx, stageId, businessId);
      if (!updated) throw notFound('Stage');
      await recordAudit(tx, actorOf(principal), {
        businessId,
        action: 'update',
        entityType: 'stage',
        entityId: stageId,
        before: serializeStage(before),
        after: serializeStage(updated),
      });
    });
  } catch (error) {
    if (isUniqueViolation(error)) throw nameTaken(values.stageName ?? '');
    throw error;
  }
  ctx.bus.publish('stages', businessId);
  return getStage(ctx, stageId, businessId);
}

/**
 * The entry stage and the last stage cannot go. Conversations in the deleted stage keep going from
 * the entry stage (conversations.stage_id becomes null); the stage's templates stay with the business.
 */
export async function removeStage(
  ctx: AppContext,
  principal: Principal,
  stageId: string,
  scope: string | undefined,
) {
  const current = await findStage(ctx.db, stageId, scope);
  if (!current) throw notFound('Stage');
  await ctx.db.transaction(async (tx) => {
    const state = await lockBusinessStages(tx, current.businessId);
    if (!state) throw notFound('Stage');
    if (state.firstStageId === stageId) {
      throw conflict('This is the business’s entry stage; make another stage the entry stage first', {
        reason: 'entry_stage',
      });
    }
    if (state.stageCount <= 1) {
      throw conflict('A business needs at least one stage; this is its last', { reason: 'last_stage' });
    }
    const before = await findStageWithNames(tx, stageId, current.businessId, { forUpdate: true });
    if (!before || !(await deleteStage(tx, stageId))) throw notFound('Stage');
    const actor = actorOf(principal);
    await recordAudit(tx, actor, {
      businessId: current.businessId,
      action: 'delete',
      entityType: 'stage',
      entityId: stageId,
      before: serializeStage(before),
      after: null,
    });
    // Other stages stop naming it: out of their allowed next stages, their rules to it dropped.
    for (const changed of await dropStageFromTransitions(tx, current.businessId, stageId)) {
      const after = await findStageWithNames(tx, changed.stageId, current.businessId);
      if (!after) continue;
      await recordAudit(tx, actor, {
        businessId: current.businessId,
        action: 'update',
        entityType: 'stage',
        entityId: changed.stageId,
        before: serializeStage({ ...after, stage: changed }),
        after: serializeStage(after),
        details: { removed_stage_id: stageId },
      });
    }
  });
  ctx.bus.publish('stages', current.businessId);
}

export async function listTransitions(ctx: AppContext, businessId: string) {
  const rows = await countTransitions(ctx.db, businessId);
  return {
    transitions: rows.map((row) => ({
      from_stage_id: row.fromStageId,
      to_stage_id: row.toStageId,
      count: Number(row.count),
    })),
  };
}
