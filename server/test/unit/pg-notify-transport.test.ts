import { describe, expect, it } from 'vitest';
import {
  createMessageAssembler,
  encodeMessage,
  NOTIFY_MAX_BYTES,
  splitText,
} from '../../src/cache/pg-notify-transport.js';

const ORIGIN = '3f1c2b7e-0000-4000-8000-000000000001';

describe('NOTIFY payloads', () => {
  it('sends a short message as one payload and a long one in parts, each within the limit', () => {
    expect(encodeMessage(ORIGIN, 1, '["x","business","b"]')).toHaveLength(1);
    // Multi-byte text: 3 bytes (€) and 4 bytes (emoji, a surrogate pair) per character in UTF-8.
    const long = JSON.stringify({ note: 'é€😀"\\'.repeat(3000) });
    const parts = encodeMessage(ORIGIN, 2, long);
    expect(parts.length).toBeGreaterThan(1);
    for (const part of parts) expect(Buffer.byteLength(part)).toBeLessThanOrEqual(NOTIFY_MAX_BYTES);

    const received: string[] = [];
    const receive = createMessageAssembler('another-process', (message) => received.push(message));
    for (const part of parts) receive(part);
    expect(received).toEqual([long]);
  });

  it('never splits a surrogate pair', () => {
    const text = `a${'😀'.repeat(10)}`;
    const parts = splitText(text, 4);
    expect(parts.join('')).toBe(text);
    for (const part of parts) expect(part).toBe(Buffer.from(part).toString()); // no lone surrogate
  });

  it('skips its own messages, and drops a message whose parts came incomplete', () => {
    const received: string[] = [];
    const receive = createMessageAssembler(ORIGIN, (message) => received.push(message));
    for (const part of encodeMessage(ORIGIN, 1, 'mine')) receive(part);
    expect(received).toEqual([]);

    const other = '7d0e9c1a-0000-4000-8000-000000000002';
    const parts = encodeMessage(other, 5, 'x'.repeat(20_000));
    for (const part of parts.slice(1)) receive(part); // the first part was missed
    receive(encodeMessage(other, 6, 'next')[0] as string);
    expect(received).toEqual(['next']);
  });
});
