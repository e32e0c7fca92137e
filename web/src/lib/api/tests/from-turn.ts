import { apiClient, unwrap } from '@/lib/api/client';

/** A test case pre-filled from a customer message the assistant answered (not saved). */
export function fromTurn(businessId: string, messageId: string) {
  return unwrap(
    apiClient.POST('/api/test-cases/from-turn', { body: { business_id: businessId, message_id: messageId } }),
  );
}
