// Module resolution hooks of record-module-loads.mjs (they run on Node's loader thread).
import { appendFileSync } from 'node:fs';

let settings = { file: undefined, match: undefined };

export function initialize(data) {
  settings = data;
}

export async function resolve(specifier, context, next) {
  const result = await next(specifier, context);
  if (settings.file && settings.match && result.url.includes(settings.match)) {
    appendFileSync(settings.file, `${result.url}\n`);
  }
  return result;
}
