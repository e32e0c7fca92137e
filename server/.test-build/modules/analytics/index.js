/** What other modules may use of analytics. */
export { atLlmBudget } from './llm-usage.service.js';
//# sourceMappingURL=index.js.map