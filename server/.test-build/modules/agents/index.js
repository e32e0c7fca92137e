/** What other modules may use of agents. */
export { findAgent } from './agents.repository.js';
//# sourceMappingURL=index.js.map