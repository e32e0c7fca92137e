/**
 * Field-level comparison of two JSON snapshots of one entity (an audit entry's before and after).
 * Nested objects are compared field by field under dotted names (`settings.history_limit`); arrays
 * and other values are compared whole.
 */
export type FieldChangeKind = 'added' | 'removed' | 'changed' | 'same';

export interface FieldChange {
  field: string;
  kind: FieldChangeKind;
  before: unknown;
  after: unknown;
}

type Snapshot = Record<string, unknown> | null | undefined;

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** `{a: {b: 1}, c: [1]}` → `[['a.b', 1], ['c', [1]]]`; an empty nested object has no fields. */
export function flattenFields(snapshot: Snapshot, prefix = ''): [string, unknown][] {
  if (!snapshot) return [];
  return Object.entries(snapshot).flatMap(([key, value]) =>
    isPlainObject(value)
      ? flattenFields(value, `${prefix}${key}.`)
      : [[`${prefix}${key}`, value] as [string, unknown]],
  );
}

const same = (a: unknown, b: unknown) => a === b || JSON.stringify(a) === JSON.stringify(b);

/**
 * Every field of either snapshot, in the order they appear (before's first, then fields only after
 * has), with what happened to it. A null snapshot (a create's before, a delete's after) has no fields.
 */
export function diffFields(before: Snapshot, after: Snapshot): FieldChange[] {
  const a = new Map(flattenFields(before));
  const b = new Map(flattenFields(after));
  const fields = [...a.keys(), ...[...b.keys()].filter((k) => !a.has(k))];
  return fields.map((field) => {
    const inA = a.has(field);
    const inB = b.has(field);
    const kind: FieldChangeKind = !inA
      ? 'added'
      : !inB
        ? 'removed'
        : same(a.get(field), b.get(field))
          ? 'same'
          : 'changed';
    return { field, kind, before: a.get(field), after: b.get(field) };
  });
}

/** Text worth a line diff rather than two whole values side by side (template content, prompts). */
export function isLongText(value: unknown): value is string {
  return typeof value === 'string' && (value.includes('\n') || value.length > 120);
}
