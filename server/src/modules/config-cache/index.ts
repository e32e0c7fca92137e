/** What other modules may use of the business configuration cache. */
export {
  type BusinessConfig,
  type BusinessConfigCache,
  getBusinessConfig,
  loadBusinessConfig,
} from './business-config-cache.js';
export type { BusinessRow, StageRow, TemplateRow } from './config-cache.repository.js';
