import type { AppContext } from '../../context.js';
import { masksPii, type Principal } from '../../lib/principal.js';
import { readBusinessFields } from './fields.repository.js';
import { maskPiiValues } from './pii-mask.js';

/** Collected or extracted data as one principal may see it. */
export type DataMask = (data: Record<string, unknown>) => Record<string, unknown>;
export const NO_MASK: DataMask = (data) => data;

/**
 * How the principal sees a business's collected and extracted data: PII fields masked for a viewer or
 * a read-only API key (lib/principal `masksPii`), clear for everyone else (no field read then).
 */
export async function dataMaskFor(
  ctx: AppContext,
  principal: Principal,
  businessId: string,
): Promise<DataMask> {
  if (!masksPii(principal, businessId)) return NO_MASK;
  const fields = (await readBusinessFields(ctx.db, businessId)) ?? [];
  if (!fields.some((f) => f.pii)) return NO_MASK;
  return (data) => maskPiiValues(fields, data);
}
