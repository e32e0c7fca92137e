import { randomUUID } from 'node:crypto';
import type { DbOrTx } from '../../db/client.js';
import { hasExpectations, invalidPatterns } from './checks.js';
import { listAllTestCases, replaceTestCases } from './golden-tests.repository.js';
import type { ExportedTestCase, TestCase, TestExpectations } from './golden-tests.schemas.js';

/**
 * A business's cases as the configuration document carries them (`tests`): oldest first, their
 * stages by the ids the document's `configuration.stages` use (the draft's own ids).
 */
export async function exportTestCases(db: DbOrTx, businessId: string): Promise<ExportedTestCase[]> {
  const rows = await listAllTestCases(db, businessId);
  return rows.map((row) => ({
    test_case_id: row.testCaseId,
    stage_id: row.stageId,
    name: row.name,
    history: row.history as TestCase['history'],
    collected_data: row.collectedData,
    message: row.message,
    expectations: row.expectations as TestExpectations,
  }));
}

/** What a schema cannot check in a document's cases: their stages are the document's, patterns compile. */
export function validateImportedTestCases(
  cases: ExportedTestCase[],
  documentStageIds: ReadonlySet<string>,
): Record<string, string> {
  const errors: Record<string, string> = {};
  const ids = new Set<string>();
  cases.forEach((c, i) => {
    const at = `tests[${i}]`;
    if (ids.has(c.test_case_id)) errors[`${at}.test_case_id`] = 'is repeated';
    ids.add(c.test_case_id);
    if (!documentStageIds.has(c.stage_id)) errors[`${at}.stage_id`] = 'is not a stage of the document';
    const target = c.expectations.stage?.stage_id;
    if (target && !documentStageIds.has(target))
      errors[`${at}.expectations.stage.stage_id`] = 'is not a stage of the document';
    for (const [field, message] of Object.entries(invalidPatterns(c.expectations)))
      errors[`${at}.${field}`] = message;
    if (!hasExpectations(c.expectations)) errors[`${at}.expectations`] = 'must check at least one thing';
    if (!c.message.trim()) errors[`${at}.message`] = 'must not be empty';
    if (JSON.stringify([c.message, c.history, c.collected_data, c.name]).includes('\\u0000'))
      errors[`${at}`] = 'must not contain NUL';
  });
  return errors;
}

/**
 * Makes the business's cases the document's (in the caller's transaction, after its stages were
 * applied): stage references go through `stageId`, the map from the document's stage ids to the
 * draft's. A case keeps its id when it is one of this business's, so runs that named it still do.
 */
export async function importTestCases(
  tx: DbOrTx,
  businessId: string,
  cases: ExportedTestCase[],
  stageId: ReadonlyMap<string, string>,
) {
  const current = new Map((await listAllTestCases(tx, businessId)).map((row) => [row.testCaseId, row]));
  const mapped = (id: string) => stageId.get(id) as string;
  const base = Date.now();
  await replaceTestCases(
    tx,
    businessId,
    cases.map((c, index) => {
      const kept = current.get(c.test_case_id);
      const expectations: TestExpectations = c.expectations.stage?.stage_id
        ? {
            ...c.expectations,
            stage: { ...c.expectations.stage, stage_id: mapped(c.expectations.stage.stage_id) },
          }
        : c.expectations;
      return {
        testCaseId: kept ? kept.testCaseId : randomUUID(),
        businessId,
        stageId: mapped(c.stage_id),
        name: c.name.trim() || 'Test',
        history: c.history,
        collectedData: c.collected_data,
        message: c.message,
        expectations,
        sourceMessageId: kept?.sourceMessageId ?? null,
        // The document's order is the listing's.
        createdAt: new Date(base + index),
      };
    }),
  );
  return cases.length;
}
