import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import { AppError } from '../../errors.js';
export const DEFAULT_WIDGET_DIST = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../../widget/dist');
/**
 * GET /widget.js: the built widget (`npm run build` / `npm start` build it into widget/dist). Any site
 * may load it, so it is marked cross-origin for CORP; browsers revalidate it every few minutes with
 * the content-hash ETag, so a deploy reaches every site soon while unchanged copies cost a 304.
 */
export const widgetScriptRoutes = (distDir) => async (app) => {
    const file = path.join(distDir, 'widget.js');
    let cached = null;
    const load = async () => {
        const info = await stat(file).catch(() => null);
        if (!info)
            return null;
        if (cached && cached.mtimeMs === info.mtimeMs)
            return cached;
        const body = await readFile(file);
        const hash = createHash('sha256').update(body).digest('base64url').slice(0, 22);
        // Compressed once per build of the file, not per request.
        const brotli = brotliCompressSync(body, {
            params: { [constants.BROTLI_PARAM_QUALITY]: constants.BROTLI_MAX_QUALITY },
        });
        cached = {
            body,
            gzipped: gzipSync(body, { level: 9 }),
            brotli,
            etag: `"${hash}"`,
            mtimeMs: info.mtimeMs,
        };
        return cached;
    };
    app.get('/widget.js', { config: { access: 'public' }, schema: { hide: true } }, async (request, reply) => {
        const built = await load();
        if (!built) {
            throw new AppError('SERVICE_ERROR', 'The website widget is not built. Run `npm run build` (or `npm start`) from the project root.');
        }
        reply
            .header('cross-origin-resource-policy', 'cross-origin')
            .header('access-control-allow-origin', '*')
            .header('cache-control', 'public, max-age=300, stale-while-revalidate=86400')
            .header('etag', built.etag)
            .header('vary', 'accept-encoding');
        const ifNoneMatch = request.headers['if-none-match'];
        if (ifNoneMatch?.split(',').some((tag) => tag.trim() === built.etag || tag.trim() === `W/${built.etag}`)) {
            return reply.status(304).send();
        }
        reply.type('text/javascript; charset=utf-8');
        const accepts = String(request.headers['accept-encoding'] ?? '');
        if (/\bbr\b/.test(accepts))
            return reply.header('content-encoding', 'br').send(built.brotli);
        if (/\bgzip\b/.test(accepts)) {
            return reply.header('content-encoding', 'gzip').send(built.gzipped);
        }
        return reply.send(built.body);
    });
};
//# sourceMappingURL=widget-script.routes.js.map