import { invalid } from '../errors.js';
export const encodeCursor = (key) => Buffer.from(JSON.stringify(key)).toString('base64url');
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
// The timestamps we hand out: UTC with microseconds (PostgreSQL's precision, finer than a JS Date).
const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;
function decode(cursor) {
    try {
        return JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    }
    catch {
        return undefined;
    }
}
const badCursor = () => invalid('Invalid cursor', { cursor: 'use the next_cursor of a previous page' });
/** A `[instant, uuid]` cursor (lists sorted by a timestamp, newest first, ties by id). */
export function decodeInstantCursor(cursor) {
    const key = decode(cursor);
    if (!Array.isArray(key) ||
        key.length !== 2 ||
        typeof key[0] !== 'string' ||
        !INSTANT.test(key[0]) ||
        typeof key[1] !== 'string' ||
        !UUID.test(key[1])) {
        throw badCursor();
    }
    return { at: key[0], id: key[1] };
}
/** A `[sequence]` cursor (a conversation's messages, in order). */
export function decodeSequenceCursor(cursor) {
    const key = decode(cursor);
    if (!Array.isArray(key) ||
        key.length !== 1 ||
        !Number.isInteger(key[0]) ||
        key[0] < 0 ||
        key[0] > 2 ** 31) {
        throw badCursor();
    }
    return key[0];
}
/**
 * Counts stop at this many rows: past it a list answers `total: LIST_COUNT_CAP, total_capped: true`
 * ("1,000+") instead of counting millions of rows on every page.
 */
export const LIST_COUNT_CAP = 1_000;
//# sourceMappingURL=cursor.js.map