import { describe, expect, it } from 'vitest';
import type { FieldDefinition } from '../../src/db/schema.js';
import {
  extractionSchema,
  missingRequired,
  normaliseValue,
  typedFromPatterns,
} from '../../src/modules/fields/field-values.js';

const field = (type: FieldDefinition['type'], extra: Partial<FieldDefinition> = {}): FieldDefinition => ({
  name: type,
  label: type,
  type,
  description: '',
  pii: false,
  ...extra,
});

describe('normaliseValue', () => {
  it.each([
    ['email', ' Bo@Example.org ', 'bo@example.org'],
    ['phone', '+1 (415) 555-0100', '+14155550100'],
    ['phone', '00351-912-345-678', '+351912345678'],
    ['phone', '912 345 678', '912345678'],
    ['phone', '+44 (0)20 7946 0958', '+442079460958'],
    ['phone', '0044 20 7946 0958', '+442079460958'],
    ['phone', '+49 30 1234567 ext 12', '+49301234567'],
    ['phone', '020 7946 0958', '02079460958'],
    ['number', '1,500', 1500],
    ['number', '2,5', 2.5],
    ['number', -4, -4],
    ['date', '2026-1-5', '2026-01-05'],
    ['date', '05/01/2026', '2026-01-05'],
    ['boolean', 'TRUE', true],
    ['boolean', 'n', false],
    ['text', 42, '42'],
  ] as const)('%s %j → %j', (type, input, expected) => {
    expect(normaliseValue(field(type), input)).toEqual({ value: expected });
  });

  it.each([
    ['email', 'bo@example'],
    ['email', 'two words@example.org'],
    ['phone', '+0 123'],
    ['phone', '12345'],
    ['phone', '+12345678'],
    ['phone', '+999 1234567'],
    ['phone', '+44 20 7946 0958 1234 5'],
    ['number', '3 people'],
    ['number', true],
    ['date', '12/24/2026'],
    ['date', 'next Friday'],
    ['boolean', 'maybe'],
    ['text', { a: 1 }],
  ] as const)('%s %j is rejected', (type, input) => {
    expect(normaliseValue(field(type), input)).toHaveProperty('reason');
  });

  it('matches an enum value case-insensitively and returns its own spelling', () => {
    const room = field('enum', { values: ['Single', 'Double'] });
    expect(normaliseValue(room, 'DOUBLE')).toEqual({ value: 'Double' });
    expect(normaliseValue(room, 'Suite')).toEqual({ reason: 'is not one of Single, Double' });
  });
});

describe('extractionSchema', () => {
  it('is strict: every field required, null allowed, no other keys', () => {
    const schema = extractionSchema([field('email'), field('enum', { values: ['a', 'b'] })]);
    expect(schema).toMatchObject({
      type: 'object',
      required: ['email', 'enum'],
      additionalProperties: false,
      properties: {
        email: { type: ['string', 'null'] },
        enum: { type: ['string', 'null'], enum: ['a', 'b', null] },
      },
    });
    // What it adds to the fields' own words stays within Latin-1 (one-byte strings in V8).
    expect([...JSON.stringify(schema)].filter((char) => (char.codePointAt(0) ?? 0) > 0xff)).toEqual([]);
  });
});

describe('missingRequired and typedFromPatterns', () => {
  it('lists required fields without a value, in the stage order', () => {
    const fields = [field('email'), field('date'), field('phone')];
    const stage = { requiredFields: ['phone', 'email'], optionalFields: ['date'] };
    expect(missingRequired(fields, stage, { email: 'a@b.co', phone: '' }).map((f) => f.name)).toEqual([
      'phone',
    ]);
  });

  it('leaves two fields of one type empty: a pattern cannot tell them apart', () => {
    const fields = [field('email', { name: 'home' }), field('email', { name: 'work' }), field('date')];
    expect(typedFromPatterns(fields, { email: 'a@b.co', date: '2026-05-01' }, '').values).toEqual({
      date: '2026-05-01',
    });
  });
});
