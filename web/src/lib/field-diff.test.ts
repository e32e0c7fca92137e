import { describe, expect, it } from 'vitest';
import { diffFields, flattenFields, isLongText } from './field-diff';

describe('diffFields', () => {
  it('tells changed, unchanged, added and removed fields apart, in the snapshots’ order', () => {
    const changes = diffFields(
      { name: 'Reply', version: 1, tags: ['a'], gone: 'x' },
      { name: 'Reply', version: 2, tags: ['a'], fresh: true },
    );
    expect(changes).toEqual([
      { field: 'name', kind: 'same', before: 'Reply', after: 'Reply' },
      { field: 'version', kind: 'changed', before: 1, after: 2 },
      { field: 'tags', kind: 'same', before: ['a'], after: ['a'] },
      { field: 'gone', kind: 'removed', before: 'x', after: undefined },
      { field: 'fresh', kind: 'added', before: undefined, after: true },
    ]);
  });

  it('compares nested objects field by field and arrays whole', () => {
    const changes = diffFields(
      { settings: {}, origins: ['https://a.example'] },
      { settings: { history_limit: 7 }, origins: ['https://a.example', 'https://b.example'] },
    );
    expect(changes.map((c) => [c.field, c.kind])).toEqual([
      ['origins', 'changed'],
      ['settings.history_limit', 'added'],
    ]);
  });

  it('treats a missing snapshot (create, delete) as no fields', () => {
    expect(diffFields(null, { a: 1 })).toEqual([{ field: 'a', kind: 'added', before: undefined, after: 1 }]);
    expect(diffFields({ a: 1 }, null)).toEqual([
      { field: 'a', kind: 'removed', before: 1, after: undefined },
    ]);
    expect(diffFields(null, null)).toEqual([]);
  });

  it('keeps null as a value, distinct from a missing field', () => {
    expect(diffFields({ agent_id: null }, { agent_id: 'x' })[0]?.kind).toBe('changed');
    expect(flattenFields({ a: { b: null } })).toEqual([['a.b', null]]);
  });
});

describe('isLongText', () => {
  it('is true for multi-line or long strings only', () => {
    expect(isLongText('one\ntwo')).toBe(true);
    expect(isLongText('x'.repeat(121))).toBe(true);
    expect(isLongText('short')).toBe(false);
    expect(isLongText(42)).toBe(false);
  });
});
