import type { OutgoingHttpHeaders } from 'node:http';
import type { FastifyReply } from 'fastify';

/**
 * Takes the response over as `text/event-stream`, keeping the headers hooks already set on the reply
 * (CORS, request id, rate-limit, security headers), which a hijacked reply would otherwise drop.
 */
export function startEventStream(reply: FastifyReply) {
  const headers: OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(reply.getHeaders())) {
    if (value !== undefined) headers[name] = value;
  }
  reply.hijack();
  const raw = reply.raw;
  raw.writeHead(200, {
    ...headers,
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache, no-transform',
    'x-accel-buffering': 'no',
  });
  const write = (text: string) => {
    if (!raw.writableEnded && !raw.destroyed) raw.write(text);
  };
  return {
    raw,
    send(event: string, data: unknown, id?: string) {
      write(`${id ? `id: ${id}\n` : ''}event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
    },
    comment(text: string) {
      write(`: ${text}\n\n`);
    },
    end() {
      if (!raw.writableEnded) raw.end();
    },
    /**
     * Ends a stream that never finishes on its own (the client went away, or the server is closing):
     * the socket is destroyed, not left half-open — otherwise server.close() waits for Node's header
     * timeout (about a minute) before it lets go of the connection.
     */
    destroy() {
      if (!raw.destroyed) raw.destroy();
    },
  };
}
