/** What other modules may use of the business configuration cache. */
export {
  type BusinessConfig,
  type BusinessConfigCache,
  type ConfigTarget,
  getBusinessConfig,
  loadBusinessConfig,
  loadConfigForTarget,
} from './business-config-cache.js';
export {
  type BusinessRow,
  loadAllTemplates,
  loadConfigRows,
  type StageRow,
  type TemplateRow,
} from './config-cache.repository.js';
export {
  canonicalJson,
  contentHash,
  PIPELINE_SETTING_KEYS,
  type PipelineSettings,
  type ReleaseContent,
  type ReleaseStage,
  type ReleaseTemplate,
  releaseContentOf,
} from './release-content.js';
export { selectableStages } from './selectable-stages.js';
