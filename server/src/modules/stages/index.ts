/** What other modules may use of stages. */
export { findStage, insertStage, type StageRow } from './stages.repository.js';
