/** What other modules may use of fields. */

export {
  authoredValue,
  extractionSchema,
  missingRequired,
  normaliseExtraction,
  type RejectedValue,
  stageFields,
  typedFromPatterns,
} from './field-values.js';
export { readBusinessFields } from './fields.repository.js';
export { FIELD_TYPES, Field, FieldName } from './fields.schemas.js';
