/** What other modules may use of fields. */
export { FIELD_TYPES, Field, FieldName } from './fields.schemas.js';
export { readBusinessFields } from './fields.repository.js';
export {
  extractionSchema,
  missingRequired,
  normaliseExtraction,
  type RejectedValue,
  stageFields,
} from './field-values.js';
