import { useMutation, useQueryClient } from '@tanstack/react-query';
import { apiClient, unwrap } from '@/lib/api/client';
import { qk } from '@/lib/api/query-keys';
import type { paths } from '@/lib/api/schema';

type Body<P extends keyof paths> = paths[P] extends {
  put: { requestBody?: { content: { 'application/json': infer B } } };
}
  ? B
  : never;
export type WhatsAppInput = Body<'/api/businesses/{business_id}/channels/whatsapp'>;
export type MessengerInput = Body<'/api/businesses/{business_id}/channels/messenger'>;
export type WebInput = Body<'/api/businesses/{business_id}/channels/web'>;

const path = (businessId: string) => ({ params: { path: { business_id: businessId } } });

export const saveWhatsApp = (businessId: string, body: WhatsAppInput) =>
  unwrap(apiClient.PUT('/api/businesses/{business_id}/channels/whatsapp', { ...path(businessId), body }));

export const saveMessenger = (businessId: string, body: MessengerInput) =>
  unwrap(apiClient.PUT('/api/businesses/{business_id}/channels/messenger', { ...path(businessId), body }));

export const saveWeb = (businessId: string, body: WebInput) =>
  unwrap(apiClient.PUT('/api/businesses/{business_id}/channels/web', { ...path(businessId), body }));

export const disconnectChannel = (businessId: string, channel: 'whatsapp' | 'messenger') =>
  unwrap(
    apiClient.DELETE('/api/businesses/{business_id}/channels/{channel}', {
      params: { path: { business_id: businessId, channel } },
    }),
  );

export const rotateWebKey = (businessId: string) =>
  unwrap(apiClient.POST('/api/businesses/{business_id}/channels/web/rotate-key', path(businessId)));

export const sendTestMessage = (
  businessId: string,
  input: { channel: 'whatsapp' | 'messenger'; to: string; text?: string },
) =>
  unwrap(
    apiClient.POST('/api/businesses/{business_id}/channels/{channel}/test', {
      params: { path: { business_id: businessId, channel: input.channel } },
      body: { to: input.to, ...(input.text ? { text: input.text } : {}) },
    }),
  );

/** A mutation on the business's channels that refreshes them afterwards. */
export function useChannelMutation<I, O>(
  businessId: string,
  run: (businessId: string, input: I) => Promise<O>,
) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (input: I) => run(businessId, input),
    onSuccess: () => qc.invalidateQueries({ queryKey: qk.channels.all(businessId) }),
  });
}
