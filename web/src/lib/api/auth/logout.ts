import { apiClient, unwrap } from '@/lib/api/client';

/** Revokes this browser's server-side session at once (204). */
export function logout() {
  return unwrap(apiClient.POST('/api/auth/logout', {}));
}
