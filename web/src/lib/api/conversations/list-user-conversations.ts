import { useQuery } from '@tanstack/react-query';
import { apiClient, unwrap } from '@/lib/api/client';
import { qk } from '@/lib/api/query-keys';

export function listUserConversations(userId: string) {
  return unwrap(
    apiClient.GET('/api/users/{user_id}/conversations', { params: { path: { user_id: userId } } }),
  );
}

/** Every conversation of one customer (the inbox's customer panel lists the others). */
export function useUserConversations(businessId: string | null, userId: string | undefined) {
  return useQuery({
    queryKey: qk.conversations.ofUser(businessId, userId),
    queryFn: () => listUserConversations(userId as string),
    enabled: !!businessId && !!userId,
  });
}
