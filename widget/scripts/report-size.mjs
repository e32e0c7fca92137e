// Prints the built widget's size, raw and gzipped (the budget is 25 KB gzipped; fails above it).
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';

const BUDGET = 25 * 1024;
const file = new URL('../dist/widget.js', import.meta.url);
const source = readFileSync(file);
const gzipped = gzipSync(source, { level: 9 }).length;
console.log(`widget.js: ${source.length} bytes, ${gzipped} bytes gzipped (budget ${BUDGET})`);
if (gzipped > BUDGET) process.exit(1);
