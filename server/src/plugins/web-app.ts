import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';

const DEFAULT_DIST = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../web/dist');
const API_PREFIXES = ['/api/', '/webhook/', '/docs', '/openapi.json', '/health', '/ping', '/metrics'];

/** Serves the built web app at `/`, with client-side routes falling back to index.html. */
export async function registerWebApp(app: FastifyInstance, distDir = DEFAULT_DIST) {
  const hasBuild = existsSync(path.join(distDir, 'index.html'));
  if (hasBuild) {
    await app.register(fastifyStatic, { root: distDir, wildcard: false, index: ['index.html'] });
  } else {
    app.get('/', { schema: { hide: true } }, async (_request, reply) =>
      reply
        .type('text/html')
        .send(
          '<!doctype html><title>ICMP</title><h1>ICMP API</h1><p>The web app is not built. Run <code>npm start</code> ' +
            'from the project root (it builds web/), or see <a href="/docs">the API docs</a>.</p>',
        ),
    );
  }
  return (url: string) =>
    hasBuild &&
    !API_PREFIXES.some((prefix) => url.startsWith(prefix)) &&
    !path.extname(url.split('?')[0] ?? '');
}
