import { apiClient, unwrap } from '@/lib/api/client';
import { ApiError } from '@/lib/api/errors';

/** Who the cookie belongs to; `null` when nobody is signed in. */
export async function getMe() {
  try {
    return await unwrap(apiClient.GET('/api/auth/me', {}));
  } catch (e) {
    if (e instanceof ApiError && (e.status === 401 || e.status === 403)) return null;
    throw e;
  }
}
