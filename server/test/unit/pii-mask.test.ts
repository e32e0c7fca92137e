import { describe, expect, it } from 'vitest';
import type { FieldDefinition } from '../../src/db/schema.js';
import { type ApiKeyScope, masksPii, type Principal } from '../../src/lib/principal.js';
import { csvCell } from '../../src/modules/conversations/conversations-csv.js';
import { maskFieldValue, maskPiiValues } from '../../src/modules/fields/pii-mask.js';

describe('maskFieldValue', () => {
  it.each([
    ['email', 'john@example.com', 'j***@e***.com'],
    ['email', 'a@mail.example.co.uk', 'a***@m***.uk'],
    ['phone', '+447911123489', '+44 ****** 89'],
    ['phone', '02079460958', '020 ****** 58'],
    ['phone', '123', '•••'],
    ['text', 'Ana Silva', '•••'],
    ['date', '1990-04-01', '•••'],
    ['number', 42, '•••'],
    ['email', 'not an address', '•••'],
  ] as const)('%s %j → %j', (type, value, masked) => {
    expect(maskFieldValue(type, value)).toBe(masked);
  });

  it('leaves empty values and non-PII fields as they are', () => {
    const fields: FieldDefinition[] = [
      { name: 'email', label: 'E-mail', type: 'email', description: '', pii: true },
      { name: 'age', label: 'Age', type: 'number', description: '', pii: false },
    ];
    expect(maskPiiValues(fields, { email: null, age: 30, other: 'x' })).toEqual({
      email: null,
      age: 30,
      other: 'x',
    });
    expect(maskPiiValues(fields, { email: 'bo@ex.org' })).toEqual({ email: 'b***@e***.org' });
  });
});

describe('masksPii', () => {
  const key = (scopes: ApiKeyScope[]) =>
    ({
      role: 'business',
      businessId: 'b',
      businessName: 'B',
      keyId: 'k',
      keyName: 'k',
      scopes,
      sessionId: null,
    }) as Principal;
  const member = (role: 'owner' | 'editor' | 'agent' | 'viewer') =>
    ({
      role: 'member',
      account: { id: 'a', email: 'a@x.org', name: 'A', isAdmin: false },
      memberships: [{ businessId: 'b', businessName: 'B', role }],
      sessionId: 's',
    }) as Principal;

  it('masks for viewers and read-only keys only', () => {
    expect(masksPii(member('viewer'), 'b')).toBe(true);
    expect(masksPii(key(['read']), 'b')).toBe(true);
    expect(masksPii(member('agent'), 'b')).toBe(false);
    expect(masksPii(member('owner'), 'b')).toBe(false);
    expect(masksPii(key(['read', 'messages']), 'b')).toBe(false);
    expect(masksPii(key(['admin']), 'b')).toBe(false);
  });
});

describe('csvCell', () => {
  it.each([
    ['plain', 'plain'],
    ['=1+2', "'=1+2"],
    ['+351912', "'+351912"],
    ['-5', "'-5"],
    ['@SUM(A1)', "'@SUM(A1)"],
    ['a,b', '"a,b"'],
    ['say "hi"', '"say ""hi"""'],
    ['line\nbreak', '"line\nbreak"'],
    [null, ''],
    [true, 'true'],
  ] as const)('%j → %j', (value, cell) => {
    expect(csvCell(value)).toBe(cell);
  });
});
