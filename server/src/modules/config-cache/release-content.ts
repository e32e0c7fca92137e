import { createHash } from 'node:crypto';
import type { BusinessSettings, FieldDefinition, TransitionRule } from '../../db/schema.js';
import type { BusinessRow, StageRow, TemplateRow } from './config-cache.repository.js';

/*
 * A release's content: the part of a business's configuration the pipeline reads, frozen. The same
 * shape is the `configuration` of an export document (releases module), so an export, a release and
 * the draft compare field by field. Ids are the draft's ids at the time of the snapshot.
 */

/** The business settings a turn reads. `llm_budget_usd` is spending control, not content: it stays live. */
export const PIPELINE_SETTING_KEYS = [
  'fallback_reply',
  'llm_model',
  'llm_provider',
  'llm_temperature',
  'history_limit',
  'handoff_message',
] as const;
export type PipelineSettings = Pick<BusinessSettings, (typeof PIPELINE_SETTING_KEYS)[number]>;

export interface ReleaseStage {
  stage_id: string;
  stage_name: string;
  stage_description: string;
  stage_type: string;
  agent_id: string | null;
  stage_selection_template_id: string;
  data_extraction_template_id: string;
  response_generation_template_id: string;
  fallback_reply: string | null;
  handoff: boolean;
  /** Field names the stage must collect; absent when none (so content from before fields hashes the same). */
  required_fields?: string[];
  /** Field names the stage may collect; absent when none. */
  optional_fields?: string[];
  /** Stages that may follow; absent = any (null in the draft). `[]` (none but this one) is kept. */
  allowed_next_stage_ids?: string[];
  /** Transition rules in order; absent when none. */
  transition_rules?: TransitionRule[];
}

export interface ReleaseTemplate {
  template_id: string;
  template_name: string;
  template_type: string;
  content: string;
  system_prompt: string;
  is_default: boolean;
}

export interface ReleaseContent {
  settings: PipelineSettings;
  /** businesses.first_stage_id (null: the oldest stage). */
  entry_stage_id: string | null;
  /** In the draft's order (created_at, then id). */
  stages: ReleaseStage[];
  /** Every template of the business, ordered by id. */
  templates: ReleaseTemplate[];
  /** The business's typed fields in their order; absent when none. */
  fields?: FieldDefinition[];
}

export function pipelineSettingsOf(settings: BusinessSettings): PipelineSettings {
  const out: Record<string, unknown> = {};
  for (const key of PIPELINE_SETTING_KEYS) if (settings[key] !== undefined) out[key] = settings[key];
  return out as PipelineSettings;
}

export function releaseStageOf(stage: StageRow): ReleaseStage {
  return {
    stage_id: stage.stageId,
    stage_name: stage.stageName,
    stage_description: stage.stageDescription,
    stage_type: stage.stageType,
    agent_id: stage.agentId,
    stage_selection_template_id: stage.stageSelectionTemplateId,
    data_extraction_template_id: stage.dataExtractionTemplateId,
    response_generation_template_id: stage.responseGenerationTemplateId,
    fallback_reply: stage.fallbackReply,
    handoff: stage.handoff,
    ...(stage.requiredFields.length ? { required_fields: stage.requiredFields } : {}),
    ...(stage.optionalFields.length ? { optional_fields: stage.optionalFields } : {}),
    ...(stage.allowedNextStageIds ? { allowed_next_stage_ids: stage.allowedNextStageIds } : {}),
    ...(stage.transitionRules.length ? { transition_rules: stage.transitionRules } : {}),
  };
}

export function releaseTemplateOf(template: TemplateRow): ReleaseTemplate {
  return {
    template_id: template.templateId,
    template_name: template.templateName,
    template_type: template.templateType,
    content: template.content,
    system_prompt: template.systemPrompt,
    is_default: template.isDefault,
  };
}

/** The draft as release content. */
export function releaseContentOf(
  business: BusinessRow,
  stages: StageRow[],
  templates: TemplateRow[],
): ReleaseContent {
  return {
    settings: pipelineSettingsOf(business.settings),
    entry_stage_id: business.firstStageId,
    stages: stages.map(releaseStageOf),
    templates: [...templates]
      .sort((a, b) => (a.templateId < b.templateId ? -1 : a.templateId > b.templateId ? 1 : 0))
      .map(releaseTemplateOf),
    ...(business.fields.length ? { fields: business.fields } : {}),
  };
}

/** JSON with sorted object keys: equal content, equal text, whatever order the keys were built in. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** SHA-256 of the canonical JSON: two releases (or a release and the draft) with one hash are the same. */
export function contentHash(content: ReleaseContent): string {
  return createHash('sha256').update(canonicalJson(content)).digest('hex');
}

/** What still exists in the draft: a release never makes the pipeline write an id whose row is gone. */
export interface LiveIds {
  stageIds: ReadonlySet<string>;
  templateIds: ReadonlySet<string>;
  agentIds: ReadonlySet<string>;
}

/**
 * Rows the pipeline can use, built from a release. The business row is the live one (profile, budget)
 * with the release's pipeline settings and entry stage. A stage deleted from the draft since (or one
 * whose template was) leaves live traffic at once: conversations, messages and LLM calls reference
 * stage and template rows, and restoring the release brings it back.
 */
export function releaseRows(
  business: BusinessRow,
  content: ReleaseContent,
  createdAt: Date,
  live: LiveIds,
): { business: BusinessRow; stages: StageRow[]; templates: TemplateRow[] } {
  const templates: TemplateRow[] = content.templates
    .filter((t) => live.templateIds.has(t.template_id))
    .map((t) => ({
      templateId: t.template_id,
      businessId: business.businessId,
      templateName: t.template_name,
      templateType: t.template_type,
      content: t.content,
      systemPrompt: t.system_prompt,
      isDefault: t.is_default,
      version: 0,
      createdAt,
      updatedAt: createdAt,
    }));
  const templateIds = new Set(templates.map((t) => t.templateId));
  const stages: StageRow[] = content.stages
    .filter(
      (s) =>
        live.stageIds.has(s.stage_id) &&
        templateIds.has(s.stage_selection_template_id) &&
        templateIds.has(s.data_extraction_template_id) &&
        templateIds.has(s.response_generation_template_id),
    )
    .map((s) => ({
      stageId: s.stage_id,
      businessId: business.businessId,
      agentId: s.agent_id && live.agentIds.has(s.agent_id) ? s.agent_id : null,
      stageName: s.stage_name,
      stageDescription: s.stage_description,
      stageType: s.stage_type,
      stageSelectionTemplateId: s.stage_selection_template_id,
      dataExtractionTemplateId: s.data_extraction_template_id,
      responseGenerationTemplateId: s.response_generation_template_id,
      fallbackReply: s.fallback_reply,
      handoff: s.handoff,
      requiredFields: s.required_fields ?? [],
      optionalFields: s.optional_fields ?? [],
      allowedNextStageIds: s.allowed_next_stage_ids ?? null,
      transitionRules: s.transition_rules ?? [],
      createdAt,
      updatedAt: createdAt,
    }));
  const { llm_budget_usd } = business.settings;
  return {
    business: {
      ...business,
      firstStageId: content.entry_stage_id,
      fields: content.fields ?? [],
      settings: { ...content.settings, ...(llm_budget_usd !== undefined ? { llm_budget_usd } : {}) },
    },
    stages,
    templates,
  };
}
