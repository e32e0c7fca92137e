/** What other modules may use of stages. */
export { deleteStage, findStage, insertStage, type StageRow, updateStage } from './stages.repository.js';
export { TransitionRule } from './stages.schemas.js';
