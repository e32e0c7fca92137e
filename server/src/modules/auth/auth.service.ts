import type { AppContext } from '../../context.js';
import { AppError, invalid } from '../../errors.js';
import { hashesEqual, hashSecret } from '../../lib/keys.js';
import type { Principal } from '../../plugins/auth.js';
import { findBusiness } from '../businesses/index.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const wrongKey = () => new AppError('AUTHENTICATION_ERROR', 'The business id or API key is not valid');

/** Checks a business key against that business only; changes nothing. */
export async function verifyBusinessKey(ctx: AppContext, businessId: string, apiKey: string) {
  if (!UUID.test(businessId)) throw invalid('business_id must be a UUID', { business_id: 'must be a UUID' });
  const business = await findBusiness(ctx.db, businessId);
  // Hash even when the business is unknown so both failures take the same time.
  const presented = hashSecret(apiKey);
  if (!business || !hashesEqual(presented, business.apiKeyHash)) throw wrongKey();
  return business;
}

export async function verifyAnyKey(ctx: AppContext, apiKey: string): Promise<Principal> {
  const principal = await ctx.resolveKey(apiKey);
  if (!principal) throw new AppError('AUTHENTICATION_ERROR', 'The API key is not valid');
  return principal;
}
