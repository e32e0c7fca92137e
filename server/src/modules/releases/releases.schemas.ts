import { type Static, Type } from '@sinclair/typebox';
import { Nullable, Timestamp, Uuid } from '../../lib/schemas.js';
import { Field, FieldName } from '../fields/index.js';
import { ExportedTestCase } from '../golden-tests/index.js';
import { TransitionRule } from '../stages/index.js';
import { TemplateTypeOutput } from '../templates/index.js';

/*
 * Releases (published snapshots of a business's configuration) and the export document. The
 * `configuration` object is the same in a release, an export and an import: see ReleaseContent in
 * modules/config-cache/release-content.ts.
 */

/** Version of the export document's format; an import refuses any other. */
export const EXPORT_FORMAT = 'icmp-configuration';
export const EXPORT_FORMAT_VERSION = 1;

const Name = Type.String({ minLength: 1, maxLength: 200 });

export const ConfigurationSettings = Type.Object(
  {
    fallback_reply: Type.Optional(Type.String({ maxLength: 2000 })),
    llm_model: Type.Optional(Type.String({ maxLength: 200 })),
    llm_provider: Type.Optional(Type.Union([Type.Literal('openai'), Type.Literal('anthropic')])),
    llm_temperature: Type.Optional(Type.Number({ minimum: 0, maximum: 2 })),
    history_limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200 })),
    handoff_message: Type.Optional(Type.String({ maxLength: 1000 })),
  },
  {
    $id: 'ConfigurationSettings',
    additionalProperties: false,
    description: 'The business settings a turn reads (the LLM budget is not part of a release)',
  },
);

export const ConfigurationStage = Type.Object(
  {
    stage_id: Uuid,
    stage_name: Name,
    stage_description: Type.String({ maxLength: 5000 }),
    stage_type: Type.String({ minLength: 1, maxLength: 100 }),
    agent_id: Nullable(Uuid),
    stage_selection_template_id: Uuid,
    data_extraction_template_id: Uuid,
    response_generation_template_id: Uuid,
    fallback_reply: Nullable(Type.String({ maxLength: 2000 })),
    handoff: Type.Boolean(),
    required_fields: Type.Optional(Type.Array(FieldName, { maxItems: 100, description: 'Absent: none' })),
    optional_fields: Type.Optional(Type.Array(FieldName, { maxItems: 100, description: 'Absent: none' })),
    allowed_next_stage_ids: Type.Optional(
      Type.Array(Uuid, { maxItems: 100, description: 'Stages of the document that may follow; absent: any' }),
    ),
    transition_rules: Type.Optional(
      Type.Array(TransitionRule, {
        maxItems: 50,
        description: 'In order; targets are stages of the document; absent: none',
      }),
    ),
  },
  { $id: 'ConfigurationStage', additionalProperties: false },
);

export const ConfigurationTemplate = Type.Object(
  {
    template_id: Uuid,
    template_name: Name,
    template_type: TemplateTypeOutput,
    content: Type.String({ minLength: 1, maxLength: 100_000 }),
    system_prompt: Type.String({ maxLength: 50_000 }),
    is_default: Type.Boolean(),
  },
  { $id: 'ConfigurationTemplate', additionalProperties: false },
);

export const Configuration = Type.Object(
  {
    settings: ConfigurationSettings,
    entry_stage_id: Nullable(Uuid),
    stages: Type.Array(ConfigurationStage, { maxItems: 500 }),
    templates: Type.Array(ConfigurationTemplate, { maxItems: 2000 }),
    fields: Type.Optional(Type.Array(Field, { maxItems: 100, description: 'Typed fields; absent: none' })),
  },
  {
    $id: 'Configuration',
    additionalProperties: false,
    description:
      'A business configuration: pipeline settings, entry stage (null: the oldest stage), stages in order, every template',
  },
);
export type Configuration = Static<typeof Configuration>;

const ActorSchema = Type.Object({
  type: Type.Union([Type.Literal('account'), Type.Literal('api_key'), Type.Literal('master')]),
  id: Nullable(Type.String()),
  name: Type.String(),
});

export const ReleaseSummary = Type.Object(
  {
    number: Type.Integer({ minimum: 1 }),
    note: Type.String(),
    author: ActorSchema,
    created_at: Timestamp,
    content_hash: Type.String({ description: 'SHA-256 of the canonical JSON of the configuration' }),
    restored_from: Nullable(Type.Integer({ description: 'The release this one restored' })),
    stage_count: Type.Integer(),
    template_count: Type.Integer(),
  },
  { $id: 'ReleaseSummary' },
);
export type ReleaseSummary = Static<typeof ReleaseSummary>;

export const Release = Type.Object(
  {
    ...ReleaseSummary.properties,
    configuration: Configuration,
  },
  { $id: 'Release' },
);
export type Release = Static<typeof Release>;

export const ReleaseList = Type.Object(
  {
    releases: Type.Array(ReleaseSummary, { description: 'Newest first' }),
    published: Nullable(
      Type.Integer({
        description: 'The release live traffic uses; null: none yet, live traffic uses the draft',
      }),
    ),
    draft_changed: Type.Boolean({
      description: 'Whether the draft differs from the published release (true while nothing is published)',
    }),
    draft_hash: Type.String(),
  },
  { $id: 'ReleaseList' },
);
export type ReleaseList = Static<typeof ReleaseList>;

export const ReleaseStatus = Type.Object(
  {
    published: Nullable(Type.Integer()),
    published_at: Nullable(Timestamp),
    draft_changed: Type.Boolean(),
    last_test_run: Type.Union(
      [
        Type.Object({
          test_run_id: Uuid,
          stage_id: Nullable(Uuid),
          passed: Type.Integer(),
          failed: Type.Integer(),
          total: Type.Integer(),
          model: Nullable(Type.String()),
          finished_at: Nullable(Timestamp),
          draft_changed_since: Nullable(
            Type.Boolean({
              description:
                'The draft differs from what the run tested (null: a run from before this was recorded)',
            }),
          ),
        }),
        Type.Null(),
      ],
      {
        description:
          'The newest completed test run of the draft: publishing warns when cases failed or the draft changed since',
      },
    ),
  },
  { $id: 'ReleaseStatus' },
);
export type ReleaseStatus = Static<typeof ReleaseStatus>;

export const PublishBody = Type.Object(
  { note: Type.Optional(Type.String({ maxLength: 2000 })) },
  { $id: 'PublishBody', additionalProperties: false },
);

export const RestoreBody = Type.Object(
  { note: Type.Optional(Type.String({ maxLength: 2000 })) },
  { $id: 'RestoreBody', additionalProperties: false },
);

const Side = Type.String({
  pattern: '^(draft|published|[1-9][0-9]{0,8})$',
  description: '`draft`, `published` or a release number',
});

export const DiffQuery = Type.Object(
  {
    from: Type.Optional({ ...Side, default: 'published' }),
    to: Type.Optional({ ...Side, default: 'draft' }),
  },
  { additionalProperties: false },
);

const Change = Type.Union([Type.Literal('added'), Type.Literal('removed'), Type.Literal('changed')]);
const FieldChange = Type.Object({
  field: Type.String(),
  from: Type.Unknown(),
  to: Type.Unknown(),
});

export const ConfigurationDiff = Type.Object(
  {
    from: Type.String({ description: 'draft, or the release number' }),
    to: Type.String(),
    changed: Type.Boolean(),
    settings: Type.Array(FieldChange, {
      description: 'Changed pipeline settings, the entry stage and the typed fields (`fields`)',
    }),
    stages: Type.Array(
      Type.Object({
        stage_id: Uuid,
        stage_name: Type.String(),
        change: Change,
        fields: Type.Array(FieldChange),
      }),
    ),
    templates: Type.Array(
      Type.Object({
        template_id: Uuid,
        template_name: Type.String(),
        change: Change,
        fields: Type.Array(FieldChange),
      }),
    ),
  },
  { $id: 'ConfigurationDiff' },
);
export type ConfigurationDiff = Static<typeof ConfigurationDiff>;

export const ConfigurationExport = Type.Object(
  {
    format: Type.Literal(EXPORT_FORMAT),
    format_version: Type.Literal(EXPORT_FORMAT_VERSION, {
      description: 'Bumped on any incompatible change; an import refuses other versions',
    }),
    exported_at: Type.Optional(Timestamp),
    business: Type.Optional(
      Type.Object(
        { business_id: Uuid, business_name: Type.String() },
        { description: 'Where it came from (information only; an import ignores it)' },
      ),
    ),
    configuration: Configuration,
    tests: Type.Array(ExportedTestCase, {
      maxItems: 2000,
      description:
        "The business's golden test cases, oldest first; an import replaces the draft's cases with these",
    }),
  },
  { $id: 'ConfigurationExport', additionalProperties: false },
);
export type ConfigurationExport = Static<typeof ConfigurationExport>;

export const ImportResult = Type.Object(
  {
    stages: Type.Integer(),
    templates: Type.Integer(),
    tests: Type.Integer({ description: 'Test cases the draft now has (the document’s)' }),
    draft_changed: Type.Boolean(),
    configuration: Configuration,
  },
  { $id: 'ImportResult' },
);
