import { type Static, Type } from '@sinclair/typebox';
import { ListResponse, Nullable, PageQuery, Timestamp, Uuid } from '../../lib/schemas.js';

export const ConfigTarget = Type.Union(
  [
    Type.Literal('draft'),
    Type.Literal('published'),
    Type.Object({ release: Type.Integer({ minimum: 1 }) }, { additionalProperties: false }),
  ],
  {
    description: 'Which configuration a run uses: the draft, the published one, or a release',
  },
);
export type ConfigTarget = Static<typeof ConfigTarget>;

const Sender = Type.Union([
  Type.Literal('user'),
  Type.Literal('assistant'),
  Type.Literal('agent'),
  Type.Literal('system'),
]);

const HistoryMessage = Type.Object(
  { sender: Sender, content: Type.String({ maxLength: 20_000 }) },
  { additionalProperties: false },
);

const Pattern = Type.String({
  minLength: 1,
  maxLength: 500,
  description:
    'A regular expression (RE2 syntax: JavaScript-like classes, quantifiers, groups and (?i); no lookaround or backreferences). Matching is linear in the text.',
});

const StageExpectation = Type.Object(
  {
    mode: Type.Union([Type.Literal('stays'), Type.Literal('exactly')], {
      description: '`stays`: the conversation stays in the case’s stage; `exactly`: it moves to `stage_id`',
    }),
    stage_id: Type.Optional(Uuid),
  },
  { additionalProperties: false },
);

const FieldExpectation = Type.Object(
  {
    key: Type.String({ minLength: 1, maxLength: 200 }),
    op: Type.Union([Type.Literal('equals'), Type.Literal('matches'), Type.Literal('absent')]),
    /** For `equals`: the value the extraction must give (compared as JSON). */
    value: Type.Optional(Type.Unknown()),
    /** For `matches`: a regular expression the value (as text) must match. */
    pattern: Type.Optional(Pattern),
  },
  { additionalProperties: false },
);

const ReplyExpectation = Type.Object(
  {
    contains: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 1000 }), { maxItems: 20 })),
    not_contains: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 1000 }), { maxItems: 20 })),
    matches: Type.Optional(Pattern),
    max_length: Type.Optional(Type.Integer({ minimum: 1, maximum: 100_000 })),
    rubric: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 2000,
        description: 'Judged by the LLM (pass/fail with a reason); needs an LLM provider',
      }),
    ),
  },
  { additionalProperties: false },
);

export const TestExpectations = Type.Object(
  {
    stage: Type.Optional(StageExpectation),
    fields: Type.Optional(Type.Array(FieldExpectation, { maxItems: 50 })),
    reply: Type.Optional(ReplyExpectation),
  },
  { $id: 'TestExpectations', additionalProperties: false },
);
export type TestExpectations = Static<typeof TestExpectations>;

export const caseFields = {
  stage_id: Type.String({
    format: 'uuid',
    description: 'The stage the conversation is in when the message arrives',
  }),
  name: Type.String({ minLength: 1, maxLength: 200 }),
  history: Type.Array(HistoryMessage, {
    maxItems: 100,
    description: 'The conversation so far, oldest first',
  }),
  collected_data: Type.Record(Type.String(), Type.Unknown(), {
    description: 'Facts collected before the message',
  }),
  message: Type.String({ minLength: 1, maxLength: 20_000, description: 'The new customer message' }),
  expectations: TestExpectations,
};

export const CreateTestCaseBody = Type.Object(
  {
    business_id: Type.Optional(Uuid),
    ...caseFields,
    history: Type.Optional(caseFields.history),
    collected_data: Type.Optional(caseFields.collected_data),
    source_message_id: Type.Optional(Uuid),
  },
  { $id: 'CreateTestCaseBody', additionalProperties: false },
);
export type CreateTestCaseBody = Static<typeof CreateTestCaseBody>;

export const UpdateTestCaseBody = Type.Object(
  {
    name: Type.Optional(caseFields.name),
    stage_id: Type.Optional(caseFields.stage_id),
    history: Type.Optional(caseFields.history),
    collected_data: Type.Optional(caseFields.collected_data),
    message: Type.Optional(caseFields.message),
    expectations: Type.Optional(caseFields.expectations),
  },
  { $id: 'UpdateTestCaseBody', additionalProperties: false },
);
export type UpdateTestCaseBody = Static<typeof UpdateTestCaseBody>;

export const TestCase = Type.Object(
  {
    test_case_id: Uuid,
    business_id: Uuid,
    ...caseFields,
    source_message_id: Nullable(Uuid),
    created_at: Timestamp,
    updated_at: Timestamp,
  },
  { $id: 'TestCase' },
);
export type TestCase = Static<typeof TestCase>;
export const TestCaseList = ListResponse('test_cases', TestCase);

export const ListTestCasesQuery = Type.Object(
  { business_id: Type.Optional(Uuid), stage_id: Type.Optional(Uuid), ...PageQuery },
  { additionalProperties: false },
);

export const TestCaseFromTurnBody = Type.Object(
  {
    business_id: Type.Optional(Uuid),
    message_id: Type.String({ format: 'uuid', description: 'A customer message the pipeline answered' }),
  },
  { $id: 'TestCaseFromTurnBody', additionalProperties: false },
);

export const TestCaseDraft = Type.Object(
  {
    ...caseFields,
    source_message_id: Uuid,
    observed: Type.Object({
      reply: Type.String(),
      stage_id: Nullable(Uuid),
      extracted_data: Type.Record(Type.String(), Type.Unknown()),
    }),
  },
  {
    $id: 'TestCaseDraft',
    description:
      'A case pre-filled from a turn (not saved): the history before it, its message, and what happened as expectations',
  },
);
export type TestCaseDraft = Static<typeof TestCaseDraft>;

export const CreateTestRunBody = Type.Object(
  {
    business_id: Type.Optional(Uuid),
    target: Type.Optional(ConfigTarget),
    model: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 200,
        description: 'One of the allowed models (LLM_ALLOWED_MODELS)',
      }),
    ),
    repeat: Type.Optional(
      Type.Integer({ minimum: 1, maximum: 20, default: 1, description: 'Runs of each case (pass rate)' }),
    ),
    test_case_ids: Type.Optional(Type.Array(Uuid, { minItems: 1, maxItems: 500, uniqueItems: true })),
    stage_id: Type.Optional(Uuid),
  },
  {
    $id: 'CreateTestRunBody',
    additionalProperties: false,
    description: 'Runs `test_case_ids`, else the cases of `stage_id`, else all the business’s cases',
  },
);
export type CreateTestRunBody = Static<typeof CreateTestRunBody>;

const Check = Type.Object({
  check: Type.String({ description: 'What was checked, e.g. `stage stays`, `field email equals`' }),
  passed: Type.Boolean(),
  reason: Type.String(),
});
export type Check = Static<typeof Check>;

const StepName = Type.Union([
  Type.Literal('stage_selection'),
  Type.Literal('data_extraction'),
  Type.Literal('response_generation'),
  Type.Literal('rubric'),
]);

export const TestStepResult = Type.Object(
  {
    step: StepName,
    /** null: this step had nothing to check. */
    passed: Nullable(Type.Boolean()),
    checks: Type.Array(Check),
    prompt: Type.String(),
    system_prompt: Type.String(),
    answer: Type.String(),
    status: Type.String(),
    skipped: Type.Boolean(),
    error: Nullable(Type.String()),
    model: Nullable(Type.String()),
    latency_ms: Type.Integer(),
    tokens_in: Type.Integer(),
    tokens_out: Type.Integer(),
    cost_usd: Type.Number(),
  },
  { $id: 'TestStepResult' },
);
export type TestStepResult = Static<typeof TestStepResult>;

export const TestResult = Type.Object(
  {
    test_case_id: Uuid,
    case_name: Type.String(),
    iteration: Type.Integer(),
    passed: Type.Boolean(),
    reply: Type.String(),
    stage_id: Nullable(Uuid),
    extracted_data: Type.Record(Type.String(), Type.Unknown()),
    steps: Type.Array(TestStepResult),
    latency_ms: Type.Integer(),
    tokens_in: Type.Integer(),
    tokens_out: Type.Integer(),
    cost_usd: Type.Number(),
    error: Nullable(Type.String()),
  },
  { $id: 'TestResult' },
);
export type TestResult = Static<typeof TestResult>;

const runFields = {
  test_run_id: Uuid,
  business_id: Uuid,
  target: ConfigTarget,
  model: Nullable(Type.String()),
  repeat: Type.Integer(),
  stage_id: Nullable(Uuid),
  status: Type.Union([
    Type.Literal('queued'),
    Type.Literal('running'),
    Type.Literal('completed'),
    Type.Literal('failed'),
  ]),
  total: Type.Integer({ description: 'Case executions planned (cases × repeat)' }),
  done: Type.Integer(),
  passed: Type.Integer(),
  failed: Type.Integer(),
  pass_rate: Nullable(Type.Number({ description: 'passed ÷ done, 0–1' })),
  tokens_in: Type.Integer(),
  tokens_out: Type.Integer(),
  cost_usd: Type.Number(),
  avg_latency_ms: Nullable(Type.Number()),
  error: Nullable(Type.String()),
  created_by: Nullable(Type.String()),
  created_at: Timestamp,
  started_at: Nullable(Timestamp),
  finished_at: Nullable(Timestamp),
};

export const TestRun = Type.Object(runFields, { $id: 'TestRun' });
export type TestRun = Static<typeof TestRun>;
export const TestRunList = ListResponse('test_runs', TestRun);

const CaseSummary = Type.Object({
  test_case_id: Uuid,
  case_name: Type.String(),
  runs: Type.Integer(),
  passed: Type.Integer(),
  pass_rate: Type.Number(),
});

export const TestRunDetail = Type.Object(
  { ...runFields, cases: Type.Array(CaseSummary), results: Type.Array(TestResult) },
  { $id: 'TestRunDetail' },
);
export type TestRunDetail = Static<typeof TestRunDetail>;

export const ListTestRunsQuery = Type.Object(
  { business_id: Type.Optional(Uuid), ...PageQuery },
  { additionalProperties: false },
);

export const CompareTestRunsQuery = Type.Object(
  { business_id: Type.Optional(Uuid), base: Uuid, head: Uuid },
  { additionalProperties: false },
);

const DiffPart = Type.Object({
  op: Type.Union([Type.Literal('same'), Type.Literal('added'), Type.Literal('removed')]),
  text: Type.String(),
});
export type DiffPart = Static<typeof DiffPart>;

const CaseComparison = Type.Object({
  test_case_id: Uuid,
  case_name: Type.String(),
  base_pass_rate: Nullable(Type.Number()),
  head_pass_rate: Nullable(Type.Number()),
  change: Type.Union(
    [
      Type.Literal('fixed'),
      Type.Literal('broken'),
      Type.Literal('unchanged'),
      Type.Literal('changed'),
      Type.Literal('added'),
      Type.Literal('removed'),
    ],
    { description: 'fixed: now always passes; broken: passed always before, not now; changed: another rate' },
  ),
  base_reply: Nullable(Type.String()),
  head_reply: Nullable(Type.String()),
  reply_diff: Type.Array(DiffPart, {
    description: 'Word diff from the base reply to the head reply (first runs)',
  }),
  base_failures: Type.Array(Type.String()),
  head_failures: Type.Array(Type.String()),
  cost_delta_usd: Type.Number(),
  latency_delta_ms: Type.Number(),
});
export type CaseComparison = Static<typeof CaseComparison>;

export const TestRunComparison = Type.Object(
  {
    // Not `TestRun` itself: a schema with an `$id` may appear once in a response.
    base: Type.Object(runFields),
    head: Type.Object(runFields),
    cases: Type.Array(CaseComparison),
    fixed: Type.Integer(),
    broken: Type.Integer(),
    pass_rate_delta: Nullable(Type.Number()),
    cost_delta_usd: Type.Number(),
    avg_latency_delta_ms: Nullable(Type.Number()),
  },
  { $id: 'TestRunComparison' },
);
export type TestRunComparison = Static<typeof TestRunComparison>;

export const ExportedTestCase = Type.Object(
  {
    test_case_id: Type.String({
      format: 'uuid',
      description: 'Kept on import when the business has a case with this id; otherwise a new id is given',
    }),
    ...caseFields,
    stage_id: Type.String({
      format: 'uuid',
      description:
        'A stage of the document (`configuration.stages[].stage_id`), as stages reference templates',
    }),
  },
  { additionalProperties: false },
);
export type ExportedTestCase = Static<typeof ExportedTestCase>;

export const TestCaseParams = Type.Object({ test_case_id: Uuid });
export const TestRunParams = Type.Object({ test_run_id: Uuid });
