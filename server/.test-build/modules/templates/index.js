/** What other modules may use of templates. */
export { PromptTooLarge } from './render-template.js';
export { findDefaultTemplates, findTemplate, findTemplatesByIds, insertTemplates, } from './templates.repository.js';
export { serializeTemplate } from './templates.service.js';
export { renderWithContext } from './variables/compute-variables.js';
export { conversationVariableContext } from './variables/conversation-variables.js';
//# sourceMappingURL=index.js.map