import { describe, expect, it } from 'vitest';
import { toDate } from '../../src/db/raw-rows.js';

describe('toDate', () => {
  it("reads PostgreSQL's timestamptz output in UTC, with and without fractions of a second", () => {
    expect(toDate('2024-05-01 12:00:00.123456+00').toISOString()).toBe('2024-05-01T12:00:00.123Z');
    expect(toDate('2024-05-01 12:00:00.1+00').toISOString()).toBe('2024-05-01T12:00:00.100Z');
    expect(toDate('2024-05-01 12:00:00+00').toISOString()).toBe('2024-05-01T12:00:00.000Z');
  });

  it('reads other offsets, ISO 8601 and Dates as they are', () => {
    expect(toDate('2024-05-01 14:00:00.5+02').toISOString()).toBe('2024-05-01T12:00:00.500Z');
    expect(toDate('2024-05-01 17:30:00+05:30').toISOString()).toBe('2024-05-01T12:00:00.000Z');
    expect(toDate('2024-05-01T12:00:00Z').toISOString()).toBe('2024-05-01T12:00:00.000Z');
    const date = new Date('2024-05-01T12:00:00Z');
    expect(toDate(date)).toBe(date);
  });

  it('refuses what is not a timestamp', () => {
    expect(() => toDate('yesterday')).toThrow(/unreadable timestamp/);
  });
});
