/** What other modules may use of stages. */
export { findStage, insertStage } from './stages.repository.js';
//# sourceMappingURL=index.js.map