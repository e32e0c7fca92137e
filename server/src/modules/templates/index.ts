/** What other modules may use of templates. */
export {
  findDefaultTemplates,
  findTemplate,
  findTemplatesByIds,
  insertTemplates,
  type TemplateRow,
} from './templates.repository.js';
