import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import type { Plugin } from 'vite';

const COMPRESSIBLE = /\.(js|mjs|css|html|svg|json|txt|map|webmanifest|ico)$/;
const MIN_BYTES = 1024;

function* filesUnder(dir: string): Generator<string> {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) yield* filesUnder(full);
    else if (entry.isFile()) yield full;
  }
}

/**
 * After `vite build`, writes `<file>.br` (brotli, maximum quality) and `<file>.gz` (gzip -9) next to
 * every text asset of the output, so the server sends them as they are (`@fastify/static`
 * `preCompressed`) instead of compressing on each request. A compressed copy no smaller than the
 * file is not written.
 */
export function precompress(): Plugin {
  let outDir = 'dist';
  return {
    name: 'icmp-precompress',
    apply: 'build',
    configResolved(config) {
      outDir = path.resolve(config.root, config.build.outDir);
    },
    closeBundle() {
      let files = 0;
      let before = 0;
      let after = 0;
      for (const file of filesUnder(outDir)) {
        if (!COMPRESSIBLE.test(file) || statSync(file).size < MIN_BYTES) continue;
        const body = readFileSync(file);
        const br = brotliCompressSync(body, {
          params: {
            [constants.BROTLI_PARAM_QUALITY]: constants.BROTLI_MAX_QUALITY,
            [constants.BROTLI_PARAM_SIZE_HINT]: body.length,
          },
        });
        const gz = gzipSync(body, { level: 9 });
        if (br.length < body.length) writeFileSync(`${file}.br`, br);
        if (gz.length < body.length) writeFileSync(`${file}.gz`, gz);
        files++;
        before += body.length;
        after += Math.min(br.length, body.length);
      }
      const kib = (bytes: number) => `${(bytes / 1024).toFixed(0)} KiB`;
      this.info(`precompressed ${files} files: ${kib(before)} → ${kib(after)} with brotli`);
    },
  };
}
