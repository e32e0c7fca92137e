import { type Static, Type } from '@sinclair/typebox';
import { Nullable, Uuid } from '../../lib/schemas.js';

export const MessageBody = Type.Object(
  {
    business_id: Type.Optional(Uuid),
    content: Type.Optional(Type.String({ maxLength: 100_000 })),
    message: Type.Optional(Type.String({ maxLength: 100_000, description: 'Alias of content' })),
    user_id: Type.Optional(Uuid),
    conversation_id: Type.Optional(Uuid),
    external_message_id: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    channel: Type.Optional(
      Type.Union([Type.Literal('api'), Type.Literal('simulator')], {
        description:
          'Where the message comes from: `api` (default) for a business integration, `simulator` for the dashboard, so test chats are told apart from customers',
      }),
    ),
    configuration: Type.Optional(
      Type.Union([Type.Literal('published'), Type.Literal('draft')], {
        description:
          'Which configuration answers: `published` (default: the latest release, or the draft while nothing is published) or `draft` (the working draft; only with `channel: simulator`)',
      }),
    ),
  },
  { $id: 'MessageBody', additionalProperties: false },
);

export const ProcessingStep = Type.Object(
  {
    step: Type.Union([
      Type.Literal('stage_selection'),
      Type.Literal('data_extraction'),
      Type.Literal('response_generation'),
    ]),
    template_id: Nullable(Type.String()),
    template_name: Nullable(Type.String()),
    prompt: Type.String(),
    system_prompt: Type.String(),
    response: Type.String(),
    latency_ms: Type.Integer(),
    skipped: Type.Boolean(),
    engine: Type.Union([Type.Literal('llm'), Type.Literal('offline')]),
    provider: Nullable(Type.String()),
    model: Nullable(Type.String()),
    tokens_in: Type.Integer(),
    tokens_out: Type.Integer(),
    cost_usd: Type.Number(),
    status: Type.Union([Type.Literal('success'), Type.Literal('error'), Type.Literal('skipped')]),
    error: Type.Optional(Type.String()),
    reused: Type.Optional(Type.Boolean()),
    missing_variables: Type.Optional(Type.Array(Type.String())),
    transition_reason: Type.Optional(
      Type.String({
        description:
          'Stage selection: the transition rule that decided the stage instead of the model (`rule:<label or kind>`); before the model, the step did not call it; after extraction, its answer was discarded',
      }),
    ),
    disallowed_stage: Type.Optional(
      Type.String({
        description:
          'Stage selection: the model chose this stage, which is not allowed to follow the current one, so the conversation stayed',
      }),
    ),
    rejected_values: Type.Optional(
      Type.Array(Type.Object({ field: Type.String(), value: Type.Unknown(), reason: Type.String() }), {
        description:
          'Typed extraction: values the model gave that are not valid for their field (dropped), with why',
      }),
    ),
  },
  { $id: 'ProcessingStep' },
);

export const MessageResponse = Type.Object(
  {
    success: Type.Boolean(),
    response: Nullable(Type.String()),
    conversation_id: Uuid,
    user_id: Uuid,
    message_id: Uuid,
    response_id: Nullable(Uuid),
    stage_id: Nullable(Uuid),
    stage_name: Nullable(Type.String()),
    previous_stage_id: Nullable(Uuid),
    extracted_data: Type.Record(Type.String(), Type.Unknown()),
    fallback: Type.Boolean(),
    engine: Type.Union([Type.Literal('llm'), Type.Literal('offline')]),
    ai_stopped: Type.Boolean(),
    duplicate: Type.Boolean({
      description: 'true when this is the stored answer to a repeated external_message_id',
    }),
    stage_complete: Type.Optional(
      Type.Boolean({
        description:
          'Whether the stage the conversation is in now has all its required fields (true when it requires none); absent when the message was not answered',
      }),
    ),
    processing_steps: Type.Array(ProcessingStep),
  },
  { $id: 'MessageResponse' },
);

export type MessageBody = Static<typeof MessageBody>;
/** One entry of `processing_steps`: what ran, with which prompt, what came back, how long it took. */
export type ProcessingStep = Static<typeof ProcessingStep>;
export type MessageResponse = Static<typeof MessageResponse>;
