import { apiClient, unwrap } from '@/lib/api/client';

export interface NewAccount {
  email: string;
  password: string;
  name: string;
  is_admin?: boolean;
}

/** Master key (or a platform admin) only: how the first admin account is made. */
export function createAccount(body: NewAccount) {
  return unwrap(apiClient.POST('/api/auth/accounts', { body }));
}
