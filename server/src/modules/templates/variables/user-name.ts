import { collectedData, currentUserId, onceKnown, remember, type VariableProvider } from './variable-env.js';
import { findUserName } from './variables.repository.js';

const NAME_KEYS = ['name', 'full_name', 'user_name', 'customer_name'];

/** A name the customer gave in the conversation, for users created without one (first contact). */
function collectedName(data: Record<string, unknown> | undefined): string {
  if (!data) return '';
  for (const key of NAME_KEYS) {
    const value = data[key];
    if (typeof value === 'string' && value.trim()) return value.trim();
  }
  const parts = [data.first_name, data.last_name].filter(
    (part): part is string => typeof part === 'string' && part.trim() !== '',
  );
  return parts.map((part) => part.trim()).join(' ');
}

const fullName = (row: { firstName: string | null; lastName: string | null } | undefined) =>
  [row?.firstName, row?.lastName]
    .map((part) => part?.trim())
    .filter(Boolean)
    .join(' ');

const userName: VariableProvider = (env) =>
  onceKnown(currentUserId(env), (userId) => {
    if (!userId)
      return onceKnown(collectedData(env), (data) => (data ? collectedName(data) || undefined : undefined));
    const row =
      env.vc.user ??
      remember(env, `user:${userId}`, () => findUserName(env.ctx.db, env.vc.businessId, userId));
    return onceKnown(row, (found) => fullName(found) || onceKnown(collectedData(env), collectedName));
  });

export const userVariables: Record<string, VariableProvider> = { user_name: userName };
