/** Golden tests per stage (issue 15): cases, asynchronous runs through the pipeline's steps, comparison. */
export { goldenTestRoutes } from './golden-tests.routes.js';
export { ExportedTestCase } from './golden-tests.schemas.js';
export { latestDraftRun } from './golden-tests.service.js';
export { exportTestCases, importTestCases, validateImportedTestCases } from './test-cases-export.js';
export { createTestRunner, type TestRunner } from './test-runner.js';
