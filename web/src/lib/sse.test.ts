import { describe, expect, it } from 'vitest';
import { readSse } from './sse';

function streamOf(text: string, chunkSize: number): ReadableStream<Uint8Array> {
  const bytes = new TextEncoder().encode(text);
  return new ReadableStream({
    start(c) {
      for (let i = 0; i < bytes.length; i += chunkSize) c.enqueue(bytes.slice(i, i + chunkSize));
      c.close();
    },
  });
}

async function collect(text: string, chunkSize: number) {
  const out = [];
  for await (const e of readSse(streamOf(text, chunkSize))) out.push(e);
  return out;
}

describe('readSse', () => {
  const text =
    ': comment\r\n\r\nevent: stage\r\ndata: {"a":1}\r\n\r\nevent: token\ndata: line one\ndata: line two\n\nevent: done\ndata: {"é":"ü"}\n\n';
  const expected = [
    { event: 'stage', data: '{"a":1}' },
    { event: 'token', data: 'line one\nline two' },
    { event: 'done', data: '{"é":"ü"}' },
  ];

  it.each([1, 2, 3, 5, 7, 64, 4096])(
    'parses the same events whatever the chunk size (%i bytes)',
    async (size) => {
      expect(await collect(text, size)).toEqual(expected);
    },
  );

  it('yields a last event that lacks its blank line', async () => {
    expect(await collect('event: done\ndata: {}', 3)).toEqual([{ event: 'done', data: '{}' }]);
  });
});
