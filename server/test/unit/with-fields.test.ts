import { describe, expect, it } from 'vitest';
import { withFields } from '../../src/lib/with-fields.js';

describe('withFields', () => {
  it('is { ...base, ...fields }: a new object, the fields winning, the base untouched', () => {
    const base = { text: 'select 1', name: undefined as string | undefined, rowMode: 'array' };
    const named = withFields(base, { name: 'icmp_1' });
    expect(named).toEqual({ text: 'select 1', name: 'icmp_1', rowMode: 'array' });
    expect(named).not.toBe(base);
    expect(base.name).toBeUndefined();
    expect(Object.keys(named)).toEqual(['text', 'name', 'rowMode']);
  });

  it('copies own enumerable properties only, as a spread does', () => {
    const base = Object.create({ inherited: 1 }) as Record<string, unknown>;
    base.own = 2;
    Object.defineProperty(base, 'hidden', { value: 3, enumerable: false });
    expect(withFields(base, { added: 4 })).toEqual({ own: 2, added: 4 });
  });
});
