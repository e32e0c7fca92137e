import { spawn } from 'node:child_process';
import { count, eq } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type CliIo, runCli } from '../../scripts/icmp-cli.js';
import { conversations, llmCalls, messages, testRunResults, testRuns } from '../../src/db/schema.js';
import { expectError, expectFieldErrors } from '../helpers/assertions.js';
import { bearer, type CreatedBusiness, createBusiness } from '../helpers/factories.js';
import { type PipelineApp, scriptedModel, startPipelineApp } from '../helpers/pipeline-fixture.js';

let p: PipelineApp;
beforeAll(async () => {
  p = await startPipelineApp({ LLM_ALLOWED_MODELS: 'fake-model-b' });
});
afterAll(async () => p.close());

/** A model that routes order questions to "Orders" unless the selection prompt says BROKEN. */
const model = () =>
  scriptedModel({
    route: (message, request) =>
      request.text.includes('BROKEN') ? undefined : /order/i.test(message) ? 'Orders' : undefined,
    extract: (message) => {
      const email = message.match(/[\w.]+@[\w.]+\w/)?.[0];
      return email ? { email } : {};
    },
    respond: (message) => `Happy to help with: ${message}`,
  });

beforeEach(() => {
  p.llm.reset();
  p.llm.setDefault(model());
});

const api = (
  key: string,
  method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE',
  url: string,
  payload?: Record<string, unknown>,
) => p.t.app.inject({ method, url, headers: bearer(key), ...(payload ? { payload } : {}) });

async function setUp() {
  const business = await createBusiness(p.t.app, p.t.masterKey);
  const orders = await api(business.api_key, 'POST', '/api/stages', {
    stage_name: 'Orders',
    stage_description: 'Questions about an existing order',
    stage_type: 'conversation',
  });
  expect(orders.statusCode, orders.body).toBe(201);
  return { business, ordersId: orders.json().stage_id as string };
}

async function waitForRun(key: string, runId: string) {
  await p.t.app.testRunsIdle?.();
  for (let i = 0; i < 200; i++) {
    const run = await api(key, 'GET', `/api/test-runs/${runId}`);
    expect(run.statusCode, run.body).toBe(200);
    const body = run.json();
    if (body.status === 'completed' || body.status === 'failed') return body;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error('the run did not finish');
}

async function run(business: CreatedBusiness, payload: Record<string, unknown> = {}) {
  const started = await api(business.api_key, 'POST', '/api/test-runs', payload);
  expect(started.statusCode, started.body).toBe(202);
  expect(started.json()).toMatchObject({ status: 'queued', target: payload.target ?? 'draft' });
  return waitForRun(business.api_key, started.json().test_run_id);
}

const tableCount = async (table: typeof conversations | typeof messages, businessId: string) => {
  const [row] = await p.t.database.db
    .select({ n: count() })
    .from(table)
    .where(eq(table.businessId, businessId));
  return row?.n ?? 0;
};

describe('golden tests', () => {
  it('a case made from a real turn passes on its configuration, fails when the draft breaks selection, and the comparison says so', async () => {
    const { business, ordersId } = await setUp();
    const turn = await api(business.api_key, 'POST', '/api/message', {
      content: 'Where is my order? I am ana@example.com',
    });
    expect(turn.statusCode, turn.body).toBe(200);
    expect(turn.json()).toMatchObject({ stage_name: 'Orders', extracted_data: { email: 'ana@example.com' } });

    const draft = await api(business.api_key, 'POST', '/api/test-cases/from-turn', {
      message_id: turn.json().message_id,
    });
    expect(draft.statusCode, draft.body).toBe(200);
    expect(draft.json()).toMatchObject({
      stage_id: business.first_stage_id,
      message: 'Where is my order? I am ana@example.com',
      history: [],
      expectations: {
        stage: { mode: 'exactly', stage_id: ordersId },
        fields: [{ key: 'email', op: 'equals', value: 'ana@example.com' }],
      },
      observed: { stage_id: ordersId, reply: 'Happy to help with: Where is my order? I am ana@example.com' },
    });
    const { observed: _observed, ...caseBody } = draft.json();
    const created = await api(business.api_key, 'POST', '/api/test-cases', caseBody);
    expect(created.statusCode, created.body).toBe(201);
    const caseId = created.json().test_case_id;

    const conversationsBefore = await tableCount(conversations, business.business_id);
    const messagesBefore = await tableCount(messages, business.business_id);
    const statusUrl = `/api/businesses/${business.business_id}/releases/status`;
    expect((await api(business.api_key, 'GET', statusUrl)).json().last_test_run).toBeNull();
    const good = await run(business, { stage_id: business.first_stage_id });
    // The releases status shows it (publishing reads it): passed, made on the draft as it is now.
    expect((await api(business.api_key, 'GET', statusUrl)).json().last_test_run).toMatchObject({
      test_run_id: good.test_run_id,
      stage_id: business.first_stage_id,
      passed: 1,
      failed: 0,
      total: 1,
      draft_changed_since: false,
    });
    expect(good).toMatchObject({
      status: 'completed',
      total: 1,
      done: 1,
      passed: 1,
      failed: 0,
      pass_rate: 1,
    });
    const result = good.results[0];
    expect(result).toMatchObject({ test_case_id: caseId, passed: true, stage_id: ordersId });
    expect(result.steps.map((s: { step: string; passed: boolean | null }) => [s.step, s.passed])).toEqual([
      ['stage_selection', true],
      ['data_extraction', true],
      ['response_generation', true],
    ]);
    expect(result.steps[0].prompt).toContain('Where is my order?');
    expect(result.steps[2].answer).toBe('Happy to help with: Where is my order? I am ana@example.com');
    expect(result.tokens_in).toBeGreaterThan(0);
    // Nothing was written to the business's conversations; the calls are in the log, marked as tests.
    expect(await tableCount(conversations, business.business_id)).toBe(conversationsBefore);
    expect(await tableCount(messages, business.business_id)).toBe(messagesBefore);
    // Each turn made three calls: selection, extraction (kept on the stage change: the new stage
    // extracts with the same template text) and the reply.
    expect(p.llm.requests).toHaveLength(6);
    const testCalls = await p.t.database.db.select().from(llmCalls).where(eq(llmCalls.callType, 'test'));
    expect(
      testCalls.filter((c) => c.businessId === business.business_id && c.conversationId === null).length,
    ).toBe(3);

    // The draft breaks the entry stage's selection template.
    const stage = (await api(business.api_key, 'GET', `/api/stages/${business.first_stage_id}`)).json();
    const template = (
      await api(business.api_key, 'GET', `/api/templates/${stage.stage_selection_template_id}`)
    ).json();
    const edit = await api(business.api_key, 'PATCH', `/api/templates/${template.template_id}`, {
      content: `BROKEN ${template.content}`,
    });
    expect(edit.statusCode, edit.body).toBe(200);
    expect((await api(business.api_key, 'GET', statusUrl)).json().last_test_run).toMatchObject({
      test_run_id: good.test_run_id,
      draft_changed_since: true,
    });
    const bad = await run(business);
    expect((await api(business.api_key, 'GET', statusUrl)).json().last_test_run).toMatchObject({
      test_run_id: bad.test_run_id,
      passed: 0,
      failed: 1,
      draft_changed_since: false,
    });
    expect(bad).toMatchObject({ status: 'completed', done: 1, passed: 0, failed: 1, pass_rate: 0 });
    expect(bad.results[0].steps[0]).toMatchObject({ step: 'stage_selection', passed: false });
    expect(bad.results[0].steps[0].checks[0].reason).toBe('expected Orders, selected General');
    expect(bad.results[0].steps[0].prompt).toContain('BROKEN');

    const comparison = await api(
      business.api_key,
      'GET',
      `/api/test-runs/compare?base=${good.test_run_id}&head=${bad.test_run_id}`,
    );
    expect(comparison.statusCode, comparison.body).toBe(200);
    expect(comparison.json()).toMatchObject({ broken: 1, fixed: 0, pass_rate_delta: -1 });
    expect(comparison.json().cases[0]).toMatchObject({
      test_case_id: caseId,
      change: 'broken',
      base_pass_rate: 1,
      head_pass_rate: 0,
      head_failures: ['stage is Orders: expected Orders, selected General'],
    });
    const runs = await api(business.api_key, 'GET', '/api/test-runs');
    expect(runs.json().test_runs.map((r: { test_run_id: string }) => r.test_run_id)).toEqual([
      bad.test_run_id,
      good.test_run_id,
    ]);
  });

  it('uses the case’s history and collected data, repeats for a pass rate, and records the rubric verdict', async () => {
    const { business } = await setUp();
    p.llm.script({
      match: 'RUBRIC',
      json: { verdict: 'fail', reason: 'The reply does not greet Bob by name' },
    });
    const created = await api(business.api_key, 'POST', '/api/test-cases', {
      stage_id: business.first_stage_id,
      name: 'Greets a returning customer',
      history: [
        { sender: 'user', content: 'Hi, my name is Bob' },
        { sender: 'assistant', content: 'Hello Bob!' },
      ],
      collected_data: { name: 'Bob' },
      message: 'What are your opening hours?',
      expectations: {
        stage: { mode: 'stays' },
        fields: [{ key: 'email', op: 'absent' }],
        reply: {
          contains: ['opening hours'],
          not_contains: ['sorry'],
          matches: '^Happy',
          max_length: 500,
          rubric: 'Greets the customer by name',
        },
      },
    });
    expect(created.statusCode, created.body).toBe(201);
    const done = await run(business, { repeat: 2, model: 'fake-model-b' });
    expect(done).toMatchObject({ status: 'completed', total: 2, done: 2, passed: 0, model: 'fake-model-b' });
    expect(done.cases).toEqual([expect.objectContaining({ runs: 2, passed: 0, pass_rate: 0 })]);
    const steps = done.results[0].steps;
    expect(steps.map((s: { step: string; passed: boolean | null }) => [s.step, s.passed])).toEqual([
      ['stage_selection', true],
      ['data_extraction', true],
      ['response_generation', true],
      ['rubric', false],
    ]);
    expect(steps[3].checks[0]).toEqual({
      check: 'reply rubric',
      passed: false,
      reason: 'The reply does not greet Bob by name',
    });
    // The prompts were built from the case's conversation, not from anything stored.
    expect(steps[2].prompt).toContain('Hi, my name is Bob');
    expect(steps[2].prompt).toContain('Hello Bob!');
    expect(p.llm.requests.every((r) => r.model === 'fake-model-b')).toBe(true);
  });

  it('refuses bad input with clear 4xx and keeps businesses apart', async () => {
    const { business } = await setUp();
    const other = await createBusiness(p.t.app, p.t.masterKey);
    const valid = {
      stage_id: business.first_stage_id,
      name: 'x',
      message: 'hello',
      expectations: { stage: { mode: 'stays' } },
    };
    expectFieldErrors(
      await api(business.api_key, 'POST', '/api/test-cases', {
        ...valid,
        expectations: { reply: { matches: '(' } },
      }),
      ['expectations.reply.matches'],
    );
    expectFieldErrors(
      await api(business.api_key, 'POST', '/api/test-cases', { ...valid, expectations: {} }),
      ['expectations'],
    );
    expectFieldErrors(
      await api(business.api_key, 'POST', '/api/test-cases', { ...valid, stage_id: other.first_stage_id }),
      ['stage_id'],
    );
    expectError(
      await api(business.api_key, 'POST', '/api/test-cases', { ...valid, message: 42 }),
      400,
      'VALIDATION_ERROR',
    );
    expectError(await api(business.api_key, 'POST', '/api/test-runs', {}), 400, 'VALIDATION_ERROR');
    const created = await api(business.api_key, 'POST', '/api/test-cases', valid);
    expect(created.statusCode, created.body).toBe(201);
    const caseId = created.json().test_case_id;
    expectFieldErrors(await api(business.api_key, 'POST', '/api/test-runs', { model: 'gpt-9000' }), [
      'model',
    ]);
    expectError(
      await api(business.api_key, 'POST', '/api/test-runs', { target: { release: 3 } }),
      404,
      'NOT_FOUND',
    );
    expectError(
      await api(business.api_key, 'POST', '/api/test-runs', { target: 'tomorrow' }),
      400,
      'VALIDATION_ERROR',
    );
    expectError(
      await api(business.api_key, 'POST', '/api/test-runs', { repeat: 0 }),
      400,
      'VALIDATION_ERROR',
    );
    // Another business's case or run is not found; its cases cannot be run from here.
    expectError(await api(other.api_key, 'GET', `/api/test-cases/${caseId}`), 404, 'NOT_FOUND');
    expectFieldErrors(await api(other.api_key, 'POST', '/api/test-runs', { test_case_ids: [caseId] }), [
      'test_case_ids',
    ]);
    const runId = (await run(business)).test_run_id;
    expectError(await api(other.api_key, 'GET', `/api/test-runs/${runId}`), 404, 'NOT_FOUND');
    expectError(
      await api(other.api_key, 'GET', `/api/test-runs/compare?base=${runId}&head=${runId}`),
      404,
      'NOT_FOUND',
    );
    // "Turn this into a test" takes a customer message of this business that the assistant answered.
    const turn = (await api(business.api_key, 'POST', '/api/message', { content: 'hi' })).json();
    expectError(
      await api(other.api_key, 'POST', '/api/test-cases/from-turn', { message_id: turn.message_id }),
      404,
      'NOT_FOUND',
    );
    expectFieldErrors(
      await api(business.api_key, 'POST', '/api/test-cases/from-turn', { message_id: turn.response_id }),
      ['message_id'],
    );
    // Edit and delete.
    const patched = await api(business.api_key, 'PATCH', `/api/test-cases/${caseId}`, { name: 'renamed' });
    expect(patched.json()).toMatchObject({ name: 'renamed', message: 'hello' });
    expectFieldErrors(
      await api(business.api_key, 'PATCH', `/api/test-cases/${caseId}`, {
        expectations: { fields: [{ key: 'a', op: 'matches' }] },
      }),
      ['expectations.fields.0.pattern'],
    );
    // Patterns run on RE2: one that needs backtracking is refused when saved, naming the field.
    const refused = await api(business.api_key, 'PATCH', `/api/test-cases/${caseId}`, {
      expectations: { reply: { matches: '(?<=order )\\d+' } },
    });
    expect(expectFieldErrors(refused, ['expectations.reply.matches'])['expectations.reply.matches']).toMatch(
      /RE2/,
    );
    expect((await api(business.api_key, 'DELETE', `/api/test-cases/${caseId}`)).statusCode).toBe(204);
    expectError(await api(business.api_key, 'GET', `/api/test-cases/${caseId}`), 404, 'NOT_FOUND');
    // The run keeps its result after the case is gone.
    expect((await api(business.api_key, 'GET', `/api/test-runs/${runId}`)).json().results).toHaveLength(1);
  });
});

describe('a run whose process died', () => {
  it('is taken over by the sweep once its lease expired and resumed after its recorded results', async () => {
    const { business } = await setUp();
    const created = await api(business.api_key, 'POST', '/api/test-cases', {
      stage_id: business.first_stage_id,
      name: 'stays',
      message: 'hello there',
      expectations: { stage: { mode: 'stays' } },
    });
    const caseId = created.json().test_case_id;
    // As a crashed process leaves it: running, one of three executions recorded, its lease in the past.
    const [row] = await p.t.database.db
      .insert(testRuns)
      .values({
        businessId: business.business_id,
        target: 'draft',
        repeat: 3,
        testCaseIds: [caseId],
        total: 3,
        status: 'running',
        leaseOwner: 'a-dead-process',
        leaseUntil: new Date(Date.now() - 1000),
      })
      .returning();
    const runId = row?.testRunId as string;
    await p.t.database.db.insert(testRunResults).values({
      testRunId: runId,
      businessId: business.business_id,
      testCaseId: caseId,
      caseName: 'stays',
      iteration: 1,
      passed: false,
      error: 'recorded before the crash',
    });
    await p.t.app.sweepTestRuns?.();
    const done = await waitForRun(business.api_key, runId);
    expect(done).toMatchObject({ status: 'completed', done: 3, passed: 2, failed: 1 });
    expect(
      done.results.map((r: { iteration: number; error: string | null }) => [r.iteration, r.error]),
    ).toEqual([
      [1, 'recorded before the crash'],
      [2, null],
      [3, null],
    ]);
    // Only the two missing executions ran: selection, extraction and reply each (two stages).
    expect(p.llm.requests).toHaveLength(6);
  });
});

describe('npm run icmp -- test', () => {
  const io = (lines: string[]): CliIo => ({
    env: {},
    out: (line) => lines.push(line),
    err: (line) => lines.push(line),
    fetch,
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, Math.min(ms, 20))),
  });

  it('exits 0 when every case passes, 1 when one fails (also as a process), 2 on bad arguments', async () => {
    const base = await p.t.app.listen({ port: 0, host: '127.0.0.1' });
    const { business, ordersId } = await setUp();
    const created = await api(business.api_key, 'POST', '/api/test-cases', {
      stage_id: business.first_stage_id,
      name: 'Order questions go to Orders',
      message: 'Where is my order?',
      expectations: { stage: { mode: 'exactly', stage_id: ordersId }, reply: { contains: ['order'] } },
    });
    expect(created.statusCode, created.body).toBe(201);
    const args = ['test', '--business', business.business_id, '--url', base, '--api-key', business.api_key];

    const passing: string[] = [];
    expect(await runCli(args, io(passing))).toBe(0);
    expect(passing.join('\n')).toMatch(/Order questions go to Orders\s+PASS\s+1\/1/);
    expect(passing.join('\n')).toContain('1 of 1 passed, 0 failed');

    const published = await api(
      business.api_key,
      'POST',
      `/api/businesses/${business.business_id}/releases`,
      {
        note: 'orders route',
      },
    );
    expect(published.statusCode, published.body).toBe(201);
    const stage = (await api(business.api_key, 'GET', `/api/stages/${business.first_stage_id}`)).json();
    await api(business.api_key, 'PATCH', `/api/templates/${stage.stage_selection_template_id}`, {
      content: 'BROKEN {{message_content}}',
    });
    // The release keeps passing while the draft (the default target) is broken.
    const onRelease: string[] = [];
    expect(await runCli([...args, '--release', '1'], io(onRelease))).toBe(0);
    const failing: string[] = [];
    expect(await runCli([...args, '--repeat', '2'], io(failing))).toBe(1);
    expect(failing.join('\n')).toMatch(
      /Order questions go to Orders\s+FAIL\s+0\/2\s+stage is Orders: expected Orders, selected General/,
    );

    // The same as a process, as a business's CI runs it.
    // (Asynchronously: this process is the server the CLI talks to.)
    const child = await new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) => {
      const cli = spawn(
        'npx',
        ['tsx', 'scripts/icmp-cli.ts', ...args.filter((a) => a !== base && a !== '--url')],
        {
          env: { ...process.env, ICMP_URL: base },
        },
      );
      let stdout = '';
      let stderr = '';
      cli.stdout.on('data', (chunk) => (stdout += chunk));
      cli.stderr.on('data', (chunk) => (stderr += chunk));
      cli.on('close', (status) => resolve({ status, stdout, stderr }));
    });
    expect(child.status, child.stderr).toBe(1);
    expect(child.stdout).toContain('0 of 1 passed, 1 failed');

    const usage: string[] = [];
    expect(await runCli(['test', '--url', base, '--api-key', business.api_key], io(usage))).toBe(2);
    expect(usage.join('\n')).toContain('--business is required');
    const refused: string[] = [];
    expect(await runCli([...args, '--model', 'gpt-9000'], io(refused))).toBe(2);
    expect(refused.join('\n')).toContain('HTTP 400');
    const release: string[] = [];
    expect(await runCli([...args, '--release', '4'], io(release))).toBe(2);
    expect(release.join('\n')).toMatch(/HTTP 404 Release not found/);
  }, 180_000);
});
