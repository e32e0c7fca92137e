export interface SseEvent {
  event: string;
  data: string;
  /** The last `id:` seen on the stream so far (SSE keeps it across events), or '' when none. */
  id: string;
}

/**
 * An incremental parser of the `text/event-stream` format (WHATWG HTML, "server-sent events"): feed it
 * decoded text in chunks of any size; it calls `onEvent` for every complete event. Comments (`: …`,
 * our heartbeats) and events without data are dropped, as EventSource does.
 */
export function createSseParser(onEvent: (event: SseEvent) => void) {
  let buffer = '';
  let eventType = '';
  let data: string[] = [];
  let hasData = false;
  let lastId = '';
  let skipLeadingLf = false;

  const dispatch = () => {
    if (hasData) onEvent({ event: eventType || 'message', data: data.join('\n'), id: lastId });
    eventType = '';
    data = [];
    hasData = false;
  };

  const line = (text: string) => {
    if (text === '') return dispatch();
    if (text.startsWith(':')) return;
    const colon = text.indexOf(':');
    const field = colon === -1 ? text : text.slice(0, colon);
    let value = colon === -1 ? '' : text.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'event') eventType = value;
    else if (field === 'data') {
      data.push(value);
      hasData = true;
    } else if (field === 'id' && !value.includes('\0')) lastId = value;
  };

  return {
    push(chunk: string) {
      buffer += chunk;
      let start = 0;
      for (let i = 0; i < buffer.length; i++) {
        const c = buffer[i];
        if (c === '\n' && skipLeadingLf && i === start) {
          // The \n of a \r\n pair split across two chunks.
          start = i + 1;
          skipLeadingLf = false;
          continue;
        }
        skipLeadingLf = false;
        if (c !== '\n' && c !== '\r') continue;
        line(buffer.slice(start, i));
        if (c === '\r') {
          if (i + 1 < buffer.length) {
            if (buffer[i + 1] === '\n') i++;
          } else skipLeadingLf = true;
        }
        start = i + 1;
      }
      buffer = buffer.slice(start);
    },
    get lastEventId() {
      return lastId;
    },
  };
}

/** Reads a fetch `Response` body as an event stream until it ends (or `signal` aborts). */
export async function readEventStream(response: Response, onEvent: (event: SseEvent) => void): Promise<void> {
  if (!response.body) throw new Error('The response has no body');
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  const parser = createSseParser(onEvent);
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    parser.push(decoder.decode(value, { stream: true }));
  }
  parser.push(decoder.decode());
}
