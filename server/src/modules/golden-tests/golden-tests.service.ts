import type { AppContext } from '../../context.js';
import { invalid, notFound } from '../../errors.js';
import { actorOf, type Principal } from '../../lib/principal.js';
import type { Page } from '../../lib/schemas.js';
import { isModelAllowed } from '../../llm/llm-client.js';
import {
  contentHash,
  getBusinessConfig,
  loadAllTemplates,
  loadConfigForTarget,
  loadConfigRows,
  releaseContentOf,
} from '../config-cache/index.js';
import { type DataMask, dataMaskFor, NO_MASK } from '../fields/index.js';
import { hasExpectations, invalidPatterns, wordDiff } from './checks.js';
import {
  deleteTestCase,
  findLatestCompletedDraftRun,
  findMessageContent,
  findTestCase,
  findTestRun,
  findTurnMessage,
  insertTestCase,
  insertTestRun,
  listExtractionsBefore,
  listMessagesBefore,
  listRunResults,
  listTestCases,
  listTestRuns,
  type RunStats,
  runStats,
  selectTestCaseIds,
  type TestCaseRow,
  type TestRunResultRow,
  type TestRunRow,
  updateTestCase,
} from './golden-tests.repository.js';
import type {
  CaseComparison,
  CreateTestCaseBody,
  CreateTestRunBody,
  TestCase,
  TestCaseDraft,
  TestExpectations,
  TestResult,
  TestRun,
  TestRunComparison,
  TestRunDetail,
  TestStepResult,
  UpdateTestCaseBody,
} from './golden-tests.schemas.js';
import { parseTarget, storeTarget } from './targets.js';
import type { TestRunner } from './test-runner.js';

const HISTORY_FROM_TURN = 30;

export function serializeTestCase(row: TestCaseRow, mask: DataMask = NO_MASK): TestCase {
  return {
    test_case_id: row.testCaseId,
    business_id: row.businessId,
    stage_id: row.stageId,
    name: row.name,
    history: row.history as TestCase['history'],
    collected_data: mask(row.collectedData),
    message: row.message,
    expectations: row.expectations as TestExpectations,
    source_message_id: row.sourceMessageId,
    created_at: row.createdAt.toISOString(),
    updated_at: row.updatedAt.toISOString(),
  };
}

const hasNul = (value: unknown) => JSON.stringify(value ?? null).includes('\\u0000');

/** The rules a case must meet beyond its schema: stages of the business, valid patterns, something to check. */
async function checkCase(
  ctx: AppContext,
  businessId: string,
  c: {
    stage_id: string;
    expectations: TestExpectations;
    message: string;
    history?: unknown;
    collected_data?: unknown;
  },
) {
  const config = await getBusinessConfig(ctx, businessId);
  const errors: Record<string, string> = { ...invalidPatterns(c.expectations) };
  if (!config?.stagesById.has(c.stage_id)) errors.stage_id = 'is not a stage of this business';
  const target = c.expectations.stage?.stage_id;
  if (target && !config?.stagesById.has(target))
    errors['expectations.stage.stage_id'] = 'is not a stage of this business';
  if (!hasExpectations(c.expectations)) errors.expectations = 'must check at least one thing';
  if (!c.message.trim()) errors.message = 'must not be empty';
  if (hasNul(c.message) || hasNul(c.history) || hasNul(c.collected_data))
    errors.message = 'must not contain NUL';
  if (Object.keys(errors).length > 0) throw invalid('The test case is not valid', errors);
}

export async function createTestCase(ctx: AppContext, businessId: string, body: CreateTestCaseBody) {
  await checkCase(ctx, businessId, body);
  const row = await insertTestCase(ctx.db, {
    businessId,
    stageId: body.stage_id,
    name: body.name.trim() || 'Test',
    history: body.history ?? [],
    collectedData: body.collected_data ?? {},
    message: body.message,
    expectations: body.expectations,
    sourceMessageId: body.source_message_id ?? null,
  });
  return serializeTestCase(row);
}

/** A test case as the principal may see it (its collected data's PII masked for read-only callers). */
export async function getTestCase(
  ctx: AppContext,
  id: string,
  principal: Principal,
  scope: string | undefined,
) {
  const row = await findTestCase(ctx.db, id, scope);
  if (!row) throw notFound('Test case');
  return serializeTestCase(row, await dataMaskFor(ctx, principal, row.businessId));
}

export async function listBusinessTestCases(
  ctx: AppContext,
  principal: Principal,
  businessId: string,
  stageId: string | undefined,
  page: Page,
) {
  const [{ rows, total }, mask] = await Promise.all([
    listTestCases(ctx.db, businessId, stageId, page.perPage, page.offset),
    dataMaskFor(ctx, principal, businessId),
  ]);
  return {
    test_cases: rows.map((row) => serializeTestCase(row, mask)),
    total,
    page: page.page,
    per_page: page.perPage,
  };
}

export async function changeTestCase(
  ctx: AppContext,
  id: string,
  scope: string | undefined,
  body: UpdateTestCaseBody,
) {
  const current = await findTestCase(ctx.db, id, scope);
  if (!current) throw notFound('Test case');
  const next = { ...serializeTestCase(current), ...body };
  await checkCase(ctx, current.businessId, next);
  const row = await updateTestCase(ctx.db, id, scope, {
    stageId: next.stage_id,
    name: next.name,
    history: next.history,
    collectedData: next.collected_data,
    message: next.message,
    expectations: next.expectations,
  });
  if (!row) throw notFound('Test case');
  return serializeTestCase(row);
}

export async function removeTestCase(ctx: AppContext, id: string, scope: string | undefined) {
  if (!(await deleteTestCase(ctx.db, id, scope))) throw notFound('Test case');
}

/** What persistTurn kept in the customer message's metadata. */
interface StoredTurn {
  response_id?: string | null;
  stage_id?: string | null;
  previous_stage_id?: string | null;
  extracted_data?: Record<string, unknown>;
}

/**
 * "Turn this into a test": the history before a customer message, the facts known then, its stage,
 * and what the pipeline did as expectations (the stage it chose, the fields it extracted, the reply's
 * length). Not saved: the author reviews it and creates the case.
 */
export async function draftFromTurn(
  ctx: AppContext,
  businessId: string,
  messageId: string,
): Promise<TestCaseDraft> {
  const message = await findTurnMessage(ctx.db, businessId, messageId);
  if (!message) throw notFound('Message');
  if (message.senderType !== 'user') {
    throw invalid('Only a customer message can become a test', { message_id: 'is not a customer message' });
  }
  const turn = (message.metadata?.result ?? null) as StoredTurn | null;
  if (!turn || message.status !== 'processed') {
    throw invalid('This message was not answered by the assistant', { message_id: 'has no turn to copy' });
  }
  const config = await getBusinessConfig(ctx, businessId);
  const startStage = turn.previous_stage_id ?? turn.stage_id ?? message.stageId;
  if (!startStage || !config?.stagesById.has(startStage)) {
    throw invalid('The stage of this turn no longer exists', { message_id: 'its stage was deleted' });
  }
  const [history, extractions, reply] = await Promise.all([
    listMessagesBefore(ctx.db, businessId, message.conversationId, message.sequenceNumber, HISTORY_FROM_TURN),
    listExtractionsBefore(ctx.db, businessId, message.conversationId, message.sequenceNumber),
    turn.response_id ? findMessageContent(ctx.db, businessId, turn.response_id) : Promise.resolve(undefined),
  ]);
  const extracted = turn.extracted_data ?? {};
  const endStage = turn.stage_id ?? startStage;
  const replyText = reply ?? '';
  const expectations: TestExpectations = {
    stage:
      endStage === startStage || !config.stagesById.has(endStage)
        ? { mode: 'stays' }
        : { mode: 'exactly', stage_id: endStage },
    ...(Object.keys(extracted).length > 0
      ? { fields: Object.entries(extracted).map(([key, value]) => ({ key, op: 'equals' as const, value })) }
      : {}),
    // The words of a model's reply vary between runs: only its length is kept, with room.
    ...(replyText ? { reply: { max_length: Math.max(200, replyText.length * 2) } } : {}),
  };
  return {
    stage_id: startStage,
    name: `${config.stagesById.get(startStage)?.stageName}: ${message.messageContent.slice(0, 60)}`,
    history: history.map((m) => ({
      sender: (['user', 'assistant', 'agent', 'system'].includes(m.sender) ? m.sender : 'system') as 'user',
      content: m.content,
    })),
    collected_data: Object.assign({}, ...extractions),
    message: message.messageContent,
    expectations,
    source_message_id: message.messageId,
    observed: { reply: replyText, stage_id: turn.stage_id ?? null, extracted_data: extracted },
  };
}

const EMPTY_STATS: RunStats = {
  done: 0,
  passed: 0,
  tokensIn: 0,
  tokensOut: 0,
  costUsd: 0,
  avgLatencyMs: null,
};

export function serializeTestRun(row: TestRunRow, stats: RunStats = EMPTY_STATS): TestRun {
  return {
    test_run_id: row.testRunId,
    business_id: row.businessId,
    target: parseTarget(row.target),
    model: row.model,
    repeat: row.repeat,
    stage_id: row.stageId,
    status: row.status as TestRun['status'],
    total: row.total,
    done: stats.done,
    passed: stats.passed,
    failed: stats.done - stats.passed,
    pass_rate: stats.done > 0 ? stats.passed / stats.done : null,
    tokens_in: stats.tokensIn,
    tokens_out: stats.tokensOut,
    cost_usd: stats.costUsd,
    avg_latency_ms: stats.avgLatencyMs,
    error: row.error,
    created_by: row.createdBy,
    created_at: row.createdAt.toISOString(),
    started_at: row.startedAt?.toISOString() ?? null,
    finished_at: row.finishedAt?.toISOString() ?? null,
  };
}

const serializeResult = (r: TestRunResultRow): TestResult => ({
  test_case_id: r.testCaseId,
  case_name: r.caseName,
  iteration: r.iteration,
  passed: r.passed,
  reply: r.reply,
  stage_id: r.stageId,
  extracted_data: r.extractedData,
  steps: r.steps as TestStepResult[],
  latency_ms: r.latencyMs,
  tokens_in: r.tokensIn,
  tokens_out: r.tokensOut,
  cost_usd: r.costUsd,
  error: r.error,
});

/** The draft's content hash (the one a release of it would get). */
async function draftHash(ctx: AppContext, businessId: string): Promise<string | null> {
  const [[businessRows, stageRows], templateRows] = await Promise.all([
    loadConfigRows(ctx.db, businessId),
    loadAllTemplates(ctx.db, businessId),
  ]);
  const business = businessRows[0];
  return business ? contentHash(releaseContentOf(business, stageRows, templateRows)) : null;
}

/**
 * The newest completed run of the draft with its counts, and the draft's content hash when it was
 * made (null for a run older than that record): publishing shows it and warns when it failed or the
 * draft changed since.
 */
export async function latestDraftRun(ctx: AppContext, businessId: string) {
  const row = await findLatestCompletedDraftRun(ctx.db, businessId);
  if (!row) return null;
  const stats = (await runStats(ctx.db, [row.testRunId])).get(row.testRunId);
  return { run: serializeTestRun(row, stats), configHash: row.configHash };
}

/** Validates and stores a run, then starts it in this process; the caller answers 202. */
export async function startTestRun(
  ctx: AppContext,
  runner: TestRunner,
  principal: Principal,
  businessId: string,
  body: CreateTestRunBody,
): Promise<TestRun> {
  const target = body.target ?? 'draft';
  if (body.model && !isModelAllowed(ctx.config, body.model)) {
    throw invalid('That model is not one of the allowed models (LLM_ALLOWED_MODELS)', {
      model: 'is not an allowed model',
    });
  }
  const config = await loadConfigForTarget(ctx.db, businessId, target);
  if (!config) throw notFound(typeof target === 'object' ? 'Release' : 'Business');
  if (body.stage_id && !config.stagesById.has(body.stage_id)) {
    throw invalid('That stage is not part of the configuration', {
      stage_id: 'is not a stage of this business',
    });
  }
  const ids = await selectTestCaseIds(ctx.db, businessId, {
    ids: body.test_case_ids,
    stageId: body.stage_id,
  });
  if (body.test_case_ids && ids.length !== body.test_case_ids.length) {
    throw invalid('Some test cases do not exist in this business', { test_case_ids: 'unknown test case' });
  }
  if (ids.length === 0) throw invalid('There are no test cases to run', { test_case_ids: 'no test cases' });
  const repeat = body.repeat ?? 1;
  const configHash = target === 'draft' ? await draftHash(ctx, businessId) : null;
  const row = await insertTestRun(ctx.db, {
    configHash,
    businessId,
    target: storeTarget(target),
    model: body.model ?? null,
    repeat,
    testCaseIds: ids,
    stageId: body.stage_id ?? null,
    total: ids.length * repeat,
    createdBy: actorOf(principal).name,
    // Ours from the start: no other process's sweep takes it before this one does.
    leaseOwner: runner.owner,
    leaseUntil: new Date(Date.now() + runner.leaseMs),
  });
  runner.launch(row.testRunId);
  return serializeTestRun(row);
}

async function loadRun(ctx: AppContext, id: string, scope: string | undefined) {
  const row = await findTestRun(ctx.db, id, scope);
  if (!row) throw notFound('Test run');
  return row;
}

function caseSummaries(results: TestResult[]) {
  const byCase = new Map<string, { test_case_id: string; case_name: string; runs: number; passed: number }>();
  for (const r of results) {
    const entry = byCase.get(r.test_case_id) ?? {
      test_case_id: r.test_case_id,
      case_name: r.case_name,
      runs: 0,
      passed: 0,
    };
    entry.runs += 1;
    if (r.passed) entry.passed += 1;
    byCase.set(r.test_case_id, entry);
  }
  return [...byCase.values()].map((c) => ({ ...c, pass_rate: c.passed / c.runs }));
}

export async function getTestRun(
  ctx: AppContext,
  id: string,
  scope: string | undefined,
): Promise<TestRunDetail> {
  const row = await loadRun(ctx, id, scope);
  const [stats, rows] = await Promise.all([runStats(ctx.db, [id]), listRunResults(ctx.db, id)]);
  const results = rows.map(serializeResult);
  return { ...serializeTestRun(row, stats.get(id)), cases: caseSummaries(results), results };
}

export async function listBusinessTestRuns(ctx: AppContext, businessId: string, page: Page) {
  const { rows, total } = await listTestRuns(ctx.db, businessId, page.perPage, page.offset);
  const stats = await runStats(
    ctx.db,
    rows.map((r) => r.testRunId),
  );
  return {
    test_runs: rows.map((r) => serializeTestRun(r, stats.get(r.testRunId))),
    total,
    page: page.page,
    per_page: page.perPage,
  };
}

const mean = (values: number[]) => (values.length ? values.reduce((a, b) => a + b, 0) / values.length : 0);
const failuresOf = (r: TestResult | undefined) =>
  r
    ? [
        ...(r.error ? [r.error] : []),
        ...r.steps.flatMap((s) => s.checks.filter((c) => !c.passed).map((c) => `${c.check}: ${c.reason}`)),
      ]
    : [];

/** Two runs side by side: per case the pass rate change, the reply diff, cost and latency deltas. */
export async function compareTestRuns(
  ctx: AppContext,
  businessId: string,
  baseId: string,
  headId: string,
): Promise<TestRunComparison> {
  const [base, head] = await Promise.all([
    getTestRun(ctx, baseId, businessId),
    getTestRun(ctx, headId, businessId),
  ]);
  const ids = [...new Set([...base.cases, ...head.cases].map((c) => c.test_case_id))];
  const cases: CaseComparison[] = ids.map((id) => {
    const b = base.results.filter((r) => r.test_case_id === id);
    const h = head.results.filter((r) => r.test_case_id === id);
    const rate = (rs: TestResult[]) => (rs.length ? rs.filter((r) => r.passed).length / rs.length : null);
    const br = rate(b);
    const hr = rate(h);
    const change: CaseComparison['change'] =
      br === null
        ? 'added'
        : hr === null
          ? 'removed'
          : br === hr
            ? 'unchanged'
            : hr === 1
              ? 'fixed'
              : br === 1
                ? 'broken'
                : 'changed';
    const baseReply = b[0]?.reply ?? null;
    const headReply = h[0]?.reply ?? null;
    return {
      test_case_id: id,
      case_name: (h[0] ?? b[0])?.case_name ?? '',
      base_pass_rate: br,
      head_pass_rate: hr,
      change,
      base_reply: baseReply,
      head_reply: headReply,
      reply_diff: baseReply !== null && headReply !== null ? wordDiff(baseReply, headReply) : [],
      base_failures: failuresOf(b.find((r) => !r.passed)),
      head_failures: failuresOf(h.find((r) => !r.passed)),
      cost_delta_usd: mean(h.map((r) => r.cost_usd)) - mean(b.map((r) => r.cost_usd)),
      latency_delta_ms: mean(h.map((r) => r.latency_ms)) - mean(b.map((r) => r.latency_ms)),
    };
  });
  const { cases: _b, results: _br, ...baseRun } = base;
  const { cases: _h, results: _hr, ...headRun } = head;
  return {
    base: baseRun,
    head: headRun,
    cases,
    fixed: cases.filter((c) => c.change === 'fixed').length,
    broken: cases.filter((c) => c.change === 'broken').length,
    pass_rate_delta:
      base.pass_rate !== null && head.pass_rate !== null ? head.pass_rate - base.pass_rate : null,
    cost_delta_usd: head.cost_usd - base.cost_usd,
    avg_latency_delta_ms:
      base.avg_latency_ms !== null && head.avg_latency_ms !== null
        ? head.avg_latency_ms - base.avg_latency_ms
        : null,
  };
}
