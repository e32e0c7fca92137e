/** What other modules may use of fields. */

export { type DataMask, dataMaskFor, NO_MASK } from './data-mask.js';
export {
  authoredValue,
  extractionSchema,
  missingRequired,
  normaliseExtraction,
  normaliseValue,
  type RejectedValue,
  stageFields,
  typedFromPatterns,
} from './field-values.js';
export { readBusinessFields } from './fields.repository.js';
export { FIELD_TYPES, Field, FieldName } from './fields.schemas.js';
export { MASK, maskFieldValue, maskPiiValues } from './pii-mask.js';
