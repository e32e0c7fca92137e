import { useMutation } from '@tanstack/react-query';
import { apiClient, unwrap } from '@/lib/api/client';

/** Always 202, whether or not the e-mail has an account (nothing to learn from the answer). */
export function requestPasswordReset(email: string) {
  return unwrap(apiClient.POST('/api/auth/password-reset', { body: { email } }));
}

export function useRequestPasswordReset() {
  return useMutation({ mutationFn: requestPasswordReset });
}
