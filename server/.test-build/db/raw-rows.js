/** Reading rows of raw SQL (`db.execute`) the same way on node-postgres and PGlite. */
/** `db.execute` answers `{rows}` on both drivers. */
export function rowsOf(result) {
    return result.rows ?? [];
}
/**
 * A timestamp from raw SQL: a Date, or text in PostgreSQL's output format
 * (`2024-05-01 12:00:00.123456+00`) or ISO 8601, which `Date` alone does not always read.
 */
export function toDate(value) {
    if (value instanceof Date)
        return value;
    const text = String(value)
        .replace(' ', 'T')
        .replace(/([+-]\d\d)$/, '$1:00');
    const date = new Date(text);
    if (Number.isNaN(date.getTime()))
        throw new Error(`unreadable timestamp: ${String(value)}`);
    return date;
}
/** JSON from a raw SQL expression: drivers normally parse it, but accept text too. */
export function fromJson(value) {
    if (value == null)
        return null;
    return typeof value === 'string' ? JSON.parse(value) : value;
}
//# sourceMappingURL=raw-rows.js.map