import { randomUUID } from 'node:crypto';
import type { AppContext } from '../../context.js';
import type { DbOrTx } from '../../db/client.js';
import type { BusinessSettings } from '../../db/schema.js';
import { conflict, invalid, notFound } from '../../errors.js';
import type { Principal } from '../../lib/principal.js';
import { isModelAllowed } from '../../llm/llm-client.js';
import { actorOf, recordAudit } from '../audit/index.js';
import {
  contentHash,
  loadAllTemplates,
  loadConfigRows,
  PIPELINE_SETTING_KEYS,
  type ReleaseContent,
  releaseContentOf,
} from '../config-cache/index.js';
import { authoredValue, dataMaskFor } from '../fields/index.js';
import {
  exportTestCases,
  importTestCases,
  latestDraftRun,
  validateImportedTestCases,
} from '../golden-tests/index.js';
import { deleteStage, insertStage, updateStage } from '../stages/index.js';
import { deleteTemplate, insertTemplates, updateTemplateAsNewVersion } from '../templates/index.js';
import {
  agentIdsOf,
  findRelease,
  insertRelease,
  latestRelease,
  listReleases,
  lockBusiness,
  type ReleaseRow,
  setBusinessPipeline,
} from './releases.repository.js';
import {
  type Configuration,
  type ConfigurationDiff,
  type ConfigurationExport,
  EXPORT_FORMAT,
  EXPORT_FORMAT_VERSION,
  type Release,
  type ReleaseList,
  type ReleaseStatus,
  type ReleaseSummary,
} from './releases.schemas.js';

const MAX_LISTED = 500;

/** The working draft as release content, read with `db` (a transaction sees its own writes). */
async function readDraft(db: DbOrTx, businessId: string) {
  const [[businessRows, stageRows], templateRows] = await Promise.all([
    loadConfigRows(db, businessId),
    loadAllTemplates(db, businessId),
  ]);
  const business = businessRows[0];
  if (!business) throw notFound('Business');
  return {
    business,
    stages: stageRows,
    templates: templateRows,
    content: releaseContentOf(business, stageRows, templateRows),
  };
}

const contentOf = (row: ReleaseRow) => row.content as unknown as ReleaseContent;

function summaryOf(row: ReleaseRow): ReleaseSummary {
  const content = contentOf(row);
  return {
    number: row.number,
    note: row.note,
    author: row.author,
    created_at: row.createdAt.toISOString(),
    content_hash: row.contentHash,
    restored_from: row.restoredFrom,
    stage_count: content.stages.length,
    template_count: content.templates.length,
  };
}

const releaseOf = (row: ReleaseRow): Release => ({ ...summaryOf(row), configuration: contentOf(row) });

/** What the audit log keeps of a release: its summary, not the whole configuration. */
const auditSnapshot = (row: ReleaseRow) => ({ ...summaryOf(row) }) as Record<string, unknown>;

export async function listBusinessReleases(ctx: AppContext, businessId: string): Promise<ReleaseList> {
  const [draft, rows] = await Promise.all([
    readDraft(ctx.db, businessId),
    listReleases(ctx.db, businessId, MAX_LISTED),
  ]);
  const draftHash = contentHash(draft.content);
  const latest = rows[0];
  return {
    releases: rows.map(summaryOf),
    published: latest?.number ?? null,
    draft_changed: latest ? latest.contentHash !== draftHash : true,
    draft_hash: draftHash,
  };
}

export async function releaseStatus(ctx: AppContext, businessId: string): Promise<ReleaseStatus> {
  const [draft, latest, lastRun] = await Promise.all([
    readDraft(ctx.db, businessId),
    latestRelease(ctx.db, businessId),
    latestDraftRun(ctx, businessId),
  ]);
  const hash = contentHash(draft.content);
  return {
    published: latest?.number ?? null,
    published_at: latest?.createdAt.toISOString() ?? null,
    draft_changed: latest ? latest.contentHash !== hash : true,
    last_test_run: lastRun && {
      test_run_id: lastRun.run.test_run_id,
      stage_id: lastRun.run.stage_id,
      passed: lastRun.run.passed,
      failed: lastRun.run.failed,
      total: lastRun.run.total,
      model: lastRun.run.model,
      finished_at: lastRun.run.finished_at,
      draft_changed_since: lastRun.configHash === null ? null : lastRun.configHash !== hash,
    },
  };
}

export async function getRelease(ctx: AppContext, businessId: string, number: number): Promise<Release> {
  const row = await findRelease(ctx.db, businessId, number);
  if (!row) throw notFound(`Release ${number}`);
  return releaseOf(row);
}

/** Freezes the draft as the next release; live traffic switches to it in every process. */
export async function publishRelease(
  ctx: AppContext,
  principal: Principal,
  businessId: string,
  note: string | undefined,
): Promise<Release> {
  const row = await ctx.db.transaction(async (tx) => {
    if (!(await lockBusiness(tx, businessId))) throw notFound('Business');
    const { content } = await readDraft(tx, businessId);
    if (content.stages.length === 0) throw conflict('The draft has no stages: add one before publishing');
    const hash = contentHash(content);
    const latest = await latestRelease(tx, businessId);
    if (latest && latest.contentHash === hash) {
      throw conflict(`The draft equals release ${latest.number}: nothing to publish`, {
        release: latest.number,
      });
    }
    const inserted = await insertRelease(tx, {
      businessId,
      note: note?.trim() ?? '',
      author: actorOf(principal),
      content: content as unknown as Record<string, unknown>,
      contentHash: hash,
      restoredFrom: null,
    });
    await recordAudit(tx, actorOf(principal), {
      businessId,
      action: 'publish',
      entityType: 'release',
      entityId: inserted.releaseId,
      before: latest ? auditSnapshot(latest) : null,
      after: auditSnapshot(inserted),
    });
    return inserted;
  });
  ctx.bus.publish('releases', businessId);
  return releaseOf(row);
}

/** Restoring release N: the draft becomes N's content (new template versions) and is published as a new release. */
export async function restoreRelease(
  ctx: AppContext,
  principal: Principal,
  businessId: string,
  number: number,
  note: string | undefined,
): Promise<Release> {
  const row = await ctx.db.transaction(async (tx) => {
    if (!(await lockBusiness(tx, businessId))) throw notFound('Business');
    const source = await findRelease(tx, businessId, number);
    if (!source) throw notFound(`Release ${number}`);
    const latest = await latestRelease(tx, businessId);
    await applyConfiguration(tx, businessId, contentOf(source));
    const { content } = await readDraft(tx, businessId);
    const inserted = await insertRelease(tx, {
      businessId,
      note: note?.trim() || `Restored release ${number}`,
      author: actorOf(principal),
      content: content as unknown as Record<string, unknown>,
      contentHash: contentHash(content),
      restoredFrom: number,
    });
    await recordAudit(tx, actorOf(principal), {
      businessId,
      action: 'restore',
      entityType: 'release',
      entityId: inserted.releaseId,
      before: latest ? auditSnapshot(latest) : null,
      after: auditSnapshot(inserted),
      details: { restored_release: number },
    });
    return inserted;
  });
  publishDraftChanged(ctx, businessId);
  return releaseOf(row);
}

function publishDraftChanged(ctx: AppContext, businessId: string) {
  ctx.bus.publish('stages', businessId);
  ctx.bus.publish('templates', businessId);
  ctx.bus.publish('releases', businessId);
}

// ---- export / import ---------------------------------------------------------------------------

/** The draft and its test cases; a read-only caller gets the cases' PII values masked. */
export async function exportConfiguration(
  ctx: AppContext,
  principal: Principal,
  businessId: string,
): Promise<ConfigurationExport> {
  const [{ business, content }, cases, mask] = await Promise.all([
    readDraft(ctx.db, businessId),
    exportTestCases(ctx.db, businessId),
    dataMaskFor(ctx, principal, businessId),
  ]);
  const tests = cases.map((c) => ({ ...c, collected_data: mask(c.collected_data) }));
  return {
    format: EXPORT_FORMAT,
    format_version: EXPORT_FORMAT_VERSION,
    exported_at: new Date().toISOString(),
    business: { business_id: business.businessId, business_name: business.businessName },
    configuration: content,
    tests,
  };
}

/** Checks what a schema cannot: references inside the document, unique names, the deployment's limits. */
export function validateConfiguration(ctx: AppContext, configuration: Configuration) {
  const errors: Record<string, string> = {};
  const templates = new Map<string, Configuration['templates'][number]>();
  configuration.templates.forEach((t, i) => {
    if (templates.has(t.template_id)) errors[`configuration.templates[${i}].template_id`] = 'is repeated';
    templates.set(t.template_id, t);
    const limit = ctx.config.prompt.maxTemplateChars;
    if (t.content.length > limit || t.system_prompt.length > limit)
      errors[`configuration.templates[${i}]`] = `is longer than MAX_TEMPLATE_CHARS (${limit})`;
  });
  const stageIds = new Set<string>();
  const names = new Set<string>();
  if (configuration.stages.length === 0) errors['configuration.stages'] = 'must hold at least one stage';
  configuration.stages.forEach((s, i) => {
    if (stageIds.has(s.stage_id)) errors[`configuration.stages[${i}].stage_id`] = 'is repeated';
    stageIds.add(s.stage_id);
    const name = s.stage_name.trim().toLowerCase();
    if (!name) errors[`configuration.stages[${i}].stage_name`] = 'must not be blank';
    else if (names.has(name)) errors[`configuration.stages[${i}].stage_name`] = 'is repeated';
    names.add(name);
    for (const role of ['stage_selection', 'data_extraction', 'response_generation'] as const) {
      const field = `${role}_template_id` as const;
      const template = templates.get(s[field]);
      if (!template) errors[`configuration.stages[${i}].${field}`] = 'is not a template of the document';
      else if (template.template_type !== role)
        errors[`configuration.stages[${i}].${field}`] =
          `must be a ${role} template (this one is ${template.template_type})`;
    }
  });
  const fieldNames = new Set<string>();
  (configuration.fields ?? []).forEach((f, i) => {
    if (fieldNames.has(f.name)) errors[`configuration.fields[${i}].name`] = 'is repeated';
    fieldNames.add(f.name);
    if (f.type === 'enum' && !f.values?.length) errors[`configuration.fields[${i}].values`] = 'must be given';
    if (f.type !== 'enum' && f.values !== undefined)
      errors[`configuration.fields[${i}].values`] = `is not allowed for a ${f.type} field`;
  });
  const fieldsByName = new Map((configuration.fields ?? []).map((f) => [f.name, f]));
  configuration.stages.forEach((s, i) => {
    for (const key of ['required_fields', 'optional_fields'] as const)
      for (const name of s[key] ?? [])
        if (!fieldNames.has(name))
          errors[`configuration.stages[${i}].${key}`] =
            `names "${name}", which is not a field of the document`;
    const allowed = s.allowed_next_stage_ids ?? [];
    if (allowed.some((id) => !stageIds.has(id) || id === s.stage_id))
      errors[`configuration.stages[${i}].allowed_next_stage_ids`] =
        'names a stage that is not another stage of the document';
    else if (new Set(allowed).size !== allowed.length)
      errors[`configuration.stages[${i}].allowed_next_stage_ids`] = 'names a stage twice';
    (s.transition_rules ?? []).forEach((rule, r) => {
      const at = `configuration.stages[${i}].transition_rules[${r}]`;
      if (!stageIds.has(rule.target_stage_id) || rule.target_stage_id === s.stage_id)
        errors[`${at}.target_stage_id`] = 'is not another stage of the document';
      if (rule.kind !== 'field_equals') return;
      const field = fieldsByName.get(rule.field);
      if (!field) errors[`${at}.field`] = `names "${rule.field}", which is not a field of the document`;
      else {
        const checked = authoredValue(field, rule.value);
        if ('reason' in checked) errors[`${at}.value`] = checked.reason;
      }
    });
  });
  if (configuration.entry_stage_id !== null && !stageIds.has(configuration.entry_stage_id))
    errors['configuration.entry_stage_id'] = 'is not a stage of the document';
  const model = configuration.settings.llm_model?.trim();
  if (model && !isModelAllowed(ctx.config, model))
    errors['configuration.settings.llm_model'] = 'is not one of the allowed models (LLM_ALLOWED_MODELS)';
  if (Object.keys(errors).length > 0) throw invalid('The configuration document is not consistent', errors);
}

export async function importConfiguration(
  ctx: AppContext,
  principal: Principal,
  businessId: string,
  document: ConfigurationExport,
) {
  validateConfiguration(ctx, document.configuration);
  const testErrors = validateImportedTestCases(
    document.tests,
    new Set(document.configuration.stages.map((s) => s.stage_id)),
  );
  if (Object.keys(testErrors).length > 0)
    throw invalid('The test cases of the document are not consistent with it', testErrors);
  const result = await ctx.db.transaction(async (tx) => {
    if (!(await lockBusiness(tx, businessId))) throw notFound('Business');
    const before = await readDraft(tx, businessId);
    const stageIds = await applyConfiguration(tx, businessId, document.configuration);
    const tests = await importTestCases(tx, businessId, document.tests, stageIds);
    const after = await readDraft(tx, businessId);
    const latest = await latestRelease(tx, businessId);
    const summary = (content: ReleaseContent) => ({
      content_hash: contentHash(content),
      stages: content.stages.length,
      templates: content.templates.length,
    });
    await recordAudit(tx, actorOf(principal), {
      businessId,
      action: 'import',
      entityType: 'configuration',
      entityId: businessId,
      before: summary(before.content),
      after: summary(after.content),
      details: { format_version: document.format_version, tests },
    });
    return {
      stages: after.content.stages.length,
      templates: after.content.templates.length,
      tests,
      draft_changed: latest ? latest.contentHash !== contentHash(after.content) : true,
      configuration: after.content,
    };
  });
  ctx.bus.publish('stages', businessId);
  ctx.bus.publish('templates', businessId);
  return result;
}

const sameTemplate = (a: Configuration['templates'][number], b: Configuration['templates'][number]) =>
  a.template_name === b.template_name &&
  a.template_type === b.template_type &&
  a.content === b.content &&
  a.system_prompt === b.system_prompt &&
  a.is_default === b.is_default;

/**
 * Makes the draft equal to `configuration` (in the caller's transaction, business locked) and returns
 * the map from the document's stage ids to the draft's (test cases follow it): templates
 * and stages of the draft with the document's ids are updated in place (a changed template gets a
 * new version, so its history goes on), the others are created with fresh ids (a document from
 * another business or installation never takes over foreign rows), and what the document lacks is
 * deleted. Agents of the document that are not this business's are left out of the stage.
 */
async function applyConfiguration(
  tx: DbOrTx,
  businessId: string,
  configuration: ReleaseContent,
): Promise<Map<string, string>> {
  const current = await readDraft(tx, businessId);
  const currentTemplates = new Map(current.content.templates.map((t) => [t.template_id, t]));
  const currentStages = new Map(current.stages.map((s) => [s.stageId, s]));
  const templateId = new Map(
    configuration.templates.map((t) => [
      t.template_id,
      currentTemplates.has(t.template_id) ? t.template_id : randomUUID(),
    ]),
  );
  const stageId = new Map(
    configuration.stages.map((s) => [s.stage_id, currentStages.has(s.stage_id) ? s.stage_id : randomUUID()]),
  );
  const mapped = (map: Map<string, string>, id: string) => map.get(id) as string;

  await insertTemplates(
    tx,
    configuration.templates
      .filter((t) => !currentTemplates.has(t.template_id))
      .map((t) => ({
        templateId: mapped(templateId, t.template_id),
        businessId,
        templateName: t.template_name,
        templateType: t.template_type,
        content: t.content,
        systemPrompt: t.system_prompt,
        isDefault: t.is_default,
      })),
  );
  for (const t of configuration.templates) {
    const existing = currentTemplates.get(t.template_id);
    if (!existing || sameTemplate(existing, t)) continue;
    await updateTemplateAsNewVersion(tx, t.template_id, {
      templateName: t.template_name,
      templateType: t.template_type,
      content: t.content,
      systemPrompt: t.system_prompt,
      isDefault: t.is_default,
    });
  }

  // Stages the document lacks go first, so a kept stage may take over a deleted one's name.
  for (const stage of current.stages) if (!stageId.has(stage.stageId)) await deleteStage(tx, stage.stageId);
  const agents = await agentIdsOf(tx, businessId);
  // Keep the document's order: when the kept stages' creation times would not give it, renumber them all.
  let previous = -Infinity;
  let seenNew = false;
  let inOrder = true;
  for (const s of configuration.stages) {
    const existing = currentStages.get(s.stage_id);
    if (!existing) seenNew = true;
    else if (seenNew || existing.createdAt.getTime() <= previous) inOrder = false;
    else previous = existing.createdAt.getTime();
  }
  const base = Date.now();
  for (const [index, s] of configuration.stages.entries()) {
    const values = {
      agentId: s.agent_id && agents.has(s.agent_id) ? s.agent_id : null,
      stageName: s.stage_name.trim(),
      stageDescription: s.stage_description,
      stageType: s.stage_type,
      stageSelectionTemplateId: mapped(templateId, s.stage_selection_template_id),
      dataExtractionTemplateId: mapped(templateId, s.data_extraction_template_id),
      responseGenerationTemplateId: mapped(templateId, s.response_generation_template_id),
      fallbackReply: s.fallback_reply,
      handoff: s.handoff,
      requiredFields: s.required_fields ?? [],
      optionalFields: s.optional_fields ?? [],
      allowedNextStageIds: s.allowed_next_stage_ids?.map((id) => mapped(stageId, id)) ?? null,
      transitionRules: (s.transition_rules ?? []).map((rule) => ({
        ...rule,
        target_stage_id: mapped(stageId, rule.target_stage_id),
      })),
      ...(inOrder && currentStages.has(s.stage_id) ? {} : { createdAt: new Date(base + index) }),
    };
    if (currentStages.has(s.stage_id)) await updateStage(tx, s.stage_id, values);
    else await insertStage(tx, { stageId: mapped(stageId, s.stage_id), businessId, ...values });
  }
  for (const t of current.content.templates)
    if (!templateId.has(t.template_id)) await deleteTemplate(tx, t.template_id);

  const kept: BusinessSettings = { ...current.business.settings };
  for (const key of PIPELINE_SETTING_KEYS) delete kept[key];
  await setBusinessPipeline(
    tx,
    businessId,
    configuration.entry_stage_id ? mapped(stageId, configuration.entry_stage_id) : null,
    { ...kept, ...configuration.settings },
    configuration.fields ?? [],
  );
  return stageId;
}

// ---- diff ------------------------------------------------------------------------------------

type Side = 'draft' | 'published' | number;

function parseSide(value: string): Side {
  return value === 'draft' || value === 'published' ? value : Number(value);
}

async function contentAt(ctx: AppContext, businessId: string, side: Side) {
  if (side === 'draft') return { label: 'draft', content: (await readDraft(ctx.db, businessId)).content };
  const row =
    side === 'published'
      ? await latestRelease(ctx.db, businessId)
      : await findRelease(ctx.db, businessId, side);
  if (!row) {
    if (!(await loadConfigRows(ctx.db, businessId))[0][0]) throw notFound('Business');
    throw notFound(side === 'published' ? 'A published release' : `Release ${side}`);
  }
  return { label: String(row.number), content: contentOf(row) };
}

function fieldChanges(a: Record<string, unknown>, b: Record<string, unknown>, skip: string) {
  const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].filter((k) => k !== skip).sort();
  return keys
    .filter((k) => JSON.stringify(a[k] ?? null) !== JSON.stringify(b[k] ?? null))
    .map((k) => ({ field: k, from: a[k] ?? null, to: b[k] ?? null }));
}

function diffById<T extends Record<string, unknown>>(from: T[], to: T[], idKey: keyof T, nameKey: keyof T) {
  const before = new Map(from.map((x) => [x[idKey] as string, x]));
  const after = new Map(to.map((x) => [x[idKey] as string, x]));
  const out: {
    id: string;
    name: string;
    change: 'added' | 'removed' | 'changed';
    fields: ReturnType<typeof fieldChanges>;
  }[] = [];
  for (const [id, x] of after) {
    const old = before.get(id);
    if (!old) out.push({ id, name: String(x[nameKey]), change: 'added', fields: [] });
    else {
      const fields = fieldChanges(old, x, idKey as string);
      if (fields.length) out.push({ id, name: String(x[nameKey]), change: 'changed', fields });
    }
  }
  for (const [id, x] of before)
    if (!after.has(id)) out.push({ id, name: String(x[nameKey]), change: 'removed', fields: [] });
  return out;
}

/** Per setting, stage and template: what differs between two sides (draft, the published release, release N). */
export async function diffConfigurations(
  ctx: AppContext,
  businessId: string,
  fromValue: string,
  toValue: string,
): Promise<ConfigurationDiff> {
  const [from, to] = await Promise.all([
    contentAt(ctx, businessId, parseSide(fromValue)),
    contentAt(ctx, businessId, parseSide(toValue)),
  ]);
  const settings = fieldChanges(
    {
      ...from.content.settings,
      entry_stage_id: from.content.entry_stage_id,
      fields: from.content.fields ?? [],
    },
    { ...to.content.settings, entry_stage_id: to.content.entry_stage_id, fields: to.content.fields ?? [] },
    '',
  );
  const stages = diffById(
    from.content.stages as unknown as Record<string, unknown>[],
    to.content.stages as unknown as Record<string, unknown>[],
    'stage_id',
    'stage_name',
  ).map(({ id, name, ...rest }) => ({ stage_id: id, stage_name: name, ...rest }));
  const templates = diffById(
    from.content.templates as unknown as Record<string, unknown>[],
    to.content.templates as unknown as Record<string, unknown>[],
    'template_id',
    'template_name',
  ).map(({ id, name, ...rest }) => ({ template_id: id, template_name: name, ...rest }));
  return {
    from: from.label,
    to: to.label,
    changed: settings.length + stages.length + templates.length > 0,
    settings,
    stages,
    templates,
  };
}
