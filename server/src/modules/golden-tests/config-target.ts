import type { Db } from '../../db/client.js';
import { invalid } from '../../errors.js';
import { type BusinessConfig, loadBusinessConfig } from '../config-cache/index.js';

/**
 * The configuration a test run uses. Until drafts and releases exist (the `releases` module, issue 15
 * item 1) the draft and the published configuration are the one the business runs on, and there are
 * no releases to run against. Same signature as `releases`' `loadConfigForTarget`, which replaces it.
 */
export async function loadConfigForTarget(
  db: Db,
  businessId: string,
  target: 'draft' | 'published' | { release: number },
): Promise<BusinessConfig | undefined> {
  if (typeof target === 'object') {
    throw invalid(`Release ${target.release} does not exist: this installation has no releases yet`, {
      target: 'no such release',
    });
  }
  return loadBusinessConfig(db, businessId);
}
