import { apiClient, unwrap } from '@/lib/api/client';

/** Master key or business key alone: the server answers with the role and sets the HttpOnly session cookie. */
export function loginWithKey(apiKey: string) {
  return unwrap(apiClient.POST('/api/auth/login', { body: { api_key: apiKey } }));
}

/** A team account (api.md "Team accounts and roles"): one 401 for an unknown e-mail and a wrong password alike. */
export function loginWithPassword(email: string, password: string) {
  return unwrap(apiClient.POST('/api/auth/login', { body: { email, password } }));
}
