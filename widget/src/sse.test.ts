import { createSseParser, readEventStream, type SseEvent } from './sse';

function parseAll(chunks: string[]) {
  const events: SseEvent[] = [];
  const parser = createSseParser((event) => events.push(event));
  for (const chunk of chunks) parser.push(chunk);
  return events;
}

describe('SSE parser', () => {
  it('parses named events, default type, multi-line data and ids', () => {
    const events = parseAll([
      'event: token\ndata: {"text":"Hel"}\n\n',
      'data: line one\ndata: line two\nid: m-1\n\n',
      'event:done\ndata:{}\n\n',
    ]);
    expect(events).toEqual([
      { event: 'token', data: '{"text":"Hel"}', id: '' },
      { event: 'message', data: 'line one\nline two', id: 'm-1' },
      { event: 'done', data: '{}', id: 'm-1' },
    ]);
  });

  it('reassembles events split at any byte, with \\n, \\r\\n and \\r line ends', () => {
    const stream = 'event: a\r\ndata: 1\r\n\r\n: heartbeat\n\nevent: b\rdata: 2\r\rdata: 3\n\n';
    const whole = parseAll([stream]);
    expect(whole.map((e) => [e.event, e.data])).toEqual([
      ['a', '1'],
      ['b', '2'],
      ['message', '3'],
    ]);
    for (let cut = 1; cut < stream.length; cut++) {
      expect(parseAll([stream.slice(0, cut), stream.slice(cut)])).toEqual(whole);
    }
    expect(parseAll([...stream])).toEqual(whole);
  });

  it('drops comments and events without data, and keeps an incomplete event until its blank line', () => {
    const events: SseEvent[] = [];
    const parser = createSseParser((event) => events.push(event));
    parser.push(': ping\n\nevent: typing\n\nevent: message\ndata: x');
    expect(events).toEqual([]);
    parser.push('\n\n');
    expect(events).toEqual([{ event: 'message', data: 'x', id: '' }]);
  });

  it('reads a fetch Response body, decoding UTF-8 split across chunks', async () => {
    const bytes = new TextEncoder().encode('event: token\ndata: {"text":"olá 👋"}\n\n');
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        for (const byte of bytes) controller.enqueue(new Uint8Array([byte]));
        controller.close();
      },
    });
    const events: SseEvent[] = [];
    await readEventStream(new Response(body), (event) => events.push(event));
    expect(events.map((e) => JSON.parse(e.data).text)).toEqual(['olá 👋']);
  });
});
