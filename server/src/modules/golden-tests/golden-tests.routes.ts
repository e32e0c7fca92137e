import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../context.js';
import { errorResponses, toPage } from '../../lib/schemas.js';
import { businessFilter, byResource, principalOf, scopeBusinessId } from '../../plugins/auth.js';
import { findTestCase, findTestRun } from './golden-tests.repository.js';
import {
  CompareTestRunsQuery,
  CreateTestCaseBody,
  CreateTestRunBody,
  ListTestCasesQuery,
  ListTestRunsQuery,
  TestCase,
  TestCaseDraft,
  TestCaseFromTurnBody,
  TestCaseList,
  TestCaseParams,
  TestRun,
  TestRunComparison,
  TestRunDetail,
  TestRunList,
  TestRunParams,
  UpdateTestCaseBody,
} from './golden-tests.schemas.js';
import {
  changeTestCase,
  compareTestRuns,
  createTestCase,
  draftFromTurn,
  getTestCase,
  getTestRun,
  listBusinessTestCases,
  listBusinessTestRuns,
  removeTestCase,
  startTestRun,
} from './golden-tests.service.js';
import type { TestRunner } from './test-runner.js';

const tags = ['tests'];

export const goldenTestRoutes = (ctx: AppContext, runner: TestRunner) => async (root: FastifyInstance) => {
  const app = root.withTypeProvider<TypeBoxTypeProvider>();
  const caseOwner = byResource(
    'test_case_id',
    async (id) => (await findTestCase(ctx.db, id, undefined))?.businessId,
  );
  const runOwner = byResource(
    'test_run_id',
    async (id) => (await findTestRun(ctx.db, id, undefined))?.businessId,
  );

  app.post(
    '/api/test-cases',
    {
      config: { access: { permission: 'edit', business: 'body' } },
      schema: {
        tags,
        summary: 'Create a golden test case for a stage',
        body: CreateTestCaseBody,
        response: { 201: TestCase, ...errorResponses(400, 401, 403) },
      },
    },
    async (request, reply) => {
      const businessId = scopeBusinessId(principalOf(request), request.body.business_id);
      return reply.status(201).send(await createTestCase(ctx, businessId, request.body));
    },
  );

  app.post(
    '/api/test-cases/from-turn',
    {
      config: { access: { permission: 'edit', business: 'body' } },
      schema: {
        tags,
        summary: 'A test case pre-filled from a customer message the assistant answered (not saved)',
        body: TestCaseFromTurnBody,
        response: { 200: TestCaseDraft, ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request) =>
      draftFromTurn(
        ctx,
        scopeBusinessId(principalOf(request), request.body.business_id),
        request.body.message_id,
      ),
  );

  app.get(
    '/api/test-cases',
    {
      config: { access: { permission: 'read', business: 'query' } },
      schema: {
        tags,
        summary: 'List a business’s test cases (optionally one stage’s)',
        querystring: ListTestCasesQuery,
        response: { 200: TestCaseList, ...errorResponses(400, 401, 403) },
      },
    },
    async (request) => {
      const principal = principalOf(request);
      return listBusinessTestCases(
        ctx,
        principal,
        scopeBusinessId(principal, request.query.business_id),
        request.query.stage_id,
        toPage(request.query),
      );
    },
  );

  app.get(
    '/api/test-cases/:test_case_id',
    {
      config: { access: { permission: 'read', business: caseOwner } },
      schema: {
        tags,
        summary: 'Get a test case',
        params: TestCaseParams,
        response: { 200: TestCase, ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request) => {
      const principal = principalOf(request);
      return getTestCase(ctx, request.params.test_case_id, principal, businessFilter(principal));
    },
  );

  app.patch(
    '/api/test-cases/:test_case_id',
    {
      config: { access: { permission: 'edit', business: caseOwner } },
      schema: {
        tags,
        summary: 'Change a test case',
        params: TestCaseParams,
        body: UpdateTestCaseBody,
        response: { 200: TestCase, ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request) =>
      changeTestCase(ctx, request.params.test_case_id, businessFilter(principalOf(request)), request.body),
  );

  app.delete(
    '/api/test-cases/:test_case_id',
    {
      config: { access: { permission: 'edit', business: caseOwner } },
      schema: {
        tags,
        summary: 'Delete a test case (runs keep their results)',
        params: TestCaseParams,
        response: { 204: Type.Null(), ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request, reply) => {
      await removeTestCase(ctx, request.params.test_case_id, businessFilter(principalOf(request)));
      return reply.status(204).send(null);
    },
  );

  app.post(
    '/api/test-runs',
    {
      config: { access: { permission: 'edit', business: 'body' } },
      schema: {
        tags,
        summary: 'Start a run of test cases against the draft, the published configuration or a release',
        description:
          'Asynchronous: answers 202 with the run; `GET /api/test-runs/{id}` shows its progress and results. ' +
          'Runs go through the pipeline’s own steps and store no conversation.',
        body: CreateTestRunBody,
        response: { 202: TestRun, ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request, reply) => {
      const principal = principalOf(request);
      const businessId = scopeBusinessId(principal, request.body.business_id);
      return reply.status(202).send(await startTestRun(ctx, runner, principal, businessId, request.body));
    },
  );

  app.get(
    '/api/test-runs',
    {
      config: { access: { permission: 'read', business: 'query' } },
      schema: {
        tags,
        summary: 'List a business’s test runs, newest first',
        querystring: ListTestRunsQuery,
        response: { 200: TestRunList, ...errorResponses(400, 401, 403) },
      },
    },
    async (request) =>
      listBusinessTestRuns(
        ctx,
        scopeBusinessId(principalOf(request), request.query.business_id),
        toPage(request.query),
      ),
  );

  app.get(
    '/api/test-runs/compare',
    {
      config: { access: { permission: 'read', business: 'query' } },
      schema: {
        tags,
        summary: 'Two runs side by side: pass/fail changes per case, reply diff, cost and latency deltas',
        querystring: CompareTestRunsQuery,
        response: { 200: TestRunComparison, ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request) =>
      compareTestRuns(
        ctx,
        scopeBusinessId(principalOf(request), request.query.business_id),
        request.query.base,
        request.query.head,
      ),
  );

  app.get(
    '/api/test-runs/:test_run_id',
    {
      config: { access: { permission: 'read', business: runOwner } },
      schema: {
        tags,
        summary:
          'A test run: progress, and per case and step the prompt, answer, checks, latency, tokens, cost',
        params: TestRunParams,
        response: { 200: TestRunDetail, ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request) => getTestRun(ctx, request.params.test_run_id, businessFilter(principalOf(request))),
  );
};
