import { Type } from '@sinclair/typebox';
import { Nullable, Timestamp, Uuid } from '../../lib/schemas.js';

export const DEFAULT_RANGE_DAYS = 30;
export const MAX_RANGE_DAYS = 366;
export const MAX_FILL_RATE_KEYS = 20;

export const OverviewQuery = Type.Object({
  business_id: Type.Optional(Uuid),
  from: Type.Optional(
    Type.String({
      format: 'date-time',
      description: `Start of the range (default: ${DEFAULT_RANGE_DAYS} days before \`to\`)`,
    }),
  ),
  to: Type.Optional(Type.String({ format: 'date-time', description: 'End of the range (default: now)' })),
  include_simulator: Type.Optional(
    Type.Boolean({
      default: false,
      description: "Count the dashboard simulator's test conversations too (default: left out)",
    }),
  ),
});

const Count = Type.Integer({ minimum: 0 });

const Totals = Type.Object({
  conversations: Type.Integer({
    minimum: 0,
    description: 'Conversations started in the range or with a message in it',
  }),
  new_conversations: Type.Integer({
    minimum: 0,
    description: 'Conversations started (start_time) in the range',
  }),
  active_conversations: Type.Integer({
    minimum: 0,
    description: 'Conversations with a message in the range',
  }),
  messages: Count,
  user_messages: Count,
  assistant_messages: Count,
  agent_messages: Count,
  users: Type.Integer({ minimum: 0, description: 'Distinct customers of the counted conversations' }),
  fallback_replies: Type.Integer({
    minimum: 0,
    description: 'Assistant replies that were the fallback text',
  }),
  ai_stopped_messages: Type.Integer({
    minimum: 0,
    description: 'Customer messages stored but not answered because the AI was stopped',
  }),
});

const Day = Type.Object({
  date: Type.String({ format: 'date', description: 'UTC day, YYYY-MM-DD' }),
  conversations: Type.Integer({ minimum: 0, description: 'Conversations started that day' }),
  messages: Count,
  llm_calls: Count,
  errors: Type.Integer({ minimum: 0, description: 'LLM calls that failed' }),
});

const FunnelStage = Type.Object({
  stage_id: Uuid,
  stage_name: Type.String(),
  conversations_entered: Type.Integer({
    minimum: 0,
    description:
      'Distinct conversations that moved into the stage in the range, or whose first processed customer message (in the range) was handled in it',
  }),
  conversations_current: Type.Integer({ minimum: 0, description: 'Counted conversations now in the stage' }),
  transitions_in: Count,
  transitions_out: Count,
});

const LlmStep = Type.Object({
  call_type: Type.String(),
  calls: Count,
  errors: Count,
  p50_ms: Nullable(Type.Number({ description: 'Estimated from the latency histogram (see latency_ms)' })),
  p95_ms: Nullable(Type.Number({ description: 'Estimated from the latency histogram (see latency_ms)' })),
  tokens_in: Count,
  tokens_out: Count,
  cost_usd: Type.Number(),
});

const LlmSummary = Type.Object({
  calls: Type.Integer({
    minimum: 0,
    description: 'Every logged call, speculative ones that were discarded included',
  }),
  errors: Count,
  error_rate: Type.Number({ minimum: 0, maximum: 1, description: 'errors / calls (0 without calls)' }),
  latency_ms: Type.Object(
    {
      p50: Nullable(Type.Number()),
      p95: Nullable(Type.Number()),
      p99: Nullable(Type.Number()),
    },
    {
      description:
        'Percentiles (as percentile_cont) estimated from daily latency histograms with buckets 5 % wide: ' +
        'exact below 21 ms, otherwise within 5 %; null without calls',
    },
  ),
  tokens_in: Count,
  tokens_out: Count,
  cost_usd: Type.Number(),
  per_step: Type.Array(LlmStep, { description: 'One entry per call_type, most calls first' }),
});

const Extraction = Type.Object({
  messages_with_facts: Type.Integer({
    minimum: 0,
    description: 'Messages from which data was extracted in the range',
  }),
  fill_rates: Type.Array(
    Type.Object({
      key: Type.String(),
      conversations: Type.Integer({
        minimum: 0,
        description: 'Counted conversations whose collected_data has the key',
      }),
      rate: Type.Number({ minimum: 0, maximum: 1, description: 'conversations / totals.conversations' }),
    }),
    { description: `The ${MAX_FILL_RATE_KEYS} most frequent collected_data keys` },
  ),
});

export const AnalyticsOverview = Type.Object(
  {
    business_id: Uuid,
    from: Timestamp,
    to: Timestamp,
    totals: Totals,
    per_day: Type.Array(Day, { description: 'Every UTC day of the range, oldest first, zero-filled' }),
    stage_funnel: Type.Array(FunnelStage, {
      description: 'Every stage of the business, the first stage first',
    }),
    llm: LlmSummary,
    extraction: Extraction,
  },
  { $id: 'AnalyticsOverview', description: 'Analytics of one business over a time range' },
);

/** A conversation that stopped in a stage is a drop-off once it has been quiet this long (or closed). */
export const DROP_OFF_QUIET_HOURS = 24;

const StageInsight = Type.Object({
  stage_id: Uuid,
  stage_name: Type.String(),
  required_fields: Type.Array(Type.String(), { description: 'The fields the stage must collect' }),
  entries: Type.Integer({
    minimum: 0,
    description:
      'Conversations that entered the stage in the range (a transition into it, or their first ' +
      'customer message handled there)',
  }),
  completions: Type.Integer({
    minimum: 0,
    description:
      'Of those, the ones that moved on to another stage by `to`, or hold every required field of the stage',
  }),
  completion_rate: Type.Number({ minimum: 0, maximum: 1, description: 'completions / entries (0 without)' }),
  median_seconds_to_complete: Nullable(
    Type.Number({
      minimum: 0,
      description:
        'From entering to moving on (or to the extraction that completed the required fields); null without',
    }),
  ),
  drop_offs: Type.Integer({
    minimum: 0,
    description: `Entries not completed whose conversation is still in the stage and closed or quiet for ${DROP_OFF_QUIET_HOURS} hours before \`to\``,
  }),
  drop_off_rate: Type.Number({ minimum: 0, maximum: 1, description: 'drop_offs / entries (0 without)' }),
  missing_fields: Type.Array(
    Type.Object({
      name: Type.String(),
      label: Type.String({ description: 'The field’s label (its name when the field no longer exists)' }),
      conversations: Type.Integer({ minimum: 0, description: 'Drop-offs without a value for it' }),
    }),
    { description: 'Required fields absent at drop-off, most often missing first' },
  ),
});

export const StageAnalytics = Type.Object(
  {
    business_id: Uuid,
    from: Timestamp,
    to: Timestamp,
    quiet_hours: Type.Integer({
      description: 'The quiet time after which a stopped conversation dropped off',
    }),
    stages: Type.Array(StageInsight, { description: 'Every stage of the business, the first stage first' }),
  },
  { $id: 'StageAnalytics', description: 'Per stage: completion, time to complete, drop-off, missing fields' },
);
