/** Golden tests per stage (issue 15): cases, asynchronous runs through the pipeline's steps, comparison. */
export { goldenTestRoutes } from './golden-tests.routes.js';
export { createTestRunner, type TestRunner } from './test-runner.js';
