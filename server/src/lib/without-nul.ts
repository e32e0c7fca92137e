/**
 * PostgreSQL text and jsonb cannot hold U+0000. Text from outside that is stored as it comes — a model's
 * answer, a Meta webhook's message — would fail its statement with a format error (answered as a 400,
 * as if the request were malformed) for one stray character. Such text is stored without it; what
 * our own API receives is still refused with a 400 (the client can send it again).
 */
export const withoutNul = (text: string): string => (text.includes('\0') ? text.replaceAll('\0', '') : text);

const reviveWithoutNul = (_key: string, value: unknown): unknown =>
  typeof value === 'string' ? withoutNul(value) : value;

/** JSON.parse, with `\u0000` escapes dropped from every string (the reviver only when there is one). */
export const parseJsonWithoutNul = (json: string): unknown =>
  json.includes('\\u0000') ? JSON.parse(json, reviveWithoutNul) : JSON.parse(json);
