import { useMutation, useQueryClient } from '@tanstack/react-query';
import { apiClient, unwrap } from '@/lib/api/client';
import { qk } from '@/lib/api/query-keys';

export interface PasswordChange {
  current_password: string;
  new_password: string;
}

/** The server revokes every other session of the account. */
export function changePassword(body: PasswordChange) {
  return unwrap(apiClient.POST('/api/auth/password', { body }));
}

export function useChangePassword() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: changePassword,
    onSuccess: () => queryClient.invalidateQueries({ queryKey: qk.account.sessions() }),
  });
}
