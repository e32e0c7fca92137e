import { describe, expect, it } from 'vitest';
import { parseStorableJson, storableText } from '../../src/lib/storable-text.js';

describe('storableText', () => {
  it('drops NUL characters and replaces lone surrogates, keeping pairs and ordinary text', () => {
    expect(storableText('plain text, café')).toBe('plain text, café');
    expect(storableText('a\u0000b\u0000')).toBe('ab');
    expect(storableText('emoji 😀 stays')).toBe('emoji 😀 stays');
    expect(storableText('high \ud83d alone, low \ude00 alone')).toBe('high \ufffd alone, low \ufffd alone');
    expect(storableText('\ude00\ud83d')).toBe('\ufffd\ufffd'); // reversed: neither is a pair
    expect(storableText('\ud83d\ud83d\ude00')).toBe('\ufffd😀');
  });
});

describe('parseStorableJson', () => {
  it('applies storableText to every string, however deep, when the JSON escapes one', () => {
    expect(parseStorableJson('{"name":"A\\u0000na","tags":["x\\ud800",{"deep":"\\u0000"}]}')).toEqual({
      name: 'Ana',
      tags: ['x\ufffd', { deep: '' }],
    });
    expect(parseStorableJson('{"emoji":"\\ud83d\\ude00","n":1}')).toEqual({ emoji: '😀', n: 1 });
  });

  it('throws on what is not JSON, as JSON.parse does', () => {
    expect(() => parseStorableJson('{"a":')).toThrow(SyntaxError);
  });
});
