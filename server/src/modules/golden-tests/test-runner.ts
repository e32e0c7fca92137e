import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { AppContext } from '../../context.js';
import type { LlmResult } from '../../llm/llm-client.js';
import type { BusinessConfig } from '../config-cache/index.js';
import { loadConfigForTarget } from '../config-cache/index.js';
import { insertLlmCall } from '../conversations/index.js';
import { runTurn } from '../pipeline/run-turn.js';
import { fieldChecks, replyChecks, stageChecks, type TurnOutcome } from './checks.js';
import {
  claimTestRun,
  findAbandonedTestRuns,
  findTestCasesByIds,
  finishTestRun,
  insertRunResult,
  recordedKeys,
  releaseTestRun,
  renewTestRunLease,
  type TestCaseRow,
  type TestRunRow,
} from './golden-tests.repository.js';
import type { Check, TestExpectations, TestStepResult } from './golden-tests.schemas.js';
import { parseTarget } from './targets.js';

type StepOf = Awaited<ReturnType<typeof runTurn>>['steps'][number];

const toStepResult = (step: StepOf, checks: Check[]): TestStepResult => ({
  step: step.step,
  passed: checks.length === 0 ? null : checks.every((c) => c.passed),
  checks,
  prompt: step.prompt,
  system_prompt: step.system_prompt,
  answer: step.response,
  status: step.status,
  skipped: step.skipped,
  error: step.error ?? null,
  model: step.model,
  latency_ms: step.latency_ms,
  tokens_in: step.tokens_in,
  tokens_out: step.tokens_out,
  cost_usd: step.cost_usd,
});

const JUDGE_SYSTEM =
  'You grade one reply of a customer-service assistant against a rubric. Answer with JSON only: ' +
  '{"verdict": "pass" | "fail", "reason": "<one short sentence>"}.';

/** The rubric, judged by the model: a `rubric` step with the verdict and its reason as the check. */
async function judgeRubric(
  ctx: AppContext,
  rubric: string,
  message: string,
  reply: string,
  model: string | undefined,
): Promise<{ step: TestStepResult; llm: LlmResult | undefined; prompt: string }> {
  const prompt =
    `RUBRIC:\n"""${rubric}"""\n\nCUSTOMER MESSAGE:\n"""${message}"""\n\nASSISTANT REPLY:\n"""${reply}"""\n\n` +
    'Does the reply satisfy the rubric?';
  const base = {
    step: 'rubric' as const,
    prompt,
    system_prompt: JUDGE_SYSTEM,
    skipped: false,
    latency_ms: 0,
    tokens_in: 0,
    tokens_out: 0,
    cost_usd: 0,
  };
  if (!ctx.llm) {
    const check = {
      check: 'reply rubric',
      passed: false,
      reason: 'a rubric needs an LLM provider; none is configured',
    };
    return {
      step: {
        ...base,
        passed: false,
        checks: [check],
        answer: '',
        status: 'error',
        error: 'no LLM',
        model: null,
      },
      llm: undefined,
      prompt,
    };
  }
  const result = await ctx.llm.complete({
    system: JUDGE_SYSTEM,
    prompt,
    output: { kind: 'json' },
    model,
    temperature: 0,
    deadline: Date.now() + ctx.config.turnTimeoutMs,
  });
  ctx.metrics.recordLlmCall('test', result);
  let check: Check;
  if (!result.ok) {
    check = {
      check: 'reply rubric',
      passed: false,
      reason: `the judge did not answer: ${result.error ?? 'error'}`,
    };
  } else {
    let verdict: { verdict?: unknown; reason?: unknown } = {};
    try {
      verdict = JSON.parse(result.text) as typeof verdict;
    } catch {
      // not JSON: no verdict
    }
    const v = typeof verdict.verdict === 'string' ? verdict.verdict.toLowerCase() : '';
    const reason = typeof verdict.reason === 'string' && verdict.reason.trim() ? verdict.reason.trim() : '';
    check =
      v === 'pass' || v === 'fail'
        ? { check: 'reply rubric', passed: v === 'pass', reason: reason || `verdict ${v}` }
        : { check: 'reply rubric', passed: false, reason: 'the judge gave no verdict' };
  }
  return {
    step: {
      ...base,
      passed: check.passed,
      checks: [check],
      answer: result.text,
      status: result.ok ? 'success' : 'error',
      error: result.error ?? null,
      model: result.model,
      latency_ms: result.latencyMs,
      tokens_in: result.tokensIn,
      tokens_out: result.tokensOut,
      cost_usd: result.costUsd,
    },
    llm: result,
    prompt,
  };
}

/**
 * One execution of a case on a configuration: the pipeline's own turn (`runTurn`: the same stage
 * selection, extraction and reply code, with the configuration's templates) on the case's history,
 * collected data and message — no conversation, message or fact is stored — then its checks.
 */
export async function executeCase(
  ctx: AppContext,
  config: BusinessConfig,
  tc: TestCaseRow,
  model: string | undefined,
) {
  const expectations = tc.expectations as TestExpectations;
  const nameOf = (id: string) => config.stagesById.get(id)?.stageName ?? id;
  if (!config.stagesById.has(tc.stageId)) {
    return {
      passed: false,
      error: 'the case’s stage is not part of this configuration',
      reply: '',
      stageId: null,
      extracted: {},
      steps: [] as TestStepResult[],
      latencyMs: 0,
      calls: [] as {
        llm: LlmResult;
        prompt: string;
        system: string;
        response: string;
        templateId: string | null;
      }[],
    };
  }
  const started = performance.now();
  const turn = await runTurn(ctx, ctx.llm, {
    config,
    // Ids of nothing stored: the variables find no conversation, user or transition under them and
    // read the case's history and collected data instead.
    conversationId: randomUUID(),
    userId: randomUUID(),
    stageId: tc.stageId,
    collectedData: tc.collectedData,
    messageId: randomUUID(),
    messageContent: tc.message,
    model,
    history: tc.history.map((m) => ({ senderType: m.sender, content: m.content })),
  });
  const [selection, extraction, response] = turn.steps as [StepOf, StepOf, StepOf];
  const outcome: TurnOutcome = {
    startStageId: tc.stageId,
    stageId: turn.stage.stageId,
    stageName: nameOf,
    selectionError: selection.status === 'error' ? (selection.error ?? 'error') : null,
    extracted: turn.extracted,
    extractionError: extraction.status === 'error' ? (extraction.error ?? 'error') : null,
    reply: turn.reply,
    fallback: turn.fallback,
  };
  const steps = [
    toStepResult(selection, stageChecks(expectations, outcome)),
    toStepResult(extraction, fieldChecks(expectations, outcome)),
    toStepResult(response, replyChecks(expectations, outcome)),
  ];
  const calls = turn.calls
    .filter((c) => c.llm)
    .map((c) => ({
      llm: c.llm as LlmResult,
      prompt: c.step.prompt,
      system: c.step.system_prompt,
      response: c.step.response,
      templateId: c.templateId,
    }));
  const latencyMs = Math.round(performance.now() - started);
  if (expectations.reply?.rubric) {
    const judged = await judgeRubric(ctx, expectations.reply.rubric, tc.message, turn.reply, model);
    steps.push(judged.step);
    if (judged.llm) {
      calls.push({
        llm: judged.llm,
        prompt: judged.prompt,
        system: JUDGE_SYSTEM,
        response: judged.llm.text,
        templateId: null,
      });
    }
  }
  const passed = steps.every((s) => s.passed !== false);
  return {
    passed,
    error: null as string | null,
    reply: turn.reply,
    stageId: turn.stage.stageId,
    extracted: turn.extracted,
    steps,
    latencyMs,
    calls,
  };
}

export interface TestRunner {
  /** Runs (or resumes) a run in this process, under its lease. */
  launch(runId: string): void;
  /** Takes over unfinished runs whose process died (lease expired). */
  sweep(): Promise<void>;
  start(): void;
  stop(): Promise<void>;
  /** Resolves when this process runs no test run (tests). */
  idle(): Promise<void>;
  readonly owner: string;
  readonly leaseMs: number;
}

export function createTestRunner(
  ctx: AppContext,
  onError: (error: unknown, runId: string) => void,
): TestRunner {
  const owner = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  // As the turn lease: short, renewed every third of it while the run works.
  const leaseMs = Math.max(2_000, ctx.config.turnLeaseMs);
  const running = new Map<string, Promise<void>>();
  let stopping = false;
  let timer: NodeJS.Timeout | undefined;

  async function execute(runId: string) {
    const run = await claimTestRun(ctx.db, runId, owner, leaseMs);
    if (!run) return;
    let lost = false;
    const heartbeat = setInterval(() => {
      renewTestRunLease(ctx.db, runId, owner, leaseMs).then(
        (ok) => {
          if (!ok) lost = true;
        },
        () => {},
      );
    }, leaseMs / 3);
    heartbeat.unref();
    try {
      await work(run, () => lost);
      if (stopping && !lost) await releaseTestRun(ctx.db, runId, owner);
    } catch (error) {
      await finishTestRun(
        ctx.db,
        runId,
        owner,
        'failed',
        error instanceof Error ? error.message : 'the run failed',
      );
      throw error;
    } finally {
      clearInterval(heartbeat);
    }
  }

  async function work(run: TestRunRow, lost: () => boolean) {
    const config = await loadConfigForTarget(ctx.db, run.businessId, parseTarget(run.target));
    if (!config) {
      await finishTestRun(ctx.db, run.testRunId, owner, 'failed', 'the configuration to run is gone');
      return;
    }
    const cases = new Map(
      (await findTestCasesByIds(ctx.db, run.businessId, run.testCaseIds)).map((c) => [c.testCaseId, c]),
    );
    const done = await recordedKeys(ctx.db, run.testRunId);
    for (const caseId of run.testCaseIds) {
      const tc = cases.get(caseId);
      // A case deleted since the run was created is left out (its executions count as not done).
      if (!tc) continue;
      for (let iteration = 1; iteration <= run.repeat; iteration++) {
        if (stopping || lost()) return;
        if (done.has(`${caseId}:${iteration}`)) continue;
        const r = await executeCase(ctx, config, tc, run.model ?? undefined);
        const totals = r.calls.reduce(
          (t, c) => ({
            tokensIn: t.tokensIn + c.llm.tokensIn,
            tokensOut: t.tokensOut + c.llm.tokensOut,
            costUsd: t.costUsd + c.llm.costUsd,
          }),
          { tokensIn: 0, tokensOut: 0, costUsd: 0 },
        );
        await ctx.db.transaction(async (tx) => {
          await insertRunResult(tx, {
            testRunId: run.testRunId,
            businessId: run.businessId,
            testCaseId: tc.testCaseId,
            caseName: tc.name,
            iteration,
            passed: r.passed,
            reply: r.reply,
            stageId: r.stageId,
            extractedData: r.extracted,
            steps: r.steps,
            latencyMs: r.latencyMs,
            ...totals,
            error: r.error,
          });
          // The call log keeps test calls apart from customers' (call_type `test`, no conversation).
          // No template id: a release's templates need not be rows of `templates` any more.
          for (const call of r.calls) {
            await insertLlmCall(tx, {
              businessId: run.businessId,
              stageId: tc.stageId,
              callType: 'test',
              provider: call.llm.provider,
              model: call.llm.model,
              systemPrompt: call.system,
              prompt: call.prompt,
              response: call.response,
              tokensIn: call.llm.tokensIn,
              tokensOut: call.llm.tokensOut,
              latencyMs: call.llm.latencyMs,
              costUsd: call.llm.costUsd,
              status: call.llm.ok ? 'success' : 'error',
              error: call.llm.error ?? null,
              errorDetail: call.llm.errorDetail ?? null,
            });
          }
        });
      }
    }
    if (!stopping && !lost()) await finishTestRun(ctx.db, run.testRunId, owner, 'completed', null);
  }

  function launch(runId: string) {
    if (stopping || running.has(runId)) return;
    const job = execute(runId)
      .catch((error) => onError(error, runId))
      .finally(() => running.delete(runId));
    running.set(runId, job);
  }

  async function sweep() {
    for (const runId of await findAbandonedTestRuns(ctx.db, 10)) launch(runId);
  }

  return {
    owner,
    leaseMs,
    launch,
    sweep,
    start() {
      void sweep().catch(() => {});
      timer = setInterval(() => void sweep().catch(() => {}), Math.min(15_000, Math.max(2_000, leaseMs)));
      timer.unref();
    },
    async stop() {
      stopping = true;
      if (timer) clearInterval(timer);
      await Promise.allSettled([...running.values()]);
    },
    async idle() {
      while (running.size > 0) await Promise.allSettled([...running.values()]);
    },
  };
}
