/**
 * Whether the AI must stay silent in a conversation at `now`. A stop without an end lasts until it is
 * resumed; a stop whose end has passed counts as not stopped (nothing has to clear it).
 */
export function isAiStopped(row, now = new Date()) {
    if (!row.aiStoppedAt)
        return false;
    return row.aiStoppedUntil === null || row.aiStoppedUntil.getTime() > now.getTime();
}
/** The API's view of a pause; an expired pause reads as "not stopped" with no times. */
export function aiControlStatus(row, now = new Date()) {
    if (!isAiStopped(row, now))
        return { is_stopped: false, stop_time: null, expiration_time: null };
    return {
        is_stopped: true,
        stop_time: row.aiStoppedAt?.toISOString() ?? null,
        expiration_time: row.aiStoppedUntil?.toISOString() ?? null,
    };
}
/** The column values for a stop of `durationHours` (absent: until resumed) starting at `now`. */
export function stopColumns(durationHours, now = new Date()) {
    return {
        aiStoppedAt: now,
        aiStoppedUntil: durationHours === undefined ? null : new Date(now.getTime() + Math.round(durationHours * 3_600_000)),
    };
}
export const RESUMED = { aiStoppedAt: null, aiStoppedUntil: null };
//# sourceMappingURL=ai-control.js.map