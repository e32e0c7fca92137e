/** What other modules may use of templates. */

export { PromptTooLarge } from './render-template.js';
export { TEMPLATE_TYPES, TemplateTypeOutput } from './template-types.js';
export {
  deleteTemplate,
  findDefaultTemplates,
  findTemplate,
  findTemplatesByIds,
  insertTemplates,
  type TemplateRow,
  updateTemplateAsNewVersion,
} from './templates.repository.js';
export { serializeTemplate } from './templates.service.js';
export { renderWithContext, type VariableContext } from './variables/compute-variables.js';
export { historyReadLimit } from './variables/conversation-history.js';
export { conversationVariableContext } from './variables/conversation-variables.js';
export { templateUsesFacts } from './variables/uses-facts.js';
export type { StoredHistory } from './variables/variable-env.js';
