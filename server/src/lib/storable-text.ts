/**
 * PostgreSQL text and jsonb hold neither U+0000 nor half of a UTF-16 surrogate pair (jsonb refuses
 * `\ud800`; a text parameter is encoded with U+FFFD in its place). Text from outside that is stored as
 * it comes — a model's answer, a Meta webhook's messages — would fail its statement with a format
 * error (answered as a 400, as if the request were malformed) for one stray character. Such text is
 * stored without NUL characters and with U+FFFD for a lone surrogate; what our own API receives with a
 * NUL is still refused with a 400 (the client can send it again).
 */

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/** The text without NUL characters, with U+FFFD for each lone surrogate. */
export const storableText = (text: string): string => {
  const wellFormed = text.replace(LONE_SURROGATE, '\ufffd');
  return wellFormed.includes('\0') ? wellFormed.replaceAll('\0', '') : wellFormed;
};

const reviveStorable = (_key: string, value: unknown): unknown =>
  typeof value === 'string' ? storableText(value) : value;

/** `\u0000` or a `\ud800`–`\udfff` escape: what JSON can say that PostgreSQL may not store. */
const UNSTORABLE_ESCAPE = /\\u(?:0000|d[89a-f])/i;

/** JSON.parse, every string made storable (the reviver runs only when an escape calls for it). */
export const parseStorableJson = (json: string): unknown =>
  UNSTORABLE_ESCAPE.test(json) ? JSON.parse(json, reviveStorable) : JSON.parse(json);
