import type { FieldDefinition, FieldType } from '../../db/schema.js';

/*
 * PII masking (issue 16): values of fields flagged `pii` shown to read-only callers keep just enough to
 * recognise them (`j***@e***.com`, `+44 ****** 89`); other types become `•••`.
 */

export const MASK = '•••';

/** The masked form of one field value (null and empty stay as they are). */
export function maskFieldValue(type: FieldType, value: unknown): unknown {
  if (value === null || value === undefined || value === '') return value;
  const text = String(value);
  if (type === 'email') {
    const at = text.lastIndexOf('@');
    if (at > 0) {
      const domain = text.slice(at + 1);
      const dot = domain.lastIndexOf('.');
      const host = dot > 0 ? domain.slice(0, dot) : domain;
      const tld = dot > 0 ? domain.slice(dot) : '';
      return `${text[0]}***@${host[0] ?? ''}***${tld}`;
    }
  }
  if (type === 'phone') {
    const digits = text.replace(/[^\d+]/g, '');
    if (digits.length >= 6) return `${digits.slice(0, 3)} ****** ${digits.slice(-2)}`;
  }
  return MASK;
}

/** `data` with the values of the PII fields masked (keys that are no field stay as they are). */
export function maskPiiValues(
  fields: readonly FieldDefinition[],
  data: Record<string, unknown>,
): Record<string, unknown> {
  const pii = new Map(fields.filter((f) => f.pii).map((f) => [f.name, f.type]));
  if (pii.size === 0) return data;
  const masked: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(data)) {
    const type = pii.get(key);
    masked[key] = type === undefined ? value : maskFieldValue(type, value);
  }
  return masked;
}
