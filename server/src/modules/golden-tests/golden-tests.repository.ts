import { and, asc, count, desc, eq, inArray, isNull, lt, or, type SQL, sql } from 'drizzle-orm';
import type { DbOrTx } from '../../db/client.js';
import { extractedData, messages, testCases, testRunResults, testRuns } from '../../db/schema.js';

export type TestCaseRow = typeof testCases.$inferSelect;
export type TestRunRow = typeof testRuns.$inferSelect;
export type TestRunResultRow = typeof testRunResults.$inferSelect;

const caseScope = (id: string, businessId: string | undefined): SQL | undefined =>
  businessId
    ? and(eq(testCases.testCaseId, id), eq(testCases.businessId, businessId))
    : eq(testCases.testCaseId, id);

const runScope = (id: string, businessId: string | undefined): SQL | undefined =>
  businessId
    ? and(eq(testRuns.testRunId, id), eq(testRuns.businessId, businessId))
    : eq(testRuns.testRunId, id);

export async function insertTestCase(db: DbOrTx, row: typeof testCases.$inferInsert): Promise<TestCaseRow> {
  const [created] = await db.insert(testCases).values(row).returning();
  if (!created) throw new Error('test case insert returned nothing');
  return created;
}

export async function findTestCase(db: DbOrTx, id: string, businessId: string | undefined) {
  const [row] = await db.select().from(testCases).where(caseScope(id, businessId)).limit(1);
  return row;
}

/** A business's cases (one stage's when given), oldest first, a page of them and the count. */
export async function listTestCases(
  db: DbOrTx,
  businessId: string,
  stageId: string | undefined,
  limit: number,
  offset: number,
) {
  const where = stageId
    ? and(eq(testCases.businessId, businessId), eq(testCases.stageId, stageId))
    : eq(testCases.businessId, businessId);
  const [rows, [total]] = await Promise.all([
    db
      .select()
      .from(testCases)
      .where(where)
      .orderBy(asc(testCases.createdAt), asc(testCases.testCaseId))
      .limit(limit)
      .offset(offset),
    db.select({ n: count() }).from(testCases).where(where),
  ]);
  return { rows, total: total?.n ?? 0 };
}

/** The ids of the cases a run covers: the given ones (of the business), a stage's, or all. */
export async function selectTestCaseIds(
  db: DbOrTx,
  businessId: string,
  filter: { ids?: string[] | undefined; stageId?: string | undefined },
) {
  const conditions: SQL[] = [eq(testCases.businessId, businessId)];
  if (filter.ids) conditions.push(inArray(testCases.testCaseId, filter.ids));
  if (filter.stageId) conditions.push(eq(testCases.stageId, filter.stageId));
  const rows = await db
    .select({ id: testCases.testCaseId })
    .from(testCases)
    .where(and(...conditions))
    .orderBy(asc(testCases.createdAt), asc(testCases.testCaseId))
    .limit(500);
  return rows.map((r) => r.id);
}

export async function findTestCasesByIds(db: DbOrTx, businessId: string, ids: string[]) {
  if (ids.length === 0) return [];
  return db
    .select()
    .from(testCases)
    .where(and(eq(testCases.businessId, businessId), inArray(testCases.testCaseId, ids)));
}

export async function updateTestCase(
  db: DbOrTx,
  id: string,
  businessId: string | undefined,
  values: Partial<typeof testCases.$inferInsert>,
) {
  const [row] = await db
    .update(testCases)
    .set({ ...values, updatedAt: new Date() })
    .where(caseScope(id, businessId))
    .returning();
  return row;
}

export async function deleteTestCase(db: DbOrTx, id: string, businessId: string | undefined) {
  const rows = await db
    .delete(testCases)
    .where(caseScope(id, businessId))
    .returning({ id: testCases.testCaseId });
  return rows.length > 0;
}

export async function insertTestRun(db: DbOrTx, row: typeof testRuns.$inferInsert): Promise<TestRunRow> {
  const [created] = await db.insert(testRuns).values(row).returning();
  if (!created) throw new Error('test run insert returned nothing');
  return created;
}

export async function findTestRun(db: DbOrTx, id: string, businessId: string | undefined) {
  const [row] = await db.select().from(testRuns).where(runScope(id, businessId)).limit(1);
  return row;
}

export async function listTestRuns(db: DbOrTx, businessId: string, limit: number, offset: number) {
  const where = eq(testRuns.businessId, businessId);
  const [rows, [total]] = await Promise.all([
    db
      .select()
      .from(testRuns)
      .where(where)
      .orderBy(desc(testRuns.createdAt), desc(testRuns.testRunId))
      .limit(limit)
      .offset(offset),
    db.select({ n: count() }).from(testRuns).where(where),
  ]);
  return { rows, total: total?.n ?? 0 };
}

export interface RunStats {
  done: number;
  passed: number;
  tokensIn: number;
  tokensOut: number;
  costUsd: number;
  avgLatencyMs: number | null;
}

/** Per run: results recorded, passed, tokens, cost and mean latency, in one statement. */
export async function runStats(db: DbOrTx, runIds: string[]): Promise<Map<string, RunStats>> {
  const stats = new Map<string, RunStats>();
  if (runIds.length === 0) return stats;
  const rows = await db
    .select({
      runId: testRunResults.testRunId,
      done: count(),
      passed: sql<number>`count(*) FILTER (WHERE ${testRunResults.passed})`.mapWith(Number),
      tokensIn: sql<number>`coalesce(sum(${testRunResults.tokensIn}), 0)`.mapWith(Number),
      tokensOut: sql<number>`coalesce(sum(${testRunResults.tokensOut}), 0)`.mapWith(Number),
      costUsd: sql<number>`coalesce(sum(${testRunResults.costUsd}), 0)`.mapWith(Number),
      avgLatencyMs: sql<number | null>`avg(${testRunResults.latencyMs})`.mapWith((v) =>
        v == null ? null : Number(v),
      ),
    })
    .from(testRunResults)
    .where(inArray(testRunResults.testRunId, runIds))
    .groupBy(testRunResults.testRunId);
  for (const row of rows) stats.set(row.runId, row);
  return stats;
}

export async function listRunResults(db: DbOrTx, runId: string) {
  return db
    .select()
    .from(testRunResults)
    .where(eq(testRunResults.testRunId, runId))
    .orderBy(asc(testRunResults.createdAt), asc(testRunResults.iteration));
}

/** (case, iteration) pairs already recorded: a resumed run skips them. */
export async function recordedKeys(db: DbOrTx, runId: string): Promise<Set<string>> {
  const rows = await db
    .select({ caseId: testRunResults.testCaseId, iteration: testRunResults.iteration })
    .from(testRunResults)
    .where(eq(testRunResults.testRunId, runId));
  return new Set(rows.map((r) => `${r.caseId}:${r.iteration}`));
}

export async function insertRunResult(db: DbOrTx, row: typeof testRunResults.$inferInsert) {
  // A taken-over run may race its old owner for the same execution: the first one recorded stays.
  await db.insert(testRunResults).values(row).onConflictDoNothing();
}

const leaseEnd = (leaseMs: number) => sql`now() + make_interval(secs => ${leaseMs / 1000})`;

/**
 * Takes a run to work on: it is unfinished and either ours already or its lease is free or expired
 * (its process died). Returns the run, now `running` under our lease, or nothing.
 */
export async function claimTestRun(db: DbOrTx, runId: string, owner: string, leaseMs: number) {
  const [row] = await db
    .update(testRuns)
    .set({
      status: 'running',
      leaseOwner: owner,
      leaseUntil: leaseEnd(leaseMs),
      startedAt: sql`coalesce(${testRuns.startedAt}, now())`,
    })
    .where(
      and(
        eq(testRuns.testRunId, runId),
        inArray(testRuns.status, ['queued', 'running']),
        or(eq(testRuns.leaseOwner, owner), isNull(testRuns.leaseUntil), lt(testRuns.leaseUntil, sql`now()`)),
      ),
    )
    .returning();
  return row;
}

/** Extends our lease; false when the run is no longer ours (taken over, or finished). */
export async function renewTestRunLease(db: DbOrTx, runId: string, owner: string, leaseMs: number) {
  const rows = await db
    .update(testRuns)
    .set({ leaseUntil: leaseEnd(leaseMs) })
    .where(and(eq(testRuns.testRunId, runId), eq(testRuns.leaseOwner, owner), eq(testRuns.status, 'running')))
    .returning({ id: testRuns.testRunId });
  return rows.length > 0;
}

export async function finishTestRun(
  db: DbOrTx,
  runId: string,
  owner: string,
  status: 'completed' | 'failed',
  error: string | null,
) {
  await db
    .update(testRuns)
    .set({ status, error, finishedAt: sql`now()`, leaseOwner: null, leaseUntil: null })
    .where(and(eq(testRuns.testRunId, runId), eq(testRuns.leaseOwner, owner)));
}

/** A stopping process lets go of its run at once, so another process's sweep resumes it. */
export async function releaseTestRun(db: DbOrTx, runId: string, owner: string) {
  await db
    .update(testRuns)
    .set({ leaseUntil: null })
    .where(
      and(eq(testRuns.testRunId, runId), eq(testRuns.leaseOwner, owner), eq(testRuns.status, 'running')),
    );
}

/** Unfinished runs nobody works on (lease free or expired), oldest first. */
export async function findAbandonedTestRuns(db: DbOrTx, limit: number) {
  const rows = await db
    .select({ id: testRuns.testRunId })
    .from(testRuns)
    .where(
      and(
        inArray(testRuns.status, ['queued', 'running']),
        or(isNull(testRuns.leaseUntil), lt(testRuns.leaseUntil, sql`now()`)),
      ),
    )
    .orderBy(asc(testRuns.createdAt))
    .limit(limit);
  return rows.map((r) => r.id);
}

/** A customer message of the business, for "turn this into a test". */
export async function findTurnMessage(db: DbOrTx, businessId: string, messageId: string) {
  const [row] = await db
    .select()
    .from(messages)
    .where(and(eq(messages.messageId, messageId), eq(messages.businessId, businessId)))
    .limit(1);
  return row;
}

/** The conversation's messages before `sequence` (the newest `limit`), oldest first. */
export async function listMessagesBefore(
  db: DbOrTx,
  businessId: string,
  conversationId: string,
  sequence: number,
  limit: number,
) {
  const rows = await db
    .select({ sender: messages.senderType, content: messages.messageContent })
    .from(messages)
    .where(
      and(
        eq(messages.conversationId, conversationId),
        eq(messages.businessId, businessId),
        lt(messages.sequenceNumber, sequence),
      ),
    )
    .orderBy(desc(messages.sequenceNumber))
    .limit(limit);
  return rows.reverse();
}

/** What extraction found in the conversation's messages before `sequence`, oldest first. */
export async function listExtractionsBefore(
  db: DbOrTx,
  businessId: string,
  conversationId: string,
  sequence: number,
) {
  const rows = await db
    .select({ data: extractedData.data })
    .from(extractedData)
    .innerJoin(messages, eq(messages.messageId, extractedData.messageId))
    .where(
      and(
        eq(extractedData.conversationId, conversationId),
        eq(extractedData.businessId, businessId),
        lt(messages.sequenceNumber, sequence),
      ),
    )
    .orderBy(asc(messages.sequenceNumber), asc(extractedData.createdAt));
  return rows.map((r) => r.data as Record<string, unknown>);
}

export async function findMessageContent(db: DbOrTx, businessId: string, messageId: string) {
  const [row] = await db
    .select({ content: messages.messageContent })
    .from(messages)
    .where(and(eq(messages.messageId, messageId), eq(messages.businessId, businessId)))
    .limit(1);
  return row?.content;
}

/** All of a business's cases in the order they were made (for an export). */
export async function listAllTestCases(db: DbOrTx, businessId: string) {
  return db
    .select()
    .from(testCases)
    .where(eq(testCases.businessId, businessId))
    .orderBy(asc(testCases.createdAt), asc(testCases.testCaseId));
}

/** Replaces a business's cases with `rows` (in the caller's transaction). */
export async function replaceTestCases(
  db: DbOrTx,
  businessId: string,
  rows: (typeof testCases.$inferInsert)[],
) {
  await db.delete(testCases).where(eq(testCases.businessId, businessId));
  if (rows.length > 0) await db.insert(testCases).values(rows);
}

/** The business's newest completed run of the draft (what publishing shows). */
export async function findLatestCompletedDraftRun(db: DbOrTx, businessId: string) {
  const [row] = await db
    .select()
    .from(testRuns)
    .where(
      and(
        eq(testRuns.businessId, businessId),
        eq(testRuns.target, 'draft'),
        eq(testRuns.status, 'completed'),
      ),
    )
    .orderBy(desc(testRuns.finishedAt), desc(testRuns.testRunId))
    .limit(1);
  return row;
}
