import { parsePhoneNumberFromString } from 'libphonenumber-js/min';
import type { FieldDefinition } from '../../db/schema.js';

/*
 * Typed extraction (issue 16): the JSON schema extraction asks for, and the validation and
 * normalisation of what the model answered. An invalid value is dropped with its reason.
 */

export interface RejectedValue {
  field: string;
  value: unknown;
  reason: string;
}

/** The fields a stage collects: required then optional, in the business's field order. */
export function stageFields(
  fields: readonly FieldDefinition[],
  stage: { requiredFields: string[]; optionalFields: string[] },
): FieldDefinition[] {
  const wanted = new Set([...stage.requiredFields, ...stage.optionalFields]);
  return fields.filter((f) => wanted.has(f.name));
}

const JSON_TYPE: Record<FieldDefinition['type'], string> = {
  text: 'string',
  email: 'string',
  phone: 'string',
  number: 'number',
  date: 'string',
  enum: 'string',
  boolean: 'boolean',
};

const HINT: Record<FieldDefinition['type'], string> = {
  text: '',
  email: 'An e-mail address.',
  phone: 'A phone number, international format (+ and digits) when known.',
  number: 'A number.',
  date: 'A date as YYYY-MM-DD.',
  enum: '',
  boolean: 'true or false.',
};

/**
 * A strict JSON schema (every key present, null when the message does not give it), as OpenAI's
 * strict structured output requires.
 */
export function extractionSchema(fields: readonly FieldDefinition[]): Record<string, unknown> {
  const properties: Record<string, unknown> = {};
  for (const f of fields) {
    // Joined with ASCII: one character outside Latin-1 makes V8 store the whole request body two bytes
    // per character (default-templates.test.ts).
    const description = [f.label, f.description, HINT[f.type]].filter(Boolean).join(' - ');
    properties[f.name] =
      f.type === 'enum'
        ? { type: ['string', 'null'], enum: [...(f.values ?? []), null], description }
        : { type: [JSON_TYPE[f.type], 'null'], description };
  }
  return {
    type: 'object',
    properties,
    required: fields.map((f) => f.name),
    additionalProperties: false,
  };
}

const EMAIL = /^[^\s@<>(),;:"]+@[^\s@<>(),;:"]+\.[^\s@<>(),;:".]{2,}$/;
const EMPTY = /^(n\/a|null|none|unknown|not provided|)$/i;

/** A value of a field, or why it is not one. */
export function normaliseValue(
  field: FieldDefinition,
  value: unknown,
): { value: unknown } | { reason: string } {
  const text =
    typeof value === 'string' ? value.trim() : typeof value === 'number' ? String(value) : undefined;
  switch (field.type) {
    case 'text':
      if (text === undefined) return { reason: 'is not text' };
      return { value: text.slice(0, 2000) };
    case 'email':
      if (text === undefined || !EMAIL.test(text)) return { reason: 'is not an e-mail address' };
      return { value: text.toLowerCase() };
    case 'phone':
      return phone(text);
    case 'number': {
      if (typeof value === 'number')
        return Number.isFinite(value) ? { value } : { reason: 'is not a number' };
      const cleaned = text?.replace(/[\s,](?=\d{3}\b)/g, '').replace(',', '.');
      const n = cleaned !== undefined && /^[-+]?\d+(\.\d+)?$/.test(cleaned) ? Number(cleaned) : Number.NaN;
      return Number.isFinite(n) ? { value: n } : { reason: 'is not a number' };
    }
    case 'date':
      return date(text);
    case 'boolean': {
      if (typeof value === 'boolean') return { value };
      const word = text?.toLowerCase();
      if (word && ['yes', 'true', 'y', '1'].includes(word)) return { value: true };
      if (word && ['no', 'false', 'n', '0'].includes(word)) return { value: false };
      return { reason: 'is not yes/no' };
    }
    case 'enum': {
      const match =
        text === undefined ? undefined : field.values?.find((v) => v.toLowerCase() === text.toLowerCase());
      return match !== undefined
        ? { value: match }
        : { reason: `is not one of ${(field.values ?? []).join(', ')}` };
    }
  }
}

/**
 * A value an author wrote for a field (a transition rule's `field_equals`): of the field's JSON type
 * (a number for a number field, a boolean for a boolean, else a string) and valid for it, normalised as
 * extraction normalises collected values, so the two compare equal.
 */
export function authoredValue(
  field: FieldDefinition,
  value: unknown,
): { value: string | number | boolean } | { reason: string } {
  const json = JSON_TYPE[field.type];
  if (typeof value !== json) return { reason: `is not a ${json}` };
  return normaliseValue(field, value) as { value: string | number | boolean } | { reason: string };
}

/**
 * A number that says its country (`+` or `00`) becomes E.164 when libphonenumber (min metadata) finds it
 * a possible number of that country, else it is rejected. A national number (no country prefix) is kept
 * as its digits: no business region setting exists to tell its country, so it cannot become E.164.
 */
function phone(text: string | undefined): { value: unknown } | { reason: string } {
  if (text === undefined || /[a-z]/i.test(text.replace(/\b(ext|x)\.?\s*\d+$/i, '')))
    return { reason: 'is not a phone number' };
  const compact = text.replace(/[\s().\-/]/g, '').replace(/(ext|x)\.?\d+$/i, '');
  const international = compact.startsWith('+')
    ? compact
    : compact.startsWith('00')
      ? `+${compact.slice(2)}`
      : null;
  if (international !== null) {
    const parsed = /^\+\d+$/.test(international) ? parsePhoneNumberFromString(international) : undefined;
    if (parsed?.isPossible()) return { value: parsed.number };
    return { reason: 'is not a phone number (international numbers need a valid country code and length)' };
  }
  if (/^\d{6,15}$/.test(compact)) return { value: compact };
  return { reason: 'is not a phone number' };
}

/** ISO 8601 `YYYY-MM-DD` from ISO, `DD.MM.YYYY`/`DD/MM/YYYY` or a full ISO timestamp; a real calendar date. */
function date(text: string | undefined): { value: unknown } | { reason: string } {
  if (text === undefined) return { reason: 'is not a date' };
  let parts: [number, number, number] | undefined;
  const iso = text.match(/^(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ][\d:.]+(?:Z|[+-]\d{2}:?\d{2})?)?$/);
  const dmy = text.match(/^(\d{1,2})[./](\d{1,2})[./](\d{4})$/);
  if (iso) parts = [Number(iso[1]), Number(iso[2]), Number(iso[3])];
  else if (dmy) parts = [Number(dmy[3]), Number(dmy[2]), Number(dmy[1])];
  if (!parts) return { reason: 'is not a date (YYYY-MM-DD)' };
  const [y, m, d] = parts;
  const at = new Date(Date.UTC(y, m - 1, d));
  if (at.getUTCFullYear() !== y || at.getUTCMonth() !== m - 1 || at.getUTCDate() !== d)
    return { reason: 'is not a calendar date' };
  return { value: at.toISOString().slice(0, 10) };
}

/**
 * The typed values of an extraction answer: known fields only, each valid and normalised; missing and
 * null values are no answer (not rejected); keys that are not the stage's fields are ignored.
 */
export function normaliseExtraction(
  fields: readonly FieldDefinition[],
  raw: Record<string, unknown>,
): { values: Record<string, unknown>; rejected: RejectedValue[] } {
  const values: Record<string, unknown> = {};
  const rejected: RejectedValue[] = [];
  for (const field of fields) {
    const value = raw[field.name];
    if (value === undefined || value === null || (typeof value === 'string' && EMPTY.test(value.trim())))
      continue;
    const result = normaliseValue(field, value);
    if ('value' in result) values[field.name] = result.value;
    else
      rejected.push({
        field: field.name,
        value: typeof value === 'string' ? value.slice(0, 200) : value,
        reason: result.reason,
      });
  }
  return { values, rejected };
}

/** Required fields of the stage that `collected` lacks, in order. */
export function missingRequired(
  fields: readonly FieldDefinition[],
  stage: { requiredFields: string[] },
  collected: Record<string, unknown>,
): FieldDefinition[] {
  return stage.requiredFields.flatMap((name) => {
    const field = fields.find((f) => f.name === name);
    const value = collected[name];
    return field && (value === undefined || value === null || value === '') ? [field] : [];
  });
}

/** The offline engine's pattern facts under the key each pattern fills. */
type PatternFacts = Partial<Record<'email' | 'phone' | 'date' | 'number', unknown>>;

/**
 * Typed extraction without a model: a field gets the pattern engine's value of its type when it is the
 * stage's only field of that type (two e-mail fields cannot be told apart by a pattern); an enum field
 * gets the one of its values the message names. Values then go through the same normalisation.
 */
export function typedFromPatterns(
  fields: readonly FieldDefinition[],
  facts: PatternFacts,
  message: string,
): { values: Record<string, unknown>; rejected: RejectedValue[] } {
  const raw: Record<string, unknown> = {};
  const patternKey: Partial<Record<FieldDefinition['type'], keyof PatternFacts>> = {
    email: 'email',
    phone: 'phone',
    date: 'date',
    number: 'number',
  };
  for (const field of fields) {
    const key = patternKey[field.type];
    if (key && facts[key] !== undefined && fields.filter((f) => f.type === field.type).length === 1)
      raw[field.name] = facts[key];
    if (field.type === 'enum') {
      const lower = message.toLowerCase();
      const named = (field.values ?? []).filter((v) =>
        new RegExp(`(^|[^\\p{L}\\p{N}])${escapeRegExp(v.toLowerCase())}($|[^\\p{L}\\p{N}])`, 'u').test(lower),
      );
      if (named.length === 1) raw[field.name] = named[0];
    }
  }
  return normaliseExtraction(fields, raw);
}

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
