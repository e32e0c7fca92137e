/** Reading rows of raw SQL (`db.execute`) the same way on node-postgres and PGlite. */

/** `db.execute` answers `{rows}` on both drivers. */
export function rowsOf(result: unknown): Record<string, unknown>[] {
  return (result as { rows?: Record<string, unknown>[] }).rows ?? [];
}

const POSTGRES_UTC = /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(?:\.\d+)?\+00$/;

/**
 * A timestamp from raw SQL: a Date, or text in PostgreSQL's output format
 * (`2024-05-01 12:00:00.123456+00`) or ISO 8601, which `Date` alone does not always read.
 */
export function toDate(value: unknown): Date {
  if (value instanceof Date) return value;
  const raw = String(value);
  // PostgreSQL's output in UTC, every row the turn reads: ISO 8601 once `T` and `Z` are put in.
  const text = POSTGRES_UTC.test(raw)
    ? `${raw.slice(0, 10)}T${raw.slice(11, -3)}Z`
    : raw.replace(' ', 'T').replace(/([+-]\d\d)$/, '$1:00');
  const date = new Date(text);
  if (Number.isNaN(date.getTime())) throw new Error(`unreadable timestamp: ${String(value)}`);
  return date;
}

/** JSON from a raw SQL expression: drivers normally parse it, but accept text too. */
export function fromJson<T>(value: T | string | null | undefined): T | null {
  if (value == null) return null;
  return typeof value === 'string' ? (JSON.parse(value) as T) : value;
}
