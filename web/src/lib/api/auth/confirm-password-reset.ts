import { useMutation } from '@tanstack/react-query';
import { apiClient, unwrap } from '@/lib/api/client';

/** Tokens are single-use and last 1 h. */
export function confirmPasswordReset(input: { token: string; new_password: string }) {
  return unwrap(apiClient.POST('/api/auth/password-reset/confirm', { body: input }));
}

export function useConfirmPasswordReset() {
  return useMutation({ mutationFn: confirmPasswordReset });
}
