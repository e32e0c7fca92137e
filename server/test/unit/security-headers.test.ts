import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import helmet from 'helmet';
import { describe, expect, it } from 'vitest';
import { recordedHeaders } from '../../src/plugins/security-headers.js';

type Middleware = (req: IncomingMessage, res: ServerResponse, next: (error?: unknown) => void) => void;

/** The headers a middleware leaves on a real response, read by a real client. */
async function headersOnTheWire(middleware: Middleware) {
  const server = createServer((req, res) => middleware(req, res, () => res.end('ok')));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const { port } = server.address() as AddressInfo;
    const response = await fetch(`http://127.0.0.1:${port}/`);
    await response.text();
    const headers: Record<string, string> = {};
    const generic = new Set(['date', 'connection', 'keep-alive', 'content-length', 'transfer-encoding']);
    response.headers.forEach((value, name) => {
      if (!generic.has(name)) headers[name] = value;
    });
    return headers;
  } finally {
    await new Promise((resolve) => server.close(resolve));
  }
}

describe('security headers recorded once', () => {
  const configurations: [string, Parameters<typeof helmet>[0]][] = [
    ['defaults', undefined],
    [
      'a CSP of our own',
      { contentSecurityPolicy: { directives: { defaultSrc: ["'self'"], frameAncestors: ["'none'"] } } },
    ],
    ['HSTS off, frame guard deny', { strictTransportSecurity: false, xFrameOptions: { action: 'deny' } }],
  ];

  for (const [name, options] of configurations) {
    it(`are what helmet sets on a real response (${name})`, async () => {
      const middleware = helmet(options) as Middleware;
      const recorded = recordedHeaders(middleware);
      expect(Object.keys(recorded).length).toBeGreaterThan(5);
      expect(recorded).toEqual(await headersOnTheWire(middleware));
    });
  }

  it('refuses a middleware that fails instead of recording half a set', () => {
    const failing: Middleware = (_req, res, next) => {
      res.setHeader('x-one', '1');
      next(new Error('bad directive'));
    };
    expect(() => recordedHeaders(failing)).toThrow('bad directive');
  });
});
