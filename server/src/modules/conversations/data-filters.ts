import type { FieldDefinition } from '../../db/schema.js';
import { invalid } from '../../errors.js';
import { normaliseValue } from '../fields/index.js';

/**
 * `data.<key>=<value>` filters on collected data. A business with typed fields filters by each field's
 * type (exact normalised values; `min..max` ranges on number and date fields, either end optional); a
 * key that is none of its fields is a 400. A business without fields keeps the untyped text match.
 */
export type DataFilter =
  | { key: string; kind: 'text'; value: string }
  | { key: string; kind: 'equals'; value: unknown }
  | { key: string; kind: 'range'; type: 'number' | 'date'; min?: number | string; max?: number | string };

const RANGE = '..';

function typedValue(field: FieldDefinition, param: string, text: string): unknown {
  const result = normaliseValue(field, text);
  if ('reason' in result) {
    throw invalid(`Invalid filter ${param}: "${text.slice(0, 100)}" ${result.reason}`, {
      [param]: result.reason,
    });
  }
  return result.value;
}

function typedFilter(field: FieldDefinition, param: string, text: string): DataFilter {
  if ((field.type === 'number' || field.type === 'date') && text.includes(RANGE)) {
    const [low = '', high = '', ...rest] = text.split(RANGE);
    if (rest.length > 0 || (low.trim() === '' && high.trim() === '')) {
      throw invalid(`Invalid filter ${param}: a range is min..max (either end may be left out)`, {
        [param]: 'a range is min..max',
      });
    }
    const end = (value: string) =>
      value.trim() === '' ? undefined : (typedValue(field, param, value.trim()) as number | string);
    const min = end(low);
    const max = end(high);
    if (min !== undefined && max !== undefined && min > max) {
      throw invalid(`Invalid filter ${param}: the range's min is above its max`, {
        [param]: 'min must not be above max',
      });
    }
    return {
      key: field.name,
      kind: 'range',
      type: field.type,
      ...(min === undefined ? {} : { min }),
      ...(max === undefined ? {} : { max }),
    };
  }
  return { key: field.name, kind: 'equals', value: typedValue(field, param, text) };
}

/** The filters of `data.<key>` pairs for a business with these fields (none: untyped text matches). */
export function typedDataFilters(
  pairs: ReadonlyArray<readonly [key: string, value: string]>,
  fields: readonly FieldDefinition[],
): DataFilter[] {
  if (fields.length === 0) return pairs.map(([key, value]) => ({ key, kind: 'text', value }));
  return pairs.map(([key, value]) => {
    const param = `data.${key}`;
    const field = fields.find((f) => f.name === key);
    if (!field) {
      throw invalid(
        `Unknown field in filter ${param}: the business's fields are ${fields.map((f) => f.name).join(', ')}`,
        {
          [param]: 'is not a field of this business',
        },
      );
    }
    return typedFilter(field, param, value);
  });
}
