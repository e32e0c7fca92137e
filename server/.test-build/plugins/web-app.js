import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
const DEFAULT_DIST = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../web/dist');
const API_PREFIXES = ['/api/', '/webhook/', '/docs', '/openapi.json', '/health', '/ping', '/metrics'];
/** Vite names everything under assets/ by its content hash: a changed file is a new URL. */
export const IMMUTABLE = 'public, max-age=31536000, immutable';
/** index.html (and the other unhashed files) must be checked on every load, or a deploy is not seen. */
export const REVALIDATE = 'no-cache';
/**
 * Serves the built web app at `/`, with client-side routes falling back to index.html. Assets are sent
 * as the brotli/gzip copies the web build writes next to them (`web/vite-precompress.ts`), chosen by
 * Accept-Encoding; hashed ones are cached for a year, the rest revalidated (ETag) on each load.
 */
export async function registerWebApp(app, distDir = DEFAULT_DIST) {
    const hasBuild = existsSync(path.join(distDir, 'index.html'));
    if (hasBuild) {
        const assetsDir = `${path.join(distDir, 'assets')}${path.sep}`;
        await app.register(fastifyStatic, {
            root: distDir,
            wildcard: false,
            index: ['index.html'],
            preCompressed: true,
            cacheControl: false,
            setHeaders: (reply, file) => {
                reply.header('cache-control', file.startsWith(assetsDir) ? IMMUTABLE : REVALIDATE);
            },
        });
    }
    else {
        app.get('/', { schema: { hide: true } }, async (_request, reply) => reply
            .type('text/html')
            .header('cache-control', REVALIDATE)
            .send('<!doctype html><title>ICMP</title><h1>ICMP API</h1><p>The web app is not built. Run <code>npm start</code> ' +
            'from the project root (it builds web/), or see <a href="/docs">the API docs</a>.</p>'));
    }
    return (url) => hasBuild &&
        !API_PREFIXES.some((prefix) => url.startsWith(prefix)) &&
        !path.extname(url.split('?')[0] ?? '');
}
//# sourceMappingURL=web-app.js.map