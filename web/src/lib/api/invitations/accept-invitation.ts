import { apiClient, unwrap } from '@/lib/api/client';

/**
 * With `{name, password}` a new account is made for the invited e-mail; with no body the signed-in
 * account joins. Either way the answer is the new identity, and the server sets the session cookie.
 */
export function acceptInvitation(token: string, body: { name: string; password: string } | undefined) {
  return unwrap(
    apiClient.POST('/api/invitations/{token}/accept', { params: { path: { token } }, body: body ?? {} }),
  );
}
