import { useQuery } from '@tanstack/react-query';
import { apiClient, unwrap } from '@/lib/api/client';
import type { EndUser } from '@/lib/api/models';
import { qk } from '@/lib/api/query-keys';

export function listUsers(businessId: string) {
  return unwrap(
    apiClient.GET('/api/users', { params: { query: { business_id: businessId, per_page: 100 } } }),
  );
}

export function useUsers(businessId: string | null) {
  return useQuery({
    queryKey: qk.users.all(businessId),
    queryFn: () => listUsers(businessId as string),
    enabled: !!businessId,
  });
}

export function userLabel(
  u: Pick<EndUser, 'first_name' | 'last_name' | 'email' | 'phone' | 'user_id'>,
): string {
  const name = [u.first_name, u.last_name].filter(Boolean).join(' ').trim();
  return name || u.email || u.phone || u.user_id.slice(0, 8);
}
