import type { ConfigTarget } from './golden-tests.schemas.js';

/** A run's target as stored: `draft`, `published` or `release:<n>`. */
export function storeTarget(target: ConfigTarget): string {
  return typeof target === 'object' ? `release:${target.release}` : target;
}

export function parseTarget(stored: string): ConfigTarget {
  const release = /^release:(\d+)$/.exec(stored);
  if (release) return { release: Number(release[1]) };
  return stored === 'published' ? 'published' : 'draft';
}
