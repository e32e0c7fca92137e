export { registerBacklogMetrics } from './backlog-metrics.js';
export { operationsRoutes } from './operations.routes.js';
//# sourceMappingURL=index.js.map