import { apiClient, unwrap } from '../api/client';
import { ApiError } from '../api/errors';
import type { Me } from '../api/models';

/** Who the cookie belongs to; `null` when nobody is signed in. */
export async function getMe() {
  try {
    return await unwrap(apiClient.GET('/api/auth/me', {}));
  } catch (e) {
    if (e instanceof ApiError && (e.status === 401 || e.status === 403)) return null;
    throw e;
  }
}

/** Master key or business key alone: the server answers with the role and sets the HttpOnly cookie. */
export function loginWithKey(apiKey: string) {
  return unwrap(apiClient.POST('/api/auth/login', { body: { api_key: apiKey } }));
}

/** Business id + its key (api.md: POST /api/save-config); sets the same HttpOnly cookie. */
export async function saveConfig(businessId: string, apiKey: string): Promise<Me> {
  const res = await unwrap(
    apiClient.POST('/api/save-config', { body: { business_id: businessId, api_key: apiKey } }),
  );
  return { role: 'business', business_id: res.business_id, business_name: res.business_name };
}

export function logout() {
  return unwrap(apiClient.POST('/api/auth/logout', {}));
}
