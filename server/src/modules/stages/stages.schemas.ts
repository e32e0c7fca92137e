import { type Static, Type } from '@sinclair/typebox';
import { Nullable, PageQuery, Timestamp, Uuid } from '../../lib/schemas.js';
import { FieldName } from '../fields/index.js';

const RuleTarget = Type.String({
  format: 'uuid',
  description: 'The stage this rule moves to (same business, not this stage)',
});
const RuleLabel = Type.Optional(
  Type.String({
    minLength: 1,
    maxLength: 200,
    description: 'Shown on the flow edge; recorded as the transition reason',
  }),
);

/** Rules are evaluated in order before the selection model; the first that holds moves the conversation. */
export const TransitionRule = Type.Union(
  [
    Type.Object(
      { kind: Type.Literal('complete'), target_stage_id: RuleTarget, label: RuleLabel },
      { additionalProperties: false, description: 'When every required field of the stage is collected' },
    ),
    Type.Object(
      {
        kind: Type.Literal('field_equals'),
        field: FieldName,
        value: Type.Union([Type.String({ maxLength: 200 }), Type.Number(), Type.Boolean()], {
          description: 'Of the field’s type (an enum value of the field, a number, a boolean, …)',
        }),
        target_stage_id: RuleTarget,
        label: RuleLabel,
      },
      { additionalProperties: false, description: 'When a collected field has this value' },
    ),
    Type.Object(
      { kind: Type.Literal('asks_for_human'), target_stage_id: RuleTarget, label: RuleLabel },
      { additionalProperties: false, description: 'When the customer asks for a person' },
    ),
  ],
  { $id: 'TransitionRule' },
);
export type TransitionRuleInput = Static<typeof TransitionRule>;

const AllowedNextStageIds = Nullable(
  Type.Array(Uuid, {
    maxItems: 100,
    description:
      'Stages the selection step may move to (besides staying): null = any stage of the business, [] = none',
  }),
);
const TransitionRules = Type.Array(TransitionRule, {
  maxItems: 50,
  description:
    'Ordered rules evaluated before the selection model; the first that holds moves the conversation',
});

export const Stage = Type.Object(
  {
    stage_id: Uuid,
    business_id: Uuid,
    agent_id: Nullable(Uuid),
    stage_name: Type.String(),
    stage_description: Type.String(),
    stage_type: Type.String(),
    stage_selection_template_id: Uuid,
    data_extraction_template_id: Uuid,
    response_generation_template_id: Uuid,
    stage_selection_template_name: Nullable(Type.String()),
    data_extraction_template_name: Nullable(Type.String()),
    response_generation_template_name: Nullable(Type.String()),
    fallback_reply: Nullable(Type.String({ description: 'Reply the offline engine gives in this stage' })),
    handoff: Type.Boolean({
      description:
        'Entering this stage hands the conversation to the team: after its reply the AI stops and the conversation waits',
    }),
    required_fields: Type.Array(Type.String(), {
      description: 'Names of the business’s fields this stage must collect (its goal)',
    }),
    optional_fields: Type.Array(Type.String(), {
      description: 'Names of the business’s fields this stage may collect',
    }),
    allowed_next_stage_ids: AllowedNextStageIds,
    transition_rules: TransitionRules,
    created_at: Timestamp,
    updated_at: Timestamp,
  },
  { $id: 'Stage' },
);

const Name = Type.String({ minLength: 1, maxLength: 200 });
const Description = Type.String({ maxLength: 5000 });
const StageType = Type.String({ minLength: 1, maxLength: 100, description: 'Free-form, e.g. conversation' });
const FallbackReply = Nullable(Type.String({ maxLength: 2000 }));
const Handoff = Type.Boolean({ description: 'Hand the conversation to the team on entering this stage' });
const FieldNames = Type.Array(Type.String({ minLength: 1, maxLength: 64 }), {
  maxItems: 100,
  description: 'Names of fields of the business',
});

export const CreateStageBody = Type.Object(
  {
    business_id: Type.Optional(Uuid),
    stage_name: Name,
    stage_description: Type.Optional(Description),
    stage_type: Type.Optional(StageType),
    agent_id: Type.Optional(Nullable(Uuid)),
    stage_selection_template_id: Type.Optional(Uuid),
    data_extraction_template_id: Type.Optional(Uuid),
    response_generation_template_id: Type.Optional(Uuid),
    fallback_reply: Type.Optional(FallbackReply),
    handoff: Type.Optional(Handoff),
    required_fields: Type.Optional(FieldNames),
    optional_fields: Type.Optional(FieldNames),
    allowed_next_stage_ids: Type.Optional(AllowedNextStageIds),
    transition_rules: Type.Optional(TransitionRules),
  },
  { $id: 'CreateStageBody', additionalProperties: false },
);

export const UpdateStageBody = Type.Object(
  {
    stage_name: Type.Optional(Name),
    stage_description: Type.Optional(Description),
    stage_type: Type.Optional(StageType),
    agent_id: Type.Optional(Nullable(Uuid)),
    stage_selection_template_id: Type.Optional(Uuid),
    data_extraction_template_id: Type.Optional(Uuid),
    response_generation_template_id: Type.Optional(Uuid),
    fallback_reply: Type.Optional(FallbackReply),
    handoff: Type.Optional(Handoff),
    required_fields: Type.Optional(FieldNames),
    optional_fields: Type.Optional(FieldNames),
    allowed_next_stage_ids: Type.Optional(AllowedNextStageIds),
    transition_rules: Type.Optional(TransitionRules),
  },
  { $id: 'UpdateStageBody', additionalProperties: false, minProperties: 1 },
);

export const ListStagesQuery = Type.Object({
  business_id: Type.Optional(Uuid),
  agent_id: Type.Optional(Uuid),
  ...PageQuery,
});

export const StageTransitionCounts = Type.Object(
  {
    transitions: Type.Array(
      Type.Object({
        from_stage_id: Nullable(Uuid),
        to_stage_id: Nullable(Uuid),
        count: Type.Integer(),
      }),
    ),
  },
  { $id: 'StageTransitionCounts' },
);
export type Stage = Static<typeof Stage>;
